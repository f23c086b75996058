/**
 * Where a file segment's CSV or a file import's file comes from, and where a file segment's
 * callback goes (README, "File segments"; docs/imports.md, "File Imports"):
 * the URL policy — `http:` and `https:` always, `file:` only when INLET_SEGMENT_FILE_DIR is set and
 * only under it, no other scheme, and no private, loopback, link-local or otherwise reserved
 * address unless INLET_SEGMENT_FETCH_PRIVATE allows them (a host name is resolved once, every
 * address it has checked, and the connection made to the address checked: no DNS rebinding) — the
 * download into a temporary file with the 150 MB limit enforced while the bytes arrive (aborted
 * past it), and the callback POST. Redirects are not followed.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, realpath, rm, stat } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import { BlockList, isIP, type LookupFunction } from 'node:net'
import { lookup as dnsLookup } from 'node:dns/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'

/** spec §2.1: "For each request, the file size limit is 150 MB." */
export const FILE_LIMIT_BYTES = 150 * 1024 * 1024

/** How long a download or a callback may take before it counts as failed. */
export const FETCH_TIMEOUT_MS = 60_000
export const CALLBACK_TIMEOUT_MS = 10_000

export type SourcePolicy = Readonly<{
  /** `file:` URLs are read only under this directory; undefined: refused. */
  fileDir: string | undefined
  /** Private, loopback, link-local and reserved addresses may be reached. */
  allowPrivate: boolean
}>

/** Addresses no file or callback is fetched from unless the policy allows private ones. */
const PRIVATE = (() => {
  const list = new BlockList()
  for (const [net, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 3],
  ] as const) {
    list.addSubnet(net, bits, 'ipv4')
  }
  for (const [net, bits] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const) {
    list.addSubnet(net, bits, 'ipv6')
  }
  return list
})()

/** True when `address` (an IP literal) is private, loopback, link-local or reserved. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 4) return PRIVATE.check(address, 'ipv4')
  if (family !== 6) return true
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped?.[1] !== undefined) return PRIVATE.check(mapped[1], 'ipv4')
  return PRIVATE.check(address, 'ipv6')
}

/** Why a URL is refused before anything is fetched (undefined: it may be fetched). */
export function urlProblem(raw: string, policy: SourcePolicy, purpose: 'file' | 'callback') {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'is not a valid URL'
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (url.username !== '' || url.password !== '') return 'must not hold credentials'
    return undefined
  }
  if (url.protocol === 'file:' && purpose === 'file') {
    return policy.fileDir === undefined
      ? 'file: URLs are not enabled on this server (INLET_SEGMENT_FILE_DIR)'
      : undefined
  }
  return `has the scheme ${url.protocol} (http: and https: only${purpose === 'file' ? ', or file: when enabled' : ''})`
}

/** The outcome of a download or a callback. */
export type FetchFailure = Readonly<{
  /** `retry`: worth another attempt (network, timeout, 5xx, 429); `final`: it would fail again. */
  kind: 'retry' | 'final' | 'too_large'
  reason: string
}>

export type Downloaded = Readonly<{
  ok: true
  file: string
  bytes: number
  dispose(): Promise<void>
}>

/** Resolves `host` and checks every address; the first one is where to connect. */
async function resolveAllowed(
  host: string,
  policy: SourcePolicy,
): Promise<{ address: string; family: number } | FetchFailure> {
  const bare = host.startsWith('[') ? host.slice(1, -1) : host
  let addresses: { address: string; family: number }[]
  if (isIP(bare) !== 0) {
    addresses = [{ address: bare, family: isIP(bare) }]
  } else {
    try {
      addresses = await dnsLookup(bare, { all: true, verbatim: true })
    } catch (err) {
      return { kind: 'retry', reason: `cannot resolve ${bare}: ${(err as Error).message}` }
    }
  }
  const first = addresses[0]
  if (first === undefined) return { kind: 'retry', reason: `${bare} has no address` }
  if (!policy.allowPrivate) {
    const refused = addresses.find((a) => isPrivateAddress(a.address))
    if (refused !== undefined) {
      return {
        kind: 'final',
        reason: `${bare} is a private address (${refused.address}); INLET_SEGMENT_FETCH_PRIVATE allows it`,
      }
    }
  }
  return first
}

/** A lookup that answers the address already checked, whatever Node asks. */
function pinned(address: string, family: number): LookupFunction {
  return (_host, options, callback) => {
    if (options.all === true) {
      ;(callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address, family },
      ])
    } else callback(null, address, family)
  }
}

/** Counts the bytes that pass, failing past `limit`. */
function limited(limit: number, counted: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      counted.bytes += chunk.length
      if (counted.bytes > limit) done(new TooLarge())
      else done(null, chunk)
    },
  })
}

class TooLarge extends Error {
  constructor() {
    super('the file is larger than the limit')
  }
}

/** A temporary directory for one download, removed by `dispose`. */
async function tempFile(): Promise<{ file: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'inlet-segment-'))
  return {
    file: path.join(dir, 'file.csv'),
    dispose: () => rm(dir, { recursive: true, force: true }),
  }
}

