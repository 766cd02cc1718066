// The stable codes of every error the API answers with, and their shape. The server writes an
// English message for logs and API clients; the UI shows the code's text from the i18n table
// (`error.<code>`, with `{field}` and the other params filled in), so a Ukrainian user never reads
// an English server sentence. A code the table does not know falls back to error.generic.

export const ERROR_CODES = [
  // the input layer: what a field holds
  'required', 'invalid_type', 'too_short', 'too_long', 'too_small', 'too_big', 'not_integer', 'invalid_value',
  'invalid_date', 'invalid_phone', 'invalid_email', 'invalid_id', 'invalid_request_id', 'invalid_text', 'too_deep',
  'invalid_json', 'too_large', 'bad_request', 'invalid', 'bad_reference', 'invalid_geometry', 'aborted',
  // who may
  'unauthorized', 'forbidden', 'wrong_credentials',
  // what exists and what state it is in
  'not_found', 'conflict', 'already_exists',
  // appeals
  'needs_place', 'needs_reason', 'no_executor', 'category_inactive', 'due_in_past', 'illegal_move', 'needs_answer', 'nothing_to_change',
  'needs_planned_at', 'needs_plan_reason', 'needs_reject_reason', 'planned_in_past', 'appeal_returned', 'appeal_over', 'same_executor',
  // residents
  'phone_taken', 'no_such_apartment',
  // announcements
  'zone_empty', 'zone_outside', 'too_many_vertices', 'too_many_buildings', 'announcement_over', 'not_started', 'ends_before_start',
  // statistics
  'period_too_long', 'invalid_weights', 'fixed_parameter',
  // telephony
  'call_taken', 'call_has_appeal', 'pbx_unavailable', 'pbx_refused', 'pbx_error', 'range_not_satisfiable', 'not_demo',
  'no_phone_interface', 'call_ended', 'channel_unknown', 'call_not_answered', 'not_your_recording', 'recording_missing',
  'not_an_interface', 'interface_taken',
  // security: where a request comes from, how often it may come
  'cross_origin', 'unsupported_media_type', 'too_many_sign_ins', 'too_many_mails', 'call_too_old',
  'utility_not_yours',
  // administration: who may read appeals' free text
  'grant_not_for_role',
  // the web intake (/report)
  'photo_too_large', 'photo_type', 'photo_heic', 'photo_unreadable', 'too_many_files', 'unknown_category',
  'too_many_reports', 'track_not_found', 'already_confirmed', 'not_done_yet', 'needs_comment',
  // Open311 GeoReport v2 (server/open311)
  'invalid_api_key', 'too_many_requests', 'unknown_jurisdiction', 'unknown_format', 'unknown_service', 'needs_location',
  'invalid_location', 'address_not_found', 'wrong_object',
  // the authorisation matrix (vocabulary/access.ts): a route it does not name is refused
  'no_access_rule',
  // the server
  'database_unavailable', 'timeout', 'busy', 'unavailable', 'internal', 'method_not_allowed',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What every error response body looks like. */
export interface ApiErrorBody {
  error: ErrorCode | string;
  message: string;
  /** The input field at fault, as the API names it ("text", "zone.widthM"). */
  field?: string;
  /** Values for the message: limits, the allowed values, a number. */
  params?: Record<string, string | number>;
  details?: unknown;
}
