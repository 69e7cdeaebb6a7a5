// Package embedded runs development-only infrastructure inside the relance process: a
// single-broker Kafka-protocol cluster (franz-go's kfake) and an in-memory Redis
// (miniredis). relance starts them when no brokers or Redis address are configured, so
// that `go run ./cmd/relance` works on a laptop with nothing installed.
//
// Neither is fit for production: everything lives in memory and is lost at exit, both
// listen on 127.0.0.1 only, and neither is the real server (kfake and miniredis
// implement the protocols, not every behaviour). Both log a warning saying so when they
// start.
package embedded
