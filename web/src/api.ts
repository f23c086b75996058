// The dashboard API client: same-origin JSON requests (the session cookie goes by itself), the
// CSRF token on every state-changing request, errors as ApiError with the server's message. Any
// answer 401 (the session expired, or was signed out elsewhere) is also told to the shell
// (onSessionEnded), which takes every page back to sign-in.

let csrfToken = ''
let sessionEndedListener: () => void = () => undefined

/** Who is told when the server answers 401: the session is gone (app.tsx). */
export function onSessionEnded(listener: () => void): void {
  sessionEndedListener = listener
}

/** The session is gone (a 401, or the live stream said so): tell the shell. */
export function sessionEnded(): void {
  sessionEndedListener()
}

export function setCsrfToken(token: string): void {
  csrfToken = token
}

export class ApiError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken
  const response = await fetch(`/dashboard/api${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (response.status === 401) sessionEnded()
  if (response.status === 204) return undefined as T
  // A body that is not JSON (a proxy's error page) leaves only the status to say what happened.
  const json = (await response.json().catch(() => undefined)) as unknown
  if (!response.ok) {
    const message = (json as { error?: { message?: string } } | undefined)?.error?.message
    throw new ApiError(response.status, message ?? `HTTP ${response.status}`)
  }
  return json as T
}

/** A path under one workspace, each segment encoded. */
export function wsPath(ws: string, ...rest: string[]): string {
  return `/w/${encodeURIComponent(ws)}/${rest.map(encodeURIComponent).join('/')}`
}

export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const text = q.toString()
  return text === '' ? '' : `?${text}`
}

export function formatTime(iso: string | null): string {
  if (iso === null) return '—'
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })
}
