/**
 * Keeps docs/errors.md and the error catalogue in step, both ways: every ErrorCode has a section
 * and every section names a real code, and each section's HTTP status, `type`, `message`,
 * `attribute` and per-endpoint variants are exactly those of the catalogue (WIRE_ERRORS,
 * ADMIN_ERRORS, OVERRIDES).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { ERROR_CODES } from './errors.js'
import { ADMIN_ERRORS } from './catalogue/admin.js'
import { CONSENT_ENDPOINTS, CONSENT_ERRORS } from './catalogue/consent.js'
import { DASHBOARD_ERRORS } from './catalogue/dashboard.js'
import { INFORM_ENDPOINTS, INFORM_ERRORS } from './catalogue/inform.js'
import { OUTBOX_ERRORS } from './catalogue/outbox.js'
import { PUSH_ENDPOINTS, PUSH_ERRORS } from './catalogue/push.js'
import { LIVE_ACTIVITY_ENDPOINTS, LIVE_ACTIVITY_ERRORS } from './catalogue/live-activities.js'
import { ARCHIVAL_ENDPOINTS, ARCHIVAL_ERRORS } from './catalogue/archival.js'
import { FILE_IMPORT_ENDPOINTS, FILE_IMPORT_ERRORS } from './catalogue/file-imports.js'
import { CARDS_ENDPOINTS, CARDS_ERRORS } from './catalogue/cards.js'
import { WIRE_ERRORS } from './catalogue/data.js'
import { OVERRIDES } from './catalogue/data-endpoints.js'
import { SEGMENT_ENDPOINTS, SEGMENT_ERRORS } from './catalogue/segments.js'
import type { WireError } from './catalogue/types.js'

const DOC_PATH = new URL('../../docs/errors.md', import.meta.url)

const FIELD_NAMES: Readonly<Record<string, keyof WireError>> = {
  'HTTP status': 'status',
  '`type`': 'type',
  '`message`': 'message',
  '`attribute`': 'attribute',
  '`detail`': 'detail',
  '`code`': 'code',
}

/** `- HTTP status: `400``, `- `message` on `bulk`: `…``: the value is everything between the outer backticks. */
const FIELD_LINE =
  /^- (HTTP status|`type`|`message`|`attribute`|`detail`|`code`)(?: on `([a-z0-9_]+)`)?: `(.*)`$/
const FIELD_START = /^- (HTTP status|`type`|`message`|`attribute`|`detail`|`code`)/
const CODE_HEADING = /^### `([^`]+)`$/

type DocFields = Record<string, string>

type DocSection = {
  code: string
  line: number
  /** The catalogue defaults: status, type, message, attribute. */
  base: DocFields
  /** Per-family variants by family name. */
  families: Record<string, DocFields>
  when: boolean
  fix: boolean
}

type Catalogue = Readonly<{
  codes: readonly string[]
  wire: Readonly<Record<string, WireError>>
  overrides: Readonly<Record<string, Readonly<Record<string, Partial<WireError>>> | undefined>>
}>

/** The `### `code`` sections of the document, and the lines it could not read. */
function parseErrorsDoc(text: string): { sections: DocSection[]; problems: string[] } {
  const sections: DocSection[] = []
  const problems: string[] = []
  let current: DocSection | undefined
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd()
    const lineNo = i + 1
    if (line.startsWith('#')) {
      const heading = CODE_HEADING.exec(line)
      current = undefined
      if (heading?.[1] !== undefined) {
        current = {
          code: heading[1],
          line: lineNo,
          base: {},
          families: {},
          when: false,
          fix: false,
        }
        sections.push(current)
      } else if (line.startsWith('### ')) {
        problems.push(`line ${lineNo}: a level-3 heading that is not a code: ${line}`)
      }
      return
    }
    if (current === undefined) return
    if (/^\*\*When:\*\* \S/.test(line)) current.when = true
    if (/^\*\*Fix:\*\* \S/.test(line)) current.fix = true
    if (!FIELD_START.test(line)) return
    const match = FIELD_LINE.exec(line)
    const field = match?.[1] === undefined ? undefined : FIELD_NAMES[match[1]]
    if (match === undefined || match === null || field === undefined || match[3] === undefined) {
      problems.push(`line ${lineNo}: unreadable field line: ${line}`)
      return
    }
    const family = match[2]
    const target = family === undefined ? current.base : (current.families[family] ??= {})
    if (Object.hasOwn(target, field)) {
      problems.push(`line ${lineNo}: ${current.code}: ${field} given twice`)
      return
    }
    target[field] = match[3]
  })
  return { sections, problems }
}

