// Users: the newest users, or a search by customer_id, email, mobile, internal id or any
// attribute's value, a page at a time; #/users/<id> opens a profile.
import { useState } from 'preact/hooks'
import { api, formatTime, query, wsPath } from '../api'
import { PagedTable, type Table } from '../components'
import { SelectField, SubmitForm, TextField } from '../forms'
import { usePages } from '../hooks'
import type { Page, PageProps } from './page'
import { Profile } from './profile'

// The API's answer and the search kinds: alike in shape to rejections.tsx's (data, not logic).
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

const TABLE: Table<UserSummary> = {
  label: 'Users',
  key: (u) => u.id,
  columns: [
    {
      head: 'customer_id',
      cell: (u) => <a href={`#/users/${encodeURIComponent(u.id)}`}>{u.customer_id ?? u.id}</a>,
    },
    { head: 'Email', cell: (u) => u.email ?? '—' },
    { head: 'Mobile', cell: (u) => u.mobile ?? '—' },
    { head: 'Name', cell: (u) => u.name ?? '—' },
    { head: 'Created', cell: (u) => formatTime(u.created_at) },
  ],
}

function UserSearch(props: { ws: string }) {
  const [by, setBy] = useState('customer_id')
  const [value, setValue] = useState('')
  const [key, setKey] = useState('')
  const paged = usePages(
    async (page: string | null) => {
      const q = query({ q: value, by: value === '' ? 'all' : by, key, page })
      const result = await api<UsersPage>('GET', wsPath(props.ws, 'users') + q)
      return { rows: result.users, next: result.next_page }
    },
    [props.ws],
  )
  return (
    <section>
      <h1>Users</h1>
      <SubmitForm class="search" search submit="Search" onSubmit={() => paged.load(null)}>
        <SelectField label="Search by" value={by} onValue={setBy} options={KINDS} />
        {by === 'attribute' ? (
          <TextField label="Attribute (empty: any)" value={key} onValue={setKey} />
        ) : null}
        <TextField label="Value" type="search" name="q" value={value} onValue={setValue} />
      </SubmitForm>
      <PagedTable
        paged={paged}
        table={TABLE}
        caption={value === '' ? 'Newest users' : `Users matching “${value}”`}
        none="No users found on this page."
        more="More"
      />
    </section>
  )
}

export const usersPage: Page = { path: 'users', title: 'Users', component: Users }
