// Whether a checkout's compiled server (dist/) is at least as new as every file of its src/: what
// `npm start` (scripts/start.js) and the benchmark (bench/processes.ts) decide to run by.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** The compiled entry of the `inlet` binary under `root`. */
export function distEntry(root) {
  return join(root, 'dist', 'cli', 'main.js')
}

/** The newest modification time of the files under `dir`, in milliseconds. */
export function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const m = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs
    if (m > newest) newest = m
  }
  return newest
}

/** True when dist/ exists and was built after the last change to any file of src/. */
export function distIsFresh(root) {
  const dist = distEntry(root)
  return existsSync(dist) && newestMtime(join(root, 'src')) <= statSync(dist).mtimeMs
}
