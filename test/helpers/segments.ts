/**
 * Builders of segment definitions in MoEngage's wire grammar (spec §2.1) for tests: valid by
 * default, with what a test gives on top.
 */
export type Json = Record<string, unknown>

/** An and group of the filters. */
export const filterGroup = (...filters: unknown[]): Json => ({ filter_operator: 'and', filters })

/** `plan` is one of ['gold'], unless `more` says otherwise. */
export const anAttributeFilter = (more: Json = {}): Json => ({
  filter_type: 'user_attributes',
  name: 'plan',
  data_type: 'string',
  operator: 'in',
  value: ['gold'],
  ...more,
})

/** Purchased at least 3 times in the last 30 days, unless `more` says otherwise. */
export const anActionFilter = (more: Json = {}): Json => ({
  filter_type: 'actions',
  action_name: 'Purchased',
  executed: true,
  execution: { type: 'atleast', count: 3 },
  primary_time_range: {
    type: 'inTheLast',
    value_type: 'relative_past',
    value: '30',
    period_unit: 'days',
  },
  ...more,
})

/** A create body: `name` and an and group of `filters`. */
export const aSegmentBody = (name: string, ...filters: unknown[]): Json => ({
  name,
  included_filters: filterGroup(...filters),
})

/** The `custom_segments` filter of segment `id`. */
export const aSegmentReference = (id: string, name = 'referenced'): Json => ({
  filter_type: 'custom_segments',
  id,
  name,
})
