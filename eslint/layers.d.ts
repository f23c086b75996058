// Types of eslint/layers.js for the TypeScript that imports it (test/architecture/layers.test.ts).
import type { ESLint } from 'eslint'

export declare const LAYERS: readonly (readonly string[])[]
export declare function elementOf(file: string, srcDir: string): string | undefined
export declare function layerOf(element: string): number
declare const plugin: ESLint.Plugin
export default plugin
