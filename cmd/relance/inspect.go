package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

var inspectTool = redisTool{
	name:     "inspect",
	synopsis: "A B",
	about: `Shows what relance holds in Redis about members A and B: both directions of their pair
(unanswered messages with their times and attempts, the levels fired and when, nudged,
dismissed, blocked) and both members' sender records (members pestered, blocked by,
reported by). It only reads, and prints no message text: Redis holds none. The levels are
named by the policy of RELANCE_POLICY_FILE: give it the processor's.`,
	example:  "RELANCE_REDIS_ADDR=redis:6379 relance inspect member-123 member-456 -format json",
	settings: []string{"RELANCE_POLICY_FILE"},
	nargs:    2,
}

func inspect(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	a, err := inspectTool.parse(args, getenv, stderr)
	if err != nil {
		return err
	}
	if a.members[0] == a.members[1] {
		return inspectTool.usageError(stderr, "A and B are the same member: a pair has two")
	}
	pol := policy.Default()
	if a.policyFile != "" {
		if pol, err = policy.Load(a.policyFile); err != nil {
			return err
		}
	}
	client, err := a.connect(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	in, err := state.Inspect(ctx, client, pol, state.Config{}, a.members[0], a.members[1])
	if err != nil {
		return err
	}
	if a.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(newInspectJSON(in, pol))
	}
	return writeInspection(stdout, in, pol)
}

