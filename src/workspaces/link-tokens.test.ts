/**
 * Inlet's consent link tokens (link-tokens.ts): what they carry, what they are bound to, their
 * expiry, the refused first format, and reading across a rotation of the server secret.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createLinkTokens, isLinkToken, issueLinkIds } from './link-tokens.js'
import { createSecretBox } from './secret-box.js'

const SECRET = Buffer.from('link-tokens-test-server-secret-0123456789', 'utf8')
const OLD = Buffer.from('link-tokens-test-old-server-secret-012345', 'utf8')
const T0 = Date.parse('2026-12-01T10:00:00Z')
const DAY = 86_400_000

const tokensOf = (secret: Buffer, previous?: Buffer) =>
  createLinkTokens(createSecretBox(() => secret, previous))

describe('link tokens', () => {
  const tokens = tokensOf(SECRET)

  it('carry their value until they expire, to the second, and not from then on', () => {
    const token = tokens.issue('WS01', 'user', 'user-1', T0 + DAY)
    assert.match(token, /^it2\.dXNlci0x\.\d+\.[\w-]{43}$/)
    assert.equal(token.split('.')[2], String((T0 + DAY) / 1000))
    assert.equal(tokens.read('WS01', 'user', token, T0), 'user-1')
    assert.equal(tokens.read('WS01', 'user', token, T0 + DAY - 1), 'user-1')
    assert.equal(tokens.read('WS01', 'user', token, T0 + DAY), undefined)
    // An expiry that is not a whole second is rounded up.
    const later = tokens.issue('WS01', 'user', 'user-1', T0 + 1)
    assert.equal(tokens.read('WS01', 'user', later, T0 + 999), 'user-1')
    assert.equal(tokens.read('WS01', 'user', later, T0 + 1000), undefined)
  })

  it('are bound to their workspace, kind, value and expiry', () => {
    const token = tokens.issue('WS01', 'campaign', 'spring', T0 + DAY)
    assert.equal(tokens.read('WS02', 'campaign', token, T0), undefined)
    assert.equal(tokens.read('WS01', 'user', token, T0), undefined)
    const [prefix, value, expires, tag] = token.split('.') as [string, string, string, string]
    const other = Buffer.from('summer').toString('base64url')
    for (const forged of [
      `${prefix}.${other}.${expires}.${tag}`,
      `${prefix}.${value}.${Number(expires) + 86_400}.${tag}`, // a later expiry
      `${prefix}.${value}.${expires}.${tag.slice(0, -1)}`,
      `${prefix}.${value}.${expires}`,
      `${prefix}.${value}.0${expires}.${tag}`, // the same number, written otherwise
      `${prefix}.${value}=.${expires}.${tag}`,
      `${prefix}.${value}.-${expires}.${tag}`,
      '',
    ]) {
      assert.equal(tokens.read('WS01', 'campaign', forged, T0), undefined, forged)
    }
  })

  it('refuse the first format (it1: no expiry), which is still known as a token', () => {
    const mac = createSecretBox(() => SECRET).mac(
      'WS01\u0000user\u0000user-1',
      'consent link tokens',
    )
    const first = `it1.${Buffer.from('user-1').toString('base64url')}.${mac}`
    assert.equal(isLinkToken(first), true)
    assert.equal(tokens.read('WS01', 'user', first, T0), undefined)
    assert.equal(isLinkToken('user-1'), false)
  })

  it('issued under the previous server secret are read after a rotation; others are not', () => {
    const before = tokensOf(OLD).issue('WS01', 'user', 'user-1', T0 + DAY)
    const rotated = tokensOf(SECRET, OLD)
    assert.equal(rotated.read('WS01', 'user', before, T0), 'user-1')
    assert.equal(rotated.read('WS01', 'user', before, T0 + DAY), undefined, 'still expires')
    assert.equal(tokensOf(SECRET).read('WS01', 'user', before, T0), undefined)
    // New tokens are signed under the current secret only.
    const after = rotated.issue('WS01', 'user', 'user-1', T0 + DAY)
    assert.equal(tokensOf(SECRET).read('WS01', 'user', after, T0), 'user-1')
    assert.equal(tokensOf(OLD).read('WS01', 'user', after, T0), undefined)
  })

  it('issueLinkIds gives both ids one expiry, ttlDays from now', () => {
    const link = issueLinkIds(tokens, {
      workspaceId: 'WS01',
      userId: 'user-1',
      campaignId: 'spring',
      now: T0 + 10,
      ttlDays: 7,
    })
    assert.equal(link.expiresAt, T0 + 7 * DAY + 1000)
    assert.equal(tokens.read('WS01', 'user', link.userId, T0 + 7 * DAY), 'user-1')
    assert.equal(tokens.read('WS01', 'campaign', link.cid, T0 + 7 * DAY), 'spring')
    assert.equal(tokens.read('WS01', 'campaign', link.cid, link.expiresAt), undefined)
  })
})
