package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/bench"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// table holds the figures of one run.
type table struct {
	n                        int
	relance, floor, naive    bench.Result
	relanceCPU               time.Duration
	brokerCPU, redisCPU      float64
	peakRSS                  int64
	roundTrips               int64
	commands, clientCommands int64
	outputs                  int64
	latency                  bench.Latency
	// latencyQuarter is phase d again at 25 % of a (none with -latency-rate).
	latencyQuarter bench.Latency
	// latencyBrokerGCOff is phase d again at 50 % of a, the stand-in broker's collector
	// off (none with -broker-gogc, or without -broker-bin).
	latencyBrokerGCOff bench.Latency
	// relanceStages are phase a's batches stage by stage: which one bounds the rate.
	relanceStages []bench.StageLatency
	heldBytes     float64
	store         storeRun
	gogc          int
	// shadow is the version of phase a's shadow policy, "" without one; shadowDecisions
	// the nudges and alerts it counted.
	shadow          string
	shadowDecisions int64
}

func heldMemory(ctx context.Context, rdb *redis.Client, cfg config) (float64, error) {
	st, err := state.New(ctx, rdb, policy.Default(), state.Config{KeyPrefix: "mem"})
	if err != nil {
		return 0, err
	}
	return bench.HeldMemory(ctx, rdb, st, "mem", cfg.heldPairs, cfg.heldPerPair)
}

// figures are a run's headline figures, as -save writes them and -before reads them.
type figures struct {
	At                              string  // RFC 3339, UTC
	Relance, Floor, Naive           float64 // events/s
	RelanceCPU, RedisCPU, BrokerCPU float64 // CPU seconds per million events
	P99Ms                           float64 // d. at 50 % of a
	RoundTrips                      float64 // per event
	PeakRSSMiB                      float64
	HeldBytes                       float64
}

func (t table) figures() figures {
	perM := func(x float64) float64 { return x / float64(t.n) * 1e6 }
	return figures{
		At:      time.Now().UTC().Format(time.RFC3339),
		Relance: t.relance.Rate(), Floor: t.floor.Rate(), Naive: t.naive.Rate(),
		RelanceCPU: perM(t.relanceCPU.Seconds()), RedisCPU: perM(t.redisCPU), BrokerCPU: perM(t.brokerCPU),
		P99Ms:      msf(t.latency.P99),
		RoundTrips: float64(t.roundTrips) / float64(t.n),
		PeakRSSMiB: float64(t.peakRSS) / (1 << 20),
		HeldBytes:  t.heldBytes,
	}
}

// saveFigures writes f to path as JSON.
func saveFigures(path string, f figures) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// loadFigures reads a file saveFigures wrote.
func loadFigures(path string) (*figures, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f figures
	if err := json.Unmarshal(b, &f); err != nil {
		f = figuresOfTable(string(b)) // a run older than -save: its printed table
	}
	if f.Relance <= 0 || f.RelanceCPU <= 0 || f.RedisCPU <= 0 {
		return nil, fmt.Errorf("%s: neither a -save file nor a relance-bench table: no relance rate or CPU figures", path)
	}
	return &f, nil
}

// figuresOfTable reads the headline figures off a table relance-bench printed, for a start
// older than -save (whatever it cannot find stays 0).
func figuresOfTable(out string) figures {
	var f figures
	for line := range strings.Lines(out) {
		scan := func(prefix, format string, to ...any) {
			if v, ok := strings.CutPrefix(line, prefix); ok {
				_, _ = fmt.Sscanf(strings.TrimSpace(v), format, to...)
			}
		}
		if v, ok := strings.CutPrefix(line, "relance-bench — "); ok {
			f.At = strings.TrimSpace(v)
		}
		scan("a. relance events/s (first batch → group lag 0)", "%f", &f.Relance)
		scan("b. I/O floor events/s (kafka-go fetch/write/commit, no state)", "%f", &f.Floor)
		scan("c. naive events/s (one event at a time: Apply, write, commit)", "%f", &f.Naive)
		scan("e. CPU s per million events: relance / redis / broker", "%f / %f / %f", &f.RelanceCPU, &f.RedisCPU, &f.BrokerCPU)
		scan("e. Redis round trips per event", "%f", &f.RoundTrips)
		scan("e. relance peak RSS", "%f MiB", &f.PeakRSSMiB)
		scan("e. Redis memory per message held in a streak", "%f bytes", &f.HeldBytes)
		if strings.HasPrefix(line, "d. latency produce → nudge readable") {
			if _, p99, ok := strings.Cut(line, "p99 "); ok {
				_, _ = fmt.Sscanf(p99, "%f ms", &f.P99Ms)
			}
		}
	}
	return f
}

