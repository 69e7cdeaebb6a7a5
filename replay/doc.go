// Package replay decides past traffic under one or more policies, in memory, exactly as
// the processor would, so that a trust and safety team can size a policy change before it
// is rolled out (relance replay).
//
// It is a shell around the processor's own path, never a second implementation of the
// rules: records are decoded by processor.Decode (the processor's decoders, validation and
// text check), applied in batches to a state.Memory store per policy (the store algorithm
// the Redis store runs; its keys expire as Redis's do, in event time:
// state.Config.ExpireInEventTime), and decided by Policy.DecideResult. What it counts per policy is
// a Report: events by the processor's outcome labels, nudges by kind, alerts by severity
// and reason, streaks by their peak attempts, the members nudged and alerted, and for
// every policy after the first its difference from the first.
//
// # Sources
//
// A Source yields the records in the order they are decided: a JSON Lines file of records
// as `kcat -C -J` writes them (OpenFile), or the input topics between two times (OpenTopics),
// read partition by partition without a consumer group, so nothing is joined or committed.
//
// The processor guarantees the order of each partition, and nothing across partitions:
// pairs keyed by the platform land in one partition and are decided in order, whatever the
// interleaving. Both sources therefore keep each partition in its order (offset order; for
// a file, the order of the file's lines of that partition) and merge the partitions by
// record timestamp, the oldest head first: the order in which a processor that kept up
// with the traffic saw it. Ties go to the line earlier in the file, or to the topic listed
// first (message-sent, reply, member-action) and then the lower partition. The result is
// deterministic: the same records replay to the same figures.
//
// Decoding checks event times against the clock, as the processor does: an event more
// than 15 minutes ahead of the replay's clock is dead-lettered, as it would be by a
// processor reading these records now.
//
// Replay writes nothing to Kafka or Redis: it opens no writer and no Redis client.
package replay
