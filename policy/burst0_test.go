package policy_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/streak"
)

// TestBurstZeroDecidesPerMessage: with burst 0 every message is an attempt, and the
// default policy decides exactly as relance did before attempts existed. The golden file
// was written by that version (7f08394, relance-default-1) from this same workload: every
// nudge and alert, with its id, counts and evidence. Never regenerate it with this code.
func TestBurstZeroDecidesPerMessage(t *testing.T) {
	pol, err := policy.Parse([]byte("version: per-message\nfollow_up:\n  burst: 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "per-message.golden"))
	if err != nil {
		t.Fatal(err)
	}
	got := perMessageDecisions(pol, perMessageWorkload(1, 3000))
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d:\n got %s\nwant %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%d lines, want %d", len(gl), len(wl))
	}
	// The same workload under the default burst is not per message: bubbles group.
	if bytes.Equal(perMessageDecisions(policy.Default(), perMessageWorkload(1, 3000)), want) {
		t.Error("the default policy decides per message too: the workload has no bursts")
	}
}

// perMessageWorkload is a reproducible mix of quick bubbles, follow-ups hours apart,
// replies, late and offensive messages and redeliveries among a few members.
func perMessageWorkload(seed uint64, n int) []policy.Input {
	rng := rand.New(rand.NewPCG(seed, 11))
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var clock time.Duration
	var out []policy.Input
	for i := range n {
		if len(out) > 0 && rng.IntN(10) == 0 {
			out = append(out, out[len(out)-1-rng.IntN(min(len(out), 20))]) // a redelivery
			continue
		}
		switch rng.IntN(3) {
		case 0:
			clock += time.Duration(rng.IntN(60)) * time.Second // a bubble
		case 1:
			clock += time.Duration(rng.IntN(20)) * time.Minute
		default:
			clock += time.Duration(rng.IntN(10)) * time.Hour
		}
		sent := clock
		if rng.IntN(12) == 0 {
			sent -= time.Duration(rng.IntN(3)) * time.Hour // late
		}
		from := rng.IntN(4)
		to := (from + 1 + rng.IntN(3)) % 4
		if from > to && rng.IntN(5) != 0 {
			from, to = to, from // most talk goes one way
		}
		o := policy.Observation{Action: policy.ActionMessage, MessageID: fmt.Sprintf("m-%d", i),
			SenderID: fmt.Sprintf("u-%d", from), RecipientID: fmt.Sprintf("u-%d", to), SentAt: base.Add(sent)}
		switch rng.IntN(20) {
		case 0:
			o.Categories = []policy.Category{policy.CategoryInsult}
		case 1:
			o.Action = policy.ActionReply
		}
		out = append(out, policy.Input{Observation: o, Locale: "fr"})
	}
	return out
}

// perMessageDecisions decides the workload in memory with pol and writes one line per
// output: what it is, its id, its counts and evidence; no text, no version.
func perMessageDecisions(pol *policy.Policy, inputs []policy.Input) []byte {
	l := streak.LimitsFor(pol)
	pairs := map[string]*streak.Pair{}
	var b bytes.Buffer
	for _, in := range inputs {
		o := in.Observation
		low, high := min(o.SenderID, o.RecipientID), max(o.SenderID, o.RecipientID)
		p := pairs[low+"|"+high]
		if p == nil {
			p = &streak.Pair{}
			pairs[low+"|"+high] = p
		}
		d := pol.Decide(in, l.Apply(p, low, o))
		for _, n := range d.Nudges {
			fmt.Fprintf(&b, "%s nudge %s %s %s→%s count=%d ids=%s\n", o.MessageID, n.Kind, n.NudgeID, n.UserID, n.OtherUserID,
				n.UnansweredCount, strings.Join(n.MessageIDs, ","))
		}
		for _, a := range d.Alerts {
			nudged := ""
			if a.NudgedAt != nil {
				nudged = a.NudgedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(&b, "%s alert %s %s %s→%s reasons=%s count=%d nudged=%s ids=%s\n", o.MessageID, a.Severity, a.AlertID,
				a.SenderID, a.RecipientID, strings.Join(a.Reasons, ","), a.UnansweredCount, nudged, strings.Join(a.MessageIDs, ","))
		}
	}
	return b.Bytes()
}
