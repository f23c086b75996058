/**
 * Inlet's link tokens for the subscription-preference pages (families/consent): MoEngage puts the
 * user's MoEngage ID and the campaign id in its email links DES-encrypted under a key nobody else
 * has, so no other server can read them. Inlet issues its own: `it2.<value>.<expires>.<tag>`, the
 * value base64url, `expires` the epoch second from which the token is refused, and the tag an
 * HMAC-SHA256 (secret-box.ts `mac`, a key derived from the server secret for this purpose only) of
 * the workspace, the token's kind (`user` or `campaign`), the value and the expiry. A token names
 * its value openly — it authenticates, it does not hide — and is bound to its workspace and kind:
 * a campaign token is not a user token, a token of one workspace is refused by another. Tokens
 * signed under the previous server secret (INLET_PREVIOUS_SECRET_KEY) are still read, so the
 * secret can be rotated without breaking the links already sent. The first format, `it1.…`, had
 * no expiry and is refused (still recognised as a token, never taken for a plain id). A workspace
 * may also accept plain ids (settings `plainLinkIds`). docs/compatibility.md records the deviation.
 */
import { timingSafeEqual } from 'node:crypto'
import type { SecretBox } from './secret-box.js'

export type LinkTokenKind = 'user' | 'campaign'

const PREFIX = 'it2'
/** Prefixes of every format Inlet ever issued (the older ones are refused). */
const FORMATS = ['it1', PREFIX] as const
const PURPOSE = 'consent link tokens v2'
/** Longest value a token carries (ids are far shorter; a bound on what is hashed). */
export const MAX_TOKEN_VALUE_LENGTH = 1024

/** Days a token lasts when its issuer names none (INLET_LINK_TOKEN_TTL_DAYS). */
export const DEFAULT_LINK_TOKEN_TTL_DAYS = 90
/** The longest lifetime a token may be given, in days (ten years). */
export const MAX_LINK_TOKEN_TTL_DAYS = 3650

export type LinkTokens = Readonly<{
  /**
   * The token for `value` (a user's internal id, a campaign id) of `kind` in `workspaceId`,
   * refused from `expiresAt` (epoch ms, rounded up to a whole second) on.
   */
  issue(workspaceId: string, kind: LinkTokenKind, value: string, expiresAt: number): string
  /**
   * The value `token` carries when it is a valid token of `kind` in `workspaceId` that has not
   * expired at `now`; else undefined.
   */
  read(workspaceId: string, kind: LinkTokenKind, token: string, now: number): string | undefined
}>

/** True when `text` looks like one of Inlet's link tokens, of any format (valid or not). */
export function isLinkToken(text: string): boolean {
  return FORMATS.some((f) => text.startsWith(`${f}.`))
}

export function createLinkTokens(box: SecretBox): LinkTokens {
  const message = (ws: string, kind: LinkTokenKind, value: string, expires: number): string =>
    `${ws}\u0000${kind}\u0000${value}\u0000${expires}`
  return {
    issue: (workspaceId, kind, value, expiresAt) => {
      const expires = Math.ceil(expiresAt / 1000)
      const tag = box.mac(message(workspaceId, kind, value, expires), PURPOSE)
      return `${PREFIX}.${Buffer.from(value, 'utf8').toString('base64url')}.${expires}.${tag}`
    },
    read: (workspaceId, kind, token, now) => {
      const parts = token.split('.')
      if (parts.length !== 4 || parts[0] !== PREFIX) return undefined
      const [, encoded = '', expiresText = '', given = ''] = parts
      if (!/^[A-Za-z0-9_-]+$/.test(encoded) || encoded.length > MAX_TOKEN_VALUE_LENGTH * 2) {
        return undefined
      }
      if (!/^[1-9][0-9]{0,12}$/.test(expiresText)) return undefined
      const expires = Number(expiresText)
      const value = decoded(encoded)
      if (value === undefined) return undefined
      const got = Buffer.from(given, 'utf8')
      // Every secret's tag is compared (the current one and the previous one, if any).
      const signed = box.macs(message(workspaceId, kind, value, expires), PURPOSE).some((tag) => {
        const expected = Buffer.from(tag, 'utf8')
        return got.length === expected.length && timingSafeEqual(got, expected)
      })
      // Checked after the signature: an expired token is told apart only once it is genuine.
      return signed && now < expires * 1000 ? value : undefined
    },
  }
}

/** The value of a base64url text, when it is the canonical encoding of one. */
function decoded(encoded: string): string | undefined {
  const value = Buffer.from(encoded, 'base64url').toString('utf8')
  return Buffer.from(value, 'utf8').toString('base64url') === encoded ? value : undefined
}

/** A preference page's link ids: the user's and the campaign's tokens, and when both expire. */
export type LinkIdTokens = Readonly<{ userId: string; cid: string; expiresAt: number }>

/**
 * The link ids of user `userId`'s preference page for campaign `campaignId` in `workspaceId`,
 * lasting `ttlDays` from `now` (the admin API's and the CLI's `subscription-links`).
 */
export function issueLinkIds(
  tokens: LinkTokens,
  link: Readonly<{
    workspaceId: string
    userId: string
    campaignId: string
    now: number
    ttlDays: number
  }>,
): LinkIdTokens {
  const expiresAt = Math.ceil((link.now + link.ttlDays * 86_400_000) / 1000) * 1000
  return {
    userId: tokens.issue(link.workspaceId, 'user', link.userId, expiresAt),
    cid: tokens.issue(link.workspaceId, 'campaign', link.campaignId, expiresAt),
    expiresAt,
  }
}