function asDocFields(wire: Partial<WireError>): DocFields {
  const fields: DocFields = {}
  for (const [key, value] of Object.entries(wire)) {
    if (value !== undefined) fields[key] = String(value)
  }
  return fields
}

/** Every disagreement between the document and the catalogue, as readable sentences. */
function compareDocToCatalogue(text: string, catalogue: Catalogue): string[] {
  const { sections, problems } = parseErrorsDoc(text)
  const seen = new Map<string, DocSection>()
  for (const section of sections) {
    if (seen.has(section.code)) {
      problems.push(`line ${section.line}: \`${section.code}\` has a second section`)
      continue
    }
    seen.set(section.code, section)
    if (!catalogue.codes.includes(section.code)) {
      problems.push(`line ${section.line}: \`${section.code}\` is not an ErrorCode`)
    }
  }
  for (const code of catalogue.codes) {
    const section = seen.get(code)
    const wire = catalogue.wire[code]
    if (section === undefined || wire === undefined) {
      problems.push(`\`${code}\` has no section in docs/errors.md`)
      continue
    }
    if (!section.when) problems.push(`\`${code}\`: no **When:** paragraph`)
    if (!section.fix) problems.push(`\`${code}\`: no **Fix:** paragraph`)
    compareFields(problems, `\`${code}\``, section.base, asDocFields(wire))
    const families = new Set(Object.keys(section.families))
    for (const [family, byCode] of Object.entries(catalogue.overrides)) {
      if (byCode?.[code] !== undefined) families.add(family)
    }
    for (const family of [...families].sort()) {
      const override = catalogue.overrides[family]?.[code] ?? {}
      compareFields(
        problems,
        `\`${code}\` on \`${family}\``,
        section.families[family] ?? {},
        asDocFields(override),
      )
    }
  }
  return problems
}

function compareFields(problems: string[], where: string, doc: DocFields, want: DocFields): void {
  for (const field of new Set([...Object.keys(doc), ...Object.keys(want)])) {
    const documented = doc[field]
    const expected = want[field]
    if (documented === expected) continue
    if (documented === undefined) problems.push(`${where}: ${field} not documented (${expected})`)
    else if (expected === undefined)
      problems.push(`${where}: documents ${field} the catalogue lacks`)
    else problems.push(`${where}: ${field} documented as ${documented}, catalogue has ${expected}`)
  }
}

// Each code's section documents the entry of the family that lists it (the admin API's, the
// dashboard's, consent's, segments', Inform's, the outbox's, Push's, Live Activities', Message
// Archival's and Cards' own codes, every other code the Data family's), and its variants per endpoint: the
// Data API's endpoints, the consent family's groups (categories, optin, resubscribe), the segments
// family's one (custom_segments), Inform's and Push's two (push_v2, push_v2_1).
const OVERRIDES_ALL = {
  ...OVERRIDES,
  ...CONSENT_ENDPOINTS,
  ...SEGMENT_ENDPOINTS,
  ...INFORM_ENDPOINTS,
  ...PUSH_ENDPOINTS,
  ...LIVE_ACTIVITY_ENDPOINTS,
  ...ARCHIVAL_ENDPOINTS,
  ...FILE_IMPORT_ENDPOINTS,
  ...CARDS_ENDPOINTS,
}
const CATALOGUE: Catalogue = {
  codes: ERROR_CODES,
  wire: {
    ...WIRE_ERRORS,
    ...ADMIN_ERRORS,
    ...DASHBOARD_ERRORS,
    ...CONSENT_ERRORS,
    ...SEGMENT_ERRORS,
    ...INFORM_ERRORS,
    ...OUTBOX_ERRORS,
    ...PUSH_ERRORS,
    ...LIVE_ACTIVITY_ERRORS,
    ...ARCHIVAL_ERRORS,
    ...FILE_IMPORT_ERRORS,
    ...CARDS_ERRORS,
  },
  overrides: OVERRIDES_ALL,
}

