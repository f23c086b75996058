// The filter grammar's parser: what each part of a definition becomes, the error (path and
// message) for each kind of bad input, the limits, and that no input whatever makes it throw.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { SEGMENT_LIMITS } from './definition.js'
import { instantOf, parseFilters } from './parse.js'
import {
  anActionFilter,
  anAttributeFilter,
  filterGroup,
  type Json,
} from '../../test/helpers/segments.js'

const group = filterGroup
const attr = anAttributeFilter
const action = anActionFilter

function ok(json: unknown): Json {
  const r = parseFilters(json)
  assert.ok(r.ok, JSON.stringify(r))
  return r.value
}

function first(json: unknown): Json {
  return (ok(json)['filters'] as Json[])[0] ?? {}
}

function refused(json: unknown): { code: string; path?: string; message: string } {
  const r = parseFilters(json)
  assert.ok(!r.ok, 'expected an error')
  return r.error
}

describe('parseFilters', () => {
  it('reads a user-attribute filter with its defaults (negate and case_sensitive false)', () => {
    assert.deepEqual(first(group(attr({ name: 'First Name' }))), {
      kind: 'attribute',
      name: 'First Name',
      field: { kind: 'attribute', key: 'u_fn' },
      negate: false,
      condition: { type: 'string', op: 'in', values: ['gold'], caseSensitive: false },
    })
  })

  it('takes a single value where a list is expected, and numbers in string lists as text', () => {
    const f = first(group(attr({ value: 'gold', negate: true, case_sensitive: true })))
    assert.deepEqual(f['condition'], {
      type: 'string',
      op: 'in',
      values: ['gold'],
      caseSensitive: true,
    })
    assert.equal(f['negate'], true)
    const g = first(group(attr({ operator: 'containsInTheFollowing', value: [12, 'x'] })))
    assert.deepEqual((g['condition'] as Json)['values'], ['12', 'x'])
  })

  it('reads doubles given as numbers or decimal strings, and bools as true/false or their text', () => {
    const c = (more: Json): unknown => first(group(attr(more)))['condition']
    assert.deepEqual(c({ data_type: 'double', operator: 'in', value: [1, '2.5'] }), {
      type: 'double',
      op: 'in',
      values: [1, 2.5],
    })
    assert.deepEqual(c({ data_type: 'double', operator: 'between', value: 10, value1: '2' }), {
      type: 'double',
      op: 'between',
      value: 10,
      value1: 2,
    })
    assert.deepEqual(c({ data_type: 'bool', operator: 'is', value: 'false' }), {
      type: 'bool',
      op: 'is',
      value: false,
    })
    assert.deepEqual(c({ data_type: 'bool', operator: 'exists', value: 'ignored' }), {
      type: 'bool',
      op: 'exists',
    })
  })

  it('reads datetime operators into time specs', () => {
    const c = (more: Json): unknown =>
      (first(group(attr({ data_type: 'datetime', ...more })))['condition'] as Json)['time']
    assert.deepEqual(c({ operator: 'inTheLast', value: '7' }), {
      kind: 'last',
      amount: 7,
      unit: 'days',
    })
    assert.deepEqual(c({ operator: 'inTheNext', value: 2, period_unit: 'weeks' }), {
      kind: 'next',
      amount: 2,
      unit: 'weeks',
    })
    assert.deepEqual(c({ operator: 'today' }), { kind: 'today' })
    assert.deepEqual(c({ operator: 'on', value: '2023-02-15' }), {
      kind: 'on',
      point: {
        kind: 'absolute',
        at: { ms: Date.UTC(2023, 1, 15), precision: 'day', offsetMinutes: 0 },
      },
    })
  })

  it('reads an action filter: execution, time range (absolute and relative), event attributes', () => {
    const f = first(
      group(
        action({
          execution: { type: 'firstTime', count: 1 },
          primary_time_range: {
            type: 'between',
            value_type: 'absolute',
            value: '2023-02-15T00:00:00.000Z',
            value1: '2023-02-24T23:59:59.999Z',
            period_unit: 'days',
          },
          attributes: { filter_operator: 'or', filters: [attr({ name: 'First Name' })] },
        }),
      ),
    )
    assert.deepEqual(f['execution'], { type: 'firstTime' })
    assert.deepEqual(f['time'], {
      kind: 'between',
      from: {
        kind: 'absolute',
        at: { ms: Date.UTC(2023, 1, 15), precision: 'instant', offsetMinutes: 0 },
      },
      to: {
        kind: 'absolute',
        at: { ms: Date.UTC(2023, 1, 25) - 1, precision: 'instant', offsetMinutes: 0 },
      },
    })
    const where = f['where'] as Json
    assert.equal(where['operator'], 'or')
    // Event attributes keep their names: no display-name mapping for them.
    assert.deepEqual(((where['filters'] as Json[])[0] ?? {})['field'], {
      kind: 'attribute',
      key: 'First Name',
    })
    const g = first(
      group(
        action({
          executed: false,
          primary_time_range: {
            type: 'before',
            value_type: 'relative_past',
            value: 3,
            period_unit: 'months',
          },
        }),
      ),
    )
    assert.equal(g['executed'], false)
    assert.deepEqual(g['time'], {
      kind: 'before',
      point: { kind: 'ago', amount: 3, unit: 'months' },
    })
    assert.deepEqual(g['where'], { operator: 'and', filters: [] })
  })

  it('reads custom_segments references and nested groups', () => {
    const v = ok(
      group(
        { filter_type: 'custom_segments', id: 'seg1', name: 'VIPs' },
        {
          filter_operator: 'or',
          filters: [attr({}), { filter_type: 'custom_segments', id: 'seg2' }],
        },
      ),
    )
    const [ref, nested] = v['filters'] as Json[]
    assert.deepEqual(ref, { kind: 'segment', id: 'seg1', name: 'VIPs' })
    assert.equal(nested?.['kind'], 'group')
    assert.deepEqual((nested?.['filters'] as Json[])[1], {
      kind: 'segment',
      id: 'seg2',
      name: undefined,
    })
  })

  it('answers each bad input with the path of the field and what is wrong', () => {
    const cases: readonly [unknown, string, RegExp][] = [
      [null, 'included_filters', /must be an object/],
      [[], 'included_filters', /must be an object/],
      [{ filters: [attr({})] }, 'included_filters.filter_operator', /'and', 'or'/],
      [
        { filter_operator: 'AND', filters: [attr({})] },
        'included_filters.filter_operator',
        /'and'/,
      ],
      [group(), 'included_filters.filters', /at least one filter/],
      [{ filter_operator: 'and', filters: {} }, 'included_filters.filters', /must be an array/],
      [group(7), 'included_filters.filters[0]', /must be an object/],
      [group({ name: 'x' }), 'included_filters.filters[0].filter_type', /'user_attributes'/],
      [group(attr({ name: ' ' })), 'included_filters.filters[0].name', /non-empty string/],
      [group(attr({ data_type: 'int' })), 'included_filters.filters[0].data_type', /'double'/],
      [
        group(attr({ data_type: 'bool', operator: 'in' })),
        'included_filters.filters[0].operator',
        /'is', 'exists' for data_type 'bool'/,
      ],
      [group(attr({ operator: true })), 'included_filters.filters[0].operator', /for data_type/],
      [group(attr({ value: [] })), 'included_filters.filters[0].value', /at least one value/],
      [group(attr({ value: [null] })), 'included_filters.filters[0].value[0]', /must be a string/],
      [group(attr({ negate: 'yes' })), 'included_filters.filters[0].negate', /true or false/],
      [
        group(attr({ data_type: 'double', operator: 'lessThan', value: 'ten' })),
        'included_filters.filters[0].value',
        /must be a number/,
      ],
      [
        group(attr({ data_type: 'double', operator: 'between', value: 1 })),
        'included_filters.filters[0].value1',
        /must be a number/,
      ],
      [
        group(attr({ data_type: 'datetime', operator: 'on', value: '2023-02-30' })),
        'included_filters.filters[0].value',
        /not a date that exists/,
      ],
      [
        group(attr({ data_type: 'datetime', operator: 'before', value: '15/02/2023' })),
        'included_filters.filters[0].value',
        /ISO 8601/,
      ],
      [
        group(attr({ data_type: 'datetime', operator: 'inTheLast', value: -1 })),
        'included_filters.filters[0].value',
        /whole number/,
      ],
      [
        group(
          attr({ data_type: 'datetime', operator: 'inTheLast', value: 1, period_unit: 'hours' }),
        ),
        'included_filters.filters[0].period_unit',
        /'days', 'weeks', 'months'/,
      ],
      [
        group(attr({ is_dynamic_value: true })),
        'included_filters.filters[0].is_dynamic_value',
        /not supported/,
      ],
      [
        group(action({ executed: 'true' })),
        'included_filters.filters[0].executed',
        /true or false/,
      ],
      [group(action({ action_name: '' })), 'included_filters.filters[0].action_name', /non-empty/],
      [
        group(action({ execution: { type: 'atleast' } })),
        'included_filters.filters[0].execution.count',
        /whole number/,
      ],
      [
        group(action({ execution: { type: 'sometimes', count: 1 } })),
        'included_filters.filters[0].execution.type',
        /'firstTime'/,
      ],
      [
        group(
          action({
            primary_time_range: { type: 'inTheLast', value_type: 'absolute', value: '2023-01-01' },
          }),
        ),
        'included_filters.filters[0].primary_time_range.value_type',
        /'relative_past' for 'inTheLast'/,
      ],
      [
        group(
          action({
            primary_time_range: { type: 'inTheLast', value_type: 'relative_past', value: '3' },
          }),
        ),
        'included_filters.filters[0].primary_time_range.period_unit',
        /'days'/,
      ],
      [
        group(
          action({
            primary_time_range: {
              type: 'between',
              value_type: 'absolute',
              value: '2023-01-01T00:00:00Z',
            },
          }),
        ),
        'included_filters.filters[0].primary_time_range.value1',
        /ISO 8601/,
      ],
      [
        group(
          action({ attributes: { filter_operator: 'and', filters: [{ filter_type: 'actions' }] } }),
        ),
        'included_filters.filters[0].attributes.filters[0].filter_type',
        /'user_attributes' \(or left out\)/,
      ],
      [group({ filter_type: 'custom_segments' }), 'included_filters.filters[0].id', /non-empty/],
    ]
    for (const [json, path, message] of cases) {
      const e = refused(json)
      assert.equal(e.code, 'invalid_filters', JSON.stringify(json))
      assert.equal(e.path, path, JSON.stringify(json))
      assert.match(e.message, message, JSON.stringify(json))
    }
  })

  it('refuses more nesting, filters or values than the limits, with the 413 messages', () => {
    let deep: Json = attr({})
    for (let i = 0; i < SEGMENT_LIMITS.nestingLevels; i++) deep = group(deep)
    assert.ok(parseFilters(deep).ok)
    assert.deepEqual(refused(group(deep)), {
      code: 'too_many_nesting_levels',
      limit: 5,
      message: 'The query has more than 5 levels of nesting. Please reduce the segment nesting.',
    })
    const many = Array.from({ length: SEGMENT_LIMITS.filters }, () => attr({}))
    assert.ok(parseFilters(group(...many)).ok)
    assert.equal(refused(group(...many, attr({}))).code, 'query_too_long')
    assert.equal(refused(group(attr({}), group(...many))).code, 'query_too_long')
    const values = Array.from({ length: SEGMENT_LIMITS.values + 1 }, (_, i) => `v${i}`)
    assert.deepEqual(refused(group(attr({ value: values }))), {
      code: 'query_too_long',
      limit: 100,
      message: 'The query is too large to execute. Please reduce the filters.',
    })
    const refs = Array.from({ length: SEGMENT_LIMITS.segments + 1 }, (_, i) => ({
      filter_type: 'custom_segments',
      id: `s${i}`,
    }))
    assert.equal(refused(group(...refs)).code, 'too_many_segments')
  })

  it('never throws, whatever it is given', () => {
    const filterish = fc.oneof(
      fc.anything(),
      fc.record(
        {
          filter_type: fc.constantFrom('user_attributes', 'actions', 'custom_segments', 'x'),
          name: fc.oneof(fc.string(), fc.anything()),
          data_type: fc.constantFrom('string', 'double', 'datetime', 'bool', 'x'),
          operator: fc.constantFrom(
            'is',
            'in',
            'between',
            'on',
            'inTheLast',
            'today',
            'exists',
            'x',
          ),
          value: fc.anything(),
          value1: fc.anything(),
          negate: fc.anything(),
          action_name: fc.anything(),
          executed: fc.anything(),
          execution: fc.anything(),
          primary_time_range: fc.anything(),
          attributes: fc.anything(),
          id: fc.anything(),
        },
        { requiredKeys: [] },
      ),
    )
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({
            filter_operator: fc.constantFrom('and', 'or', 1),
            filters: fc.array(filterish),
          }),
        ),
        (json) => {
          const r = parseFilters(json)
          assert.equal(typeof r.ok, 'boolean')
        },
      ),
      { numRuns: 2000 },
    )
  })
})

