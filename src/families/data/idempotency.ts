/**
 * Inlet's `Idempotency-Key` on the ingest endpoints (not MoEngage's): a request carrying a key is
 * logged under the key as its request id, and a request whose key the workspace's log already
 * holds is answered as accepted without being logged again — so a client that lost the answer
 * (killed mid-request, a timeout) can send the same body again without duplicating its events.
 * It holds while the first request's records are in the log (INLET_LOG_RETENTION_SECONDS), and
 * requests with one key are taken one at a time in a process (docs/imports.md).
 */
import type { FastifyRequest } from 'fastify'
import { AppError } from '../../core/errors.js'

export const IDEMPOTENCY_HEADER = 'idempotency-key'

const KEY = /^[A-Za-z0-9._:-]{16,100}$/

/** The request's key (undefined without the header); a malformed one is a 400. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const value = request.headers[IDEMPOTENCY_HEADER]
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !KEY.test(value)) {
    throw new AppError('idempotency_key_invalid')
  }
  return value
}

export type Idempotency = Readonly<{
  /**
   * Runs `submit` unless the workspace's log holds a request logged under `key`; resolves to
   * whether it ran. Requests with the same key wait for each other (in this process).
   */
  once(workspaceId: string, key: string, submit: () => Promise<void>): Promise<boolean>
}>

export function createIdempotency(
  logged: (workspaceId: string, requestId: string) => Promise<boolean>,
): Idempotency {
  const running = new Map<string, Promise<boolean>>()
  return {
    async once(workspaceId, key, submit) {
      const id = `${workspaceId}\n${key}`
      const before = running.get(id)
      const mine = (async () => {
        if (before !== undefined) await before.catch(() => false)
        if (await logged(workspaceId, key)) return false
        await submit()
        return true
      })()
      running.set(id, mine)
      try {
        return await mine
      } finally {
        if (running.get(id) === mine) running.delete(id)
      }
    },
  }
}
