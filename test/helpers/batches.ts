/**
 * A processor batch for tests and benchmarks that write a store directly: `batchChanges` is a
 * commit that changes nothing but what it is given, with the cursor left at 0.
 */
import type { BatchChanges } from '../../src/store/store.js'

export function batchChanges(changes: Partial<BatchChanges>): BatchChanges {
  return {
    fromSeq: 0,
    toSeq: 0,
    users: [],
    devices: [],
    deletedDevices: [],
    events: [],
    outcomes: [],
    ...changes,
  }
}
