// Package state keeps relance's sliding-window sender→recipient streaks in Redis.
//
// [Redis.Apply] records a batch of observations (messages and replies) and returns, for
// each, the sender→recipient [policy.Streak]: how many of the sender's messages are
// unanswered inside the window, the streak's peak before and after, its offensive
// messages, and the evidence ids. Event times come from the observations, never from a
// clock, so replaying the same events yields the same streaks. A message delivered again
// (same id) changes nothing: it gets back the Streak stored when it was first counted
// (StatusReplayed), or StatusDuplicate when nothing was stored because nothing could have
// fired.
//
// # How a batch is applied
//
// One Redis value holds everything about one unordered pair of members, both directions.
// Apply reads every pair the batch touches (one pipelined MGET, skipping the pairs it wrote
// recently: cache.go), applies the observations in order in Go (pair.go: the whole
// algorithm), and writes every pair back (write.lua, one script call per 256 pairs, each
// sent while the next chunk is computed; per hash tag on a Cluster): a few round trips per
// batch, and about two cheap commands per pair, where running the algorithm in a Lua script per
// observation cost Redis some twenty commands and ~45 µs each.
//
// The write is a compare-and-set: a value's header holds a token that changes on every
// write, and a pair is written only if its key still holds the header read. Another
// writer in between (an instance that took a partition over, a zombie finishing its
// batch, an input keyed otherwise than by pair) makes that pair be read again and its
// observations redone, so no update is ever lost. Writers that keep colliding wait a
// jittered, doubling delay between attempts (up to 64 ms, sixteen attempts), so that
// they fall out of step; after that Apply fails and its caller retries the batch.
//
// # Key layout
//
// For the unordered pair {A, B}, A < B in byte order, with h 16 hex digits of a 64-bit
// FNV-1a hash of the pair and n the byte length of A:
//
//		<prefix>:{h}:p:<n>:<A><B>  the pair's value (codec.go)
//
//	  - The hash tag {h} puts a pair in one Redis Cluster hash slot; it is a hash, not the
//	    ids, so it stays short and never contains a '}'. The length prefix n makes the key
//	    name one pair whatever bytes the ids hold.
//	  - Every write gives the key a TTL of Window+TTLMargin, and messages older than the
//	    window are forgotten as the pair is written, so memory is bounded by the active
//	    streaks. The TTL counts from the last write, not from event time, so replaying last
//	    month's events decides like live traffic did.
//	  - A held message costs its id and a few bytes; stored views name messages by index.
//	  - No message text is ever stored: only ids and times.
//
// internal/scriptstore keeps the first design (one Lua script per observation) as a
// reference the Go algorithm must agree with, observation by observation, and as the
// benchmark's naive store.
package state
