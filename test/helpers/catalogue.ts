/**
 * Inlet's error catalogue as the conformance tests hold MoEngage's published error examples
 * against it: whether some error code, as one Data API endpoint answers it, is a given status,
 * type and message.
 */
import { ERROR_CODES } from '../../src/core/errors.js'
import type { DataEndpoint } from '../../src/core/catalogue/types.js'
import { wireError } from '../../src/core/error-catalogue.js'

/**
 * Whether some error code, as `endpoint` answers it, has this status, type and message (a
 * `{param}` of a catalogue message stands for any text).
 */
export function catalogueProduces(
  endpoint: DataEndpoint,
  status: number,
  error: Readonly<{ type: string; message: string }>,
): boolean {
  return ERROR_CODES.some((code) => {
    const wire = wireError(code, endpoint, {})
    if (wire.status !== status || wire.type !== error.type) return false
    if (!wire.message.includes('{')) return wire.message === error.message
    const pattern = wire.message
      .split(/\{\w+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+')
    return new RegExp(`^${pattern}$`).test(error.message)
  })
}
