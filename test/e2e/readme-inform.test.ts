/**
 * The README's "Testing your sends against Inlet" example, run as written: its shell block
 * against a real `inlet serve` (with an admin token), in a scratch directory, with bash and curl.
 * The block ends with the assertion on the rendered text, so its exit code is the verdict; the
 * outbox then holds the message and the user its `SMS Sent` event.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { startServer, tempDir } from '../helpers/server.js'

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const ADMIN_TOKEN = 'readme-example-admin-token'

/** The first ```sh block of the README section `heading`. */
function shellBlock(heading: string): string {
  const section = README.slice(README.indexOf(`\n## ${heading}\n`))
  const match = /```sh\n([\s\S]*?)```/.exec(section)
  assert.ok(match?.[1] !== undefined, `no sh block under ${heading}`)
  return match[1]
}

describe('README: Testing your sends against Inlet', () => {
  it('runs as written: the tail shows the rendered SMS', async (t) => {
    const server = await startServer(t, { env: { INLET_ADMIN_TOKEN: ADMIN_TOKEN } })
    const script = shellBlock('Testing your sends against Inlet').replace(
      /^INLET=\S+/m,
      `INLET=${server.baseUrl}`,
    )
    const run = await promisify(execFile)('bash', ['-e', '-c', script], {
      cwd: tempDir(t, 'inlet-readme-inform-'),
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        WS: server.workspaceId,
        KEY: server.apiKey,
        INLET_ADMIN_TOKEN: ADMIN_TOKEN,
      },
      timeout: 30_000,
    })
    assert.match(run.stdout, /"SMS":\{"message":"Successfully Received","err_code":"SUCCESS"/)
    const listed = await server.get('/inlet/v1/outbox?user_id=john')
    assert.equal(listed.status, 200)
    const [message] = (listed.body as { messages: { body: string; status: string }[] }).messages
    assert.deepEqual([message?.body, message?.status], ['Your code is 424242', 'recorded'])
  })
})
