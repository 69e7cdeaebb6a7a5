package replay_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/content"
	"github.com/relance/relance/faults"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/replay"
	"github.com/relance/relance/topics"
)

// nudgeAt5 is the candidate of the side-by-side tests: the default policy, nudging at 5
// attempts instead of 4.
func nudgeAt5(t testing.TB) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte("version: nudge-at-5\nfollow_up:\n  nudge_at: 5\n"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// outputs collects the decisions of one policy of a replay, by id.
type outputs struct {
	mu  sync.Mutex
	got map[string]faults.Output
	// published counts every decision, a redelivery's again under the same id.
	published int
}

func (o *outputs) collect(policyIndex int) replay.Option {
	o.got = map[string]faults.Output{}
	return replay.WithDecisions(func(i int, _ policy.Input, d policy.Decisions) {
		if i != policyIndex {
			return
		}
		o.mu.Lock()
		defer o.mu.Unlock()
		o.published += len(d.Nudges) + len(d.Alerts)
		for _, n := range d.Nudges {
			o.got[n.NudgeID] = faults.NudgeOutput(n)
		}
		for _, a := range d.Alerts {
			o.got[a.AlertID] = faults.AlertOutput(a)
		}
	})
}

// TestReplayDecidesAsTheLedger replays the fault harness's seeded workload from a kcat
// file and compares every nudge and alert, id for id, with the ledger: what the processor
// must publish for it. The file holds the records partition by partition (as kcat run
// once per partition would write them), so the replay has to merge them back into the
// order they were produced in, by timestamp; a second policy runs alongside, on its own
// store, and must not disturb the first.
func TestReplayDecidesAsTheLedger(t *testing.T) {
	pol := policy.Default()
	w := faults.Generate(faults.WorkloadConfig{Seed: 11, Pairs: 200, BadRate: 0.05}, pol)
	t.Log(w.Ledger.Summary())
	var msgs []kafka.Message
	for _, r := range w.Records {
		msgs = append(msgs, kafka.Message{Topic: r.Topic, Key: r.Key, Value: r.Value})
	}
	msgs = inPartitions(msgs, time.Now().Add(-time.Hour))
	byPartition := slices.Clone(msgs)
	slices.SortStableFunc(byPartition, func(a, b kafka.Message) int {
		return cmp.Or(strings.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	if slices.EqualFunc(msgs, byPartition, func(a, b kafka.Message) bool { return a.Offset == b.Offset && a.Topic == b.Topic }) {
		t.Fatal("the file would be in production order: the merge would not be tested")
	}
	src, err := replay.OpenFile(writeKcat(t, byPartition), topics.Names{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	var got outputs
	reports, err := replay.Run(context.Background(), src, []*policy.Policy{pol, nudgeAt5(t)}, replay.Config{}, got.collect(0))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.got, w.Ledger.Outputs) {
		var diff []string
		for id, o := range w.Ledger.Outputs {
			if got.got[id] != o {
				diff = append(diff, "missing "+o.Key())
			}
		}
		for id, o := range got.got {
			if _, ok := w.Ledger.Outputs[id]; !ok {
				diff = append(diff, "unexpected "+o.Key())
			}
		}
		slices.Sort(diff)
		t.Fatalf("%d outputs, the ledger has %d:\n%s", len(got.got), len(w.Ledger.Outputs), strings.Join(diff[:min(len(diff), 20)], "\n"))
	}
	r := reports[0]
	if r.Events != int64(w.Ledger.Events) || r.EventsByOutcome["dead_letter"] != int64(w.Ledger.Bad) {
		t.Errorf("%d events, %d dead-lettered; the ledger has %d and %d bad", r.Events, r.EventsByOutcome["dead_letter"], w.Ledger.Events, w.Ledger.Bad)
	}
	var nudges, alerts int64
	for _, n := range r.Nudges {
		nudges += n
	}
	for _, n := range r.Alerts {
		alerts += n
	}
	if nudges+alerts != int64(got.published) || got.published < len(w.Ledger.Outputs) {
		t.Errorf("the report counts %d nudges and %d alerts, %d were decided (%d distinct ids)", nudges, alerts, got.published, len(w.Ledger.Outputs))
	}
	if reports[1].Diff == nil || reports[1].Nudges[topics.KindFollowUpLimit] >= r.Nudges[topics.KindFollowUpLimit] {
		t.Errorf("nudging at 5: %d follow-up limits, at 4: %d; want fewer", reports[1].Nudges[topics.KindFollowUpLimit], r.Nudges[topics.KindFollowUpLimit])
	}
}

// handWorkload is a small workload whose figures are counted by hand in
// TestTwoPoliciesSideBySide. Messages are ten minutes apart: every one is an attempt.
func handWorkload(t testing.TB, base time.Time) []kafka.Message {
	t.Helper()
	names := topics.Names{}.WithDefaults()
	var msgs []kafka.Message
	at := base
	msg := func(id, from, to, text string) {
		at = at.Add(10 * time.Minute)
		v, err := json.Marshal(topics.MessageSent{MessageID: id, SenderID: from, RecipientID: to, SentAt: at, Text: text, Locale: "fr"})
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, kafka.Message{Topic: names.MessageSent, Key: []byte(from + to), Value: v})
	}
	streak := func(from, to string, n int) {
		for i := 1; i <= n; i++ {
			msg(fmt.Sprintf("%s-%d", from, i), from, to, "salut, tu vas bien ?")
		}
	}
	streak("ana", "ben", 5) // nudged at 4, or at 5
	streak("cam", "dan", 4) // nudged at 4 only; then dan replies
	at = at.Add(time.Minute)
	v, _ := json.Marshal(topics.Reply{MessageID: "dan-1", SenderID: "dan", RecipientID: "cam", SentAt: at})
	msgs = append(msgs, kafka.Message{Topic: names.Reply, Key: []byte("camdan"), Value: v})
	msg("eve-1", "eve", "fay", "t'es vraiment qu'un c.o.n.n.a.r.d") // the built-in text check: an insult
	streak("gus", "hal", 7)                                         // nudged, then an alert at 7
	streak("ivy", "jon", 2)                                         // then jon blocks ivy
	at = at.Add(time.Minute)
	v, _ = json.Marshal(topics.MemberAction{ActionID: "a-1", MemberID: "jon", OtherMemberID: "ivy", Action: topics.MemberActionBlock, At: at})
	msgs = append(msgs, kafka.Message{Topic: names.MemberAction, Key: []byte("ivyjon"), Value: v})
	msgs = append(msgs, kafka.Message{Topic: names.MessageSent, Key: []byte("x"), Value: []byte("not json")})
	return msgs
}

// TestTwoPoliciesSideBySide replays handWorkload under the default policy and one
// nudging at 5, and checks every figure against the hand count.
func TestTwoPoliciesSideBySide(t *testing.T) {
	msgs := inPartitions(handWorkload(t, time.Now().Add(-24*time.Hour)), time.Now().Add(-time.Hour))
	src, err := replay.OpenFile(writeKcat(t, msgs), topics.Names{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	reports, err := replay.Run(context.Background(), src, []*policy.Policy{policy.Default(), nudgeAt5(t)}, replay.Config{},
		replay.WithTextChecker(content.Default()))
	if err != nil {
		t.Fatal(err)
	}
	def, at5 := reports[0], reports[1]

	// ana 5, cam 4, eve 1, gus 7, ivy 2 messages; dan's reply; jon's block; one bad record.
	wantOutcomes := map[string]int64{"counted": 19, "answer": 1, "block": 1, "dead_letter": 1}
	// Streaks by their peak attempts: eve 1, ivy 2, cam 4, ana 5, gus 7, under both.
	wantStreaks := map[int]int64{1: 1, 2: 1, 4: 1, 5: 1, 7: 1}
	for _, r := range reports {
		if r.Events != 22 {
			t.Errorf("%s: %d events, want 22", r.PolicyVersion, r.Events)
		}
		for k, want := range wantOutcomes {
			if r.EventsByOutcome[k] != want {
				t.Errorf("%s: %d events %s, want %d (%v)", r.PolicyVersion, r.EventsByOutcome[k], k, want, r.EventsByOutcome)
			}
		}
		if !reflect.DeepEqual(r.StreaksByAttempts, wantStreaks) {
			t.Errorf("%s: streaks %v, want %v", r.PolicyVersion, r.StreaksByAttempts, wantStreaks)
		}
		// eve's insult is medium, and so is gus's 7th attempt (he kept going after the
		// coach); no high.
		if !reflect.DeepEqual(r.Alerts, map[string]int64{"low": 0, "medium": 2, "high": 0}) {
			t.Errorf("%s: alerts %v, want 2 medium", r.PolicyVersion, r.Alerts)
		}
		for reason, want := range map[string]int64{"offensive_content": 1, "unanswered_streak": 1, "continued_after_nudge": 1, "reported": 0} {
			if r.AlertsByReason[reason] != want {
				t.Errorf("%s: %d alerts for %s, want %d", r.PolicyVersion, r.AlertsByReason[reason], reason, want)
			}
		}
		if r.Nudges[topics.KindRespectfulLanguage] != 1 || r.MembersAlerted != 2 {
			t.Errorf("%s: %d respectful_language nudges, %d members alerted; want 1 and 2 (eve, gus)", r.PolicyVersion, r.Nudges[topics.KindRespectfulLanguage], r.MembersAlerted)
		}
	}
	// At 4: ana, cam, gus reminded, and eve for her language; ben, dan, hal and fay checked in.
	if def.Nudges[topics.KindFollowUpLimit] != 3 || def.Nudges[topics.KindCheckIn] != 4 || def.MembersNudged != 4 || def.MembersCheckedIn != 4 {
		t.Errorf("default: nudges %v, %d members nudged, %d checked in; want 3 limits, 4 check-ins, 4 and 4", def.Nudges, def.MembersNudged, def.MembersCheckedIn)
	}
	// At 5: cam (4 attempts) is no longer nudged, nor dan checked in.
	if at5.Nudges[topics.KindFollowUpLimit] != 2 || at5.Nudges[topics.KindCheckIn] != 3 || at5.MembersNudged != 3 || at5.MembersCheckedIn != 3 {
		t.Errorf("nudge at 5: nudges %v, %d members nudged, %d checked in; want 2 limits, 3 check-ins, 3 and 3", at5.Nudges, at5.MembersNudged, at5.MembersCheckedIn)
	}
	if def.Diff != nil {
		t.Error("the first policy has a diff")
	}
	d := at5.Diff
	if d == nil {
		t.Fatal("the candidate has no diff")
	}
	if d.Nudges[topics.KindFollowUpLimit] != -1 || d.Nudges[topics.KindCheckIn] != -1 || d.Nudges[topics.KindRespectfulLanguage] != 0 ||
		d.MembersNudged != -1 || d.MembersNudgedRemoved != 1 || d.MembersNudgedAdded != 0 ||
		d.MembersCheckedInRemoved != 1 || d.MembersCheckedInAdded != 0 || d.Events != 0 || d.Alerts["medium"] != 0 {
		t.Errorf("diff %+v, want one follow-up limit and one check-in fewer (cam, dan), the rest equal", *d)
	}

	var text strings.Builder
	if err := replay.WriteText(&text, []string{"built-in", "nudge-at-5.yaml"}, reports); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"relance-default-2", "nudge-at-5.yaml", "follow_up_limit", "2 (-1)", "members nudged", "3 (+0 new, -1 no longer)"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, text.String())
		}
	}
	t.Logf("\n%s", text.String())
}

func TestOpenFile(t *testing.T) {
	write := func(t *testing.T, content string) string {
		t.Helper()
		path := t.TempDir() + "/records.jsonl"
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := `{"topic":"reply","partition":0,"offset":0,"ts":2,"key":"k","payload":"{}"}`
	t.Run("other topics skipped, blank lines and no final newline accepted", func(t *testing.T) {
		f, err := replay.OpenFile(write(t, `{"topic":"coach-nudge","payload":"x"}`+"\n\n"+good+"\n"+`{"topic":"message-sent","ts":1,"payload":null}`), topics.Names{})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if f.Total() != 2 || f.Skipped() != 1 {
			t.Errorf("%d records, %d skipped; want 2 and 1", f.Total(), f.Skipped())
		}
		var got []string
		for {
			m, err := f.Next(context.Background())
			if err != nil {
				break
			}
			got = append(got, fmt.Sprintf("%s %d %q", m.Topic, m.Time.UnixMilli(), m.Value))
		}
		if want := []string{`message-sent 1 ""`, `reply 2 "{}"`}; !slices.Equal(got, want) {
			t.Errorf("read %q, want %q (by timestamp)", got, want)
		}
	})
	for _, tt := range []struct{ name, content, want string }{
		{"not JSON", good + "\nnot json\n", "records.jsonl:2: not a record as kcat -J writes them"},
		{"no topic", good + "\n" + `{"partition":0,"payload":"x"}` + "\n", "records.jsonl:2: no topic"},
		{"a line too long", `{"topic":"reply","payload":"` + strings.Repeat("x", replay.MaxLineBytes) + `"}`, "records.jsonl:1: line longer than"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := replay.OpenFile(write(t, tt.content), topics.Names{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := replay.OpenFile(t.TempDir()+"/nope.jsonl", topics.Names{}); err == nil || !strings.Contains(err.Error(), "nope.jsonl") {
		t.Errorf("missing file: err = %v", err)
	}
}
