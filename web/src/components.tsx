// Pieces the pages share: a scrollable table region, an error line, typed attribute values.
import type { ComponentChildren } from 'preact'

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

export type TypedAttribute = {
  name: string
  key: string
  type: string
  standard: boolean
  value: unknown
}

export function AttributeTable(props: { label: string; attributes: readonly TypedAttribute[] }) {
  if (props.attributes.length === 0) return <p>No attributes.</p>
  return (
    <TableRegion label={props.label}>
      <table>
        <caption>{props.label}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {props.attributes.map((a) => (
            <tr key={a.key}>
              <th scope="row">
                {a.name}
                {a.standard ? <span class="tag">standard</span> : null}
              </th>
              <td>
                <span class={`type type-${a.type}`}>{a.type}</span>
              </td>
              <td class="value">
                {typeof a.value === 'string' ? a.value : JSON.stringify(a.value)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  )
}
