package streak

import (
	"fmt"
	"testing"
	"time"

	"github.com/relance/relance/policy"
)

// TestQuietDirectionForgetsWhatLeftTheWindow: bob wrote to alice once (an offensive
// message, whose decision the pair keeps) and never again, while alice kept writing every
// day. Once the pair's newest event is a window past bob's message, the pair holds nothing
// of it, encoded and decoded again: no id, no kept decision. Before that, a redelivery of
// it is still recognised. And a message nobody answered is never counted twice: bob's
// second message, then only bob's own block of alice a window later, keeps its id.
func TestQuietDirectionForgetsWhatLeftTheWindow(t *testing.T) {
	const day = 24 * time.Hour
	l := &Limits{Window: 7 * day, Nudge: policy.Threshold{Attempts: 4, Messages: 10},
		Levels: []policy.Threshold{{Attempts: 4, Messages: 10}}, MaxUnanswered: 20, MaxEvidence: 4}
	start := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	bobs := policy.Observation{Action: policy.ActionMessage, MessageID: "bob-1", SenderID: "bob", RecipientID: "alice",
		SentAt: start, Categories: []policy.Category{policy.CategoryInsult}}
	p := &Pair{}
	l.Apply(p, "alice", bobs)
	held := func(p *Pair) (seen, kept int) {
		q, err := Decode(string(p.Encode(nil, 1)))
		if err != nil {
			t.Fatal(err)
		}
		v := q.Directions(0)[1] // bob → alice
		return v.Seen, len(v.Kept)
	}
	if seen, kept := held(p); seen != 1 || kept != 1 {
		t.Fatalf("right after bob's message: %d ids, %d kept decisions held, want 1 and 1", seen, kept)
	}
	for d := 1; d <= 12; d++ {
		at := start.Add(time.Duration(d) * day)
		l.Apply(p, "alice", policy.Observation{Action: policy.ActionMessage, MessageID: fmt.Sprintf("alice-%d", d),
			SenderID: "alice", RecipientID: "bob", SentAt: at})
		seen, kept := held(p)
		inWindow := at.Sub(start) < l.Window
		if inWindow && (seen != 1 || kept != 1) {
			t.Fatalf("day %d, bob's message in the window: %d ids, %d kept decisions, want 1 and 1", d, seen, kept)
		}
		if !inWindow && (seen != 0 || kept != 0) {
			t.Fatalf("day %d, bob's message a window old: %d ids, %d kept decisions still held, want none", d, seen, kept)
		}
		if d == 6 {
			q, _ := Decode(string(p.Encode(nil, 1)))
			if s := l.Apply(q, "alice", bobs); !s.Redelivered {
				t.Fatalf("day 6: bob's message delivered again is not recognised: %+v", s)
			}
		}
	}

	bobs2 := bobs
	bobs2.MessageID, bobs2.SentAt, bobs2.Categories = "bob-2", start.Add(13*day), nil
	l.Apply(p, "alice", bobs2)
	l.Apply(p, "alice", policy.Observation{Action: policy.ActionBlock, MessageID: "block-1", SenderID: "alice",
		RecipientID: "bob", SentAt: start.Add(22 * day)})
	if s := l.Apply(p, "alice", bobs2); s.Status == policy.StatusCounted {
		t.Fatalf("bob's unanswered message, delivered again after his block of alice a window later, counted again: %+v", s)
	}
}
