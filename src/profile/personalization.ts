/**
 * MoEngage's personalisation language (moengage-other-apis.md §2.6; Jinja 3.1 in MoEngage,
 * Nunjucks here): a template compiled once and rendered with a message's values. Inform's API
 * attributes are top-level names (`{{firstname}}`, from the request's `personalized_attributes`);
 * the user's profile is `UserAttribute` (`{{UserAttribute['First Name']}}`), by stored key,
 * friendly name, MoEngage's display name or SDK constant; a fallback is Jinja's `default`, whose
 * text may itself be a template (MoEngage's documented
 * `{{username|default("{{UserAttribute['USER_ATTRIBUTE_USER_NAME']|default('user')}}")}}`). A value
 * output without one is a personalisation failure, as MoEngage counts it ("Failed to Send"): the
 * render answers which names had no value instead of text. Templates are an operator's (admin
 * API, CLI): Nunjucks runs them unsandboxed, so only trusted people may define them.
 */
import nunjucks from 'nunjucks'
import { STANDARD_ATTRIBUTES } from './standard-attributes.js'

/** A template that does not compile: the message says where. */
export class TemplateSyntaxError extends Error {
  override readonly name: string = 'TemplateSyntaxError'
}

/** What a template is rendered with. */
export type PersonalizationValues = Readonly<{
  /** The top-level names: Inform's `personalized_attributes`. */
  attributes: Readonly<Record<string, unknown>>
  /** The user's stored attributes (profile keys), and its customer_id; undefined without a user. */
  user?: Readonly<{ customerId: string | null; attributes: Readonly<Record<string, unknown>> }>
}>

export type RenderResult =
  Readonly<{ ok: true; text: string }> | Readonly<{ ok: false; reason: string }>

export type CompiledTemplate = Readonly<{
  source: string
  render(values: PersonalizationValues): RenderResult
}>

/** MoEngage's display names and SDK constants of the standard attributes, by stored key. */
const DISPLAY_NAMES: Readonly<Record<string, readonly string[]>> = {
  u_n: ['Name', 'USER_ATTRIBUTE_USER_NAME'],
  u_fn: ['First Name', 'USER_ATTRIBUTE_USER_FIRST_NAME'],
  u_ln: ['Last Name', 'USER_ATTRIBUTE_USER_LAST_NAME'],
  u_em: ['Email (Standard)', 'Email', 'USER_ATTRIBUTE_USER_EMAIL'],
  u_mb: ['Mobile Number (Standard)', 'Mobile Number', 'USER_ATTRIBUTE_USER_MOBILE'],
  u_gd: ['Gender', 'USER_ATTRIBUTE_USER_GENDER'],
  u_bd: ['Birthday', 'USER_ATTRIBUTE_USER_BDAY'],
}

const FRIENDLY: ReadonlyMap<string, string> = new Map(
  STANDARD_ATTRIBUTES.flatMap((a) => (a.friendly === undefined ? [] : [[a.key, a.friendly]])),
)

/** `UserAttribute`: the user's attributes under every name a template may use for them. */
export function userAttributeMap(user: PersonalizationValues['user']): Record<string, unknown> {
  const map: Record<string, unknown> = Object.create(null) as Record<string, unknown>
  if (user === undefined) return map
  for (const [key, value] of Object.entries(user.attributes)) {
    map[key] = value
    const friendly = FRIENDLY.get(key)
    if (friendly !== undefined) map[friendly] = value
    for (const name of DISPLAY_NAMES[key] ?? []) map[name] = value
  }
  if (user.customerId !== null) {
    for (const name of ['ID', 'customer_id', 'USER_ATTRIBUTE_UNIQUE_ID'])
      map[name] = user.customerId
  }
  return map
}

