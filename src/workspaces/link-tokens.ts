/**
 * Inlet's link tokens for the subscription-preference pages (families/consent): MoEngage puts the
 * user's MoEngage ID and the campaign id in its email links DES-encrypted under a key nobody else
 * has, so no other server can read them. Inlet issues its own: `it1.<value>.<tag>`, the value
 * base64url and the tag an HMAC-SHA256 (secret-box.ts `mac`, a key derived from the server secret
 * for this purpose only) of the workspace, the token's kind (`user` or `campaign`) and the value.
 * A token names its value openly — it authenticates, it does not hide — and is bound to its
 * workspace and kind: a campaign token is not a user token, a token of one workspace is refused by
 * another. A workspace may also accept plain ids (settings `plainLinkIds`). docs/compatibility.md
 * records the deviation.
 */
import { timingSafeEqual } from 'node:crypto'
import type { SecretBox } from './secret-box.js'

export type LinkTokenKind = 'user' | 'campaign'

const PREFIX = 'it1'
const PURPOSE = 'consent link tokens'
/** Longest value a token carries (ids are far shorter; a bound on what is hashed). */
export const MAX_TOKEN_VALUE_LENGTH = 1024

export type LinkTokens = Readonly<{
  /** The token for `value` (a user's internal id, a campaign id) of `kind` in `workspaceId`. */
  issue(workspaceId: string, kind: LinkTokenKind, value: string): string
  /** The value `token` carries when it is a valid token of `kind` in `workspaceId`; else undefined. */
  read(workspaceId: string, kind: LinkTokenKind, token: string): string | undefined
}>

/** True when `text` looks like one of Inlet's link tokens (valid or not). */
export function isLinkToken(text: string): boolean {
  return text.startsWith(`${PREFIX}.`)
}

export function createLinkTokens(box: SecretBox): LinkTokens {
  const tag = (workspaceId: string, kind: LinkTokenKind, value: string): string =>
    box.mac(`${workspaceId}\u0000${kind}\u0000${value}`, PURPOSE)
  return {
    issue: (workspaceId, kind, value) =>
      `${PREFIX}.${Buffer.from(value, 'utf8').toString('base64url')}.${tag(workspaceId, kind, value)}`,
    read: (workspaceId, kind, token) => {
      const parts = token.split('.')
      if (parts.length !== 3 || parts[0] !== PREFIX) return undefined
      const [, encoded = '', given = ''] = parts
      if (!/^[A-Za-z0-9_-]+$/.test(encoded) || encoded.length > MAX_TOKEN_VALUE_LENGTH * 2) {
        return undefined
      }
      const value = Buffer.from(encoded, 'base64url').toString('utf8')
      if (Buffer.from(value, 'utf8').toString('base64url') !== encoded) return undefined
      const expected = Buffer.from(tag(workspaceId, kind, value), 'utf8')
      const got = Buffer.from(given, 'utf8')
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) return undefined
      return value
    },
  }
}
