// Users: the newest users, or a search by customer_id, email, mobile, internal id or any
// attribute's value, a page at a time; #/users/<id> opens a profile.
import { useEffect, useState } from 'preact/hooks'
import { api, formatTime, query, wsPath } from '../api'
import { ErrorLine, TableRegion } from '../components'
import type { Page, PageProps } from './page'
import { Profile } from './profile'

type UserSummary = {
  id: string
  customer_id: string | null
  email: string | null
  mobile: string | null
  name: string | null
  created_at: string
  updated_at: string
}
type UsersPage = { users: UserSummary[]; next_page: string | null }

const KINDS = [
  ['customer_id', 'customer_id (prefix)'],
  ['email', 'Email (prefix)'],
  ['mobile', 'Mobile (prefix)'],
  ['id', 'Internal id'],
  ['attribute', 'Attribute value'],
] as const

function Users(props: PageProps) {
  if (props.rest[0] !== undefined) return <Profile ws={props.ws} userId={props.rest[0]} />
  return <UserSearch ws={props.ws} />
}

function UserSearch(props: { ws: string }) {
  const [by, setBy] = useState('customer_id')
  const [value, setValue] = useState('')
  const [key, setKey] = useState('')
  const [pages, setPages] = useState<UsersPage[] | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const load = async (page: string | null) => {
    setError(undefined)
    try {
      const result = await api<UsersPage>(
        'GET',
        wsPath(props.ws, 'users') + query({ q: value, by: value === '' ? 'all' : by, key, page }),
      )
      setPages((old) => (page === null ? [result] : [...(old ?? []), result]))
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }
  useEffect(() => {
    void load(null)
  }, [props.ws])
  const users = (pages ?? []).flatMap((p) => p.users)
  const next = pages?.at(-1)?.next_page ?? null
  return (
    <section>
      <h1>Users</h1>
      <form
        class="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault()
          void load(null)
        }}
      >
        <label>
          Search by
          <select aria-label="Search by" value={by} onChange={(e) => setBy(e.currentTarget.value)}>
            {KINDS.map(([k, label]) => (
              <option value={k}>{label}</option>
            ))}
          </select>
        </label>
        {by === 'attribute' ? (
          <label>
            Attribute (empty: any)
            <input
              aria-label="Attribute (empty: any)"
              value={key}
              onInput={(e) => setKey(e.currentTarget.value)}
            />
          </label>
        ) : null}
        <label>
          Value
          <input
            aria-label="Value"
            type="search"
            name="q"
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Search</button>
      </form>
      <ErrorLine error={error} />
      <TableRegion label="Users">
        <table>
          <caption>{value === '' ? 'Newest users' : `Users matching “${value}”`}</caption>
          <thead>
            <tr>
              <th scope="col">customer_id</th>
              <th scope="col">Email</th>
              <th scope="col">Mobile</th>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>
                  <a href={`#/users/${encodeURIComponent(u.id)}`}>{u.customer_id ?? u.id}</a>
                </td>
                <td>{u.email ?? '—'}</td>
                <td>{u.mobile ?? '—'}</td>
                <td>{u.name ?? '—'}</td>
                <td>{formatTime(u.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      {users.length === 0 && pages !== undefined ? <p>No users found on this page.</p> : null}
      {next !== null ? (
        <button type="button" onClick={() => void load(next)}>
          More
        </button>
      ) : null}
    </section>
  )
}

export const usersPage: Page = { path: 'users', title: 'Users', component: Users }
