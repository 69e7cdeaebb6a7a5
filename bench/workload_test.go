package bench_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/relance/relance/bench"
	"github.com/relance/relance/topics"
)

var start = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func TestWorkloadIsSeeded(t *testing.T) {
	a := bench.NewWorkload(bench.WorkloadConfig{Seed: 7, Start: start})
	b := bench.NewWorkload(bench.WorkloadConfig{Seed: 7, Start: start})
	c := bench.NewWorkload(bench.WorkloadConfig{Seed: 8, Start: start})
	differs := false
	for i := range 10_000 {
		ea, eb, ec := a.Next(), b.Next(), c.Next()
		if ea.Topic != eb.Topic || !bytes.Equal(ea.Value, eb.Value) || !bytes.Equal(ea.Key, eb.Key) {
			t.Fatalf("event %d differs for the same seed:\n%s\n%s", i, ea.Value, eb.Value)
		}
		differs = differs || !bytes.Equal(ea.Value, ec.Value)
	}
	if !differs {
		t.Error("seeds 7 and 8 gave the same events")
	}
}

func TestWorkloadEventsAreValidAndRealistic(t *testing.T) {
	const n = 200_000
	w := bench.NewWorkload(bench.WorkloadConfig{Seed: 1, Start: start})
	now := start.Add(n * time.Millisecond)
	var messages, replies, offensive, actions int
	reached := map[int]int{} // level → messages that reached it
	for range n {
		ev := w.Next()
		switch ev.Topic {
		case topics.DefaultMessageSent:
			m, err := topics.DecodeMessageSent(ev.Value, now)
			if err != nil {
				t.Fatalf("%s: %v", ev.Value, err)
			}
			if m.MessageID != ev.Observation.MessageID || m.SenderID != ev.Observation.SenderID ||
				!m.SentAt.Equal(ev.Observation.SentAt) {
				t.Fatalf("observation %+v does not match %s", ev.Observation, ev.Value)
			}
			messages++
			if len(m.Labels)+len(m.Attachments) > 0 {
				offensive++
			}
			for _, l := range []int{4, 7, 12} {
				if ev.Unanswered == l {
					reached[l]++
				}
			}
		case topics.DefaultReply:
			if _, err := topics.DecodeReply(ev.Value, now); err != nil {
				t.Fatalf("%s: %v", ev.Value, err)
			}
			replies++
		case topics.DefaultMemberAction:
			a, err := topics.DecodeMemberAction(ev.Value, now)
			if err != nil {
				t.Fatalf("%s: %v", ev.Value, err)
			}
			if a.ActionID != ev.Observation.MessageID || a.OtherMemberID != ev.Observation.SenderID || !a.At.Equal(ev.Observation.SentAt) {
				t.Fatalf("observation %+v does not match %s", ev.Observation, ev.Value)
			}
			actions++
		default:
			t.Fatalf("unexpected topic %q", ev.Topic)
		}
	}
	t.Logf("messages %d, replies %d, member actions %d, offensive %d, streaks reaching 4/7/12: %d/%d/%d",
		messages, replies, actions, offensive, reached[4], reached[7], reached[12])
	switch {
	case actions < n/100 || actions > n/20:
		t.Errorf("member actions %d of %d events: want 1 to 5 %%", actions, n)
	case replies == 0 || replies > messages/4:
		t.Errorf("replies %d of %d events: want some, mostly messages", replies, n)
	case offensive == 0 || offensive > n/100:
		t.Errorf("offensive %d of %d events: want a few", offensive, n)
	case !(reached[4] > reached[7] && reached[7] > reached[12] && reached[12] > 0):
		t.Errorf("streaks reaching 4/7/12: %v, want fewer at each level and some at 12", reached)
	case reached[4] > messages/20:
		t.Errorf("streaks reaching 4: %d of %d messages: most conversations must be answered", reached[4], messages)
	}
}

// The latency probe finds a nudge's message by its Seq, read back from the message id.
func TestWorkloadMessageSeqReadsTheIdBack(t *testing.T) {
	w := bench.NewWorkload(bench.WorkloadConfig{Seed: 7, Start: start})
	other := bench.NewWorkload(bench.WorkloadConfig{Seed: 8, Start: start})
	messages := 0
	for i := range 10_000 {
		ev := w.Next()
		if ev.Seq != i+1 {
			t.Fatalf("event %d has Seq %d", i+1, ev.Seq)
		}
		seq, ok := w.MessageSeq(ev.Observation.MessageID)
		if ev.Topic == topics.DefaultMemberAction {
			if ok {
				t.Fatalf("action id %q read as message %d", ev.Observation.MessageID, seq)
			}
			continue
		}
		messages++
		if !ok || seq != ev.Seq {
			t.Fatalf("message id %q read as %d, %v; its Seq is %d", ev.Observation.MessageID, seq, ok, ev.Seq)
		}
		if seq, ok := other.MessageSeq(ev.Observation.MessageID); ok {
			t.Fatalf("another seed's workload reads %q as its message %d", ev.Observation.MessageID, seq)
		}
	}
	if messages < 9_000 {
		t.Fatalf("only %d messages and replies in 10,000 events", messages)
	}
	for _, id := range []string{"", "m7-", "m7-0", "m7-x", "x7-3"} {
		if seq, ok := w.MessageSeq(id); ok {
			t.Errorf("MessageSeq(%q) = %d, true", id, seq)
		}
	}
}
