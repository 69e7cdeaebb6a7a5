package streak

import (
	"encoding/binary"
	"slices"
	"testing"
	"time"

	"github.com/relance/relance/policy"
)

// outcomeLimits nudge at four attempts, every message one (no burst), in a week's window.
var outcomeLimits = Limits{Window: 7 * 24 * time.Hour, Nudge: policy.Threshold{Attempts: 4},
	Levels: []policy.Threshold{{Attempts: 4}, {Attempts: 7}}, MaxUnanswered: 100, MaxEvidence: 10}

var outcomeStart = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// at is outcomeStart plus minutes.
func at(minutes int) time.Time { return outcomeStart.Add(time.Duration(minutes) * time.Minute) }

// msg is a message from one member to the other, sent minutes after outcomeStart.
func msg(id, from, to string, minutes int) policy.Observation {
	return policy.Observation{Action: policy.ActionMessage, MessageID: id, SenderID: from, RecipientID: to, SentAt: at(minutes)}
}

// reply is a Reply from one member to the other.
func reply(id, from, to string, minutes int) policy.Observation {
	o := msg(id, from, to, minutes)
	o.Action = policy.ActionReply
	return o
}

// act is member's action a about other: the streak acted on is other→member.
func act(a policy.Action, id, member, other string, minutes int) policy.Observation {
	return policy.Observation{Action: a, MessageID: id, SenderID: other, RecipientID: member, SentAt: at(minutes)}
}

// nudgedStreak is alice's four unanswered messages to bob, ten minutes apart: the fourth
// reaches the nudge.
func nudgedStreak() []policy.Observation {
	return []policy.Observation{
		msg("m1", "alice", "bob", 0), msg("m2", "alice", "bob", 10),
		msg("m3", "alice", "bob", 20), msg("m4", "alice", "bob", 30),
	}
}

const week = 7 * 24 * 60 // minutes

