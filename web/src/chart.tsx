// A uPlot line chart of records per minute (accepted, refused) against the quota, as wide as its
// box (up to 900 px), following it when the box's width changes.
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

const HEIGHT = 240

export type Series = { label: string; values: number[]; stroke: string; dash?: number[] }

/** The y axis's width: its longest label (at the axis font's ~7.5 px a character) and the ticks.
 * uPlot's default, 50 px, cut the labels of a quota like 30,000 short. */
function valueAxisWidth(_plot: uPlot, values: string[] | null): number {
  const longest = Math.max(1, ...(values ?? []).map((v) => v.length))
  return Math.max(50, Math.ceil(longest * 7.5) + 24)
}

export function MinuteChart(props: { title: string; minutes: number[]; series: Series[] }) {
  const el = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const target = el.current
    if (target === null) return
    const widthOf = () => Math.max(240, Math.min(900, target.clientWidth || 600))
    const plot = new uPlot(
      {
        width: widthOf(),
        height: HEIGHT,
        series: [
          {},
          ...props.series.map((s) => ({
            label: s.label,
            stroke: s.stroke,
            width: 2,
            ...(s.dash === undefined ? {} : { dash: s.dash }),
          })),
        ],
        axes: [{ stroke: '#1f2933' }, { stroke: '#1f2933', size: valueAxisWidth }],
      },
      [props.minutes.map((m) => m * 60), ...props.series.map((s) => s.values)],
      target,
    )
    // The chart follows its box's width (a phone turned, a window resized).
    const resized = new ResizeObserver(() => {
      if (plot.width !== widthOf()) plot.setSize({ width: widthOf(), height: HEIGHT })
    })
    resized.observe(target)
    return () => {
      resized.disconnect()
      plot.destroy()
    }
  }, [props.minutes, props.series])
  return (
    <figure>
      <div ref={el} class="chart" />
      <figcaption>{props.title}</figcaption>
    </figure>
  )
}
