// Form pieces the pages share: a labelled text field, a labelled select, and a form that submits
// without reloading the page. Each field is named both by its <label> and by aria-label.
import type { ComponentChildren } from 'preact'

type TextFieldProps = Readonly<{
  label: string
  value: string
  onValue: (value: string) => void
  type?: 'text' | 'search' | 'password'
  name?: string
  autoComplete?: string
  inputMode?: 'numeric'
  required?: boolean
}>

export function TextField(props: TextFieldProps) {
  const { label, value, onValue, ...rest } = props
  return (
    <label>
      {label}
      <input
        aria-label={label}
        {...rest}
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
      />
    </label>
  )
}

export type Options = readonly (readonly [value: string, label: string])[]

export function SelectField(props: {
  label: string
  value: string | undefined
  onValue: (value: string) => void
  options: Options
}) {
  return (
    <label>
      {props.label}
      <select
        aria-label={props.label}
        value={props.value}
        onChange={(e) => props.onValue(e.currentTarget.value)}
      >
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </label>
  )
}

/** A form whose submit button runs `onSubmit` in place (no navigation). */
export function SubmitForm(props: {
  submit: string
  onSubmit: () => void
  search?: boolean
  class?: string
  children: ComponentChildren
  after?: ComponentChildren
}) {
  return (
    <form
      class={props.class}
      role={props.search === true ? 'search' : undefined}
      onSubmit={(e) => {
        e.preventDefault()
        props.onSubmit()
      }}
    >
      {props.children}
      <button type="submit">{props.submit}</button>
      {props.after}
    </form>
  )
}
