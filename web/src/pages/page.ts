// What a page of the dashboard is: a path under #/, a title in the navigation, and a component
// given the workspace in view and the rest of the path. pages/index.ts lists them.
import type { JSX } from 'preact'

export type PageProps = Readonly<{
  ws: string
  /** The path segments after the page's own (#/users/<id> → ['<id>']). */
  rest: readonly string[]
  operator: boolean
}>

export type Page = Readonly<{
  path: string
  title: string
  component: (props: PageProps) => JSX.Element
}>
