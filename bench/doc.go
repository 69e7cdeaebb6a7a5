// Package bench measures relance: a seeded workload of the platform's input events and the
// side-by-side measurements cmd/relance-bench prints — relance itself, the plain Kafka I/O
// floor, the naive one-event-at-a-time design, latency at a steady rate, and Redis costs.
//
// The servers a run needs, redis-server and a Kafka-protocol broker on 127.0.0.1, come
// from internal/testenv. docs/BENCHMARKS.md has the figures and what bounds them.
package bench