// TestNudgeOutcomes: once a streak was nudged, the first of the outcome events fixes its
// outcome, once; a streak never nudged has none. Each step is also delivered twice in a
// row, and the redelivery fixes nothing. Each scenario runs on a pair kept in memory and on
// one encoded and decoded between steps, as the store keeps it.
func TestNudgeOutcomes(t *testing.T) {
	type step struct {
		o    policy.Observation
		want string // the NudgeOutcome it fixes
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{name: "reply answers", steps: []step{{o: reply("r1", "bob", "alice", 40), want: policy.OutcomeAnswered}}},
		{name: "message back answers", steps: []step{{o: msg("b1", "bob", "alice", 40), want: policy.OutcomeAnswered}}},
		{name: "block", steps: []step{{o: act(policy.ActionBlock, "a1", "bob", "alice", 40), want: policy.OutcomeBlocked}}},
		{name: "report", steps: []step{{o: act(policy.ActionReport, "a1", "bob", "alice", 40), want: policy.OutcomeReported}}},
		{name: "dismiss", steps: []step{{o: act(policy.ActionDismiss, "a1", "bob", "alice", 40), want: policy.OutcomeDismissed}}},
		{name: "unblock fixes nothing", steps: []step{
			{o: act(policy.ActionUnblock, "a1", "bob", "alice", 40)},
			{o: reply("r1", "bob", "alice", 50), want: policy.OutcomeAnswered},
		}},
		{name: "sender carries on", steps: []step{{o: msg("m5", "alice", "bob", 40), want: policy.OutcomeContinued}}},
		{name: "sender's next message after the window: stopped", steps: []step{
			{o: msg("m5", "alice", "bob", 30+week+1), want: policy.OutcomeStopped},
			{o: reply("r1", "bob", "alice", 30+week+2)}, // m5's new streak was never nudged
		}},
		{name: "answer after the window: stopped", steps: []step{
			{o: reply("r1", "bob", "alice", 30+week+1), want: policy.OutcomeStopped},
		}},
		{name: "report after the window: stopped", steps: []step{
			{o: act(policy.ActionReport, "a1", "bob", "alice", 30+week), want: policy.OutcomeStopped},
			{o: reply("r1", "bob", "alice", 30+week+1)},
		}},
		{name: "the first event wins", steps: []step{
			{o: msg("m5", "alice", "bob", 40), want: policy.OutcomeContinued},
			{o: msg("m6", "alice", "bob", 50)},
			{o: act(policy.ActionReport, "a1", "bob", "alice", 60)},
			{o: reply("r1", "bob", "alice", 70)},
		}},
		{name: "dismissed, then answered", steps: []step{
			{o: act(policy.ActionDismiss, "a1", "bob", "alice", 40), want: policy.OutcomeDismissed},
			{o: msg("b1", "bob", "alice", 50)},
		}},
		{name: "a bubble sent before the nudge, delivered late, is not carrying on", steps: []step{
			{o: msg("m3b", "alice", "bob", 25)},
			{o: msg("m5", "alice", "bob", 40), want: policy.OutcomeContinued},
		}},
		{name: "a late message after the answer fixes nothing", steps: []step{
			{o: reply("r1", "bob", "alice", 40), want: policy.OutcomeAnswered},
			{o: msg("m5", "alice", "bob", 35)},
		}},
		{name: "the next streak has its own outcome", steps: []step{
			{o: reply("r1", "bob", "alice", 40), want: policy.OutcomeAnswered},
			{o: msg("n1", "alice", "bob", 50)}, {o: msg("n2", "alice", "bob", 60)},
			{o: msg("n3", "alice", "bob", 70)}, {o: msg("n4", "alice", "bob", 80)},
			{o: act(policy.ActionBlock, "a1", "bob", "alice", 90), want: policy.OutcomeBlocked},
		}},
		{name: "the other direction's streak is its own", steps: []step{
			{o: msg("b1", "bob", "alice", 40), want: policy.OutcomeAnswered},
			{o: msg("b2", "bob", "alice", 50)},
			{o: act(policy.ActionBlock, "a1", "alice", "bob", 60)}, // bob's streak was never nudged
		}},
		{name: "redelivering the nudging message fixes nothing", steps: []step{
			{o: msg("m4", "alice", "bob", 30)},
			{o: msg("m5", "alice", "bob", 40), want: policy.OutcomeContinued},
		}},
	}
	for _, stored := range []bool{false, true} {
		for _, tt := range tests {
			name := tt.name
			if stored {
				name += " (stored)"
			}
			t.Run(name, func(t *testing.T) {
				l := outcomeLimits
				p := &Pair{}
				apply := func(o policy.Observation) policy.Streak {
					if stored {
						var err error
						if p, err = Decode(string(p.Encode(nil, 1))); err != nil {
							t.Fatal(err)
						}
					}
					return l.Apply(p, "alice", o)
				}
				for _, o := range nudgedStreak() {
					if s := apply(o); s.NudgeOutcome != "" {
						t.Fatalf("%s: outcome %q while the streak builds up", o.MessageID, s.NudgeOutcome)
					}
				}
				for _, st := range tt.steps {
					if got := apply(st.o).NudgeOutcome; got != st.want {
						t.Errorf("%s %s: outcome %q, want %q", st.o.Action, st.o.MessageID, got, st.want)
					}
					if got := apply(st.o).NudgeOutcome; got != "" {
						t.Errorf("%s %s redelivered: outcome %q, want none", st.o.Action, st.o.MessageID, got)
					}
				}
			})
		}
	}
}

// TestNoOutcomeWithoutNudge: a streak that never reached the nudge has no outcome,
// whatever ends it.
func TestNoOutcomeWithoutNudge(t *testing.T) {
	ends := []policy.Observation{
		reply("r1", "bob", "alice", 40),
		msg("b1", "bob", "alice", 40),
		act(policy.ActionBlock, "a1", "bob", "alice", 40),
		act(policy.ActionReport, "a1", "bob", "alice", 40),
		act(policy.ActionDismiss, "a1", "bob", "alice", 40),
		msg("m4", "alice", "bob", 30+week+1), // slid out
	}
	for _, end := range ends {
		t.Run(end.Action.String()+" "+end.MessageID, func(t *testing.T) {
			l := outcomeLimits
			p := &Pair{}
			for _, o := range nudgedStreak()[:3] {
				l.Apply(p, "alice", o)
			}
			if s := l.Apply(p, "alice", end); s.NudgeOutcome != "" {
				t.Errorf("outcome %q for a streak never nudged", s.NudgeOutcome)
			}
		})
	}
}

