/** The dashboard family's own catalogue entries (Inlet's, /dashboard/api/…). */
import type { DashboardErrorCode, WireError } from './types.js'

/** The dashboard's own entries; every other code as Data's. */
export const DASHBOARD_ERRORS: Readonly<Record<DashboardErrorCode, WireError>> = {
  dashboard_unauthorized: {
    status: 401,
    type: 'Unauthorized',
    message: 'Sign in to the dashboard first: there is no session, or it has expired',
  },
  dashboard_sign_in_failed: {
    status: 401,
    type: 'Unauthorized',
    message: 'Sign-in failed: the workspace id and Data API key, or the admin token, are not right',
  },
  dashboard_csrf: {
    status: 403,
    type: 'Forbidden',
    message:
      "This action needs the session's CSRF token in the x-csrf-token header: reload the page",
  },
  dashboard_operator_only: {
    status: 403,
    type: 'Forbidden',
    message: 'Only an operator (signed in with the admin token) can do this',
  },
  dashboard_not_found: {
    status: 404,
    type: 'Not Found',
    message: "No {what} '{id}' in this workspace",
    attribute: '{what}',
  },
  dashboard_invalid_input: {
    status: 400,
    type: 'Bad Request',
    message: '{detail}',
    attribute: '{attribute}',
  },
}
