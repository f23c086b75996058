/**
 * What the conformance replays of OpenAPI examples share: the file's shape as they read it, and
 * the check that every documented example is covered (produced, rendered, or a listed known
 * difference) and that nothing covered is not documented, so a newer copy of a file with a new
 * example fails until it is covered.
 */
import assert from 'node:assert/strict'

/** The parts of an OpenAPI file a replay reads: request and response examples. */
export type Media = { example?: unknown; examples?: Record<string, { value?: unknown }> }
export type ResponseObject = { $ref?: string; content?: Record<string, Media> }
export type Operation = {
  requestBody?: { content?: Record<string, Media> }
  responses: Record<string, ResponseObject>
}
export type OpenApi = {
  paths: Record<string, Record<string, Operation>>
  components: { responses?: Record<string, ResponseObject> }
}

export function assertExamplesCovered(
  documented: Iterable<string>,
  ...covers: Iterable<string>[]
): void {
  const examples = new Set(documented)
  const covered = new Set(covers.flatMap((c) => [...c]))
  assert.deepEqual([...examples].filter((k) => !covered.has(k)).sort(), [], 'not covered')
  assert.deepEqual([...covered].filter((k) => !examples.has(k)).sort(), [], 'not documented')
}
