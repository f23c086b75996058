// The dashboard API client: same-origin JSON requests (the session cookie goes by itself), the
// CSRF token on every state-changing request, errors as ApiError with the server's message.

let csrfToken = ''

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
  if (response.status === 204) return undefined as T
  const json = (await response.json()) as unknown
  if (!response.ok) {
    const message = (json as { error?: { message?: string } }).error?.message
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
