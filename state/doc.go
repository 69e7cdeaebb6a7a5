// Package state keeps relance's sliding-window sender→recipient streaks in Redis.
//
// [Redis.Apply] records a batch of observations (messages and replies) in one pipelined
// round trip. Each observation runs one Lua script (apply.lua) that updates its pair
// atomically and returns the sender→recipient [policy.Streak]: how many of the sender's
// messages are unanswered inside the window, the streak's peak before and after, its
// offensive messages, and the evidence ids. The script takes event times as arguments and
// never reads the server's clock, so replaying the same events yields the same streaks.
// A message delivered again (same id) changes nothing: it gets back the Streak stored
// when it was first counted (StatusReplayed), or StatusDuplicate when nothing was stored
// because nothing could have fired.
//
// # Key layout
//
// For the directed pair X→Y, with h the first 16 hex digits of the SHA-256 of the
// unordered pair {X, Y} and n the byte length of X:
//
//	<prefix>:{h}:u:<n>:<X><Y>  sorted set of X's unanswered message ids, scored by sent_at ms
//	<prefix>:{h}:s:<n>:<X><Y>  hash: newest event time, Y's latest answer, peak, offensive
//	                           count, start id and nudge time of the current streak
//	<prefix>:{h}:d:<n>:<X><Y>  sorted set of X's message ids seen in the window (redelivery)
//	<prefix>:{h}:v:<n>:<X><Y>  hash of stored Streak views for redelivery, by message id
//
// Why this shape:
//
//   - The hash tag {h} is the same for X→Y and Y→X, so every key one observation touches
//     (its own pair, and the reverse pair it answers) lives in one Redis Cluster hash slot,
//     as a script requires. The tag is a hash, not the ids, so it stays short and
//     never contains a '}'.
//   - The length prefix n makes the key name one directed pair whatever bytes the ids
//     hold: ids may contain ':' or '{'.
//   - Every key written gets a TTL of Window+TTLMargin from its last write, and ids, views
//     and messages older than the window are trimmed as the pair is written, so memory is
//     bounded by the active streaks. The TTL counts from the last write, not from event
//     time, so replaying last month's events decides like live traffic did.
//   - No message text is ever stored: only ids and times.
package state
