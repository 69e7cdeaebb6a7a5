// Package record builds the Kafka records relance writes: coach nudges, moderation alerts
// and dead letters, each with its headers. It is package topics' wire format put on a
// kafka-go message, apart so that topics, and the pure packages that import it for the
// event structs, need not import kafka-go.
//
// No other package spells a header: they build records with [Nudge], [Alert] and
// [DeadLetter], and read headers with [HeaderValue] and the Header constants.
package record
