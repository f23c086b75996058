import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TemplateSyntaxError, compileTemplate, userAttributeMap } from './personalization.js'

const john = { customerId: 'john', attributes: { u_fn: 'John', u_n: 'Johnny', City: 'Pune' } }

describe('the personalisation language (profile/personalization.ts)', () => {
  it("renders Inform's API attributes as top-level names", () => {
    const t = compileTemplate('Hi {{firstname}}, order {{ orderid }} is on its way.', 'text')
    assert.deepEqual(t.render({ attributes: { firstname: 'Ann', orderid: 'ORD_1' } }), {
      ok: true,
      text: 'Hi Ann, order ORD_1 is on its way.',
    })
  })

  it('reads the profile by stored key, friendly name, display name and SDK constant', () => {
    const t = compileTemplate(
      "{{UserAttribute['u_fn']}} {{UserAttribute['first_name']}} {{UserAttribute['First Name']}} " +
        "{{UserAttribute['USER_ATTRIBUTE_USER_FIRST_NAME']}} {{UserAttribute['City']}} " +
        "{{UserAttribute['USER_ATTRIBUTE_UNIQUE_ID']}}",
      'text',
    )
    assert.deepEqual(t.render({ attributes: {}, user: john }), {
      ok: true,
      text: 'John John John John Pune john',
    })
  })

  it("follows MoEngage's documented fallback: an API attribute, else a user attribute, else text", () => {
    const t = compileTemplate(
      `Hi {{username|default("{{UserAttribute['USER_ATTRIBUTE_USER_NAME']|default('user')}}")}}!`,
      'text',
    )
    const text = (values: Parameters<typeof t.render>[0]) => {
      const r = t.render(values)
      return r.ok ? r.text : r.reason
    }
    assert.equal(text({ attributes: { username: 'Jo' }, user: john }), 'Hi Jo!')
    assert.equal(text({ attributes: {}, user: john }), 'Hi Johnny!')
    assert.equal(text({ attributes: {} }), 'Hi user!')
  })

  it('fails a value without one and without a fallback, naming what was missing', () => {
    const t = compileTemplate(
      "Order {{orderid}} for {{UserAttribute['Last Name']}} ({{note|default('none')}})",
      'text',
    )
    assert.deepEqual(t.render({ attributes: {}, user: john }), {
      ok: false,
      reason:
        "personalization failed: no value for orderid, UserAttribute['Last Name'] and no fallback",
    })
    assert.deepEqual(
      t.render({ attributes: { orderid: 7 }, user: { ...john, attributes: { u_ln: 'Doe' } } }),
      {
        ok: true,
        text: 'Order 7 for Doe (none)',
      },
    )
  })

  it('escapes values in HTML, the fallback template included, and leaves text as it is', () => {
    const html = compileTemplate(
      `<p>{{name}} {{other|default("<i>{{UserAttribute['City']}}</i>")}}</p>`,
      'html',
    )
    const user = { customerId: null, attributes: { City: 'A&B' } }
    assert.deepEqual(html.render({ attributes: { name: '<b>x</b>' }, user }), {
      ok: true,
      text: '<p>&lt;b&gt;x&lt;/b&gt; <i>A&amp;B</i></p>',
    })
    const text = compileTemplate('{{name}}', 'text')
    assert.deepEqual(text.render({ attributes: { name: '<b>' } }), { ok: true, text: '<b>' })
  })

  it('supports Jinja control flow and filters', () => {
    const t = compileTemplate(
      '{% if items | length > 1 %}{{ items | join(", ") }}{% else %}one{% endif %} {{ name | upper }}',
      'text',
    )
    assert.deepEqual(t.render({ attributes: { items: ['a', 'b'], name: 'x' } }), {
      ok: true,
      text: 'a, b X',
    })
  })

  it('refuses a template that does not compile', () => {
    assert.throws(() => compileTemplate('Hi {{ name', 'text'), TemplateSyntaxError)
    assert.throws(() => compileTemplate('{% if x %}no end', 'text'), TemplateSyntaxError)
  })

  it('gives no user attributes without a user, and none from the prototype', () => {
    assert.deepEqual(Object.keys(userAttributeMap(undefined)), [])
    const t = compileTemplate("{{UserAttribute['constructor']}}", 'text')
    assert.equal(t.render({ attributes: {}, user: john }).ok, false)
  })
})
