// Package streak is relance's streak algorithm: the state of one pair of members (both
// directions), its binary encoding, and the transition that records one observation and
// returns the sender→recipient policy.Streak. It does no I/O: package state keeps the
// encoded pairs in Redis (or in memory) and runs this same code, as do the fault harness's
// ledger and any tool that replays past traffic, so the rules exist once.
//
// For a directed pair A→B, the unanswered messages are A's messages to B sent after B last
// answered A and inside the sliding window (Limits.Window) that ends at the newest event
// time seen for the direction. Every time is an event time, never a clock, so the same
// events give the same streaks. A message recorded before (same id) changes nothing: it
// gets back the Streak stored when it was first counted (StatusReplayed, with the
// categories it was decided with), or StatusDuplicate when nothing was stored because
// nothing could have fired.
//
// Once a streak has reached the nudge (Limits.Nudge), the first event after it fixes its
// outcome, once: the recipient answering, blocking, reporting or dismissing, the sender
// carrying on, or the streak sliding out of the window (policy.Outcomes). The transition
// decides it as the state changes and returns it in Streak.NudgeOutcome, so a redelivery,
// which changes nothing, never carries it again.
//
// A pair's value is bounded whatever one member does: per direction, the records kept seen
// or unanswered cost at most Limits.MaxRecordBytes (20 KiB: the newest ~1,000 messages with
// 12-byte ids, 150 with the longest), at most Limits.MaxUnanswered of them unanswered,
// Limits.MaxEvidence evidence ids per view, one view per level plus Limits.MaxViews for
// offensive messages within Limits.MaxViewBytes, and messages older than the window are
// forgotten: under 64 KiB in all (DefaultMaxViewBytes). The oldest go
// first: a redelivery of a message pushed out is indistinguishable from a new message
// and counts again, under a peak that has already fired the levels. Apply's cost per
// observation does not grow with the records. A pair never holds message text: only ids,
// times, counts and categories.
package streak
