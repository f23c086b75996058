/**
 * Text lengths in characters as MoEngage's limits read them (spec §8.3 "characters"): Unicode code
 * points, not UTF-16 units (an emoji is one character, not two) and not bytes. Counting and
 * cutting by that measure, so a limit neither counts a surrogate pair twice nor cuts one in half.
 */

/** The length of `text` in Unicode code points (a lone surrogate counts as one). */
export function characterCount(text: string): number {
  let count = 0
  for (let i = 0; i < text.length; i++) {
    if (isPairAt(text, i)) i++
    count++
  }
  return count
}

/** True when `text` has at most `limit` characters; counts only when the answer is in doubt. */
export function withinLength(text: string, limit: number): boolean {
  // A code point is one or two UTF-16 units, so the count lies between length / 2 and length.
  if (text.length <= limit) return true
  if (text.length > 2 * limit) return false
  return characterCount(text) <= limit
}

/** The first `limit` characters of `text` (all of it when shorter); never half a pair. */
export function truncateCharacters(text: string, limit: number): string {
  if (text.length <= limit) return text
  let count = 0
  let i = 0
  while (i < text.length && count < limit) {
    i += isPairAt(text, i) ? 2 : 1
    count++
  }
  return text.slice(0, i)
}

/** A high surrogate at `i` followed by a low one: one code point in two units. */
function isPairAt(text: string, i: number): boolean {
  const unit = text.charCodeAt(i)
  if (unit < 0xd800 || unit > 0xdbff || i + 1 >= text.length) return false
  const next = text.charCodeAt(i + 1)
  return next >= 0xdc00 && next <= 0xdfff
}
