/**
 * The reference files the tests read (test/fixtures/moengage/) are the copies their checksum file
 * names: every file listed in SHA256SUMS is there with that sha256, and every file there (besides
 * its README and SHA256SUMS) is listed, so a fixture cannot change, appear or go missing unnoticed.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { it } from 'node:test'

const DIR = new URL('../fixtures/moengage/', import.meta.url)
const NOT_LISTED = ['README.md', 'SHA256SUMS']

/** `sha256sum` output: 64 hex digits, two spaces, the file name. */
const LINE = /^([0-9a-f]{64}) {2}([^/\s][^/]*)$/

function checksums(): Map<string, string> {
  const listed = new Map<string, string>()
  const lines = readFileSync(new URL('SHA256SUMS', DIR), 'utf8').split('\n')
  assert.equal(lines.pop(), '', 'SHA256SUMS ends with a newline')
  for (const line of lines) {
    const m = LINE.exec(line)
    assert.ok(m?.[1] !== undefined && m[2] !== undefined, `unreadable SHA256SUMS line: ${line}`)
    assert.ok(!listed.has(m[2]), `${m[2]} is listed twice`)
    listed.set(m[2], m[1])
  }
  return listed
}

it('every fixture file has the sha256 of SHA256SUMS, and every file there is listed', () => {
  const listed = checksums()
  // The files the tests read: a checksum file that lost one of them fails here.
  for (const name of [
    'moengage-data-api.md',
    'moengage-data-openapi.yml',
    'moengage-data.postman_collection.json',
    'moengage-gdpr-ccpa-openapi.yml',
    'moengage-subscription-categories-openapi.yml',
    'moengage-email-subscription-openapi.yml',
  ]) {
    assert.ok(listed.has(name), `${name} is listed in SHA256SUMS`)
  }
  for (const [name, expected] of listed) {
    const actual = createHash('sha256')
      .update(readFileSync(new URL(name, DIR)))
      .digest('hex')
    assert.equal(actual, expected, `${name}: sha256 differs from SHA256SUMS`)
  }
  const present = readdirSync(DIR).filter((name) => !NOT_LISTED.includes(name))
  assert.deepEqual(present.sort(), [...listed.keys()].sort(), 'the files present are those listed')
})
