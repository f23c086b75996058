/**
 * The server secret, what it seals and what it signs (the consent family's link tokens, by HMAC
 * under a key derived for them: workspaces/link-tokens.ts): the feature keys whose request signatures are computed
 * from the key itself (Push: sha256 of `appId|campaignName|pushApiKey`), which a hash could not
 * verify. Such a key is stored sealed — AES-256-GCM under a key derived (HKDF-SHA256) from the
 * server secret, bound to its workspace and feature — so a copy of the database alone (a dump, a
 * backup, a replica) does not reveal it. docs/auth.md explains the choice.
 *
 * The server secret is `INLET_SECRET_KEY` when set; otherwise, on SQLite in a directory, the file
 * `secret.key` of the data directory, made on first use (mode 0600) and shared by every process on
 * that directory; in memory (`:memory:`, tests) a random one per process. With PostgreSQL and no
 * `INLET_SECRET_KEY` there is none: processes on other machines could not share a file, so sealing
 * is refused (ServerSecretMissingError) rather than done with a secret the others lack. The secret
 * is read only when first needed, never logged, and never leaves this module.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The file holding a generated server secret, in the data directory. */
export const SECRET_KEY_FILE = 'secret.key'

const FORMAT = 'v1'
const IV_BYTES = 12

/** Sealing needs a server secret and this process has none (PostgreSQL without INLET_SECRET_KEY). */
export class ServerSecretMissingError extends Error {
  override readonly name: string = 'ServerSecretMissingError'
  constructor() {
    super(
      'no server secret: with PostgreSQL, set INLET_SECRET_KEY (the same on every process) to ' +
        'store Push and Campaign report keys (docs/auth.md)',
    )
  }
}

/** A sealed value this process cannot open: another server secret, or altered. Names no secret. */
export class SealedValueError extends Error {
  override readonly name: string = 'SealedValueError'
}

export type SecretBox = Readonly<{
  /** `plain` encrypted and authenticated under the server secret, bound to `context`. */
  seal(plain: string, context: string): string
  /**
   * The plaintext of `sealed`, which must have been sealed with the same `context`; throws
   * SealedValueError when it was sealed under another secret or altered.
   */
  open(sealed: string, context: string): string
  /**
   * The HMAC-SHA256 of `message` (base64url) under a key derived from the server secret for
   * `purpose` alone, so that a tag of one purpose is never one of another (the consent family's
   * link tokens: workspaces/link-tokens.ts).
   */
  mac(message: string, purpose: string): string
  /**
   * The tags of `message` under every secret this process verifies with: the current one's
   * first, then the previous secret's (INLET_PREVIOUS_SECRET_KEY) when there is one.
   */
  macs(message: string, purpose: string): string[]
}>

/** Where the server secret comes from (core/config.ts's values). */
export type SecretSource = Readonly<{
  /** INLET_SECRET_KEY. */
  secretKey: string | undefined
  /** INLET_PREVIOUS_SECRET_KEY: the secret before a rotation, still accepted (never used to write). */
  previousSecretKey?: string | undefined
  dataDir: string
  databaseUrl: string | undefined
}>

/**
 * The server secret of `source`, read (or made) on first call and remembered; throws
 * ServerSecretMissingError where there is none (see the module comment).
 */
export function serverSecret(source: SecretSource): () => Buffer {
  let secret: Buffer | undefined
  return () => {
    secret ??= loadSecret(source)
    return secret
  }
}

/** The previous server secret of `source` (INLET_PREVIOUS_SECRET_KEY), if any. */
export function previousSecret(source: SecretSource): Buffer | undefined {
  return source.previousSecretKey === undefined
    ? undefined
    : Buffer.from(source.previousSecretKey, 'utf8')
}

function loadSecret(source: SecretSource): Buffer {
  if (source.secretKey !== undefined) return Buffer.from(source.secretKey, 'utf8')
  if (source.databaseUrl !== undefined) throw new ServerSecretMissingError()
  if (source.dataDir === ':memory:') return Buffer.from(randomBytes(32).toString('hex'), 'utf8')
  return Buffer.from(secretFile(source.dataDir), 'utf8')
}

/**
 * The secret of `<dir>/secret.key`, made when missing. A new secret is written whole to a file of
 * its own and then linked into place, which fails when another process got there first: every
 * process ends up reading the one secret that won, never a half-written file.
 */
