// Pieces the pages share: a scrollable table region, a data table described by its columns, an
// error line, a load/error wrapper, a "more" button for paged lists, typed attribute values, the
// page of a list of admin-API definitions.
import type { ComponentChildren } from 'preact'
import type { Loaded as LoadedState, Paged } from './hooks'

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

export function TableRegion(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-region" role="region" aria-label={props.label} tabIndex={0}>
      {props.children}
    </div>
  )
}

export function ErrorLine(props: { error: string | undefined }) {
  return props.error === undefined ? null : (
    <p class="error" role="alert">
      {props.error}
    </p>
  )
}

/** What the page shows while its data loads: the error, if any, then the data once it is in. */
export function Loaded<T>(props: {
  state: { data: T | undefined; error: string | undefined }
  children: (data: T) => ComponentChildren
}) {
  return (
    <>
      <ErrorLine error={props.state.error} />
      {props.state.data === undefined ? null : props.children(props.state.data)}
    </>
  )
}

export type Column<T> = Readonly<{
  /** The column's heading; a table whose columns have none has no header row. */
  head?: string
  cell: (row: T) => ComponentChildren
  /** The cell names its row (`<th scope="row">`). */
  rowHeader?: boolean
  class?: (row: T) => string | undefined
}>

/** What a table is, apart from its rows: its name (region and caption), columns and row key. */
export type Table<T> = Readonly<{
  label: string
  /** The caption when it says more than the label. */
  caption?: string
  columns: readonly Column<T>[]
  key: (row: T) => string | number
  /** What stands instead of the table when it has no rows (without it, an empty table shows). */
  empty?: string
}>

/** A table in a scrollable, keyboard-focusable region. */
export function DataTable<T>(props: { table: Table<T>; rows: readonly T[]; caption?: string }) {
  const { label, columns, key, empty } = props.table
  if (props.rows.length === 0 && empty !== undefined) return <p>{empty}</p>
  const heads = columns.some((c) => c.head !== undefined)
  return (
    <TableRegion label={label}>
      <table>
        <caption>{props.caption ?? props.table.caption ?? label}</caption>
        {heads ? (
          <thead>
            <tr>
              {columns.map((c, i) => (
                <th key={i} scope="col">
                  {c.head}
                </th>
              ))}
            </tr>
          </thead>
        ) : null}
        <tbody>
          {props.rows.map((row) => (
            <tr key={key(row)}>
              {columns.map((c, i) => {
                const cls = c.class?.(row)
                return c.rowHeader === true ? (
                  <th key={i} scope="row" class={cls}>
                    {c.cell(row)}
                  </th>
                ) : (
                  <td key={i} class={cls}>
                    {c.cell(row)}
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  )
}

/** The button that loads the next page of a list, shown while there is one. */
export function MoreButton<C>(props: { next: C | null; onMore: (next: C) => void; label: string }) {
  const next = props.next
  return next === null ? null : (
    <button type="button" onClick={() => props.onMore(next)}>
      {props.label}
    </button>
  )
}

export type TypedAttribute = {
  name: string
  key: string
  type: string
  standard: boolean
  value: unknown
}

const showValue = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v))

const ATTRIBUTE_COLUMNS: readonly Column<TypedAttribute>[] = [
  {
    head: 'Name',
    rowHeader: true,
    cell: (a) => (
      <>
        {a.name}
        {a.standard ? <span class="tag">standard</span> : null}
      </>
    ),
  },
  { head: 'Type', cell: (a) => <span class={`type type-${a.type}`}>{a.type}</span> },
  { head: 'Value', class: () => 'value', cell: (a) => showValue(a.value) },
]

export function AttributeTable(props: { label: string; attributes: readonly TypedAttribute[] }) {
  const table: Table<TypedAttribute> = {
    label: props.label,
    columns: ATTRIBUTE_COLUMNS,
    key: (a) => a.key,
    empty: 'No attributes.',
  }
  return <DataTable table={table} rows={props.attributes} />
}

/** A list read a page at a time (hooks.ts usePages) as a table: its error, the rows of every
 * page loaded, `none` once a page came back empty, and the `more` button for the next page. */
export function PagedTable<T, C>(props: {
  paged: Paged<T, C>
  table: Table<T>
  caption?: string
  none?: string
  more: string
}) {
  const { paged } = props
  return (
    <>
      <ErrorLine error={paged.error} />
      <DataTable table={props.table} rows={paged.rows} {...pick(props, 'caption')} />
      {paged.loaded && paged.rows.length === 0 && props.none !== undefined ? (
        <p>{props.none}</p>
      ) : null}
      <MoreButton next={paged.next} onMore={paged.load} label={props.more} />
    </>
  )
}

/** `{ [k]: o[k] }`, or nothing where it is undefined (for exactOptionalPropertyTypes). */
function pick<O, K extends keyof O>(o: O, k: K): Partial<Pick<O, K>> {
  return o[k] === undefined ? {} : ({ [k]: o[k] } as Partial<Pick<O, K>>)
}

/**
 * A page of the definitions made through the admin API (File Imports, Live Activities): its title,
 * what they are with a Refresh button, then each definition's view, or how to define one.
 */
export function DefinitionsPage<T, I>(props: {
  title: string
  intro: string
  listing: LoadedState<T>
  items: (data: T) => readonly I[]
  /** What the page says when there is none yet. */
  none: ComponentChildren
  /** One definition's view (with its key). */
  view: (item: I) => ComponentChildren
}) {
  return (
    <section>
      <h1>{props.title}</h1>
      <p>
        {props.intro}{' '}
        <button type="button" onClick={props.listing.reload}>
          Refresh
        </button>
      </p>
      <Loaded state={props.listing}>
        {(data) => {
          const items = props.items(data)
          return items.length === 0 ? <p>{props.none}</p> : items.map(props.view)
        }}
      </Loaded>
    </section>
  )
}