// beforeRows compare this run with before (-before): the CPU targets of the performance
// issue are relative to the run it starts from, on the same machine.
func beforeRows(row func(k, v string, target ...string), now, before figures, goal func(string, bool) string) {
	ratio := func(a, b float64) string { return fmt.Sprintf("×%.2f", a/b) }
	row("before (-before)", "run at "+before.At, "")
	row("  a. events/s, now / before", fmt.Sprintf("%.0f / %.0f  (%s)", now.Relance, before.Relance, ratio(now.Relance, before.Relance)))
	row("  e. relance CPU s per M events, now / before", fmt.Sprintf("%.1f / %.1f  (%s)", now.RelanceCPU, before.RelanceCPU, ratio(now.RelanceCPU, before.RelanceCPU)),
		goal("≤ ×0.5", now.RelanceCPU <= before.RelanceCPU/2))
	row("  e. Redis CPU s per M events, now / before", fmt.Sprintf("%.1f / %.1f  (%s)", now.RedisCPU, before.RedisCPU, ratio(now.RedisCPU, before.RedisCPU)),
		goal("≤ ×0.5", now.RedisCPU <= before.RedisCPU/2))
	row("  d. p99, now / before", fmt.Sprintf("%.1f / %.1f ms", now.P99Ms, before.P99Ms))
	row("  e. relance peak RSS, now / before", fmt.Sprintf("%.0f / %.0f MiB", now.PeakRSSMiB, before.PeakRSSMiB))
}

func (t table) print(out io.Writer, cfg config, brokerApart bool, before *figures) {
	n := float64(t.n)
	perM := func(x float64) float64 { return x / n * 1e6 }
	where := "a process of its own (kfake-broker)"
	if !brokerApart {
		where = "inside the bench process (counted in relance's CPU and RSS)"
	}
	fmt.Fprintf(out, "\nrelance-bench — %s\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(out, "machine: %s, %d cores, %s %s/%s; broker: kfake, %s; redis-server on 127.0.0.1\n",
		cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, where)
	fmt.Fprintf(out, "workload: seed %d, %d events preloaded on %d partitions per topic; relance's GOGC %d, as cmd/relance sets it\n\n",
		cfg.seed, t.n, cfg.partitions, t.gogc)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	row := func(k, v string, target ...string) {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", k, v, strings.Join(target, ""))
	}
	// goal is a target of the performance issue, and whether this run meets it.
	goal := func(target string, met bool) string {
		if met {
			return target + ": met"
		}
		return target + ": not met"
	}
	row("figure", "value", "target")
	row("a. relance events/s (first batch → group lag 0)", fmt.Sprintf("%.0f  (%d events in %s, %d outputs)",
		t.relance.Rate(), t.relance.Events, t.relance.Elapsed.Round(time.Millisecond), t.outputs),
		goal("≥ 100,000", t.relance.Rate() >= 100_000))
	if len(t.relanceStages) > 0 {
		row("a. relance per stage, ms p50/p99 per batch", stageSummary(t.relanceStages))
	}
	if t.shadow != "" {
		row("a. with shadow policy", fmt.Sprintf("%s  (%d decisions counted, none published)", t.shadow, t.shadowDecisions))
	}
	row("b. I/O floor events/s (kafka-go fetch/write/commit, no state)", fmt.Sprintf("%.0f  (%d events in %s)",
		t.floor.Rate(), t.floor.Events, t.floor.Elapsed.Round(time.Millisecond)))
	row("c. naive events/s (one event at a time: Apply, write, commit)", fmt.Sprintf("%.0f  (measured on %d events in %s, extrapolated)",
		t.naive.Rate(), t.naive.Events, t.naive.Elapsed.Round(time.Millisecond)))
	row("a/b", fmt.Sprintf("%.2f", t.relance.Rate()/t.floor.Rate()), goal("≥ 0.5", t.relance.Rate()/t.floor.Rate() >= 0.5))
	row("a/c", fmt.Sprintf("%.1f", t.relance.Rate()/t.naive.Rate()), goal("≥ 50", t.relance.Rate()/t.naive.Rate() >= 50))
	share := "50% of a"
	if cfg.latencyRate > 0 {
		share = fmt.Sprintf("-latency-rate; %.0f%% of a", 100*cfg.latencyRate/t.relance.Rate())
	}
	latencyRows(tw, t.latency, share)
	if t.latencyQuarter.Rate > 0 {
		l := t.latencyQuarter
		fmt.Fprintf(tw, "%s\t%s\t\n", fmt.Sprintf("d. latency at %.0f/s (25%% of a)", l.Rate),
			fmt.Sprintf("p50 %s  p99 %s  max %s  (%d nudges); %s", ms(l.P50), ms(l.P99), ms(l.Max), l.Nudges, coresSummary(l.Cores)))
	}
	if l := t.latencyBrokerGCOff; l.Rate > 0 {
		met := "not met"
		if l.Nudges > 0 && l.P99 <= 25*time.Millisecond {
			met = "met"
		}
		row(fmt.Sprintf("d. latency at %.0f/s, the stand-in broker's collector off (GOGC=off)", l.Rate),
			fmt.Sprintf("p50 %s  p99 %s  max %s  (%d nudges); up to relance's write p99 %s; %s", ms(l.P50), ms(l.P99), ms(l.Max), l.Nudges,
				ms(l.P99UpToWrite), coresSummary(l.Cores)), "p99 ≤ 25 ms at 50% of a: "+met)
	}
	row("e. Redis round trips per event", fmt.Sprintf("%.4f  (%d round trips)", float64(t.roundTrips)/n, t.roundTrips),
		goal("≤ 0.02", float64(t.roundTrips)/n <= 0.02))
	row("e. Redis commands per event (client / incl. inside scripts)", fmt.Sprintf("%.2f / %.1f",
		float64(t.clientCommands)/n, float64(t.commands)/n))
	row("e. CPU s per million events: relance / redis / broker", fmt.Sprintf("%.1f / %.1f / %.1f",
		perM(t.relanceCPU.Seconds()), perM(t.redisCPU), perM(t.brokerCPU)))
	row("e. relance peak RSS", fmt.Sprintf("%.0f MiB", float64(t.peakRSS)/(1<<20)), goal("≤ 200 MiB", t.peakRSS <= 200<<20))
	row("e. Redis memory per message held in a streak", fmt.Sprintf("%.0f bytes  (%d pairs × %d messages)",
		t.heldBytes, cfg.heldPairs, cfg.heldPerPair), goal("≤ 150 bytes", t.heldBytes <= 150))
	if t.store.events > 0 {
		t.store.rows(func(k, v string) { row(k, v) })
	}
	if before != nil {
		beforeRows(row, t.figures(), *before, goal)
	} else {
		row("e. relance and Redis CPU per event against the start", "(run with -before FILE, a -save of the start on this machine)", "≤ ×0.5 each")
	}
	tw.Flush()
}

