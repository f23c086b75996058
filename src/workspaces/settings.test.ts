// readSettings: defaults, values of the wrong type, well-formed goals only; projectName (spec §6.3).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_SETTINGS, projectName, readSettings } from './settings.js'

describe('readSettings', () => {
  it('gives the defaults for an empty or foreign object', () => {
    assert.deepEqual(readSettings({}), DEFAULT_SETTINGS)
    assert.deepEqual(
      readSettings({ unknown: 1, projects: [], conversionGoals: {} }),
      DEFAULT_SETTINGS,
    )
  })
  it('reads a value of the wrong type as the default', () => {
    const s = readSettings({ bulkStrictElementValidation: 'yes', projects: 'p' })
    assert.equal(s.bulkStrictElementValidation, false)
    assert.deepEqual(s.projects, {})
  })
  it('keeps the string entries of projects', () => {
    assert.deepEqual(readSettings({ projects: { a: 'Alpha', b: 2 } }).projects, { a: 'Alpha' })
  })
  it('keeps well-formed conversion goals only', () => {
    const s = readSettings({
      conversionGoals: [
        { event: 'Purchased', revenueAttribute: 'amount' },
        { event: 'Subscribed', revenueAttribute: '' },
        { event: '' },
        { revenueAttribute: 'x' },
        'Purchased',
        null,
      ],
    })
    assert.deepEqual(s.conversionGoals, [
      { event: 'Purchased', revenueAttribute: 'amount' },
      { event: 'Subscribed' },
    ])
  })
})

describe('projectName', () => {
  it('uses the code as the name when the workspace lists no projects', () => {
    assert.equal(projectName(DEFAULT_SETTINGS, 'shop'), 'shop')
  })
  it('maps listed codes and refuses others', () => {
    const s = readSettings({ projects: { p1: 'Shop' } })
    assert.equal(projectName(s, 'p1'), 'Shop')
    assert.equal(projectName(s, 'p2'), undefined)
    assert.equal(projectName(s, 'toString'), undefined)
  })
})
