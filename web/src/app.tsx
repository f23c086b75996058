// The dashboard shell: sign-in, then the navigation (pages/index.ts), the workspace in view (an
// operator picks one), and the page of the location's #/path.
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError, setCsrfToken } from './api'
import { PAGES } from './pages'

type SessionView = {
  principal: { kind: 'operator' } | { kind: 'workspace'; workspace_id: string }
  csrf_token: string
  workspaces: { id: string; name: string }[]
}

function useHash(): string[] {
  const read = () =>
    window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent)
  const [path, setPath] = useState(read)
  useEffect(() => {
    const onChange = () => setPath(read())
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  return path
}

export function App() {
  const [session, setSession] = useState<SessionView | null | undefined>(undefined)
  const [ws, setWs] = useState<string | undefined>(undefined)
  const path = useHash()
  const load = () =>
    api<SessionView>('GET', '/session').then(
      (s) => {
        setCsrfToken(s.csrf_token)
        setSession(s)
        setWs((old) => old ?? s.workspaces[0]?.id)
      },
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) setSession(null)
        else setSession(null)
      },
    )
  useEffect(() => {
    void load()
  }, [])
  if (session === undefined) return <p class="loading">Loading…</p>
  if (session === null) return <SignIn onSignedIn={() => void load()} />
  const page = PAGES.find((p) => p.path === path[0]) ?? PAGES[0]
  const signOut = async () => {
    await api('DELETE', '/session')
    setWs(undefined)
    setSession(null)
  }
  const operator = session.principal.kind === 'operator'
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">Inlet</span>
        <nav aria-label="Dashboard">
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <a href={`#/${p.path}`} aria-current={p === page ? 'page' : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          {operator ? (
            <label>
              Workspace
              <select
                aria-label="Workspace"
                value={ws}
                onChange={(e) => setWs(e.currentTarget.value)}
              >
                {session.workspaces.map((w) => (
                  <option value={w.id}>
                    {w.name} ({w.id})
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span>Workspace {ws}</span>
          )}
          <span class="role">{operator ? 'operator' : 'developer'}</span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {ws === undefined || page === undefined ? (
          <p>No workspace to show.</p>
        ) : (
          <page.component
            key={`${ws}/${page.path}`}
            ws={ws}
            rest={path.slice(1)}
            operator={operator}
          />
        )}
      </main>
    </div>
  )
}

function SignIn(props: { onSignedIn: () => void }) {
  const [mode, setMode] = useState<'workspace' | 'operator'>('workspace')
  const [workspaceId, setWorkspaceId] = useState('')
  const [key, setKey] = useState('')
  const [token, setToken] = useState('')
  const [error, setError] = useState<string | undefined>(undefined)
  const submit = async () => {
    setError(undefined)
    try {
      const body =
        mode === 'operator'
          ? { admin_token: token }
          : { workspace_id: workspaceId, data_api_key: key }
      await api('POST', '/session', body)
      props.onSignedIn()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }
  return (
    <main class="sign-in" id="main">
      <h1>Sign in to Inlet</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <fieldset>
          <legend>Sign in with</legend>
          <label class="inline">
            <input
              type="radio"
              name="mode"
              checked={mode === 'workspace'}
              onChange={() => setMode('workspace')}
            />
            a workspace's Data API key
          </label>
          <label class="inline">
            <input
              type="radio"
              name="mode"
              checked={mode === 'operator'}
              onChange={() => setMode('operator')}
            />
            the admin token (operator)
          </label>
        </fieldset>
        {mode === 'workspace' ? (
          <>
            <label>
              Workspace ID
              <input
                aria-label="Workspace ID"
                name="workspace_id"
                autoComplete="username"
                value={workspaceId}
                onInput={(e) => setWorkspaceId(e.currentTarget.value)}
                required
              />
            </label>
            <label>
              Data API key
              <input
                aria-label="Data API key"
                name="data_api_key"
                type="password"
                autoComplete="current-password"
                value={key}
                onInput={(e) => setKey(e.currentTarget.value)}
                required
              />
            </label>
          </>
        ) : (
          <label>
            Admin token
            <input
              aria-label="Admin token"
              name="admin_token"
              type="password"
              autoComplete="current-password"
              value={token}
              onInput={(e) => setToken(e.currentTarget.value)}
              required
            />
          </label>
        )}
        <button type="submit">Sign in</button>
        {error === undefined ? null : (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  )
}