function secretFile(dir: string): string {
  const path = join(dir, SECRET_KEY_FILE)
  const read = (): string | undefined => {
    try {
      const text = readFileSync(path, 'utf8').trim()
      return text === '' ? undefined : text
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined // a Node fs error
      throw err
    }
  }
  const found = read()
  if (found !== undefined) return found
  mkdirSync(dir, { recursive: true })
  const draft = join(dir, `.${SECRET_KEY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`)
  writeFileSync(draft, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' })
  try {
    linkSync(draft, path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err // a Node fs error
  } finally {
    unlinkSync(draft)
  }
  const made = read()
  if (made === undefined) throw new Error(`${path} is empty`)
  return made
}

/**
 * A SecretBox over the secret `secret()` returns (called on first use, so a process that never
 * seals needs no secret), and the `previous` secret of a rotation when given: values sealed and
 * tags made under it are still opened and verified, nothing new is sealed or signed with it.
 * The sealed form is `v1.<key id>.<iv>.<tag>.<ciphertext>`, base64url; the key id (8 hex digits
 * of an HMAC of the secret) tells a value sealed under another secret from an altered one, and
 * which of the two secrets to open it with, and reveals nothing of the secret.
 */
export function createSecretBox(secret: () => Buffer, previous?: Buffer): SecretBox {
  type Keys = { aes: Buffer; id: string }
  const keysOf = (master: Buffer): Keys => ({
    aes: Buffer.from(hkdfSync('sha256', master, '', 'inlet sealed feature keys v1', 32)),
    id: createHmac('sha256', master).update('inlet key id').digest('hex').slice(0, 8),
  })
  let keys: Keys | undefined
  const derived = (): Keys => (keys ??= keysOf(secret()))
  const previousKeys = previous === undefined ? undefined : keysOf(previous)
  const macKeys = new Map<string, Buffer>()
  const macKeyOf = (master: Buffer, purpose: string): Buffer =>
    Buffer.from(hkdfSync('sha256', master, '', `inlet mac v1 ${purpose}`, 32))
  const macKey = (purpose: string): Buffer => {
    let key = macKeys.get(purpose)
    if (key === undefined) {
      key = macKeyOf(secret(), purpose)
      macKeys.set(purpose, key)
    }
    return key
  }
  const tagOf = (key: Buffer, message: string): string =>
    createHmac('sha256', key).update(message, 'utf8').digest('base64url')
  return {
    mac: (message, purpose) => tagOf(macKey(purpose), message),
    macs: (message, purpose) => [
      tagOf(macKey(purpose), message),
      ...(previous === undefined ? [] : [tagOf(macKeyOf(previous, purpose), message)]),
    ],
    seal: (plain, context) => {
      const { aes, id } = derived()
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', aes, iv)
      cipher.setAAD(Buffer.from(context, 'utf8'))
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      const tag = cipher.getAuthTag()
      return [FORMAT, id, iv, tag, body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.')
    },
    open: (sealed, context) => {
      const current = derived()
      const [format, keyId, iv, tag, body, ...rest] = sealed.split('.')
      if (
        format !== FORMAT ||
        keyId === undefined ||
        iv === undefined ||
        tag === undefined ||
        body === undefined ||
        rest.length > 0
      ) {
        throw new SealedValueError('not a sealed value')
      }
      const { aes } = keyId === previousKeys?.id ? previousKeys : current
      if (keyId !== current.id && keyId !== previousKeys?.id) {
        throw new SealedValueError(
          `sealed under server secret ${keyId}, and this process has ${current.id}: give every ` +
            'process the same INLET_SECRET_KEY (docs/auth.md)',
        )
      }
      try {
        // A full-length tag only: a shortened one would be easier to forge.
        const decipher = createDecipheriv('aes-256-gcm', aes, Buffer.from(iv, 'base64url'), {
          authTagLength: 16,
        })
        decipher.setAAD(Buffer.from(context, 'utf8'))
        decipher.setAuthTag(Buffer.from(tag, 'base64url'))
        const plain = Buffer.concat([
          decipher.update(Buffer.from(body, 'base64url')),
          decipher.final(),
        ])
        return plain.toString('utf8')
      } catch (err) {
        throw new SealedValueError('a sealed value was altered or is bound to another key', {
          cause: err,
        })
      }
    },
  }
}