// writeInspection prints in for people: one block per direction, then per sender record.
func writeInspection(w io.Writer, in *state.Inspection, pol *policy.Policy) error {
	var b strings.Builder
	if in.Empty() {
		fmt.Fprintf(&b, "Nothing held about %s and %s.\n", in.A, in.B)
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "What relance holds about %s and %s (levels as policy %s names them).\n\n", in.A, in.B, pol.Version())
	if p := in.Pair; p == nil {
		fmt.Fprintf(&b, "Pair: nothing held.\n")
	} else {
		fmt.Fprintf(&b, "Pair %s, %s.\n", p.Key, expiry(p.TTL))
		for _, d := range []state.DirectionRecord{p.AB, p.BA} {
			writeDirection(&b, d, pol.Window())
		}
	}
	for i, s := range in.Senders {
		member := []string{in.A, in.B}[i]
		b.WriteString("\n")
		if s == nil {
			fmt.Fprintf(&b, "Sender record of %s: nothing held.\n", member)
			continue
		}
		fmt.Fprintf(&b, "Sender record of %s, %s, %s, newest signal %s:\n", member, s.Key, expiry(s.TTL), stamp(s.Newest))
		if len(s.Entries) == 0 {
			b.WriteString("  no member counted\n")
		}
		for _, e := range s.Entries {
			fmt.Fprintf(&b, "  %-11s %s at %s\n", e.Kind, e.Member, stamp(e.At))
			for _, c := range e.Crossed {
				fmt.Fprintf(&b, "              crossed level %d, counting %s\n", c.Level, strings.Join(c.Members, ", "))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeDirection(b *strings.Builder, d state.DirectionRecord, window time.Duration) {
	fmt.Fprintf(b, "\n%s → %s\n", d.From, d.To)
	if n := len(d.Unanswered); n == 0 {
		b.WriteString("  no unanswered message\n")
	} else {
		last := d.Unanswered[n-1]
		fmt.Fprintf(b, "  %d unanswered message(s) in %d attempt(s); streak started by %s, peak %d message(s) in %d attempt(s), %d offensive\n",
			n, last.Attempt, orNone(d.StartID), d.Peak, d.PeakAttempts, d.Offensive)
		for _, u := range d.Unanswered {
			fmt.Fprintf(b, "    %s  attempt %d  %s\n", stamp(u.SentAt), u.Attempt, u.ID)
		}
		fmt.Fprintf(b, "  the last of them leaves the window at %s: a message sent from then on starts a new streak\n", stamp(last.SentAt.Add(window)))
	}
	fmt.Fprintf(b, "  nudged: %s", when(d.Nudged))
	if !d.Nudged.IsZero() {
		fmt.Fprintf(b, ", then %s", orNone(d.Outcome))
	}
	fmt.Fprintf(b, "\n  dismissed: %s\n  blocked: %s\n  last answered: %s\n  newest message: %s\n  ids remembered for redelivery: %d\n",
		when(d.Dismissed), when(d.Blocked), when(d.Answered), when(d.Newest), d.Seen)
	if len(d.Kept) > 0 {
		b.WriteString("  levels fired, kept for redelivery:\n")
	}
	for i, k := range d.Kept {
		what := "message " + k.ID
		if k.Action {
			what = "report " + k.ID
		}
		fmt.Fprintf(b, "    %s  %s (%d unanswered, %d attempts)", stamp(k.SentAt), what, k.Streak.Count, k.Streak.Attempts)
		if len(k.Streak.Categories) > 0 {
			fmt.Fprintf(b, " offensive: %s", joinCategories(k.Streak.Categories))
		}
		fired := d.Fired[i]
		for _, n := range fired.Nudges {
			fmt.Fprintf(b, "; nudge %s to the %s", n.Kind, n.Audience)
		}
		for _, a := range fired.Alerts {
			fmt.Fprintf(b, "; alert %s (%s)", a.Severity, strings.Join(a.Reasons, ", "))
		}
		if len(fired.Nudges)+len(fired.Alerts) == 0 {
			b.WriteString("; nothing under this policy")
		}
		b.WriteString("\n")
	}
}

func joinCategories(cs []policy.Category) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// stamp is an event time as it goes on the wire.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func when(t time.Time) string {
	if t.IsZero() {
		return "no"
	}
	return stamp(t)
}

func orNone(s string) string {
	if s == "" {
		return "none yet"
	}
	return s
}

func expiry(ttl time.Duration) string {
	if ttl < 0 {
		return "no expiry"
	}
	return "expires in " + ttl.Round(time.Second).String() + " unless written again"
}

// inspectJSON is what inspect -format json prints. Times are RFC 3339 in UTC, omitted
// when there is none.
type inspectJSON struct {
	A             string       `json:"a"`
	B             string       `json:"b"`
	PolicyVersion string       `json:"policy_version"`
	Held          bool         `json:"held"`
	Pair          *pairJSON    `json:"pair"`
	Senders       []senderJSON `json:"senders"`
}

type pairJSON struct {
	Key        string          `json:"key"`
	TTLSeconds int64           `json:"ttl_seconds"` // -1: no expiry
	Directions []directionJSON `json:"directions"`
}

type directionJSON struct {
	From         string           `json:"from"`
	To           string           `json:"to"`
	Unanswered   []unansweredJSON `json:"unanswered"`
	Attempts     int              `json:"attempts"`
	StartID      string           `json:"start_id,omitempty"`
	Peak         int              `json:"peak"`
	PeakAttempts int              `json:"peak_attempts"`
	Offensive    int              `json:"offensive"`
	LeavesWindow string           `json:"leaves_window_at,omitempty"`
	NudgedAt     string           `json:"nudged_at,omitempty"`
	Outcome      string           `json:"nudge_outcome,omitempty"`
	DismissedAt  string           `json:"dismissed_at,omitempty"`
	BlockedAt    string           `json:"blocked_at,omitempty"`
	AnsweredAt   string           `json:"answered_at,omitempty"`
	NewestAt     string           `json:"newest_message_at,omitempty"`
	Remembered   int              `json:"ids_remembered"`
	Fired        []firedJSON      `json:"fired"`
}

type unansweredJSON struct {
	ID      string `json:"id"`
	SentAt  string `json:"sent_at"`
	Attempt int    `json:"attempt"`
}

type firedJSON struct {
	ID         string      `json:"id"`
	Kind       string      `json:"kind"` // message or report
	At         string      `json:"at"`
	Count      int         `json:"unanswered_count"`
	Attempts   int         `json:"attempts"`
	Categories []string    `json:"categories"`
	Nudges     []nudgeJSON `json:"nudges"`
	Alerts     []alertJSON `json:"alerts"`
}

type nudgeJSON struct {
	Audience string `json:"audience"`
	Kind     string `json:"kind"`
}

type alertJSON struct {
	Severity string   `json:"severity"`
	Reasons  []string `json:"reasons"`
}

type senderJSON struct {
	Member string      `json:"member"`
	Record *recordJSON `json:"record"`
}

type recordJSON struct {
	Key        string      `json:"key"`
	TTLSeconds int64       `json:"ttl_seconds"`
	NewestAt   string      `json:"newest_signal_at"`
	Entries    []entryJSON `json:"entries"`
}

type entryJSON struct {
	Kind    string         `json:"kind"`
	Member  string         `json:"member"`
	At      string         `json:"at"`
	Crossed []crossingJSON `json:"crossed"`
}

type crossingJSON struct {
	Level   int      `json:"level"`
	Members []string `json:"members"`
}

func newInspectJSON(in *state.Inspection, pol *policy.Policy) inspectJSON {
	out := inspectJSON{A: in.A, B: in.B, PolicyVersion: pol.Version(), Held: !in.Empty(), Senders: []senderJSON{}}
	if p := in.Pair; p != nil {
		out.Pair = &pairJSON{Key: p.Key, TTLSeconds: ttlSeconds(p.TTL)}
		for _, d := range []state.DirectionRecord{p.AB, p.BA} {
			out.Pair.Directions = append(out.Pair.Directions, newDirectionJSON(d, pol.Window()))
		}
	}
	for i, s := range in.Senders {
		sj := senderJSON{Member: []string{in.A, in.B}[i]}
		if s != nil {
			sj.Record = &recordJSON{Key: s.Key, TTLSeconds: ttlSeconds(s.TTL), NewestAt: optional(s.Newest), Entries: []entryJSON{}}
			for _, e := range s.Entries {
				ej := entryJSON{Kind: e.Kind.String(), Member: e.Member, At: stamp(e.At), Crossed: []crossingJSON{}}
				for _, c := range e.Crossed {
					ej.Crossed = append(ej.Crossed, crossingJSON{Level: c.Level, Members: c.Members})
				}
				sj.Record.Entries = append(sj.Record.Entries, ej)
			}
		}
		out.Senders = append(out.Senders, sj)
	}
	return out
}

func newDirectionJSON(d state.DirectionRecord, window time.Duration) directionJSON {
	j := directionJSON{
		From: d.From, To: d.To, Unanswered: []unansweredJSON{}, StartID: d.StartID,
		Peak: d.Peak, PeakAttempts: d.PeakAttempts, Offensive: d.Offensive,
		NudgedAt: optional(d.Nudged), Outcome: d.Outcome, DismissedAt: optional(d.Dismissed),
		BlockedAt: optional(d.Blocked), AnsweredAt: optional(d.Answered), NewestAt: optional(d.Newest),
		Remembered: d.Seen, Fired: []firedJSON{},
	}
	for _, u := range d.Unanswered {
		j.Unanswered = append(j.Unanswered, unansweredJSON{ID: u.ID, SentAt: stamp(u.SentAt), Attempt: u.Attempt})
		j.Attempts = u.Attempt
	}
	if n := len(d.Unanswered); n > 0 {
		j.LeavesWindow = stamp(d.Unanswered[n-1].SentAt.Add(window))
	}
	for i, k := range d.Kept {
		f := firedJSON{ID: k.ID, Kind: "message", At: stamp(k.SentAt), Count: k.Streak.Count, Attempts: k.Streak.Attempts,
			Categories: []string{}, Nudges: []nudgeJSON{}, Alerts: []alertJSON{}}
		if k.Action {
			f.Kind = "report"
		}
		for _, c := range k.Streak.Categories {
			f.Categories = append(f.Categories, string(c))
		}
		for _, n := range d.Fired[i].Nudges {
			f.Nudges = append(f.Nudges, nudgeJSON{Audience: n.Audience, Kind: n.Kind})
		}
		for _, a := range d.Fired[i].Alerts {
			f.Alerts = append(f.Alerts, alertJSON{Severity: a.Severity, Reasons: a.Reasons})
		}
		j.Fired = append(j.Fired, f)
	}
	return j
}

func optional(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return stamp(t)
}

func ttlSeconds(ttl time.Duration) int64 {
	if ttl < 0 {
		return -1
	}
	return int64(ttl / time.Second)
}
