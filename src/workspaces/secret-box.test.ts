// The server secret and the sealed keys: a sealed key opens only with the same secret and the same
// workspace and feature, shows nothing of the key, and fails loudly when altered; the secret comes
// from INLET_SECRET_KEY, else one `secret.key` per data directory shared by every process (made
// once, mode 0600), and there is none with PostgreSQL alone.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import {
  SECRET_KEY_FILE,
  SealedValueError,
  ServerSecretMissingError,
  createSecretBox,
  serverSecret,
} from './secret-box.js'

const KEY = 'push-api-key-0123456789abcdef'
const CONTEXT = 'inlet feature key|WS01|push'
const boxOf = (secret: string) => createSecretBox(() => Buffer.from(secret, 'utf8'))

function dataDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'inlet-secret-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

describe('createSecretBox', () => {
  const box = boxOf('a-server-secret-of-at-least-32-characters')

  it('opens what it sealed, and the sealed text shows nothing of the key', () => {
    const sealed = box.seal(KEY, CONTEXT)
    assert.match(sealed, /^v1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/)
    assert.ok(!sealed.includes(KEY) && !sealed.includes(Buffer.from(KEY).toString('base64url')))
    assert.equal(box.open(sealed, CONTEXT), KEY)
    assert.notEqual(box.seal(KEY, CONTEXT), sealed, 'a fresh IV each time')
  })

  it('refuses a sealed key moved to another workspace or feature', () => {
    const sealed = box.seal(KEY, CONTEXT)
    assert.throws(() => box.open(sealed, 'inlet feature key|WS02|push'), SealedValueError)
    assert.throws(() => box.open(sealed, 'inlet feature key|WS01|reports'), SealedValueError)
  })

  it('refuses an altered or truncated value, and text that is not a sealed value', () => {
    const sealed = box.seal(KEY, CONTEXT)
    const [format, id, iv, tag, body] = sealed.split('.') as [
      string,
      string,
      string,
      string,
      string,
    ]
    const flip = (s: string): string => (s.startsWith('A') ? `B${s.slice(1)}` : `A${s.slice(1)}`)
    for (const bad of [
      [format, id, iv, tag, flip(body)],
      [format, id, flip(iv), tag, body],
      [format, id, iv, flip(tag), body],
      [format, id, iv, tag.slice(0, 6), body], // a 4-byte tag
      [format, id, iv, tag],
      ['v2', id, iv, tag, body],
    ]) {
      assert.throws(() => box.open(bad.join('.'), CONTEXT), SealedValueError, bad.join('.'))
    }
    assert.throws(() => box.open(KEY, CONTEXT), SealedValueError)
  })

  it('tells a value sealed under another secret by its key id, naming no secret', () => {
    const other = boxOf('another-server-secret-of-32-characters!')
    const sealed = other.seal(KEY, CONTEXT)
    assert.throws(
      () => box.open(sealed, CONTEXT),
      (err: unknown) => {
        assert.ok(err instanceof SealedValueError)
        assert.match(err.message, /sealed under server secret [0-9a-f]{8}, and this process has/)
        assert.ok(!err.message.includes('server-secret-of'))
        return true
      },
    )
  })

  it('opens values sealed under the previous secret after a rotation, and seals under the new one', () => {
    const oldSecret = 'another-server-secret-of-32-characters!'
    const sealedBefore = boxOf(oldSecret).seal(KEY, CONTEXT)
    const rotated = createSecretBox(
      () => Buffer.from('a-server-secret-of-at-least-32-characters', 'utf8'),
      Buffer.from(oldSecret, 'utf8'),
    )
    assert.equal(rotated.open(sealedBefore, CONTEXT), KEY)
    assert.throws(() => rotated.open(sealedBefore, 'inlet feature key|WS02|push'), SealedValueError)
    const sealedAfter = rotated.seal(KEY, CONTEXT)
    assert.equal(box.open(sealedAfter, CONTEXT), KEY, 'the new secret seals')
    assert.throws(() => boxOf(oldSecret).open(sealedAfter, CONTEXT), SealedValueError)
    assert.deepEqual(rotated.macs('m', 'p'), [box.mac('m', 'p'), boxOf(oldSecret).mac('m', 'p')])
    assert.deepEqual(box.macs('m', 'p'), [box.mac('m', 'p')])
  })

  it('reads the secret only when first needed', () => {
    let reads = 0
    const lazy = createSecretBox(() => {
      reads++
      return Buffer.from('a-server-secret-of-at-least-32-characters')
    })
    assert.equal(reads, 0)
    assert.equal(lazy.open(lazy.seal(KEY, CONTEXT), CONTEXT), KEY)
    assert.equal(box.open(lazy.seal(KEY, CONTEXT), CONTEXT), KEY, 'same secret, same keys')
    assert.equal(reads, 1)
  })
})

describe('serverSecret', () => {
  it('is INLET_SECRET_KEY when set, whatever the store', () => {
    const secret = 'configured-secret-0123456789abcdef'
    for (const databaseUrl of [undefined, 'postgres://localhost/inlet_test']) {
      const read = serverSecret({ secretKey: secret, dataDir: ':memory:', databaseUrl })
      assert.equal(read().toString('utf8'), secret)
    }
  })

  it('is none with PostgreSQL and no INLET_SECRET_KEY: sealing is refused, not done apart', () => {
    const read = serverSecret({
      secretKey: undefined,
      dataDir: './data',
      databaseUrl: 'postgres://localhost/inlet_test',
    })
    const box = createSecretBox(read) // nothing read yet: a process that never seals is fine
    assert.throws(() => box.seal(KEY, CONTEXT), ServerSecretMissingError)
    assert.throws(read, /set INLET_SECRET_KEY/)
  })

  it('makes secret.key in the data directory once (mode 0600), and every process reads it', (t) => {
    const dir = join(dataDir(t), 'not-yet-made')
    const source = { secretKey: undefined, dataDir: dir, databaseUrl: undefined }
    const first = serverSecret(source)()
    const path = join(dir, SECRET_KEY_FILE)
    assert.equal(readFileSync(path, 'utf8'), `${first.toString('utf8')}\n`)
    assert.match(first.toString('utf8'), /^[0-9a-f]{64}$/)
    assert.equal(statSync(path).mode & 0o777, 0o600)
    // Another process on the same directory: the same secret, so its sealed keys open here.
    const again = serverSecret(source)()
    assert.deepEqual(again, first)
    const sealed = createSecretBox(serverSecret(source)).seal(KEY, CONTEXT)
    assert.equal(createSecretBox(serverSecret(source)).open(sealed, CONTEXT), KEY)
  })

  it('is random per process in memory (tests)', () => {
    const source = { secretKey: undefined, dataDir: ':memory:', databaseUrl: undefined }
    const read = serverSecret(source)
    assert.deepEqual(read(), read(), 'remembered')
    assert.notDeepEqual(serverSecret(source)(), read())
  })
})
