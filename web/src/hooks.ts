// Small hooks the pages share: load JSON from the dashboard API, with its error; load a list a
// page at a time.
import { useEffect, useState } from 'preact/hooks'
import { api } from './api'
import { errorText } from './components'

export type Loaded<T> = { data: T | undefined; error: string | undefined; reload: () => void }

export function useApi<T>(path: string | undefined): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [round, setRound] = useState(0)
  useEffect(() => {
    if (path === undefined) return
    let live = true
    setError(undefined)
    api<T>('GET', path).then(
      (d) => live && setData(d),
      (e: unknown) => live && setError(errorText(e)),
    )
    return () => {
      live = false
    }
  }, [path, round])
  return { data, error, reload: () => setRound((r) => r + 1) }
}

/** One page of a list as the pages read it: its rows and the cursor of the next page. */
export type PageOf<T, C> = { rows: readonly T[]; next: C | null }

export type Paged<T, C> = {
  /** The rows of every page loaded so far. */
  rows: readonly T[]
  /** The first page has answered. */
  loaded: boolean
  error: string | undefined
  /** The cursor of the page after the last loaded, or null at the end. */
  next: C | null
  /** Load the page at `cursor`, appended; null starts again from the first page. */
  load: (cursor: C | null) => void
}

/** A list read a page at a time: the first page on mount and whenever `deps` change. */
export function usePages<T, C>(
  fetchPage: (cursor: C | null) => Promise<PageOf<T, C>>,
  deps: readonly unknown[],
): Paged<T, C> {
  const [pages, setPages] = useState<PageOf<T, C>[] | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const load = (cursor: C | null) => {
    setError(undefined)
    fetchPage(cursor).then(
      (page) => setPages((old) => (cursor === null ? [page] : [...(old ?? []), page])),
      (e: unknown) => setError(errorText(e)),
    )
  }
  useEffect(() => load(null), deps)
  return {
    rows: (pages ?? []).flatMap((p) => p.rows),
    loaded: pages !== undefined,
    error,
    next: pages?.at(-1)?.next ?? null,
    load,
  }
}
