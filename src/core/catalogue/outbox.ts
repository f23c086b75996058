/**
 * The outbox family's own catalogue entries (Inlet's, `/inlet/v1/outbox`), in the Data API's
 * envelope (E1) like Inlet's other extensions; every other code as the Data family's.
 */
import type { OutboxErrorCode, WireError } from './types.js'

export const OUTBOX_ERRORS: Readonly<Record<OutboxErrorCode, WireError>> = {
  outbox_filter_invalid: {
    status: 400,
    type: 'Bad Request',
    message: '{detail}',
    attribute: '{attribute}',
  },
}
