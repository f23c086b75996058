// The dashboard shell: sign-in, then the navigation (pages/index.ts), the workspace in view (an
// operator picks one), and the page of the location's #/path. When the session ends under a page
// (any API call answered 401: it expired, or was signed out elsewhere), every page goes back to
// sign-in with a message; the location keeps the page, so signing in again returns there.
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, onSessionEnded, setCsrfToken } from './api'
import { ErrorLine, errorText } from './components'
import { SelectField, SubmitForm, TextField } from './forms'
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
  /** The session ended under a page (not signed out here): the sign-in says so. */
  const [ended, setEnded] = useState(false)
  const signedIn = useRef(false)
  signedIn.current = session !== null && session !== undefined
  /** Signing out here: the 401s of requests still under way say nothing. */
  const signingOut = useRef(false)
  const path = useHash()
  const load = () =>
    api<SessionView>('GET', '/session').then(
      (s) => {
        setCsrfToken(s.csrf_token)
        signingOut.current = false
        setSession(s)
        setEnded(false)
        // The workspace in view stays if the new session sees it (signed in again).
        setWs((old) => s.workspaces.find((w) => w.id === old)?.id ?? s.workspaces[0]?.id)
      },
      // 401 (no session) or anything else: show the sign-in.
      () => setSession(null),
    )
  useEffect(() => {
    onSessionEnded(() => {
      // A failed sign-in, the first look for a session, or signing out here.
      if (!signedIn.current || signingOut.current) return
      signedIn.current = false
      setSession(null)
      setEnded(true)
    })
    void load()
  }, [])
  const page = PAGES.find((p) => p.path === path[0]) ?? PAGES[0]
  if (session === undefined) return <p class="loading">Loading…</p>
  if (session === null) {
    return <SignIn onSignedIn={() => void load()} ended={ended ? page?.title : undefined} />
  }
  const signOut = async () => {
    signingOut.current = true // no "session ended" for signing out here
    // Already ended elsewhere (401): signed out all the same.
    await api('DELETE', '/session').catch(() => undefined)
    setWs(undefined)
    setEnded(false)
    setSession(null)
  }
  const operator = session.principal.kind === 'operator'
  return (
    <div class="shell">
      {/* Moves the focus without touching the location, whose #/path is the page in view. */}
      <a class="skip" href="#main" onClick={skipToContent}>
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
            <SelectField
              label="Workspace"
              value={ws}
              onValue={setWs}
              options={session.workspaces.map((w) => [w.id, `${w.name} (${w.id})`] as const)}
            />
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

function skipToContent(event: Event): void {
  event.preventDefault()
  document.getElementById('main')?.focus()
}

const MODES = [
  ['workspace', "a workspace's Data API key"],
  ['operator', 'the admin token (operator)'],
] as const

function SignIn(props: {
  onSignedIn: () => void
  /** The page whose session ended, when it did (not a first visit or a sign-out). */
  ended: string | undefined
}) {
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
      setError(errorText(e))
    }
  }
  return (
    <main class="sign-in" id="main">
      <h1>Sign in to Inlet</h1>
      {props.ended === undefined ? null : (
        <p class="notice" role="status">
          Your session has ended: it expired, or was signed out elsewhere. Sign in again to return
          to {props.ended}.
        </p>
      )}
      <SubmitForm
        submit="Sign in"
        onSubmit={() => void submit()}
        after={<ErrorLine error={error} />}
      >
        <fieldset>
          <legend>Sign in with</legend>
          {MODES.map(([value, label]) => (
            <label key={value} class="inline">
              <input
                type="radio"
                name="mode"
                checked={mode === value}
                onChange={() => setMode(value)}
              />
              {label}
            </label>
          ))}
        </fieldset>
        {mode === 'workspace' ? (
          <>
            <TextField
              label="Workspace ID"
              name="workspace_id"
              autoComplete="username"
              value={workspaceId}
              onValue={setWorkspaceId}
              required
            />
            <SecretField label="Data API key" name="data_api_key" value={key} onValue={setKey} />
          </>
        ) : (
          <SecretField label="Admin token" name="admin_token" value={token} onValue={setToken} />
        )}
      </SubmitForm>
    </main>
  )
}

function SecretField(props: {
  label: string
  name: string
  value: string
  onValue: (value: string) => void
}) {
  return <TextField {...props} type="password" autoComplete="current-password" required />
}
