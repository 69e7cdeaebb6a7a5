// Command relance-bench measures relance side by side with the plain Kafka I/O floor and
// the naive one-event-at-a-time design, on a redis-server and a Kafka-protocol broker it
// starts on 127.0.0.1, and prints one table (docs/BENCHMARKS.md).
//
//	relance-bench -n 1000000 -broker-bin bin/kfake-broker
//
// With -shadow-policy FILE, phase a decides FILE as a shadow policy beside the default one
// (RELANCE_SHADOW_POLICY_FILE), so that its cost shows against a run without
// (bench/shadow-policy.yaml is one).
//
// With -produce-rate it is a load generator instead: it writes the seeded workload to
// -brokers at that rate (0: as fast as possible) until -n events or Ctrl-C.
//
// With -latency-probe it is the latency phase's client: it produces to -brokers at
// -latency-rate for -latency while reading the coach-nudge topic, and prints the
// produce → nudge latencies as JSON. The benchmark runs it as a process of its own.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "relance-bench:", err)
		os.Exit(1)
	}
}
