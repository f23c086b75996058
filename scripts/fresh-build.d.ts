// Types of scripts/fresh-build.js (plain JS: `npm start` runs it before any TypeScript loader).
export declare function distEntry(root: string): string
export declare function newestMtime(dir: string): number
export declare function distIsFresh(root: string): boolean
