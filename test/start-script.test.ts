/**
 * `npm start` (scripts/start.js) runs the compiled server when dist/ is at least as new as every
 * file of src/, and the sources through tsx, saying so, when it is not: checked on a scratch
 * checkout whose two entries print which one ran.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { it } from 'node:test'

const ROOT = resolve(import.meta.dirname, '..')

function run(root: string): { stdout: string; stderr: string } {
  const stderrFile = join(root, 'stderr.txt')
  const stdout = execFileSync('sh', ['-c', `node scripts/start.js serve 2>"${stderrFile}"`], {
    cwd: root,
    encoding: 'utf8',
  })
  return { stdout, stderr: execFileSync('cat', [stderrFile], { encoding: 'utf8' }) }
}

it('runs dist/ when it is fresh, else src/ through tsx with a notice', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'inlet-start-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  mkdirSync(join(root, 'scripts'))
  for (const f of ['start.js', 'fresh-build.js']) {
    copyFileSync(join(ROOT, 'scripts', f), join(root, 'scripts', f))
  }
  writeFileSync(join(root, 'package.json'), '{"type":"module"}')
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'))
  mkdirSync(join(root, 'src', 'cli'), { recursive: true })
  mkdirSync(join(root, 'dist', 'cli'), { recursive: true })
  const src = join(root, 'src', 'cli', 'main.ts')
  const dist = join(root, 'dist', 'cli', 'main.js')
  writeFileSync(
    src,
    "const from: string = 'src'\nconsole.log(from, process.argv.slice(2).join(' '))\n",
  )
  writeFileSync(dist, "console.log('dist', process.argv.slice(2).join(' '))\n")
  const past = new Date(Date.now() - 60_000)
  utimesSync(src, past, past)
  assert.deepEqual(run(root), { stdout: 'dist serve\n', stderr: '' })

  const future = new Date(Date.now() + 60_000)
  utimesSync(src, future, future)
  const stale = run(root)
  assert.equal(stale.stdout, 'src serve\n')
  assert.match(stale.stderr, /src\/ is newer than dist\/.*running the sources through tsx/)

  rmSync(dist)
  assert.equal(run(root).stdout, 'src serve\n', 'no dist/ at all')
})
