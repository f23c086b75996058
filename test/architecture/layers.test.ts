/**
 * The architecture's layer rule (eslint/layers.js, docs/architecture.md) as `npm run lint` runs
 * it: an upward import, an import between same-layer siblings, a planted folder cycle and a folder
 * without a layer are each rejected; and an independent walk of src/ finds no folder-level cycle,
 * type-only imports counted.
 */
import assert from 'node:assert/strict'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { elementOf } from '../../eslint/layers.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const src = join(root, 'src')

/**
 * Writes `files` (path under src/ → text), lints them with the project's config, removes them:
 * what the layer rule said, as `file: message`.
 */
async function layerMessagesOf(files: Record<string, string>): Promise<string[]> {
  const paths = Object.keys(files).map((p) => join(src, p))
  const made: string[] = []
  try {
    for (const [p, text] of Object.entries(files)) {
      const dir = dirname(join(src, p))
      if (!readdirSafe(dir)) {
        mkdirSync(dir, { recursive: true })
        made.push(dir)
      }
      writeFileSync(join(src, p), text)
    }
    return layerMessages(await new ESLint({ cwd: root }).lintFiles(paths))
  } finally {
    for (const p of paths) rmSync(p, { force: true })
    for (const d of made) rmSync(d, { recursive: true, force: true })
  }
}

function readdirSafe(dir: string): boolean {
  try {
    readdirSync(dir)
    return true
  } catch {
    return false
  }
}

function layerMessages(results: readonly ESLint.LintResult[]): string[] {
  return results.flatMap((r) =>
    r.messages
      .filter((m) => m.ruleId === 'inlet/layers')
      .map((m) => `${relative(src, r.filePath)}: ${m.message}`),
  )
}

describe('the layer rule of npm run lint', { timeout: 120_000 }, () => {
  /** A test's planted files, and each message of the rule: the file it is on, what it says. */
  type Case = [name: string, planted: Record<string, string>, expected: [string, RegExp][]]
  const cases: Case[] = [
    [
      'rejects an upward import, type-only included',
      {
        'store/zz-planted-upward.ts':
          "import type { Governance } from '../governance/governance.js'\nexport type Planted = Governance\n",
      },
      [
        [
          'store/zz-planted-upward.ts',
          /'store' \(layer 1\) may not import 'governance' \(layer 2\)/,
        ],
      ],
    ],
    [
      // store → core is downward and allowed; the edge that closes the cycle is refused.
      'rejects a planted folder cycle (core → store → core)',
      {
        'store/zz-planted-cycle-a.ts':
          "import { plantedB } from '../core/zz-planted-cycle-b.js'\nexport const plantedA = (): number => plantedB() + 1\n",
        'core/zz-planted-cycle-b.ts':
          "import { plantedA } from '../store/zz-planted-cycle-a.js'\nexport const plantedB = (): number => plantedA() - 1\n",
      },
      [['core/zz-planted-cycle-b.ts', /'core' \(layer 0\) may not import 'store'/]],
    ],
    [
      'rejects imports between sibling families and folders with no layer',
      {
        'families/zz-planted/family.ts':
          "import { parseBulk } from '../data/bulk-rows.js'\nexport const planted = parseBulk\n",
        'zz-unplaced/thing.ts':
          "import type { Clock } from '../core/clock.js'\nexport type T = Clock\n",
      },
      [
        ['families/zz-planted/family.ts', /may not import its sibling 'families\/data'/],
        ['zz-unplaced/thing.ts', /'zz-unplaced' has no layer/],
      ],
    ],
  ]
  for (const [name, planted, expected] of cases) {
    it(name, async () => {
      const messages = (await layerMessagesOf(planted)).sort()
      assert.deepEqual(
        messages.map((m) => m.split(':')[0]),
        expected.map(([file]) => file),
        messages.join('\n'),
      )
      expected.forEach(([, pattern], i) => assert.match(messages[i] ?? '', pattern))
    })
  }
})

describe('folders of src/', () => {
  it('import one another without cycles, type-only imports counted', () => {
    const edges = new Map<string, Set<string>>()
    for (const file of sourceFiles(src)) {
      const from = elementOf(file, src)
      if (from === undefined) continue
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(
        /(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g,
      )) {
        const spec = m[1] ?? m[2] ?? ''
        const to = elementOf(resolve(dirname(file), spec), src)
        if (to === undefined || to === from) continue
        if (!edges.has(from)) edges.set(from, new Set())
        edges.get(from)?.add(to)
      }
    }
    assert.ok(edges.size > 5, 'the walk found the folders and their imports')
    assert.deepEqual(cycles(edges), [])
  })
})

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(p)
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : []
  })
}

/** Each cycle of the graph as a path of folders (depth-first; empty when there is none). */
function cycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const found: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (node: string): void => {
    state.set(node, 'open')
    stack.push(node)
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open')
        found.push([...stack.slice(stack.indexOf(next)), next].join(' → '))
      else if (state.get(next) === undefined) visit(next)
    }
    stack.pop()
    state.set(node, 'done')
  }
  for (const node of edges.keys()) if (state.get(node) === undefined) visit(node)
  return found
}