/** Copies a `file:` URL's file, when it is under the allowed directory. */
async function copyLocal(
  url: URL,
  policy: SourcePolicy,
  limit: number,
): Promise<Downloaded | FetchFailure> {
  if (policy.fileDir === undefined) return { kind: 'final', reason: 'file: URLs are not enabled' }
  let real: string
  let root: string
  try {
    root = await realpath(policy.fileDir)
    real = await realpath(fileURLToPath(url))
  } catch (err) {
    return { kind: 'final', reason: `cannot read the file: ${(err as Error).message}` }
  }
  const relative = path.relative(root, real)
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    return { kind: 'final', reason: 'the file is not under INLET_SEGMENT_FILE_DIR' }
  }
  const info = await stat(real)
  if (!info.isFile()) return { kind: 'final', reason: 'not a regular file' }
  if (info.size > limit) return { kind: 'too_large', reason: 'the file is larger than the limit' }
  const temp = await tempFile()
  const counted = { bytes: 0 }
  try {
    await pipeline(createReadStream(real), limited(limit, counted), createWriteStream(temp.file))
  } catch (err) {
    await temp.dispose()
    if (err instanceof TooLarge) return { kind: 'too_large', reason: err.message }
    return { kind: 'retry', reason: (err as Error).message }
  }
  return { ok: true, bytes: counted.bytes, ...temp }
}

/** The response of one request, or why there is none. */
function request(
  url: URL,
  options: http.RequestOptions,
  body: string | undefined,
): Promise<http.IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = client.request(url, options, resolve)
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.end(body)
  })
}

/** Downloads `raw` into a temporary file, at most `limit` bytes. */
export async function download(
  raw: string,
  policy: SourcePolicy,
  limit: number = FILE_LIMIT_BYTES,
): Promise<Downloaded | FetchFailure> {
  const problem = urlProblem(raw, policy, 'file')
  if (problem !== undefined) return { kind: 'final', reason: `file_url ${problem}` }
  const url = new URL(raw)
  if (url.protocol === 'file:') return copyLocal(url, policy, limit)
  const target = await resolveAllowed(url.hostname, policy)
  if ('kind' in target) return target
  let response: http.IncomingMessage
  try {
    response = await request(
      url,
      {
        method: 'GET',
        lookup: pinned(target.address, target.family),
        timeout: FETCH_TIMEOUT_MS,
        headers: { accept: 'text/csv, text/plain, */*', 'user-agent': 'Inlet file segments' },
      },
      undefined,
    )
  } catch (err) {
    return { kind: 'retry', reason: `request failed: ${(err as Error).message}` }
  }
  const status = response.statusCode ?? 0
  if (status !== 200) {
    response.resume()
    const retry = status >= 500 || status === 429 || status === 408
    return { kind: retry ? 'retry' : 'final', reason: `the server answered ${status}` }
  }
  const declared = Number(response.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    response.destroy()
    return { kind: 'too_large', reason: 'the file is larger than the limit' }
  }
  const temp = await tempFile()
  const counted = { bytes: 0 }
  try {
    await pipeline(response, limited(limit, counted), createWriteStream(temp.file))
  } catch (err) {
    await temp.dispose()
    response.destroy()
    if (err instanceof TooLarge) return { kind: 'too_large', reason: err.message }
    return { kind: 'retry', reason: `download failed: ${(err as Error).message}` }
  }
  return { ok: true, bytes: counted.bytes, ...temp }
}

/** POSTs `body` as JSON to `raw`; ok when it answers 2xx. */
export async function postJson(
  raw: string,
  body: unknown,
  policy: SourcePolicy,
): Promise<{ ok: true } | FetchFailure> {
  const problem = urlProblem(raw, policy, 'callback')
  if (problem !== undefined) return { kind: 'final', reason: `callback_url ${problem}` }
  const url = new URL(raw)
  const target = await resolveAllowed(url.hostname, policy)
  if ('kind' in target) return target
  const text = JSON.stringify(body)
  try {
    const response = await request(
      url,
      {
        method: 'POST',
        lookup: pinned(target.address, target.family),
        timeout: CALLBACK_TIMEOUT_MS,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(text)),
          'user-agent': 'Inlet file segments',
        },
      },
      text,
    )
    response.resume()
    const status = response.statusCode ?? 0
    if (status >= 200 && status < 300) return { ok: true }
    return { kind: 'retry', reason: `the callback answered ${status}` }
  } catch (err) {
    return { kind: 'retry', reason: `callback failed: ${(err as Error).message}` }
  }
}

/** The largest file a File Import downloads or copies. */
export const IMPORT_FILE_LIMIT_BYTES = 1024 * 1024 * 1024

/**
 * Why a File Import's source is refused when it is defined (undefined: taken): a URL `download`
 * would refuse, or a `file:` URL whose path is not under the allowed directory (checked by name
 * here; `download` checks the real path again when it reads).
 */
export function importSourceProblem(raw: string, policy: SourcePolicy): string | undefined {
  const problem = urlProblem(raw, policy, 'file')
  if (problem !== undefined) return problem
  const url = new URL(raw)
  if (url.protocol !== 'file:' || policy.fileDir === undefined) return undefined
  let file: string
  try {
    file = fileURLToPath(url)
  } catch (err) {
    return `is not a local path: ${(err as Error).message}`
  }
  const relative = path.relative(path.resolve(policy.fileDir), path.resolve(file))
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    return 'is not under INLET_SEGMENT_FILE_DIR'
  }
  return undefined
}