// latencyRows are phase d's rows: the latency a platform sees, then relance's share of it
// stage by stage (relance_stage_seconds, one observation per batch).
func latencyRows(tw io.Writer, l bench.Latency, share string) {
	met := share == "50% of a" && l.Nudges > 0 && l.P99 <= 25*time.Millisecond
	target := "p99 ≤ 25 ms at 50% of a: not met"
	if met {
		target = "p99 ≤ 25 ms at 50% of a: met"
	}
	fmt.Fprintf(tw, "%s\t%s\t%s\n", fmt.Sprintf("d. latency produce → nudge readable at %.0f/s (%s)", l.Rate, share),
		fmt.Sprintf("p50 %s  p99 %s  max %s  (%d nudges, %d events in %s)",
			ms(l.P50), ms(l.P99), ms(l.Max), l.Nudges, l.Produced, l.ProducedFor.Round(time.Millisecond)), target)
	fmt.Fprintf(tw, "%s\t%s\t\n", "d. split at relance's write call (nudge's timestamp)",
		fmt.Sprintf("up to it p99 %s, after it p99 %s; slowest 1%%: %s up to it + %s after, on average; the producer's own lateness p99 %s",
			ms(l.P99UpToWrite), ms(l.P99AfterWrite), ms(l.SlowestUpToWrite), ms(l.SlowestAfterWrite), ms(l.ProducerLateP99)))
	fmt.Fprintf(tw, "%s\t%s\t\n", "d. relance per stage, ms p50/p99 per batch", stageSummary(l.Stages))
	fmt.Fprintf(tw, "%s\t%s\t\n", "d. CPU used while producing, in cores", coresSummary(l.Cores))
}

// coresSummary is how busy the machine was during a latency measurement.
func coresSummary(c bench.Cores) string {
	if c.Total() == 0 {
		return "not measured"
	}
	probe := fmt.Sprintf("probe %.2f", c.Probe)
	if c.Probe == 0 {
		probe = "probe in relance's process"
	}
	return fmt.Sprintf("%.2f of %d: relance %.2f, Redis %.2f, broker %.2f, %s",
		c.Total(), runtime.NumCPU(), c.Relance, c.Redis, c.Broker, probe)
}

// stageSummary is one line of relance's stages: p50/p99 in ms, and the batches observed.
func stageSummary(stages []bench.StageLatency) string {
	var parts []string
	var batches uint64
	for _, s := range stages {
		parts = append(parts, fmt.Sprintf("%s %.1f/%.1f", s.Stage, msf(s.P50), msf(s.P99)))
		batches = max(batches, s.Batches)
	}
	return fmt.Sprintf("%s  (%d batches)", strings.Join(parts, ", "), batches)
}

func msf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
