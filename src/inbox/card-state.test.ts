// A card's state (inbox/card-state.ts): in the inbox until deleted, expired or shown out
// (`max_times_to_show` impressions), and when it left.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { CardRow } from '../store/store.js'
import { card as aCard } from '../../test/store/cards-contract.js'
import { cardState, goneAt, isActive } from './card-state.js'

const T0 = Date.parse('2026-11-01T10:00:00Z')

const card = (controls: Record<string, unknown>, o: Partial<CardRow> = {}): CardRow =>
  aCard('c1_android', {
    content: { display_controls: { max_times_to_show: null, expire_at: null, ...controls } },
    updatedAt: T0 + 5,
    ...o,
  })

it('is in the inbox until deleted, expired or seen max_times_to_show times', () => {
  const now = T0 + 10_000
  const cases: [CardRow, string, number | null][] = [
    [card({}), 'in inbox', null],
    [card({ max_times_to_show: 2 }, { seenCount: 1 }), 'in inbox', null],
    [card({ max_times_to_show: 2 }, { seenCount: 2 }), 'shown out', T0 + 5],
    [card({ expire_at: (T0 + 1_000) / 1000 }, { seenCount: 9 }), 'expired', T0 + 1_000],
    [card({ max_times_to_show: 1 }, { seenCount: 1, deletedAt: T0 + 7 }), 'deleted', T0 + 7],
  ]
  for (const [c, state, gone] of cases) {
    assert.deepEqual(
      [cardState(c, now), goneAt(c, now), isActive(c, now)],
      [state, gone, gone === null],
    )
  }
})
