package processor_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/relance/relance/metrics"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/topics"
)

// After Ana's and Cleo's nudges, Ben answers Ana and Cleo carries on: one answered and one
// continued, under the policy's version, once each whatever is redelivered, and nothing
// for an event after the outcome was fixed.
func TestNudgeOutcomesAreCountedOnce(t *testing.T) {
	e := newEnv(t)
	m := metrics.New()
	e.startWith(nil, []processor.Option{processor.WithMetrics(m)})
	version := e.policy.Version()
	if n := testutil.CollectAndCount(m.NudgeOutcomes); n != len(policy.Outcomes) {
		t.Errorf("%d outcome series at start, want %d (one per outcome)", n, len(policy.Outcomes))
	}

	e.send(streak("m", "ana", "ben", 0, 4)...)  // nudged at m-4
	e.send(streak("c", "cleo", "dan", 0, 5)...) // nudged at c-4; c-5 carries on
	e.send(msg("c-5", "cleo", "dan", 5*gap))    // redelivered: nothing
	e.waitCommitted()                           // another topic: the messages first
	e.send(reply("r-1", "ben", "ana", 60), reply("r-1", "ben", "ana", 60))
	e.send(act("b-1", "dan", topics.MemberActionBlock, "cleo", 70)) // Cleo's outcome is fixed
	e.waitCommitted()
	const events = 4 + 5 + 1 + 2 + 1
	waitConsumed(t, m, events)
	for _, o := range policy.Outcomes {
		want := 0.0
		if o == policy.OutcomeAnswered || o == policy.OutcomeContinued {
			want = 1
		}
		if got := testutil.ToFloat64(m.NudgeOutcomes.WithLabelValues(version, o)); got != want {
			t.Errorf("relance_nudge_outcomes_total{policy_version=%q, outcome=%q} = %v, want %v", version, o, got, want)
		}
	}
}

// consumed is the sum of relance_events_consumed_total.
func consumed(t *testing.T, m *metrics.Metrics) float64 {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, mf := range mfs {
		if mf.GetName() == "relance_events_consumed_total" {
			for _, c := range mf.GetMetric() {
				n += c.GetCounter().GetValue()
			}
		}
	}
	return n
}
