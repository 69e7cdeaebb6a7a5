// Package faults is relance's fault-test harness: a seeded workload whose outputs are known
// in advance (the ledger), a checker that reads the output topics and compares them with
// the ledger, and helpers that run relance, redis-server and a Kafka-protocol broker
// (cmd/kfake-broker) as real processes on 127.0.0.1, on ports they keep across restarts,
// so that scenarios can kill, pause and restart them. The servers themselves and the
// offset helpers come from internal/testenv.
//
// The scenarios are the package's tests. They build the binaries and take minutes, so
// they run only when RELANCE_FAULTS is set: "short" for the CI variant, "1" (or anything
// else) for the full one. See docs/RELIABILITY.md.
package faults
