// Package processor is relance's Kafka loop: it fetches batches from the message-sent and
// reply topics with one consumer group, decodes and validates them, records them in the
// Store in one round trip, asks the policy what each means, writes the nudges, alerts and
// dead letters, and only then commits the batch's offsets. Bad input goes to the
// dead-letter topic and is committed; Redis and Kafka errors are retried with backoff and
// never committed, so a crash or an outage loses nothing. Fetching and decoding, the
// store, and writing and committing are pipelined stages working on successive batches,
// with batches committed strictly in fetch order (see pipeline.go).
//
// With WithShadowPolicy, every event is also decided under a candidate policy, from the
// same store results by the same policy code, and its decisions are counted, never
// published (see shadow.go for what its counts mean).
package processor
