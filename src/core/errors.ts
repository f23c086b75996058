/**
 * The error codes of Inlet and the one error class that carries them. Codes are ours: stable,
 * snake_case, one per distinct answer a client can get. The wire strings (status, `type`,
 * `message`) live in `core/error-catalogue.ts`; a code without a wire entry does not compile.
 */

/**
 * The gateway's answers to Basic credentials that are missing or malformed (spec §4.5's order);
 * http/auth-failures.ts counts each as a failed authentication.
 */
export const BASIC_CREDENTIAL_CODES = [
  'auth_header_required',
  'auth_empty',
  'auth_not_basic',
  'auth_undecodable',
  'auth_username_missing',
  'auth_password_missing',
] as const

export const ERROR_CODES = [
  // Gateway (spec §4.4, in the validation order of §4.5)
  'route_not_found',
  'method_not_allowed',
  'params_required',
  ...BASIC_CREDENTIAL_CODES,
  'auth_rate_limited',
  'invalid_app_id',
  'auth_unknown_app_id',
  'key_not_set',
  'key_mismatch',
  'app_mismatch',
  'moe_appkey_mismatch',
  'moe_appkey_missing',
  // Feature-scoped keys and request signatures (the families beyond Data: http/auth.ts)
  'feature_key_not_set',
  'feature_key_mismatch',
  'signature_missing',
  'signature_mismatch',
  'account_blacklisted',
  'account_suspended',
  'account_temporarily_suspended',
  'content_type_missing',
  'unsupported_media_type',
  'payload_too_large',
  'empty_body',
  'malformed_json',
  'body_not_object',
  'body_too_deep',
  'body_has_nul',
  'url_has_nul',
  // Quotas (spec §5.1: after the body checks, before field validation)
  'rate_limit_exceeded',
  // Field validation shared by the ingest endpoints (spec §6.1, §7.1–§7.4)
  'attribute_type',
  'customer_id_missing',
  'customer_id_empty',
  'field_too_long',
  'actions_empty',
  'action_missing',
  'action_empty',
  'action_not_object',
  'device_id_missing',
  'device_attributes_missing',
  'device_platform_missing',
  'device_platform_invalid',
  'device_push_id_missing',
  'elements_empty',
  'bulk_type_invalid',
  'element_type_invalid',
  'element_not_object',
  // Get User (spec §7.6)
  'export_data_missing',
  'export_identifiers_missing',
  'export_identifiers_limit',
  'export_identifier_invalid',
  'array_field_conflict',
  'unset_attributes_invalid',
  'project_code_invalid',
  'idempotency_key_invalid',
  'merge_data_missing',
  'merge_data_empty',
  'merge_data_limit',
  'field_missing',
  'merge_disabled',
  'user_not_found',
  'delete_identity_type_invalid',
  'opt_out_user_type_missing',
  'opt_out_user_type_invalid',
  'opt_out_action_missing',
  'opt_out_action_invalid',
  'opt_out_devices_missing',
  'opt_out_device_key_invalid',
  // GDPR / CCPA erasure (spec §7.12) and install attribution (spec §7.10)
  'gdpr_value_invalid',
  'install_param_missing',
  'attribution_key_not_set',
  'attribution_key_mismatch',
  'request_not_found',
  'merge_not_found',
  'gdpr_request_not_found',
  // The admin API (Inlet's own, /inlet/v1/admin/…)
  'admin_unauthorized',
  'admin_invalid_input',
  'admin_workspace_not_found',
  'admin_workspace_exists',
  'admin_feature_key_exists',
  'admin_secret_key_missing',
  'admin_alert_not_found',
  'admin_live_activity_not_found',
  'admin_file_import_not_found',
  'admin_card_campaign_not_found',
  // The dashboard (Inlet's own, /dashboard/api/…)
  'dashboard_unauthorized',
  'dashboard_sign_in_failed',
  'dashboard_csrf',
  'dashboard_operator_only',
  'dashboard_not_found',
  'dashboard_invalid_input',
  // Consent: subscription categories, email opt-in, bulk resubscribe (moengage-other-apis.md §2.10)
  'consent_params_invalid',
  'consent_link_secret_missing',
  'consent_categories_required',
  'consent_payload_limit',
  'consent_field_required',
  'consent_field_invalid',
  'consent_wrong_type',
  'consent_extra_key',
  'consent_channel_invalid',
  'consent_id_or_email_missing',
  'consent_opt_in_status_invalid',
  'consent_no_active_categories',
  'consent_categories_invalid',
  'consent_categories_all_invalid',
  'consent_user_not_found',
  'consent_recipients_missing',
  'consent_recipients_empty',
  'consent_recipient_invalid',
  'consent_esp_settings',
  // Segments v3: filter segments (moengage-other-apis.md §2.1)
  'segment_invalid_request',
  'segment_name_invalid',
  'segment_filters_invalid',
  'segment_not_found',
  'segment_update_forbidden',
  'segment_name_exists',
  'segment_filters_exist',
  'segment_cyclic',
  'segment_too_many_nesting_levels',
  'segment_too_many_segments',
  'segment_query_too_long',
  'segment_active_limit',
  // Segments v2: file segments and archiving (§2.1), Cohort Sync (§2.2)
  'segment_file_invalid',
  'segment_file_not_found',
  'segment_file_id_not_found',
  'segment_file_name_exists',
  'segment_file_active_limit',
  'segment_cohort_invalid',
  'segment_cohort_not_owned',
  // Inform: transactional alerts (moengage-other-apis.md §2.8)
  'inform_alert_invalid',
  'inform_live_on_sandbox',
  'inform_payload_invalid',
  'inform_duplicate_transaction',
  // Push API v2 / v2.1 (moengage-other-apis.md §2.8)
  'push_request_type_invalid',
  'push_campaign_name_short',
  'push_campaign_name_duplicate',
  'push_value_not_allowed',
  'push_params_invalid',
  'push_segment_not_found',
  // The outbox (Inlet's own, /inlet/v1/outbox)
  'outbox_filter_invalid',
  // Live Activities: broadcast start, update, end (moengage-other-apis.md §2.8)
  'live_activity_payload_invalid',
  'live_activity_payload_size',
  'live_activity_campaign_not_found',
  'live_activity_token_auth',
  'live_activity_duplicate',
  'live_activity_max_instances',
  'live_activity_invalid_action',
  'live_activity_dismissal_passed',
  // Message Archival: view a message sent (moengage-other-apis.md §2.9)
  'archival_event_unsupported',
  'archival_field_invalid',
  'archival_message_not_found',
  // File Imports: trigger, import status, run history (spec §7.9)
  'file_import_not_found',
  'file_import_recent',
  'file_import_date_format',
  'file_import_offset',
  'file_import_date_range',
  'file_import_unprocessable',
  'file_import_history_not_found',
  // Cards: fetch and delete a user's cards (moengage-other-apis.md §2.9)
  'cards_user_missing',
  'cards_user_not_found',
  'cards_campaign_ids_invalid',
  'cards_field_invalid',
  // Server side
  'service_unavailable',
  'overloaded',
  'store_unavailable',
  'internal',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** Values substituted into `{name}` placeholders of a catalogue message or attribute. */
export type ErrorParams = Readonly<Record<string, string>>

/** The one error class every layer throws for an answer the client should see. */
export class AppError extends Error {
  override readonly name: string = 'AppError'
  readonly code: ErrorCode
  readonly params: ErrorParams
  readonly headers: Readonly<Record<string, string>>

  constructor(
    code: ErrorCode,
    options?: { params?: ErrorParams; cause?: unknown; headers?: Record<string, string> },
  ) {
    super(code, { cause: options?.cause })
    this.code = code
    this.params = options?.params ?? {}
    this.headers = options?.headers ?? {}
  }
}

/** Anything thrown becomes an AppError; unknown throws become `internal` and keep their cause. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err
  return new AppError('internal', { cause: err })
}
