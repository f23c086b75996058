/**
 * docs/compatibility.md stays complete: it answers every open question of the spec by number and
 * has rows for every section of §6–§8, each with a status. The lists are pinned here, and checked
 * against the spec itself (its copy in test/fixtures/moengage/), so a new open question or section
 * in a newer copy of the spec fails this test until the document covers it.
 * Its "Error strings" table is checked against the error catalogue: a string it says Inlet does
 * not answer is answered by no endpoint, except where its GDPR column says that endpoint does.
 * Every table row has as many cells as its header (a `|` inside a cell splits it), and each path
 * listed as "Not served yet" answers the JSON 404 of an unknown route.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { createTestApp } from '../helpers/app.js'
import { ERROR_CODES } from '../../src/core/errors.js'
import type { DataEndpoint } from '../../src/core/catalogue/types.js'
import { wireError } from '../../src/core/error-catalogue.js'

const DOC = readFileSync(new URL('../../docs/compatibility.md', import.meta.url), 'utf8')
const SPEC = readFileSync(
  new URL('../fixtures/moengage/moengage-data-api.md', import.meta.url),
  'utf8',
)

/** The spec's open questions (its "Open questions / contradictions" list) by number. */
const OPEN_QUESTIONS = 25

/** The subsections of spec §6–§8. */
const SECTIONS = [
  '6.1',
  '6.2',
  '6.3',
  '7.1',
  '7.2',
  '7.3',
  '7.4',
  '7.5',
  '7.6',
  '7.7',
  '7.8',
  '7.9',
  '7.10',
  '7.11',
  '7.12',
  '8.1',
  '8.2',
  '8.3',
  '8.4',
  '8.5',
  '8.6',
  '8.7',
]

const STATUSES = ['same', 'differs', 'chosen', 'Inlet', 'better', 'not yet']

/** The table rows of the document: cells of every `| … |` line that is not a header rule. */
function rows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    )
}

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}`)
  assert.notEqual(start, -1, `docs/compatibility.md has a "## ${heading}" section`)
  const end = markdown.indexOf('\n## ', start + 1)
  return markdown.slice(start, end === -1 ? undefined : end)
}

/** Every endpoint family (a missing one fails the typecheck); undefined: no family's overrides. */
const FAMILIES: Record<DataEndpoint, true> = {
  customer: true,
  event: true,
  device: true,
  bulk: true,
  export: true,
  merge: true,
  delete: true,
  opt_out: true,
  gdpr: true,
  inlet: true,
}

/** The families whose answer to some error code has this status, type and message (`…`: a prefix). */
function familiesAnswering(status: number, type: string, message: string): string[] {
  const prefix = message.endsWith(' …') ? message.slice(0, -2) : undefined
  const families = [...(Object.keys(FAMILIES) as DataEndpoint[]), undefined]
  return families
    .filter((family) =>
      ERROR_CODES.some((code) => {
        const wire = wireError(code, family, {})
        if (wire.status !== status || wire.type !== type) return false
        if (prefix !== undefined) return wire.message.startsWith(prefix)
        const pattern = wire.message
          .split(/\{\w+\}/)
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.+')
        return new RegExp(`^${pattern}$`).test(message)
      }),
    )
    .map((family) => family ?? '(none)')
}

describe('docs/compatibility.md', () => {
  it('pins the spec’s open questions and sections', () => {
    const questions = SPEC.slice(SPEC.indexOf('## Open questions'), SPEC.indexOf('## Sources'))
    const numbers = [...questions.matchAll(/^(\d+)\. \*\*/gm)].map((m) => Number(m[1]))
    assert.deepEqual(
      numbers,
      Array.from({ length: OPEN_QUESTIONS }, (_, i) => i + 1),
    )
    const headings = [...SPEC.matchAll(/^### ([678]\.\d+) /gm)].map((m) => m[1])
    assert.deepEqual(headings, SECTIONS)
  })

  it('answers every open question of the spec, by number', () => {
    const table = rows(section(DOC, 'Open questions of the spec, answered')).slice(1)
    assert.deepEqual(
      table.map((cells) => Number(cells[0])),
      Array.from({ length: OPEN_QUESTIONS }, (_, i) => i + 1),
    )
    for (const cells of table) {
      assert.equal(cells.length, 3, `question ${cells[0]}: number, question, answer`)
      assert.ok((cells[2] ?? '').length > 10, `question ${cells[0]} has an answer`)
    }
  })

  it('has a row with a status for every section of §6–§8', () => {
    const table = rows(DOC)
    for (const number of SECTIONS) {
      const mine = table.filter((cells) => cells[0]?.startsWith(`§${number} `))
      assert.ok(mine.length > 0, `a row for §${number}`)
      for (const cells of mine) {
        assert.ok(STATUSES.includes(cells[1] ?? ''), `§${number} row "${cells[0]}": a status`)
      }
    }
  })

  it('lists as not answered only error strings no endpoint answers, GDPR’s own marked', () => {
    const table = rows(section(DOC, 'Error strings')).slice(1)
    const problems: string[] = []
    let checked = 0
    for (const cells of table) {
      const documented = [...(cells[0] ?? '').matchAll(/(\d{3}) `([^`]+)` `([^`]+)`/g)]
      for (const [, status, type, message] of documented) {
        const answering = familiesAnswering(Number(status), type ?? '', message ?? '')
        const where = `${status} ${type}: ${message}`
        const others = answering.filter((family) => family !== 'gdpr')
        if (others.length > 0) problems.push(`${where} is answered by ${others.join(', ')}`)
        const marked = cells.some((cell) => cell.includes('answered as documented'))
        if (answering.includes('gdpr') && !marked) {
          problems.push(`${where} is answered by the GDPR endpoint; the row does not say so`)
        }
        if (!answering.includes('gdpr') && marked) {
          problems.push(`${where} is marked as answered by the GDPR endpoint, which does not`)
        }
        checked++
      }
    }
    assert.deepEqual(problems, [])
    assert.ok(checked >= 8, `the table was found (${checked} strings)`)
  })

  it('has as many cells in every table row as in its header', () => {
    const problems: string[] = []
    let header = 0
    for (const line of DOC.split('\n')) {
      if (!line.startsWith('|')) {
        header = 0
        continue
      }
      const cells = rows(line)[0]?.length ?? 0
      if (/^\|\s*-/.test(line)) continue
      if (header === 0) header = cells
      else if (cells !== header)
        problems.push(`${cells} cells, header ${header}: ${line.slice(0, 80)}`)
    }
    assert.deepEqual(problems, [])
  })

  it('lists as not served only paths that answer the JSON 404 of an unknown route', async (t) => {
    assert.match(section(DOC, 'Not served yet'), /JSON 404/, 'the section was found')
    const table = rows(section(DOC, 'Not served yet')).slice(1)
    const { app, headers } = await createTestApp(t)
    for (const cells of table) {
      const [, method, path] = /`(GET|POST|PUT|PATCH|DELETE) ([^`]+)`/.exec(cells[0] ?? '') ?? []
      assert.ok(method !== undefined && path !== undefined, `a path in "${cells[0]}"`)
      const url = path.replace(/\{[^}]+\}/g, 'x1') + '?app_id=TESTWORKSPACE0000001'
      const res = await app.inject({
        method: method as 'GET' | 'POST',
        url,
        headers,
        payload: '{}',
      })
      assert.equal(res.statusCode, 404, `${method} ${path}`)
      assert.equal(res.json<{ error?: { type?: string } }>().error?.type, 'Not Found')
    }
  })
})
