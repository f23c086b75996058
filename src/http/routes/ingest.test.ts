import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { WORKSPACE_ID, createTestApp } from '../../../test/helpers/app.js'

describe('ingest endpoints', () => {
  it('answers Track User with the success envelope and applies the attributes', async (t) => {
    const { post, drain, store } = await createTestApp(t)
    const res = await post(`/v1/customer/${WORKSPACE_ID}`, {
      type: 'customer',
      customer_id: 'john',
      attributes: { first_name: 'John', points: 20 },
    })
    assert.equal(res.statusCode, 200)
    assert.deepEqual(res.json(), {
      status: 'success',
      message: 'Your request has been accepted and will be processed soon.',
      request_id: res.json<{ request_id: string }>().request_id,
    })
    assert.match(res.json<{ request_id: string }>().request_id, /^[A-Za-z]{8}$/)
    await drain()
    const [user] = await store.profiles.findUsers(WORKSPACE_ID, { customerIds: ['john'], ids: [] })
    assert.equal(user?.attributes['u_fn'], 'John')
    assert.equal(user?.attributes['points'], 20)
  })
})
