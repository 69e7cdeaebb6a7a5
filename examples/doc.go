// Package examples holds short consumers of relance's outputs, as the platform's teams
// would write them: notification-service reads coach-nudge and shows each nudge once;
// moderation-tool reads moderation-alert and files each alert once. relance delivers at
// least once with deterministic ids, so both drop duplicates by id (package dedup).
package examples
