/**
 * U+0000 (NUL) kept out of Inlet at the edge: PostgreSQL's text (and `->>` on json) cannot hold it,
 * so a value with one could never be stored or matched there. A body holding one is refused by the
 * body parser (`body_has_nul`), a URL holding one by an onRequest hook (`url_has_nul`), and a
 * workspace id with one (a Basic username) is no workspace (http/gateway.ts).
 */
import type { FastifyRequest } from 'fastify'
import { AppError } from '../core/errors.js'

/**
 * True when the JSON text holds the escape of U+0000 (`\u0000`) in a string or key. JSON cannot hold
 * a raw NUL byte (JSON.parse refuses control characters), so the escape is the only way in. A
 * `\u0000` preceded by an odd run of backslashes is an escaped backslash followed by the letters
 * `u0000`, not a NUL. PostgreSQL's text and its `->>` on json cannot hold NUL at all; refused here,
 * it never reaches a store (docs/errors.md `body_has_nul`).
 */
export function containsNulEscape(text: string): boolean {
  let from = 0
  for (;;) {
    const at = text.indexOf('\\u0000', from)
    if (at === -1) return false
    let backslashes = 1
    while (at - backslashes >= 0 && text.charCodeAt(at - backslashes) === 0x5c) backslashes++
    if (backslashes % 2 === 1) return true
    from = at + 6
  }
}

/** True when `value` holds a NUL character. */
export function hasNul(value: string): boolean {
  return value.includes('\u0000')
}

/** onRequest: a URL with `%00` in its path or query answers 400 `url_has_nul` before anything else. */
export function refuseNulInUrl(
  request: FastifyRequest,
  _reply: unknown,
  done: (err?: Error) => void,
): void {
  // `%00` is the only way NUL reaches a URL: Node's parser refuses the raw byte.
  done(request.url.includes('%00') ? new AppError('url_has_nul') : undefined)
}
