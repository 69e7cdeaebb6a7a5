// Package examples holds short consumers of relance's outputs, as the platform's teams
// would write them: notification-service reads coach-nudge and shows each nudge once, and
// can play the member's answer to a check-in (dismiss, block or report, sent as a
// MemberAction on member-action); moderation-tool reads moderation-alert and files each
// alert once, reports (action_id) and sender-level alerts (member_ids) apart. relance
// delivers at least once with deterministic ids, so both drop duplicates by id (package
// dedup).
package examples
