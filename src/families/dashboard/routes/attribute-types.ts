/**
 * Attributes as the dashboard shows them: each with its name as Get User answers it, its stored
 * key, its type (datetime, number, boolean, string, array, object…) and whether it is one of
 * MoEngage's standard attributes, standard ones first, then by name.
 */
import { toWireValue, typeOf, type ValueType } from '../../../profile/attribute-values.js'
import { friendlyKey, isStandard } from '../../../profile/standard-attributes.js'

export type TypedAttribute = Readonly<{
  name: string
  key: string
  type: ValueType
  standard: boolean
  value: unknown
}>

export function typedAttributes(attributes: Readonly<Record<string, unknown>>): TypedAttribute[] {
  return Object.entries(attributes)
    .map(([key, value]) => ({
      name: friendlyKey(key),
      key,
      type: typeOf(value),
      standard: isStandard(key),
      value: toWireValue(value),
    }))
    .sort((a, b) => Number(b.standard) - Number(a.standard) || a.name.localeCompare(b.name))
}
