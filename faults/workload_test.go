package faults_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/faults"
	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/state"
	"github.com/relance/relance/topics"
)

func TestGenerateIsDeterministic(t *testing.T) {
	cfg := faults.WorkloadConfig{Seed: 7, Pairs: 50, BadRate: 0.05, Base: time.Now().Add(-48 * time.Hour)}
	a, b := faults.Generate(cfg, policy.Default()), faults.Generate(cfg, policy.Default())
	if !reflect.DeepEqual(a.Ledger.Outputs, b.Ledger.Outputs) || len(a.Records) != len(b.Records) {
		t.Fatal("the same seed gave two workloads")
	}
}

func TestGenerateCoversTheLevels(t *testing.T) {
	w := faults.Generate(faults.WorkloadConfig{Seed: 1, Pairs: 60, BadRate: 0.05}, policy.Default())
	t.Log(w.Ledger.Summary())
	by := map[string]int{}
	for _, o := range w.Ledger.Outputs {
		by[o.What]++
	}
	for _, what := range []string{
		"nudge follow_up_limit sender", "nudge check_in recipient", "nudge respectful_language sender",
		"alert medium", "alert high",
	} {
		if by[what] == 0 {
			t.Errorf("no %q expected: the workload does not exercise it", what)
		}
	}
	if got, want := float64(w.Ledger.Bad)/float64(w.Ledger.Events), 0.05; got < want-0.01 || got > want+0.01 {
		t.Errorf("bad inputs are %.3f of the events, want about %.2f", got, want)
	}
	if len(w.Ledger.BadByKind) != len(faults.BadKinds) {
		t.Errorf("bad input kinds %v, want all of %v", w.Ledger.BadByKind, faults.BadKinds)
	}
	if w.Ledger.SenderAlerts == 0 {
		t.Error("no sender-level alert expected: the workload has no repeat offender")
	}
	if w.Ledger.Bursts == 0 || w.Ledger.Floods == 0 {
		t.Errorf("%d limits reached in bursts, %d by floods: want some of each", w.Ledger.Bursts, w.Ledger.Floods)
	}
	// Member actions: 2 to 5 % of the events, of every kind, some redelivered; reports
	// raise alerts (triggered by the action's id).
	if got := float64(w.Ledger.Actions) / float64(w.Ledger.Events); got < 0.02 || got > 0.05 {
		t.Errorf("member actions are %.3f of the events, want 0.02 to 0.05", got)
	}
	if n := w.Ledger.Valid[topics.Names{}.WithDefaults().MemberAction]; n != w.Ledger.Actions {
		t.Errorf("%d records on the member-action topic, %d actions counted", n, w.Ledger.Actions)
	}
	for _, kind := range []string{topics.MemberActionDismiss, topics.MemberActionBlock, topics.MemberActionUnblock, topics.MemberActionReport} {
		if w.Ledger.ActionsByKind[kind] == 0 {
			t.Errorf("no %s: the workload does not exercise it (%v)", kind, w.Ledger.ActionsByKind)
		}
	}
	if w.Ledger.Redelivered == 0 {
		t.Error("no member action redelivered")
	}
	reports := map[string]int{}
	for _, o := range w.Ledger.Outputs {
		if strings.HasPrefix(o.TriggeredBy, "a-") {
			reports[o.What]++
		}
	}
	if reports["alert medium"] == 0 || len(reports) != 1 {
		t.Errorf("outputs triggered by member actions %v, want report alerts, all medium (see scriptActions)", reports)
	}
	// Every valid event is in the processor's past and within one window of the first.
	now := time.Now()
	for _, rec := range w.Records {
		var e struct {
			SentAt time.Time `json:"sent_at"`
			At     time.Time `json:"at"`
		}
		if rec.Bad != "" || json.Unmarshal(rec.Value, &e) != nil {
			continue
		}
		at := e.SentAt
		if at.IsZero() {
			at = e.At
		}
		if at.After(now) || at.Before(now.Add(-policy.Default().Window())) {
			t.Fatalf("event at %s: not between a window ago and now", at)
		}
	}
}

