import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  defineOwn,
  LIMITS,
  normalizeName,
  normalizeValue,
  parseDatetime,
  toWireValue,
  typeOf,
} from './attribute-values.js'

describe('§8.3 datetime detection', () => {
  const datetimes: [string, string][] = [
    ['2019-03-12T17:36:05Z', '2019-03-12T17:36:05.000Z'],
    ['2019-03-12T17:36:05', '2019-03-12T17:36:05.000Z'],
    ['2022-01-22', '2022-01-22T00:00:00.000Z'],
    ['2020-05-31T03:47:35.123Z', '2020-05-31T03:47:35.123Z'],
    ['2020-05-31T03:47:35.123456Z', '2020-05-31T03:47:35.123Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2999-12-31T23:59:59Z', '2999-12-31T23:59:59.000Z'],
    ['1900-01-01', '1900-01-01T00:00:00.000Z'],
  ]
  for (const [given, iso] of datetimes) {
    it(`${given} is a datetime`, () => {
      assert.equal(new Date(parseDatetime(given) ?? NaN).toISOString(), iso)
      assert.deepEqual(normalizeValue('d', given), { keep: true, value: { $date: iso }, notes: [] })
    })
  }
  const strings = [
    '2019-15-12',
    '2023-02-29',
    '2019-04-31',
    '2019-03-12T24:00:00Z',
    '2019-03-12T17:60:05Z',
    '02-12-2001',
    '2019/03/12',
    '2019-03-12 17:36:05',
    '2019-03-12T17:36Z',
    '2019-03-12T17:36:05+05:30',
    'hello',
    '20190312',
  ]
  for (const given of strings) {
    it(`${given} stays a string`, () => {
      assert.equal(parseDatetime(given), undefined)
      assert.deepEqual(normalizeValue('d', given), { keep: true, value: given, notes: [] })
    })
  }
  it('answers datetimes on the wire as ISO 8601 UTC', () => {
    assert.deepEqual(
      toWireValue({ a: { $date: '2022-01-22T00:00:00.000Z' }, b: [1], c: { d: 'x' } }),
      { a: '2022-01-22T00:00:00.000Z', b: [1], c: { d: 'x' } },
    )
  })
})

describe('§8.3 accepted value types', () => {
  it('keeps numbers, booleans, null and homogeneous arrays as they are', () => {
    for (const v of [0, 1.5, -3, true, false, null, [1, 2], ['a', 'b'], []]) {
      assert.deepEqual(normalizeValue('k', v), { keep: true, value: v, notes: [] })
    }
  })
  it('ignores mixed arrays and arrays of booleans', () => {
    for (const v of [
      [1, 'a'],
      [true, false],
      [[1], [2]],
    ]) {
      const r = normalizeValue('k', v)
      assert.equal(r.keep, false, JSON.stringify(v))
      assert.match(r.keep ? '' : r.reason, /homogeneous array/)
    }
  })
  it('does not ingest an empty object (§8.2)', () => {
    const r = normalizeValue('obj', {})
    assert.equal(r.keep, false)
  })
  it('drops null members of arrays of objects (§8.2)', () => {
    const r = normalizeValue('items', [{ a: 1 }, null, { a: 2 }])
    assert.deepEqual(r, {
      keep: true,
      value: [{ a: 1 }, { a: 2 }],
      notes: ["'items' null members dropped (spec §8.2)"],
    })
  })
  it('types values the way Data Management shows them', () => {
    assert.equal(typeOf({ $date: '2020-01-01T00:00:00.000Z' }), 'datetime')
    assert.equal(typeOf([{ a: 1 }]), 'array_of_objects')
    assert.equal(typeOf(['a']), 'array')
    assert.equal(typeOf({ a: 1 }), 'object')
    assert.equal(typeOf('x'), 'string')
    assert.equal(typeOf(null), 'null')
  })
})

