// The server-generated description of a definition: each operator's wording, negation, case
// notes, time ranges, event attributes, references and nested groups (the OpenAPI examples'
// own descriptions are checked in openapi-examples.test.ts).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeSegment, eventDisplayName } from './describe.js'
import { parseFilters } from './parse.js'
import { anActionFilter, type Json } from '../../test/helpers/segments.js'

function described(...filters: Json[]): string {
  const r = parseFilters({ filter_operator: 'and', filters })
  assert.ok(r.ok, JSON.stringify(r))
  return describeSegment(r.value)
}

const attr = (more: Json): Json => ({ filter_type: 'user_attributes', name: 'Plan', ...more })

describe('describeSegment', () => {
  it('words subscription filters (Inlet)', () => {
    const sub = (more: Json): Json => ({ filter_type: 'subscription', channel: 'email', ...more })
    assert.equal(
      described(sub({ subscribed: true, category: 'Promo' }), sub({ subscribed: false })),
      'Is subscribed to email category Promo AND Is not subscribed to email',
    )
    assert.equal(
      described(sub({ opt_in_status: ['OPTED_OUT', 'OPT_IN_PENDING'], negate: true })),
      'email opt-in status is not one of OPTED_OUT, OPT_IN_PENDING',
    )
  })

  it('words each attribute operator, negated or not', () => {
    const cases: readonly [Json, string][] = [
      [
        { data_type: 'string', operator: 'in', value: ['gold', 'silver'] },
        'Plan  is gold or silver  (case insensitive)',
      ],
      [
        { data_type: 'string', operator: 'is', value: 'gold', negate: true, case_sensitive: true },
        'Plan  is not gold  (case sensitive)',
      ],
      [
        { data_type: 'string', operator: 'contains', value: 'ol' },
        'Plan  contains ol  (case insensitive)',
      ],
      [
        { data_type: 'string', operator: 'startWithInTheFollowing', value: ['g'], negate: true },
        'Plan  does not start with g  (case insensitive)',
      ],
      [
        { data_type: 'string', operator: 'endsWithInTheFollowing', value: ['d'] },
        'Plan  ends with d  (case insensitive)',
      ],
      [{ data_type: 'string', operator: 'exists', negate: true }, 'Plan  does not exist'],
      [
        { data_type: 'double', operator: 'between', value: 1, value1: 5 },
        'Plan  is between 1 and 5',
      ],
      [{ data_type: 'double', operator: 'lessThan', value: 2.5 }, 'Plan  is less than 2.5'],
      [
        { data_type: 'double', operator: 'greaterThan', value: 2, negate: true },
        'Plan  is not greater than 2',
      ],
      [{ data_type: 'bool', operator: 'is', value: true }, 'Plan  is true'],
      [{ data_type: 'datetime', operator: 'inTheLast', value: 1 }, 'Plan  is in the last 1 day'],
      [
        { data_type: 'datetime', operator: 'inTheNext', value: 2, period_unit: 'weeks' },
        'Plan  is in the next 2 weeks',
      ],
      [{ data_type: 'datetime', operator: 'today' }, 'Plan  is today'],
      [
        { data_type: 'datetime', operator: 'on', value: '2023-02-05T23:00:00-02:00' },
        'Plan  is on Feb 05, 2023',
      ],
      [
        { data_type: 'datetime', operator: 'between', value: '2023-02-15', value1: '2023-03-01' },
        'Plan  is in-between Feb 15, 2023 and Mar 01, 2023',
      ],
    ]
    for (const [more, text] of cases) assert.equal(described(attr(more)), text)
  })

  it('words action filters: execution, time range, event attributes', () => {
    const action = anActionFilter
    assert.equal(
      described(action({})),
      'Has executed Purchased atleast 3 times in the last 30 days',
    )
    assert.equal(
      described(
        action({
          executed: false,
          execution: { type: 'firstTime' },
          primary_time_range: {
            type: 'before',
            value_type: 'relative_past',
            value: 2,
            period_unit: 'weeks',
          },
          attributes: {
            filter_operator: 'or',
            filters: [{ name: 'sku', data_type: 'string', operator: 'is', value: 'A1' }],
          },
        }),
      ),
      'Has not executed Purchased for the first time before 2 weeks ago with sku  is A1  (case insensitive)',
    )
  })

  it('names references, and puts nested groups in parentheses', () => {
    assert.equal(
      described(
        { filter_type: 'custom_segments', id: 's1', name: 'VIPs' },
        {
          filter_operator: 'or',
          filters: [
            attr({ data_type: 'bool', operator: 'exists' }),
            { filter_type: 'custom_segments', id: 's2' },
          ],
        },
      ),
      'Is in custom segment VIPs AND (Plan  exists OR Is in custom segment s2)',
    )
  })
})

describe('eventDisplayName', () => {
  it("shows MoEngage's own MOE_ events by their dashboard names, others as they are", () => {
    assert.equal(eventDisplayName('MOE_EMAIL_SENT'), 'Email Sent')
    assert.equal(eventDisplayName('MOE_APP_OPENED'), 'App Opened')
    assert.equal(eventDisplayName('Added to Cart'), 'Added to Cart')
    assert.equal(eventDisplayName('moe_custom'), 'moe_custom')
  })
})
