// Small hooks the pages share: load JSON from the dashboard API, with its error.
import { useEffect, useState } from 'preact/hooks'
import { api } from './api'

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
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    )
    return () => {
      live = false
    }
  }, [path, round])
  return { data, error, reload: () => setRound((r) => r + 1) }
}
