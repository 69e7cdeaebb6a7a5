package processor

import (
	"context"
	"testing"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/metrics"
	"github.com/relance/relance/policy"
)

// BenchmarkOutputs is the apply stage's CPU after the store (decisions and output records)
// per event of the shadow tests' workload, without and with a shadow policy that nudges
// earlier (bench/shadow-policy.yaml's levels): the shadow's cost without Kafka or Redis.
// The workload is dense (six members, two of them writing most): a fifth of its events
// decide something, against some 3% in make bench's, so this is an upper bound.
func BenchmarkOutputs(b *testing.B) {
	live := policy.Default()
	candidate, err := policy.Parse([]byte("version: bench-shadow-1\nfollow_up:\n  reminder_at: 2\n  nudge_at: 3\n  nudge_at_messages: 8\n  alerts:\n    - {at: 6, messages: 16, severity: medium}\n    - {at: 10, messages: 32, severity: high}\n"))
	if err != nil {
		b.Fatal(err)
	}
	obs, ins := workload(5000)
	results := applyAll(b, live, obs)
	items := make([]item, len(obs))
	for i := range items {
		items[i] = item{msg: &kafka.Message{Topic: "message-sent"}, locale: ins[i].Locale, recipientLocale: ins[i].RecipientLocale, obs: i}
	}
	for _, bc := range []struct {
		name string
		opts []Option
	}{
		{"live only", nil},
		{"with shadow policy", []Option{WithShadowPolicy(candidate)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p, err := New(Config{Brokers: []string{"127.0.0.1:9092"}}, nopStore{}, live, bc.opts...)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var decided tally
			var records []kafka.Message // reused, as the pipeline does
			for b.Loop() {
				var err error
				if records, decided, err = p.outputs(records[:0], items, obs, results); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(obs)), "ns/event")
			b.ReportMetric(float64(sum(decided.nudges)+sum(decided.alerts))/float64(len(obs)), "live-decisions/event")
			if decided.shadow != nil {
				b.ReportMetric(float64(sum(decided.shadow.nudges)+sum(decided.shadow.alerts))/float64(len(obs)), "shadow-decisions/event")
			}
		})
	}
}

func sum(counts map[string]int) (n int) {
	for _, c := range counts {
		n += c
	}
	return n
}

// nopStore stands for a store the benchmark never calls.
type nopStore struct{}

func (nopStore) Apply(context.Context, []policy.Observation) ([]policy.Result, error) {
	return nil, nil
}

// BenchmarkCountOutcomes is the metrics a committed batch updates, per event of the
// bench workload.
func BenchmarkCountOutcomes(b *testing.B) {
	live := policy.Default()
	obs, ins := workload(5000)
	results := applyAll(b, live, obs)
	items := make([]item, len(obs))
	for i := range items {
		items[i] = item{msg: &kafka.Message{Topic: "message-sent"}, locale: ins[i].Locale, recipientLocale: ins[i].RecipientLocale, obs: i}
	}
	p, err := New(Config{Brokers: []string{"127.0.0.1:9092"}}, nopStore{}, live, WithMetrics(metrics.New()))
	if err != nil {
		b.Fatal(err)
	}
	_, decided, err := p.outputs(nil, items, obs, results)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		p.countOutcomes(items, obs, results, decided)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(obs)), "ns/event")
}
