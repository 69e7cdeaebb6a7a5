package faults_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/faults"
	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/policy"
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
	if w.Ledger.Bursts == 0 || w.Ledger.Floods == 0 {
		t.Errorf("%d limits reached in bursts, %d by floods: want some of each", w.Ledger.Bursts, w.Ledger.Floods)
	}
	// Every valid event is in the processor's past and within one window of the first.
	now := time.Now()
	for _, rec := range w.Records {
		var e struct {
			SentAt time.Time `json:"sent_at"`
		}
		if rec.Bad != "" || json.Unmarshal(rec.Value, &e) != nil {
			continue
		}
		if e.SentAt.After(now) || e.SentAt.Before(now.Add(-policy.Default().Window())) {
			t.Fatalf("event at %s: not between a window ago and now", e.SentAt)
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
		d := pol.Decide(in, streaks[0].Streak)
		for _, n := range d.Nudges {
			got[n.NudgeID] = faults.NudgeOutput(n)
		}
		for _, a := range d.Alerts {
			got[a.AlertID] = faults.AlertOutput(a)
		}
	}
	if !reflect.DeepEqual(got, w.Ledger.Outputs) {
		var diff []string
		for id, o := range w.Ledger.Outputs {
			if got[id] != o {
				diff = append(diff, "ledger "+o.Key()+" got "+got[id].Key())
			}
		}
		for id, o := range got {
			if _, ok := w.Ledger.Outputs[id]; !ok {
				diff = append(diff, "not in ledger: "+o.Key())
			}
		}
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
		d := pol.Decide(in, streaks[0].Streak)
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

// decode does what the processor does with a record (its text check aside: the workload
// sends no text).
func decode(rec faults.Record, names topics.Names, now time.Time) (policy.Input, error) {
	if rec.Topic == names.Reply {
		ev, err := topics.DecodeReply(rec.Value, now)
		if err != nil {
			return policy.Input{}, err
		}
		return policy.Input{Observation: policy.Observation{Action: policy.ActionReply, MessageID: ev.MessageID,
			SenderID: ev.SenderID, RecipientID: ev.RecipientID, SentAt: ev.SentAt}}, nil
	}
	ev, err := topics.DecodeMessageSent(rec.Value, now)
	if err != nil {
		return policy.Input{}, err
	}
	attachments := make([][]string, len(ev.Attachments))
	for i, a := range ev.Attachments {
		attachments[i] = a.Labels
	}
	categories := policy.Categories(ev.Labels, attachments)
	return policy.Input{
		Observation: policy.Observation{Action: policy.ActionMessage, MessageID: ev.MessageID, SenderID: ev.SenderID,
			RecipientID: ev.RecipientID, SentAt: ev.SentAt, Categories: categories},
		Locale: ev.Locale,
	}, nil
}