/** A fallback whose text holds a template (`{{…}}` or `{%…%}`), rendered with the same values. */
const NESTED = /\{\{|\{%/

type FilterThis = { ctx: Record<string, unknown>; env: nunjucks.Environment }

/** Nested fallback templates, compiled once each (bounded: templates are an operator's). */
const nestedCache = new Map<string, nunjucks.Template>()

function environment(autoescape: boolean): nunjucks.Environment {
  const env = new nunjucks.Environment(null, { autoescape, throwOnUndefined: true })
  // Jinja's default(value, default_value, boolean): the fallback when the value is undefined (or
  // falsy with `boolean`); a fallback holding a template is rendered with the same values.
  env.addFilter('default', function (this: FilterThis, value: unknown, def: unknown, bool = false) {
    const missing = bool ? !value : value === undefined
    if (!missing) return value
    if (typeof def !== 'string' || !NESTED.test(def)) return def
    const key = `${autoescape ? 'e' : 'r'}:${def}`
    let nested = nestedCache.get(key)
    if (nested === undefined) {
      nested = new nunjucks.Template(def, env, undefined, true)
      if (nestedCache.size >= 1_000) nestedCache.clear()
      nestedCache.set(key, nested)
    }
    const text = nested.render(this.ctx)
    return autoescape ? new nunjucks.runtime.SafeString(text) : text
  })
  return env
}

const ENVIRONMENTS = { html: environment(true), text: environment(false) }

/** Top-level names and `UserAttribute[…]` keys a template outputs, each with or without a fallback. */
const OUTPUTS =
  /\{\{-?\s*(?:UserAttribute\s*\[\s*(['"])(.*?)\1\s*\]|([A-Za-z_][A-Za-z0-9_]*))\s*(\|\s*default\b)?/g

/** The names `source` outputs without a fallback that `values` has no value for. */
function missingNames(source: string, values: PersonalizationValues): string[] {
  const user = userAttributeMap(values.user)
  const missing = new Set<string>()
  for (const m of source.matchAll(OUTPUTS)) {
    if (m[4] !== undefined) continue
    if (m[2] !== undefined && user[m[2]] === undefined) missing.add(`UserAttribute['${m[2]}']`)
    const name = m[3]
    if (name !== undefined && name !== 'UserAttribute' && !Object.hasOwn(values.attributes, name)) {
      missing.add(name)
    }
  }
  return [...missing]
}

/**
 * `source` compiled for `kind` (`html`: output escaped for HTML, an e-mail body; `text`: as is);
 * TemplateSyntaxError when it does not compile.
 */
export function compileTemplate(source: string, kind: 'html' | 'text'): CompiledTemplate {
  let template: nunjucks.Template
  try {
    template = new nunjucks.Template(source, ENVIRONMENTS[kind], undefined, true)
  } catch (err) {
    throw new TemplateSyntaxError(err instanceof Error ? err.message : String(err))
  }
  return {
    source,
    render: (values) => {
      const context = { ...values.attributes, UserAttribute: userAttributeMap(values.user) }
      try {
        return { ok: true, text: template.render(context) }
      } catch (err) {
        const names = missingNames(source, values)
        const reason =
          names.length > 0
            ? `personalization failed: no value for ${names.join(', ')} and no fallback`
            : `personalization failed: ${err instanceof Error ? err.message : String(err)}`
        return { ok: false, reason }
      }
    },
  }
}

/**
 * Compiled templates by their text (bounded): the same text compiles to the same template, so a
 * definition changed, or removed and defined again, never renders from a stale one.
 */
const compiled = new Map<string, CompiledTemplate>()

/** compileTemplate, cached by kind and text (the sending families render the same text often). */
export function cachedTemplate(source: string, kind: 'html' | 'text'): CompiledTemplate {
  const key = `${kind}\u0000${source}`
  let template = compiled.get(key)
  if (template === undefined) {
    template = compileTemplate(source, kind)
    if (compiled.size >= 5_000) compiled.clear()
    compiled.set(key, template)
  }
  return template
}
