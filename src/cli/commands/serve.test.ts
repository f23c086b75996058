// What `inlet serve` prints at start: a generated Data API key once, a key given in the environment
// never (the bootstrap does not even hand it back; workspaces.test.ts).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Workspace } from '../../store/store.js'
import { startupMessage } from './serve.js'

const URL = 'http://127.0.0.1:8080'
const WORKSPACE: Workspace = {
  id: 'MOEAPP01',
  name: 'Imported',
  keyHash: 'ab'.repeat(32),
  keySalt: 'cd'.repeat(16),
  state: 'active',
  settings: {},
  createdAt: 0,
  updatedAt: 0,
}

describe('startupMessage', () => {
  it('prints a generated key once, with the workspace id', () => {
    const text = startupMessage(URL, 'all', { workspace: WORKSPACE, generatedKey: 'gen-key-0123' })
    assert.match(text, /^Inlet is serving the MoEngage Data API on http:\/\/127\.0\.0\.1:8080\n/)
    assert.match(text, /\n {2}Workspace ID: {2}MOEAPP01\n {2}Data API key: {2}gen-key-0123\n/)
    assert.match(text, /curl -u 'MOEAPP01:gen-key-0123'/)
  })

  it('says a workspace uses the key given in INLET_DATA_API_KEY, without a key line', () => {
    const text = startupMessage(URL, 'all', { workspace: WORKSPACE, generatedKey: undefined })
    assert.match(
      text,
      /\nCreated workspace MOEAPP01; it uses the Data API key given in INLET_DATA_API_KEY \(not printed\)\.\n/,
    )
    assert.doesNotMatch(text, /Data API key: /)
    // The example reads the key from the shell's environment.
    assert.match(text, /curl -u "MOEAPP01:\$INLET_DATA_API_KEY"/)
  })

  it('prints only where it serves when nothing was created', () => {
    assert.equal(
      startupMessage(URL, 'all', undefined),
      'Inlet is serving the MoEngage Data API on http://127.0.0.1:8080\n',
    )
    assert.equal(
      startupMessage(URL, 'processor', undefined),
      'Inlet processor is running; health check on http://127.0.0.1:8080/healthz\n',
    )
  })
})
