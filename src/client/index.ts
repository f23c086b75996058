/**
 * `inlet/client`: the client SDK of MoEngage's Data API, for Node, Deno, Bun, edge runtimes and
 * browsers (fetch only; no Node built-in, nothing of Inlet's server). docs/sdk.md documents it.
 */
export {
  DATA_CENTERS,
  DataApiClient,
  baseUrlOf,
  type ClientOptions,
  type DataCenter,
  type Endpoint,
} from './data-api-client.js'
export { BULK_BODY_OVERHEAD, type Delivered } from './batcher.js'
export {
  AuthenticationError,
  ClientClosedError,
  DataApiError,
  DeliveryError,
  ForbiddenError,
  NetworkError,
  PayloadTooLargeError,
  RateLimitError,
  RecordTooLargeError,
  ServerError,
  ValidationError,
  type DeliveryFailure,
} from './errors.js'
export { DEFAULT_RETRY, backoffMs, type RetryPolicy } from './retry.js'
export { utf8Length, type FetchLike } from './transport.js'
export type * from './types.js'