// TestLedgerMatchesStoreAndPolicy checks the ledger, decided in memory, against the store
// on Redis: the workload's valid records, decoded, applied in order to a real redis-server
// through state.Redis and decided by the policy, give exactly the ledger's outputs, and bad
// ones fail to decode.
func TestLedgerMatchesStoreAndPolicy(t *testing.T) {
	addr := testenv.StartRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pol := policy.Default()
	store, err := state.New(ctx, rdb, pol, state.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := faults.Generate(faults.WorkloadConfig{Seed: 3, Pairs: 120, BadRate: 0.05}, pol)
	names := topics.Names{}.WithDefaults()

	got := map[string]faults.Output{}
	now := time.Now()
	for i, rec := range w.Records {
		in, err := decode(rec, names, now)
		if (err != nil) != (rec.Bad != "") {
			t.Fatalf("record %d (bad %q): decode error %v", i, rec.Bad, err)
		}
		if err != nil {
			continue
		}
		streaks, err := store.Apply(ctx, []policy.Observation{in.Observation})
		if err != nil {
			t.Fatal(err)
		}
		addOutputs(got, pol.DecideResult(in, streaks[0]))
	}
	if !reflect.DeepEqual(got, w.Ledger.Outputs) {
		diff := ledgerDiff(got, w.Ledger.Outputs)
		t.Fatalf("store and policy disagree with the ledger (%d vs %d outputs):\n%s", len(got), len(w.Ledger.Outputs), strings.Join(diff[:min(len(diff), 20)], "\n"))
	}

	// Redelivered, every event decides again as it did the first time: the same ids, and
	// under each id the same decision.
	for i, rec := range w.Records {
		in, err := decode(rec, names, now)
		if err != nil {
			continue
		}
		streaks, err := store.Apply(ctx, []policy.Observation{in.Observation})
		if err != nil {
			t.Fatal(err)
		}
		d := pol.DecideResult(in, streaks[0])
		var outs []faults.Output
		for _, n := range d.Nudges {
			outs = append(outs, faults.NudgeOutput(n))
		}
		for _, a := range d.Alerts {
			outs = append(outs, faults.AlertOutput(a))
		}
		for _, o := range outs {
			if want, ok := w.Ledger.Outputs[o.ID]; !ok || want != o {
				t.Errorf("record %d redelivered (status %s): %s %s, first time %s", i, streaks[0].Streak.Status, o.ID, o.Key(), want.Key())
			}
		}
	}
	keys, noTTL, err := faults.CountTTL(ctx, rdb)
	if err != nil || keys == 0 || noTTL != 0 {
		t.Errorf("%d keys, %d without a TTL, err %v", keys, noTTL, err)
	}
}

// TestLedgerIndependentOfTopicOrder checks that the ledger holds whatever the order in
// which the input topics are processed relative to one another: relance reads each
// partition in order, but a pair's member actions (their own topic) may come before or
// after any of its messages. Each topic keeps its order; the merges are the extremes
// (every action first, every action last) and random ones.
func TestLedgerIndependentOfTopicOrder(t *testing.T) {
	pol := policy.Default()
	w := faults.Generate(faults.WorkloadConfig{Seed: 5, Pairs: 200, BadRate: 0.05}, pol)
	t.Log(w.Ledger.Summary())
	names := topics.Names{}.WithDefaults()
	now := time.Now()
	var actions, others []policy.Input
	for _, rec := range w.Records {
		if rec.Bad != "" {
			continue
		}
		in, err := decode(rec, names, now)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Topic == names.MemberAction {
			actions = append(actions, in)
		} else {
			others = append(others, in)
		}
	}
	run := func(name string, order []policy.Input) {
		store, err := state.NewMemory(pol, state.Config{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]faults.Output{}
		for _, in := range order {
			res, err := store.Apply(context.Background(), []policy.Observation{in.Observation})
			if err != nil {
				t.Fatal(err)
			}
			addOutputs(got, pol.DecideResult(in, res[0]))
		}
		if !reflect.DeepEqual(got, w.Ledger.Outputs) {
			diff := ledgerDiff(got, w.Ledger.Outputs)
			t.Errorf("%s: %d outputs, ledger %d:\n%s", name, len(got), len(w.Ledger.Outputs), strings.Join(diff[:min(len(diff), 10)], "\n"))
		}
	}
	run("actions first", append(slices.Clone(actions), others...))
	run("actions last", append(slices.Clone(others), actions...))
	rng := rand.New(rand.NewPCG(1, 2))
	for r := range 5 {
		var order []policy.Input
		a, o := actions, others
		for len(a)+len(o) > 0 {
			if len(o) == 0 || (len(a) > 0 && rng.IntN(len(a)+len(o)) < len(a)) {
				order, a = append(order, a[0]), a[1:]
			} else {
				order, o = append(order, o[0]), o[1:]
			}
		}
		run(fmt.Sprintf("random merge %d", r), order)
	}
}

// decode does what the processor does with a record, with its own decoders (its text
// check aside: the workload sends no text).
func decode(rec faults.Record, names topics.Names, now time.Time) (policy.Input, error) {
	dec, ok := processor.Decoders(names)[rec.Topic]
	if !ok {
		return policy.Input{}, fmt.Errorf("no input topic %q", rec.Topic)
	}
	in, _, err := dec(rec.Value, now)
	return in, err
}

// addOutputs adds d's outputs to got, by id.
func addOutputs(got map[string]faults.Output, d policy.Decisions) {
	for _, n := range d.Nudges {
		got[n.NudgeID] = faults.NudgeOutput(n)
	}
	for _, a := range d.Alerts {
		got[a.AlertID] = faults.AlertOutput(a)
	}
}

// ledgerDiff lists, sorted, the outputs got and the ledger do not share.
func ledgerDiff(got, ledger map[string]faults.Output) []string {
	var diff []string
	for id, o := range ledger {
		if got[id] != o {
			diff = append(diff, "ledger "+o.Key()+" got "+got[id].Key())
		}
	}
	for id, o := range got {
		if _, ok := ledger[id]; !ok {
			diff = append(diff, "not in ledger: "+o.Key())
		}
	}
	slices.Sort(diff)
	return diff
}
