// Expanding references to other segments: their filters take the reference's place, a cycle
// (through other segments, or back to the segment being saved) is refused with the 412 message,
// an unknown id names itself, and the limits hold for the expanded whole.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { definitionKey, SEGMENT_LIMITS } from './definition.js'
import { parseFilters } from './parse.js'
import { prepareSegment, type SegmentLookup, type StoredSegment } from './resolve.js'

type Json = Record<string, unknown>

const group = (...filters: unknown[]): Json => ({ filter_operator: 'and', filters })
const ref = (id: string): Json => ({ filter_type: 'custom_segments', id, name: `name of ${id}` })
const plan = (value: string): Json => ({
  filter_type: 'user_attributes',
  name: 'plan',
  data_type: 'string',
  operator: 'is',
  value,
})

/** A lookup over stored definitions, counting its reads. */
function lookupOf(segments: Readonly<Record<string, Json>>): SegmentLookup & { reads: string[] } {
  const reads: string[] = []
  const lookup = (id: string): Promise<StoredSegment | undefined> => {
    reads.push(id)
    const s = Object.hasOwn(segments, id) ? segments[id] : undefined
    return Promise.resolve(s === undefined ? undefined : { name: id, includedFilters: s })
  }
  return Object.assign(lookup, { reads })
}

describe('prepareSegment', () => {
  it('expands references in place, reading each segment once, and describes the definition', async () => {
    const lookup = lookupOf({ gold: group(plan('gold')), both: group(ref('gold'), plan('x')) })
    const r = await prepareSegment(group(ref('both'), ref('gold')), lookup)
    assert.ok(r.ok, JSON.stringify(r))
    const leaf = {
      kind: 'attribute',
      name: 'plan',
      field: { kind: 'attribute', key: 'plan' },
      negate: false,
    }
    const gold = {
      kind: 'group',
      operator: 'and',
      filters: [
        {
          ...leaf,
          condition: { type: 'string', op: 'is', values: ['gold'], caseSensitive: false },
        },
      ],
    }
    assert.deepEqual(r.value.query, {
      kind: 'group',
      operator: 'and',
      filters: [
        {
          kind: 'group',
          operator: 'and',
          filters: [
            gold,
            {
              ...leaf,
              condition: { type: 'string', op: 'is', values: ['x'], caseSensitive: false },
            },
          ],
        },
        gold,
      ],
    })
    assert.deepEqual(lookup.reads.sort(), ['both', 'gold'])
    assert.equal(
      r.value.description,
      'Is in custom segment name of both AND Is in custom segment name of gold',
    )
  })

  it('refuses a cycle through other segments, and one back to the segment being updated', async () => {
    const cyclic = lookupOf({ a: group(ref('b')), b: group(ref('a')) })
    const r = await prepareSegment(group(ref('a')), cyclic)
    assert.deepEqual(r, {
      ok: false,
      error: {
        code: 'cyclic_segment',
        path: 'included_filters.filters[0](a).included_filters.filters[0](b).included_filters.filters[0]',
        message: 'Circular reference detected in the custom segment definition.',
      },
    })
    const self = await prepareSegment(
      group(ref('b')),
      lookupOf({ b: group(ref('me')), me: group(plan('x')) }),
      {
        selfId: 'me',
      },
    )
    assert.equal(!self.ok && self.error.code, 'cyclic_segment')
    const direct = await prepareSegment(group(ref('me')), lookupOf({}), { selfId: 'me' })
    assert.equal(!direct.ok && direct.error.code, 'cyclic_segment')
  })

  it('names an unknown segment, and where it is referenced', async () => {
    const r = await prepareSegment(group(plan('x'), ref('nope')), lookupOf({}))
    assert.deepEqual(r, {
      ok: false,
      error: {
        code: 'segment_not_found',
        path: 'included_filters.filters[1].id',
        id: 'nope',
        message: 'Custom segment not found with the given id: nope',
      },
    })
  })

  it("reports a referenced segment's own bad definition at its path", async () => {
    const r = await prepareSegment(
      group(ref('bad')),
      lookupOf({ bad: group({ filter_type: 'x' }) }),
    )
    assert.ok(!r.ok)
    assert.equal(r.error.code, 'invalid_filters')
    assert.equal(
      'path' in r.error && r.error.path,
      'included_filters.filters[0](bad).included_filters.filters[0].filter_type',
    )
  })

  it('checks the limits on the expanded query', async () => {
    // Each reference nests its segment a level deeper: a chain reaches the nesting limit.
    const chain: Record<string, Json> = {}
    for (let i = 0; i < 6; i++)
      chain[`s${i}`] = i === 5 ? group(plan('x')) : group(ref(`s${i + 1}`))
    const deep = await prepareSegment(group(ref('s0')), lookupOf(chain))
    assert.equal(!deep.ok && deep.error.code, 'too_many_nesting_levels')
    const shallow = await prepareSegment(group(ref('s3')), lookupOf(chain))
    assert.ok(shallow.ok, JSON.stringify(shallow))

    const wide = lookupOf({
      w: group(ref('x'), ref('x'), ref('x'), ref('x'), ref('x')),
      x: group(plan('x')),
    })
    const many = await prepareSegment(group(ref('w'), ref('w')), wide)
    assert.deepEqual(!many.ok && many.error, {
      code: 'too_many_segments',
      limit: SEGMENT_LIMITS.segments,
      message: 'The query has more than 10 custom segments. Please reduce the custom segments.',
    })

    const sixty = Array.from({ length: 60 }, () => plan('x'))
    const long = await prepareSegment(
      group(ref('big'), ref('big')),
      lookupOf({ big: group(...sixty) }),
    )
    assert.equal(!long.ok && long.error.code, 'query_too_long')
  })
})

describe('definitionKey', () => {
  const key = (json: Json): string => {
    const r = parseFilters(json)
    assert.ok(r.ok, JSON.stringify(r))
    return definitionKey(r.value)
  }

  it('is the same for definitions that differ only in spelling, defaults and field order', () => {
    const a = key(group({ ...plan('x'), name: 'Name', negate: false }, ref('s1')))
    const b = key(
      group(
        {
          value: ['x'],
          operator: 'is',
          data_type: 'string',
          name: 'u_n',
          filter_type: 'user_attributes',
        },
        { filter_type: 'custom_segments', id: 's1' },
      ),
    )
    assert.equal(a, b)
  })

  it('differs when what the filters select differs', () => {
    const base = key(group(plan('x')))
    assert.notEqual(key(group(plan('y'))), base)
    assert.notEqual(key(group({ ...plan('x'), negate: true })), base)
    assert.notEqual(key(group({ ...plan('x'), case_sensitive: true })), base)
    assert.notEqual(key({ filter_operator: 'or', filters: [plan('x')] }), base)
    assert.notEqual(key(group({ ...plan('x'), name: 'other' })), base)
  })
})
