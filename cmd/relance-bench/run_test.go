package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/bench"
)

func TestLatencyProbeNeedsBrokersAndARate(t *testing.T) {
	for _, args := range [][]string{
		{"-latency-probe", "-latency-rate", "1000"},
		{"-latency-probe", "-brokers", "127.0.0.1:9092"},
		{"-latency-probe", "-brokers", "127.0.0.1:9092", "-latency-rate", "-5"},
	} {
		_, err := parseFlags(args)
		if err == nil || !strings.Contains(err.Error(), "-latency-probe needs") {
			t.Errorf("%v: error %v, want one saying what -latency-probe needs", args, err)
		}
	}
	if _, err := parseFlags([]string{"-latency-probe", "-brokers", "127.0.0.1:9092", "-latency-rate", "1000"}); err != nil {
		t.Errorf("a complete probe: %v", err)
	}
}

// The table says, per target of the performance issue, whether the run meets it.
func TestTableSaysWhichTargetsAreMet(t *testing.T) {
	tb := table{
		n:          1_000_000,
		relance:    bench.Result{Events: 1_000_000, Elapsed: 8 * time.Second}, // 125,000/s
		floor:      bench.Result{Events: 1_000_000, Elapsed: 2 * time.Second}, // a/b 0.25
		naive:      bench.Result{Events: 20_000, Elapsed: 10 * time.Second},   // a/c 62.5
		latency:    bench.Latency{Rate: 62_500, Nudges: 100, P99: 30 * time.Millisecond},
		roundTrips: 5000,
		heldBytes:  47,
	}
	var out bytes.Buffer
	tb.print(&out, config{seed: 1, partitions: 3, heldPairs: 2000, heldPerPair: 10}, true, nil)
	want := map[string]string{
		"a. relance events/s":          "≥ 100,000: met",
		"a/b":                          "≥ 0.5: not met",
		"a/c":                          "≥ 50: met",
		"d. latency":                   "p99 ≤ 25 ms at 50% of a: not met",
		"e. Redis round trips":         "≤ 0.02: met",
		"e. Redis memory per message ": "≤ 150 bytes: met",
	}
	for prefix, verdict := range want {
		found := false
		for _, line := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(line, prefix) {
				found = true
				if !strings.HasSuffix(strings.TrimSpace(line), verdict) {
					t.Errorf("row %q: %q, want it to end with %q", prefix, line, verdict)
				}
			}
		}
		if !found {
			t.Errorf("no row %q in:\n%s", prefix, out.String())
		}
	}
}

// A small run of every phase, as make bench runs them (with the broker in this process),
// prints every row of the table.
func TestMeasurePrintsEveryPhase(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not found on PATH: install it (apt-get install redis-server) to run the benchmark's phases")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cfg, err := parseFlags([]string{"-n", "3000", "-naive-n", "300", "-latency", "1s", "-latency-in-process",
		"-held-pairs", "20", "-store-check", "0"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := measure(ctx, cfg, &out); err != nil {
		t.Fatalf("measure: %v\n%s", err, out.String())
	}
	for _, row := range []string{
		"a. relance events/s", "a. relance per stage", "b. I/O floor", "c. naive", "a/b", "a/c",
		"d. latency produce → nudge readable", "d. split at relance's write call", "d. relance per stage",
		"d. CPU used while producing, in cores", "(25% of a)",
		"e. Redis round trips per event",
		"e. Redis memory per message held",
	} {
		if !strings.Contains(out.String(), row) {
			t.Errorf("no %q row in:\n%s", row, out.String())
		}
	}
	if !strings.Contains(out.String(), "(3000 events in") {
		t.Errorf("relance's row does not say it handled the 3000 events:\n%s", out.String())
	}
}

// With -before, the CPU targets (half of the start's figures) are judged against it; a
// -save file round-trips, and a file that is not one is refused.
func TestTableComparesWithTheRunBefore(t *testing.T) {
	tb := table{
		n:          1_000_000,
		relance:    bench.Result{Events: 1_000_000, Elapsed: 10 * time.Second},
		floor:      bench.Result{Events: 1_000_000, Elapsed: 2 * time.Second},
		naive:      bench.Result{Events: 20_000, Elapsed: 10 * time.Second},
		relanceCPU: 6 * time.Second, // 6 s per million
		redisCPU:   4,               // 4 s per million
	}
	path := filepath.Join(t.TempDir(), "before.json")
	if err := saveFigures(path, figures{At: "then", Relance: 50_000, RelanceCPU: 13, RedisCPU: 6}); err != nil {
		t.Fatal(err)
	}
	before, err := loadFigures(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	tb.print(&out, config{seed: 1, partitions: 3, heldPairs: 2000, heldPerPair: 10}, true, before)
	for prefix, want := range map[string][2]string{
		"  e. relance CPU": {"6.0 / 13.0  (×0.46)", "≤ ×0.5: met"},
		"  e. Redis CPU":   {"4.0 / 6.0  (×0.67)", "≤ ×0.5: not met"},
	} {
		found := false
		for _, line := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(line, prefix) {
				found = strings.Contains(line, want[0]) && strings.HasSuffix(strings.TrimSpace(line), want[1])
			}
		}
		if !found {
			t.Errorf("no row %q with %q ending %q in:\n%s", prefix, want[0], want[1], out.String())
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"At": "x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadFigures(bad); err == nil || !strings.Contains(err.Error(), "neither a -save file nor a relance-bench table") {
		t.Errorf("a file without figures: %v, want it refused", err)
	}

	// A start older than -save: the table it printed serves as well.
	var printed bytes.Buffer
	tb.print(&printed, config{seed: 1, partitions: 3, heldPairs: 2000, heldPerPair: 10}, true, nil)
	old := filepath.Join(t.TempDir(), "start.out")
	if err := os.WriteFile(old, append([]byte("20:04:57 d. latency at 1/s: log lines come first\n"), printed.Bytes()...), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := loadFigures(old)
	if err != nil {
		t.Fatal(err)
	}
	if f.Relance != 100_000 || f.Floor != 500_000 || f.Naive != 2000 || f.RelanceCPU != 6 || f.RedisCPU != 4 {
		t.Errorf("figures read off a printed table: %+v, want the table's", *f)
	}
}
