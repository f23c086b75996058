/** The admin API family's own catalogue entries (Inlet's, /inlet/v1/admin/…). */
import type { AdminErrorCode, WireError } from './types.js'

/** The admin API's own entries (Inlet's, /inlet/v1/admin/…); every other code as Data's. */
export const ADMIN_ERRORS: Readonly<Record<AdminErrorCode, WireError>> = {
  admin_unauthorized: {
    status: 401,
    type: 'Authentication required',
    message: 'A valid admin token is required: Authorization: Bearer <INLET_ADMIN_TOKEN>',
  },
  admin_invalid_input: {
    status: 400,
    type: 'ValueError',
    message: '{detail}',
    attribute: '{attribute}',
  },
  admin_workspace_not_found: {
    status: 404,
    type: 'Not Found',
    message: "No workspace with id '{workspace_id}'",
    attribute: 'workspace_id',
  },
  admin_workspace_exists: {
    status: 409,
    type: 'Conflict',
    message: "A workspace with id '{workspace_id}' already exists",
    attribute: 'workspace_id',
  },
  admin_feature_key_exists: {
    status: 409,
    type: 'Conflict',
    message: "Workspace '{workspace_id}' already has a {feature} key: rotate it instead",
    attribute: 'feature',
  },
  admin_secret_key_missing: {
    status: 500,
    type: 'Server Error',
    message:
      'Push and Campaign report keys are stored encrypted under the server secret, and this server has none: set INLET_SECRET_KEY',
  },
  admin_alert_not_found: {
    status: 404,
    type: 'Not Found',
    message: "No Inform alert with id '{alert_id}' in workspace '{workspace_id}'",
    attribute: 'alert_id',
  },
  admin_card_campaign_not_found: {
    status: 404,
    type: 'Not Found',
    message: "No card campaign with id '{campaign_id}' in workspace '{workspace_id}'",
    attribute: 'campaign_id',
  },
  admin_live_activity_not_found: {
    status: 404,
    type: 'Not Found',
    message: "No live-activity campaign with id '{campaign_id}' in workspace '{workspace_id}'",
    attribute: 'campaign_id',
  },
  admin_file_import_not_found: {
    status: 404,
    type: 'Not Found',
    message: "No file import with id '{import_id}' in workspace '{workspace_id}'",
    attribute: 'import_id',
  },
}