describe('instantOf', () => {
  it('reads dates, date-times with and without zones and offsets', () => {
    assert.deepEqual(instantOf('2023-02-15', 'v'), {
      ms: Date.UTC(2023, 1, 15),
      precision: 'day',
      offsetMinutes: 0,
    })
    assert.equal(
      instantOf('2023-02-15T10:20:30.456Z', 'v').ms,
      Date.UTC(2023, 1, 15, 10, 20, 30, 456),
    )
    assert.equal(instantOf('2023-02-15T10:20', 'v').ms, Date.UTC(2023, 1, 15, 10, 20))
    assert.deepEqual(instantOf('2023-02-15T00:00:00+05:30', 'v'), {
      ms: Date.UTC(2023, 1, 15) - 330 * 60_000,
      precision: 'instant',
      offsetMinutes: 330,
    })
    assert.equal(instantOf('2023-02-15T00:00:00-0800', 'v').offsetMinutes, -480)
    assert.equal(instantOf('0050-01-01', 'v').ms, Date.parse('0050-01-01T00:00:00.000Z'))
  })
})

describe('parseFilters: subscription filters (Inlet)', () => {
  const sub = (more: Json): Json => ({ filter_type: 'subscription', channel: 'email', ...more })

  it('reads subscribed (to the channel or a category) and opt-in statuses, negate as elsewhere', () => {
    assert.deepEqual(first(group(sub({ category: 'Promotional', subscribed: true }))), {
      kind: 'subscription',
      channel: 'email',
      negate: false,
      condition: { type: 'subscribed', category: 'Promotional' },
    })
    assert.deepEqual(first(group(sub({ channel: 'EMAIL', subscribed: false }))), {
      kind: 'subscription',
      channel: 'email',
      negate: true,
      condition: { type: 'subscribed', category: null },
    })
    assert.equal(first(group(sub({ subscribed: false, negate: true })))['negate'], false)
    assert.deepEqual(first(group(sub({ opt_in_status: ['opted_out', 'OPT_IN_PENDING'] }))), {
      kind: 'subscription',
      channel: 'email',
      negate: false,
      condition: { type: 'opt_in_status', values: ['OPTED_OUT', 'OPT_IN_PENDING'] },
    })
    assert.deepEqual(
      first(group(sub({ opt_in_status: 'DOUBLE_OPTED_IN', negate: true })))['condition'],
      { type: 'opt_in_status', values: ['DOUBLE_OPTED_IN'] },
    )
  })

  it('refuses what it does not know, naming the path', () => {
    const f = 'included_filters.filters[0]'
    const cases: [Json, string, RegExp][] = [
      [sub({ channel: 'sms', subscribed: true }), `${f}.channel`, /'email'/],
      [sub({}), f, /one of 'subscribed' and 'opt_in_status'/],
      [sub({ subscribed: true, opt_in_status: 'OPTED_OUT' }), f, /one of/],
      [sub({ subscribed: 'yes' }), `${f}.subscribed`, /true or false/],
      [sub({ subscribed: true, category: '' }), `${f}.category`, /non-empty/],
      [sub({ opt_in_status: 'OPTED_OUT', category: 'A' }), `${f}.category`, /'subscribed'/],
      [sub({ opt_in_status: ['MAYBE'] }), `${f}.opt_in_status[0]`, /'OPTED_OUT'/],
      [sub({ opt_in_status: [] }), `${f}.opt_in_status`, /at least one/],
      [sub({ subscribed: true, categry: 'A' }), `${f}.categry`, /not a key/],
      [{ filter_type: 'subscription', subscribed: true }, `${f}.channel`, /non-empty/],
      // The Data API's linked attributes are preferences: a user-attribute filter is pointed here.
      [
        attr({ name: 'moe_unsubscribe', data_type: 'bool', operator: 'is', value: true }),
        `${f}.name`,
        /filter_type 'subscription'/,
      ],
      [
        attr({ name: 'Email Opt-in Status', value: 'OPTED_OUT' }),
        `${f}.name`,
        /subscription preference/,
      ],
    ]
    for (const [json, path, message] of cases) {
      const e = refused(group(json))
      assert.equal(e.path, path, JSON.stringify(json))
      assert.match(e.message, message, JSON.stringify(json))
    }
  })
})
