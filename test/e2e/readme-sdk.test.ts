/**
 * The README's "Client SDK" example, run as written against a real `inlet serve`: its js block
 * with only the base URL pointed at the test's server and `inlet/client` at the SDK's sources
 * (the built package resolves the same exports; test/e2e/sdk-package.test.ts checks that). It
 * prints what the README says it prints, reports no failure, and its users are then stored.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { ROOT, startServer, tempDir } from '../helpers/server.js'

const README = readFileSync(join(ROOT, 'README.md'), 'utf8')

/** The first ```js block of the README section `heading`. */
function jsBlock(heading: string): string {
  const section = README.slice(README.indexOf(`\n## ${heading}\n`))
  const match = /```js\n([\s\S]*?)```/.exec(section)
  assert.ok(match?.[1] !== undefined, `no js block under ${heading}`)
  return match[1]
}

describe('README: Client SDK', { timeout: 120_000 }, () => {
  it('runs as written: prints the connection and the typed error, and stores the users', async (t) => {
    const server = await startServer(t)
    const block = jsBlock('Client SDK')
    assert.match(block, /'inlet\/client'/)
    assert.match(block, /'http:\/\/127\.0\.0\.1:8080'/)
    const script = block
      .replace("'inlet/client'", `'${pathToFileURL(join(ROOT, 'src/client/index.ts')).href}'`)
      .replace("'http://127.0.0.1:8080'", `'${server.baseUrl}'`)
    const file = join(tempDir(t, 'inlet-readme-sdk-'), 'example.mjs')
    writeFileSync(file, script)
    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        WS: server.workspaceId,
        KEY: server.apiKey,
      },
      timeout: 90_000,
    })
    assert.equal(run.stderr, '', 'no record failed')
    assert.equal(
      run.stdout,
      'success\n400 MissingAttributeError actions actions can not be empty Array\n',
    )
    const ids = ['user-0', 'user-500', 'user-999']
    for (let tries = 0; ; tries++) {
      const found = await server.getUsers(ids)
      if (found.size === ids.length) {
        assert.equal(found.get('user-999')?.['visits'], 999)
        break
      }
      assert.ok(tries < 100, `users not stored: ${[...found.keys()].join(',')}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })
})
