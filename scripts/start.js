// `npm start`: runs the compiled server (dist/, built by `npm install`'s prepare script and by
// `npm run build`) when it is at least as new as src/; else the sources through tsx, saying so.
// The compiled server needs no TypeScript loader in any of its threads: under Bulk it peaks at
// ~270 MB against ~350 MB from the sources (docs/benchmarks.md, the 12:15 section).
/* global process */
import { pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { distEntry, distIsFresh } from './fresh-build.js'

const root = join(import.meta.dirname, '..')
if (distIsFresh(root)) {
  await import(pathToFileURL(distEntry(root)).href)
} else {
  process.stderr.write(
    'inlet: src/ is newer than dist/ (or dist/ is missing): running the sources through tsx; ' +
      '`npm run build` runs the compiled server, which uses less memory.\n',
  )
  const tsx = await import('tsx/esm/api')
  tsx.register()
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href)
}
