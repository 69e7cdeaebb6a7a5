package processor_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap/zaptest"

	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/internal/setup"
	"github.com/relance/relance/metrics"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/topics"
)

// A candidate nudging at 3 attempts and rating insults low runs in the shadow of the default
// policy: its counters show what it would have published, counted by hand below, and
// nothing of it reaches any topic.
func TestShadowPolicyIsCountedNotPublished(t *testing.T) {
	e := newEnv(t)
	candidate, err := policy.Parse([]byte("version: shadow-1\nfollow_up:\n  nudge_at: 3\ncontent:\n  insult: low\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	e.startWith(nil, []processor.Option{processor.WithMetrics(m), processor.WithShadowPolicy(candidate)})

	insult := msg("i-1", "eve", "fred", 0)
	insult.Labels = []string{"insult"}
	e.send(streak("a", "ana", "ben", 0, 7)...)  // 7 attempts
	e.send(streak("c", "cleo", "dan", 0, 3)...) // 3 attempts
	e.send(insult)
	nudges, alerts, dead := e.outputs()
	waitConsumed(t, m, 7+3+1)

	// Live (default policy): Ana nudged at a-4 and alerted (medium) at a-7, Cleo nothing,
	// Eve nudged and alerted (medium) for the insult.
	var gotNudges, gotAlerts []string
	for _, n := range nudges {
		gotNudges = append(gotNudges, nudgeDecision(n)+" "+n.PolicyVersion)
	}
	for _, a := range alerts {
		gotAlerts = append(gotAlerts, alertDecision(a)+" "+a.PolicyVersion)
	}
	live := e.policy.Version()
	slices.Sort(gotNudges)
	wantNudges := []string{"check_in ben a-4 " + live, "check_in fred i-1 " + live, "follow_up_limit ana a-4 " + live, "respectful_language eve i-1 " + live}
	if !slices.Equal(gotNudges, wantNudges) {
		t.Errorf("published nudges %q, want only the live policy's %q", gotNudges, wantNudges)
	}
	slices.Sort(gotAlerts)
	wantAlerts := []string{"medium ana ben a-7 " + live, "medium eve fred i-1 " + live}
	if !slices.Equal(gotAlerts, wantAlerts) {
		t.Errorf("published alerts %q, want only the live policy's %q", gotAlerts, wantAlerts)
	}
	if len(dead) != 0 {
		t.Errorf("%d dead letters, want none", len(dead))
	}
	for _, topic := range e.names.All() {
		for _, r := range e.readAll(topic) {
			if bytes.Contains(r.Value, []byte(candidate.Version())) {
				t.Errorf("%s offset %d carries the shadow policy's version: %s", topic, r.Offset, r.Value)
			}
		}
	}

	// Shadow (nudge at 3, insults low): Ana nudged at a-3 and alerted (medium, at 7), Cleo
	// nudged at c-3, Eve nudged for the insult, alerted low.
	wantShadow := map[string]float64{
		topics.KindFollowUpLimit: 2, topics.KindCheckIn: 3, topics.KindRespectfulLanguage: 1, topics.KindFollowUpReminder: 0,
	}
	for kind, want := range wantShadow {
		if got := testutil.ToFloat64(m.ShadowNudges.WithLabelValues(candidate.Version(), kind)); got != want {
			t.Errorf("relance_shadow_nudges_total{policy_version=%q, kind=%q} = %v, want %v", candidate.Version(), kind, got, want)
		}
	}
	wantAlertsBySeverity := map[string]float64{topics.SeverityLow: 1, topics.SeverityMedium: 1, topics.SeverityHigh: 0}
	for severity, want := range wantAlertsBySeverity {
		if got := testutil.ToFloat64(m.ShadowAlerts.WithLabelValues(candidate.Version(), severity)); got != want {
			t.Errorf("relance_shadow_alerts_total{policy_version=%q, severity=%q} = %v, want %v", candidate.Version(), severity, got, want)
		}
	}
	if n := testutil.CollectAndCount(m.ShadowNudges) + testutil.CollectAndCount(m.ShadowAlerts); n != len(wantShadow)+len(wantAlertsBySeverity) {
		t.Errorf("%d shadow series, want %d: the candidate's version only", n, len(wantShadow)+len(wantAlertsBySeverity))
	}
	// The live counters count the live decisions only.
	if got := testutil.ToFloat64(m.Nudges.WithLabelValues(topics.KindFollowUpLimit)); got != 1 {
		t.Errorf("relance_nudges_total{kind=follow_up_limit} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.Alerts.WithLabelValues(topics.SeverityLow)); got != 0 {
		t.Errorf("relance_alerts_total{severity=low} = %v, want 0", got)
	}
}

// A candidate whose window or burst is not the live policy's cannot be decided on the live
// streaks: start-up stops with the field and both values.
func TestShadowPolicyWithAnotherWindowStopsStartUp(t *testing.T) {
	tests := []struct {
		name, candidate string
		want            []string
	}{
		{"window", "version: shadow-1\nwindow: 14d\n", []string{"shadow policy shadow-1: window 14d differs from the live policy's 7d"}},
		{"burst", "version: shadow-1\nfollow_up:\n  burst: 0\n", []string{"follow_up.burst 0s differs from the live policy's 5m0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			candidate, err := policy.Parse([]byte(tt.candidate))
			if err != nil {
				t.Fatal(err)
			}
			rel, err := setup.New(context.Background(), setup.Config{
				Processor: processor.Config{Brokers: e.brokers, GroupID: e.group, Topics: e.names},
				Redis:     connect.Redis{Addrs: []string{e.rdb.Options().Addr}},
			}, setup.WithLogger(zaptest.NewLogger(t)), setup.WithPolicy(e.policy),
				setup.WithProcessorOptions(processor.WithShadowPolicy(candidate)))
			if err == nil {
				rel.Close()
				t.Fatal("start-up accepted a shadow policy the store cannot decide")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want it to say %q", err, want)
				}
			}
		})
	}
}

// waitConsumed waits until n input records are counted: the metrics follow the commit.
func waitConsumed(t *testing.T, m *metrics.Metrics, n float64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	for ; consumed(t, m) < n; <-poll.C {
		if time.Now().After(deadline) {
			t.Fatalf("%v events counted, want %v", consumed(t, m), n)
		}
	}
}
