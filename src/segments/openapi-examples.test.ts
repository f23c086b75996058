// The segment grammar against MoEngage's Segments OpenAPI (test/fixtures/moengage/): the parser
// knows exactly the enums it documents (operators per data type, execution types, time-range
// types, value types, period units), reads every example definition, and describes the create
// and update examples with the very `description` their responses show.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import YAML from 'yaml'
import { parseFilters } from './parse.js'
import { describeSegment } from './describe.js'

type Json = Record<string, unknown>

const spec = YAML.parse(
  readFileSync(
    new URL('../../test/fixtures/moengage/moengage-custom-segments-openapi.yml', import.meta.url),
    'utf8',
  ),
) as Json // a YAML document of objects

/** The value at a path of object keys (the spec's shape is known). */
function at(path: readonly string[]): unknown {
  let v: unknown = spec
  for (const k of path) v = (v as Json)[k]
  return v
}

const schemas = ['components', 'schemas']
const response = (name: string): Json =>
  at(['components', 'responses', name, 'content', 'application/json', 'example']) as Json

/** A minimal valid user-attribute filter of a data type and operator. */
function attributeFilter(dataType: string, operator: string): Json {
  const value: Readonly<Record<string, unknown>> = {
    bool: true,
    double: 3,
    string: ['a'],
    datetime: operator === 'inTheLast' || operator === 'inTheNext' ? 7 : '2023-02-15',
  }
  return {
    filter_type: 'user_attributes',
    name: 'x',
    data_type: dataType,
    operator,
    value: value[dataType],
    value1: dataType === 'double' ? 5 : '2023-02-20',
  }
}

const group = (...filters: Json[]): Json => ({ filter_operator: 'and', filters })

describe("the grammar is MoEngage's (Segments OpenAPI)", () => {
  it('accepts every operator the spec allows for each data type, and no other', () => {
    const description = String(at([...schemas, 'AttributeFilterV3', 'description']))
    const all = at([...schemas, 'AttributeFilterV3', 'properties', 'operator', 'enum']) as string[]
    for (const dataType of ['bool', 'double', 'string', 'datetime']) {
      const line = new RegExp(`\\*\\*${dataType}:\\*\\* (.*)`).exec(description)?.[1] ?? ''
      const allowed = line.split(',').map((s) => s.trim())
      assert.ok(allowed.length >= 2, dataType)
      for (const op of all) {
        const parsed = parseFilters(group(attributeFilter(dataType, op)))
        assert.equal(parsed.ok, allowed.includes(op), `${dataType} ${op}`)
        if (!parsed.ok) {
          assert.equal(parsed.error.code, 'invalid_filters')
          assert.ok('path' in parsed.error)
          assert.equal(parsed.error.path, 'included_filters.filters[0].operator')
        }
      }
    }
  })

  it('accepts every execution type, time-range type, value type and period unit it lists', () => {
    const props = at([...schemas, 'ActionFilterV3', 'properties']) as Json
    const range = (props['primary_time_range'] as Json)['properties'] as Json
    const enumOf = (o: Json, k: string): string[] => (o[k] as Json)['enum'] as string[]
    const executions = enumOf((props['execution'] as Json)['properties'] as Json, 'type')
    for (const type of executions) {
      for (const timeType of enumOf(range, 'type')) {
        for (const unit of enumOf(range, 'period_unit')) {
          for (const valueType of enumOf(range, 'value_type')) {
            const absolute = valueType === 'absolute'
            const parsed = parseFilters(
              group({
                filter_type: 'actions',
                action_name: 'MOE_EMAIL_SENT',
                executed: true,
                execution: { type, count: 2 },
                primary_time_range: {
                  type: timeType,
                  value_type: valueType,
                  value: absolute ? '2023-02-15T00:00:00.000Z' : '7',
                  value1: absolute ? '2023-02-24T23:59:59.999Z' : '1',
                  period_unit: unit,
                },
              }),
            )
            // inTheLast counts back from now: only relative.
            assert.equal(parsed.ok, !(absolute && timeType === 'inTheLast'), JSON.stringify(parsed))
          }
        }
      }
    }
  })

  it('reads the request examples of create and update', () => {
    const bodies = [
      at(['paths', '/v3/custom-segments', 'post', 'requestBody', 'content', 'application/json']),
      at([
        'paths',
        '/v3/custom-segments/{id}',
        'patch',
        'requestBody',
        'content',
        'application/json',
      ]),
    ].map((c) => (c as Json)['example'] as Json)
    for (const body of bodies) {
      const parsed = parseFilters(body['included_filters'])
      assert.ok(parsed.ok, JSON.stringify(parsed))
      const first = parsed.value.filters[0]
      assert.equal(first?.kind, 'attribute')
      assert.deepEqual(first.kind === 'attribute' && first.field, { kind: 'attribute', key: 'u_n' })
    }
  })

  it('describes the create and update examples as their responses do', () => {
    for (const name of ['201_SegmentCreatedV3', '200_SegmentUpdatedV3']) {
      const data = response(name)['data'] as Json
      const parsed = parseFilters(data['included_filters'])
      assert.ok(parsed.ok, JSON.stringify(parsed))
      const expected = String(data['description'])
      // The 201 example's description names other dates than its filters (Jan 05–08, 2021 for a
      // range of Feb 15–24, 2023): its example was edited by hand. The rest must be the same.
      assert.equal(
        describeSegment(parsed.value),
        name === '201_SegmentCreatedV3'
          ? expected.replace('Jan 05, 2021 and Jan 08, 2021', 'Feb 15, 2023 and Feb 24, 2023')
          : expected,
      )
    }
  })
})
