// Package state keeps relance's records in Redis (Redis, Redis Cluster) or in memory, and
// applies observations to them with the streak algorithm of package streak.
//
// [Redis.Apply] and [Memory.Apply] record a batch of observations (messages and replies)
// and return, for each, a [policy.Result]: the sender→recipient [policy.Streak] after it,
// or why the observation could not be recorded. Event times come from the observations,
// never from a clock, so replaying the same events yields the same streaks; a message
// delivered again (same id) changes nothing and gets back what it got the first time.
//
// # Records
//
// The store keeps kinds of record, each under a key of its own: the pair (one value holds
// everything about one unordered pair of members, both directions: package streak encodes
// it), then the sender record (one per sender: the members counting toward the
// repeat-offender levels, package offender), which the pairs' results feed and which a
// batch reads and writes only for senders with a signal. Every kind goes through the same
// loop: read the records a batch touches, apply the observations in order in Go, write the
// records back with a compare-and-set.
//
// # How a batch is applied on Redis
//
// Apply reads every record the batch touches (one pipelined MGET, skipping those it wrote
// recently: cache.go), applies the observations in Go, and writes every record back
// (write.lua, one script call per 256 records, each sent while the next chunk is computed;
// per hash tag on a Cluster): a few round trips per batch, and one command per record
// inside the script (SET … NX GET or SET … XX GET, which need Redis 7.0: New refuses an
// older server when INFO says so). The sender records a batch's pairs call for are read
// while the pairs' writes are in flight, so they add one round trip to the batch's path
// (their write), not two. On a warm cache the records it misses are mostly new ones, which
// a read finds absent: while recent reads (and guesses) found less than half a record in a
// batch's misses, Apply skips that read and writes them with NX (guess.go), so a batch of
// new and cached pairs costs one round trip; one that existed all the same is read and
// redone like a conflict, but without waiting or counting one.
//
// The write is a compare-and-set: a value's header holds a token that changes on every
// write, and a record is written only if its key still holds the header read. Another
// writer in between (an instance that took a partition over, a zombie finishing its batch,
// an input keyed otherwise than by pair) makes that record be read again and its
// observations redone, so no update is ever lost. Writers that keep colliding wait a
// jittered, doubling delay (up to 64 ms) between attempts, so that they fall out of step;
// the batch waits for them as long as its context lasts, and never fails for it.
//
// A value that cannot be decoded (corrupt, or of a format this version does not know) is
// counted (relance_state_unreadable_total), logged with its key and replaced by an empty
// record: that pair loses its history, and no partition stalls on it. A key holding
// something else than a string reads as absent and is replaced.
//
// # Key layout
//
// For the unordered pair {A, B}, A < B in byte order, with h 16 hex digits of a 64-bit
// FNV-1a hash of the pair and n the byte length of A:
//
//		<prefix>:{h}:p:<n>:<A><B>  the pair's value (package streak)
//
//	  - The hash tag {h} puts a pair in one Redis Cluster hash slot; it is a hash, not the
//	    ids, so it stays short and never contains a '}'. The length prefix n makes the key
//	    name one pair whatever bytes the ids hold.
//	  - Every write gives the key a TTL of the policy's window plus Config.TTLMargin, and
//	    messages older than the window are forgotten as the pair is written, so memory is
//	    bounded by the active streaks. The TTL counts from the last write, not from event
//	    time, so replaying last month's events decides like live traffic did.
//	  - No message text is ever stored: only ids, times, counts and categories.
//
// # Tools
//
// [Inspect] reads and decodes, with the same packages, what the store holds about two
// members (relance inspect). [Forget] erases a member (relance forget): the pair keys
// naming them, found by SCAN on every master and confirmed by parsing the key with its
// length prefix, their sender record, and their entries in other sender records, written
// back with the compare-and-set (forget.lua).
package state
