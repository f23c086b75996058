/**
 * The Data API's request body limits (spec §3), shared by the server's defaults (config.ts) and the
 * client SDK's batching (client/batcher.ts): 128 KB for a single request, 100 KB for a Bulk Import.
 */

/** spec §3: every Data API body but Bulk Import. */
export const BODY_LIMIT_BYTES = 128 * 1024

/** spec §3: a Bulk Import body ("a maximum of 100 KB in a single API call"). */
export const BULK_BODY_LIMIT_BYTES = 100 * 1024
