/**
 * The JSON examples of the spec (test/fixtures/moengage/moengage-data-api.md §4, §7, §8), pinned
 * as they are written there: spec-examples.test.ts checks that each is one of the spec's JSON
 * blocks and replays it; other tests take the §4.1 / §4.2 envelopes from here.
 */

export const EXAMPLES = {
  success: {
    status: 'success',
    message: 'Your request has been accepted and will be processed soon.',
    request_id: 'kXwpDESb',
  },
  failure: {
    status: 'fail',
    error: {
      attribute: 'customer_id',
      message: 'customer_id is not found in the payload',
      type: 'MissingAttributeError',
      request_id: 'ZbPXtKFL',
    },
  },
  trackUser: {
    type: 'customer',
    customer_id: 'john@example.com',
    update_existing_only: 'true',
    attributes: {
      points: 20,
      expiry_date: '2020-05-31T03:47:35Z',
      super_user: true,
      user_persona: 'browsers',
      platforms: [{ platform: 'ANDROID', active: 'true' }],
    },
  },
  arrayOps: {
    type: 'customer',
    customer_id: '123',
    attributes: {
      removeValueFromArrayField: {},
      addValueToArrayField: { attribute1: ['abc', 'def'], attribute2: ['a'], attribute3: ['123'] },
      platforms: [{ platform: 'iOS', active: 'true' }],
    },
  },
  bulk: {
    type: 'transition',
    elements: [
      {
        type: 'customer',
        customer_id: 'john@example.com',
        attributes: { name: 'John', platforms: [{ platform: 'ANDROID', active: 'true' }] },
      },
      {
        type: 'device',
        customer_id: 'john@example.com',
        device_id: '96bd03b6-defc-4203-83d3-dc1c73080232',
        attributes: { brand: 'Apple', platform: 'iOS', push_id: 'irBMohQPf_k2...' },
      },
      {
        type: 'event',
        customer_id: 'john@example.com',
        device_id: '96bd03b6-defc-4203-83d3-dc1c73080232',
        actions: [
          {
            action: 'Added to Cart',
            attributes: { product: 'Mobile' },
            platform: 'iOS',
            app_version: '1.2.3',
            current_time: '2020-05-31T16:33:35Z',
            user_timezone_offset: 19800,
          },
        ],
      },
    ],
  },
  getUser: {
    data: {
      identifiers: [
        { identifier_type: 'customer_id', identifier: '6416d1a318r98264512c0f89' },
        { identifier_type: 'id', identifier: '62e79fb15ada55x123g987bu' },
      ],
      user_fields_to_export: ['last_name', 'customer_id', 'name'],
    },
  },
  delete: { identity_type: 'customer_id', identity_value: '6416d1a318r98264512c0f89' },
  unset: {
    unset_attributes: [{ type: 'equals', attr: 'custom_userattribute_1', case_sensitive: true }],
  },
} as const