describe('docs/errors.md', () => {
  const doc = readFileSync(DOC_PATH, 'utf8')

  it('documents exactly the catalogue: every code, its status, type, message and variants', () => {
    assert.deepEqual(compareDocToCatalogue(doc, CATALOGUE), [])
  })

  it('lists the codes in the order of ERROR_CODES', () => {
    const codes = parseErrorsDoc(doc).sections.map((s) => s.code)
    assert.deepEqual(codes, [...ERROR_CODES])
  })

  it('documents every per-family override the catalogue has', () => {
    // Guards the comparison itself: a catalogue with overrides must yield documented variants.
    const documented = parseErrorsDoc(doc).sections.flatMap((s) =>
      Object.keys(s.families).map((family) => `${s.code}@${family}`),
    )
    const overridden = Object.entries(OVERRIDES_ALL).flatMap(([family, byCode]) =>
      Object.keys(byCode ?? {}).map((code) => `${code}@${family}`),
    )
    assert.ok(overridden.length > 0)
    assert.deepEqual(documented.sort(), overridden.sort())
  })
})

describe('compareDocToCatalogue', () => {
  const catalogue: Catalogue = {
    codes: ['first', 'second'],
    wire: {
      first: { status: 400, type: 'Bad', message: 'first is bad' },
      second: { status: 413, type: 'Big', message: 'over {limit}', attribute: 'body' },
    },
    overrides: { bulk: { second: { message: "'over {limit}" } } },
  }
  const good = [
    '# Errors',
    '### `first`',
    '- HTTP status: `400`',
    '- `type`: `Bad`',
    '- `message`: `first is bad`',
    '**When:** always.',
    '**Fix:** never.',
    '## Group',
    '### `second`',
    '- HTTP status: `413`',
    '- `type`: `Big`',
    '- `message`: `over {limit}`',
    '- `attribute`: `body`',
    "- `message` on `bulk`: `'over {limit}`",
    '**When:** sometimes.',
    '**Fix:** smaller.',
    '',
  ].join('\n')
  const edit = (from: string, to: string): string => {
    assert.ok(good.includes(from), from)
    return good.replace(from, to)
  }

  it('finds nothing wrong in a document that matches', () => {
    assert.deepEqual(compareDocToCatalogue(good, catalogue), [])
  })

  it('reports a code without a section', () => {
    const doc = edit('### `second`', '### `other`')
    assert.deepEqual(compareDocToCatalogue(doc, catalogue), [
      'line 9: `other` is not an ErrorCode',
      '`second` has no section in docs/errors.md',
    ])
  })

  it('reports a changed status, type or message', () => {
    for (const [from, to, problem] of [
      ['`400`', '`401`', '`first`: status documented as 401, catalogue has 400'],
      ['`Bad`', '`Worse`', '`first`: type documented as Worse, catalogue has Bad'],
      [
        '`first is bad`',
        '`first is bad.`',
        '`first`: message documented as first is bad., catalogue has first is bad',
      ],
    ] as const) {
      assert.deepEqual(compareDocToCatalogue(edit(from, to), catalogue), [problem])
    }
  })

  it('reports a missing or extra attribute and a missing or extra family variant', () => {
    assert.deepEqual(compareDocToCatalogue(edit('- `attribute`: `body`\n', ''), catalogue), [
      '`second`: attribute not documented (body)',
    ])
    assert.deepEqual(
      compareDocToCatalogue(edit("- `message` on `bulk`: `'over {limit}`\n", ''), catalogue),
      ["`second` on `bulk`: message not documented ('over {limit})"],
    )
    assert.deepEqual(
      compareDocToCatalogue(
        edit('**When:** always.', '- `message` on `device`: `x`\n**When:** always.'),
        catalogue,
      ),
      ['`first` on `device`: documents message the catalogue lacks'],
    )
  })

  it('reports unreadable field lines, duplicates and missing When/Fix paragraphs', () => {
    assert.deepEqual(compareDocToCatalogue(edit('- `type`: `Bad`', '- `type`: Bad'), catalogue), [
      'line 4: unreadable field line: - `type`: Bad',
      '`first`: type not documented (Bad)',
    ])
    assert.deepEqual(compareDocToCatalogue(edit('**Fix:** never.', ''), catalogue), [
      '`first`: no **Fix:** paragraph',
    ])
    assert.deepEqual(compareDocToCatalogue(`${good}### \`first\`\n`, catalogue), [
      'line 17: `first` has a second section',
    ])
  })
})