describe('§8.3 limits', () => {
  it('truncates names longer than 200 characters', () => {
    const notes: string[] = []
    assert.equal(normalizeName('n'.repeat(250), notes), 'n'.repeat(200))
    assert.equal(notes.length, 1)
    assert.equal(normalizeName('n'.repeat(200), notes), 'n'.repeat(200))
    assert.equal(notes.length, 1)
  })
  it('truncates strings longer than 512 characters and rejects such URLs', () => {
    const long = 'x'.repeat(600)
    const r = normalizeValue('s', long)
    assert.equal(r.keep && r.value, 'x'.repeat(LIMITS.stringLength))
    assert.equal(normalizeValue('s', 'x'.repeat(512)).keep && true, true)
    const url = `https://example.com/${'p'.repeat(600)}`
    const u = normalizeValue('link', url)
    assert.equal(u.keep, false)
    assert.match(u.keep ? '' : u.reason, /URL longer than 512/)
    const shortUrl = 'https://example.com/a'
    assert.deepEqual(normalizeValue('link', shortUrl), { keep: true, value: shortUrl, notes: [] })
  })
  it('counts names and strings in characters: an emoji is one, and a cut never halves one', () => {
    const notes: string[] = []
    // 200 emoji are 400 UTF-16 units: within the limit, kept whole.
    assert.equal(normalizeName('😀'.repeat(200), notes), '😀'.repeat(200))
    assert.equal(notes.length, 0)
    assert.equal(normalizeName('n'.repeat(199) + '😀😀', notes), 'n'.repeat(199) + '😀')
    const s = normalizeValue('s', '😀'.repeat(512))
    assert.deepEqual(s, { keep: true, value: '😀'.repeat(512), notes: [] })
    const cut = normalizeValue('s', 'x'.repeat(511) + '😀😀')
    assert.equal(cut.keep && cut.value, 'x'.repeat(511) + '😀')
    const element = normalizeValue('a', ['y'.repeat(511) + '😀z'])
    assert.deepEqual(element.keep && element.value, ['y'.repeat(511) + '😀'])
  })
  it('keeps the first 50 array elements and truncates long elements', () => {
    const r = normalizeValue(
      'a',
      Array.from({ length: 60 }, (_, i) => String(i)),
    )
    assert.equal(r.keep && (r.value as unknown[]).length, 50)
    const e = normalizeValue('a', ['y'.repeat(600)])
    assert.deepEqual(e.keep && e.value, ['y'.repeat(512)])
  })
  it('stringifies objects nested beyond level 2 and drops keys with $ . % #', () => {
    const r = normalizeValue('o', { a: { b: { c: 1 } }, 'x.y': 1, $date: 'x', ok: 2 })
    assert.equal(r.keep, true)
    assert.deepEqual(r.keep && r.value, { a: { b: '{"c":1}' }, ok: 2 })
    assert.equal(r.keep && r.notes.length, 2)
  })
  it('keeps 100 sub-attributes and rejects objects over 25 KB', () => {
    const wide = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`k${i}`, i]))
    const r = normalizeValue('o', wide)
    assert.equal(r.keep && Object.keys(r.value as object).length, 100)
    const big = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, 'z'.repeat(500)]))
    assert.equal(normalizeValue('o', big).keep, false)
  })
  it('defineOwn sets own enumerable keys, __proto__ included, without touching prototypes', () => {
    const target: Record<string, unknown> = { a: 1 }
    defineOwn(target, 'a', 2)
    defineOwn(target, 'b', 3)
    defineOwn(target, '__proto__', { polluted: 1 })
    defineOwn(target, 'constructor', 'c')
    assert.deepEqual(Object.keys(target), ['a', 'b', '__proto__', 'constructor'])
    assert.equal(Object.getPrototypeOf(target), Object.prototype)
    assert.deepEqual(Object.getOwnPropertyDescriptor(target, '__proto__'), {
      value: { polluted: 1 },
      enumerable: true,
      writable: true,
      configurable: true,
    })
    assert.equal(target['a'], 2)
    assert.equal(target['constructor'], 'c')
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined)
    assert.equal(
      JSON.stringify(target),
      '{"a":2,"b":3,"__proto__":{"polluted":1},"constructor":"c"}',
    )
  })
  it('stores __proto__ as an ordinary key', () => {
    const r = normalizeValue('o', JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}'))
    assert.equal(r.keep, true)
    const value = r.keep ? (r.value as Record<string, unknown>) : {}
    assert.deepEqual(Object.keys(value), ['__proto__', 'a'])
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined)
  })
})