// TestEveryOutcomeIsReachable: each of policy.Outcomes is fixed by some event, and has a
// code in the stored value.
func TestEveryOutcomeIsReachable(t *testing.T) {
	events := []policy.Observation{
		reply("r1", "bob", "alice", 40),
		act(policy.ActionBlock, "a1", "bob", "alice", 40),
		act(policy.ActionReport, "a1", "bob", "alice", 40),
		act(policy.ActionDismiss, "a1", "bob", "alice", 40),
		msg("m5", "alice", "bob", 40),
		msg("m5", "alice", "bob", 30+week+1),
	}
	var seen []string
	for _, e := range events {
		l := outcomeLimits
		p := &Pair{}
		for _, o := range nudgedStreak() {
			l.Apply(p, "alice", o)
		}
		seen = append(seen, l.Apply(p, "alice", e).NudgeOutcome)
	}
	for _, o := range policy.Outcomes {
		if !slices.Contains(seen, o) {
			t.Errorf("outcome %q is never fixed", o)
		}
		if outcomeCode(o) == 0 {
			t.Errorf("outcome %q has no code in a stored value", o)
		}
	}
	if len(outcomeCodes) != len(policy.Outcomes) {
		t.Errorf("%d outcome codes for %d outcomes", len(outcomeCodes), len(policy.Outcomes))
	}
}

// TestFormat2NudgedStreakHasNoOutcomeYet: a nudged streak written in format 2, which kept
// no outcome, decodes as not yet decided: the next event that settles it is counted.
func TestFormat2NudgedStreakHasNoOutcomeYet(t *testing.T) {
	// Format 2 by hand: alice→bob nudged at m4 (no views: none was stored), bob→alice empty.
	v := []byte{formatV2, 0, 0, 0, 0, 0, 0, 0, 42}
	uv := func(n int64) { v = binary.AppendUvarint(v, uint64(n)) }
	m4 := at(30).UnixMilli()
	uv(m4) // newest
	uv(0)  // answered
	uv(m4) // nudged
	uv(4)  // peak
	uv(0)  // off
	v = appendString(v, "m1")
	uv(4)
	var prev int64
	for i, id := range []string{"m1", "m2", "m3", "m4"} {
		tm := at(10 * i).UnixMilli()
		v = appendString(v, id)
		uv(tm - prev)
		prev = tm
		v = append(v, flagSeen|flagUnanswered)
	}
	v = append(v, 0, 0, 0, 0, 0, 0, 0) // bob→alice: nothing
	p, err := Decode(string(v))
	if err != nil {
		t.Fatal(err)
	}
	if d := p.dirs[0]; d.nudged != m4 || d.outcome != "" {
		t.Fatalf("decoded nudged %d, outcome %q; want nudged %d, no outcome", d.nudged, d.outcome, m4)
	}
	l := outcomeLimits
	if got := l.Apply(p, "alice", reply("r1", "bob", "alice", 40)).NudgeOutcome; got != policy.OutcomeAnswered {
		t.Errorf("answer after format 2: outcome %q, want %q", got, policy.OutcomeAnswered)
	}
}

// TestDecodeRejectsUnknownOutcome: an outcome code this version does not know is not read
// as another.
func TestDecodeRejectsUnknownOutcome(t *testing.T) {
	p := &Pair{}
	l := outcomeLimits
	for _, o := range nudgedStreak() {
		l.Apply(p, "alice", o)
	}
	l.Apply(p, "alice", msg("m5", "alice", "bob", 40))
	v := p.Encode(nil, 1)
	q, err := Decode(string(v))
	if err != nil || q.dirs[0].outcome != policy.OutcomeContinued {
		t.Fatalf("decode: %v, outcome %q", err, q.dirs[0].outcome)
	}
	// The outcome code follows the first direction's eight numbers.
	d := &p.dirs[0]
	head := slices.Clone(v[:HeaderLen])
	for _, n := range []int64{d.newest, d.answered, d.nudged, int64(d.peak), int64(d.off), int64(d.peakAtt), d.blocked, d.dismissed} {
		head = binary.AppendUvarint(head, uint64(n))
	}
	k := len(head)
	if v[k] != byte(outcomeCode(policy.OutcomeContinued)) {
		t.Fatalf("byte %d is %d, not the outcome code", k, v[k])
	}
	v[k] = byte(len(outcomeCodes) + 1)
	if _, err := Decode(string(v)); err == nil {
		t.Error("an unknown outcome code decodes")
	}
}
