package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
	"github.com/relance/relance/topics"
)

// WorkloadConfig shapes a workload. The zero value of each field means its default.
type WorkloadConfig struct {
	// Seed makes the workload reproducible: the same seed and settings give the same
	// records and ledger (event times aside, which follow Base).
	Seed uint64
	// Pairs is the number of scripted pairs whose streaks reach the policy's levels.
	// Default 200.
	Pairs int
	// ReplyPairs is the number of short conversations answered through the reply topic.
	// Default Pairs/4.
	ReplyPairs int
	// RepeatOffenders is the number of senders who pester several members in turn
	// (crossing the sender-level alerts). Default Pairs/50, at least 1.
	RepeatOffenders int
	// BadRate is the share of records that are bad input, in [0, 0.5]. Default 0 (none);
	// TestBadInput uses 0.05.
	BadRate float64
	// Base is the event time of the earliest event. Default: two days before now, so every
	// event is in the past of the processor's clock and within one window.
	Base time.Time
	// Topics are the topic names; empty names take their defaults.
	Topics topics.Names
}

func (c WorkloadConfig) withDefaults() WorkloadConfig {
	if c.Pairs == 0 {
		c.Pairs = 200
	}
	if c.ReplyPairs == 0 {
		c.ReplyPairs = c.Pairs / 4
	}
	if c.RepeatOffenders == 0 {
		c.RepeatOffenders = max(1, c.Pairs/50)
	}
	if c.Base.IsZero() {
		c.Base = time.Now().Add(-48 * time.Hour)
	}
	c.Base = c.Base.UTC().Truncate(time.Millisecond)
	c.Topics = c.Topics.WithDefaults()
	return c
}

// Record is one input record of the workload.
type Record struct {
	Topic string
	Key   []byte
	Value []byte
	// Bad names the kind of bad input (see BadKinds); empty for a valid event.
	Bad string
}

// Workload is the records to produce, in order, and the outputs they must yield.
type Workload struct {
	Records []Record
	Ledger  Ledger
}

// Ledger is what relance must publish for a workload.
type Ledger struct {
	// Outputs maps every expected nudge_id and alert_id to what it is about.
	Outputs map[string]Output
	// Events is the number of records, bad ones included; Bad the number of bad ones,
	// which must all be dead-lettered, and BadByKind their kinds.
	Events, Bad int
	BadByKind   map[string]int
	// Valid counts the valid events by topic.
	Valid map[string]int
	// Bursts counts the follow_up_limit nudges whose attempts held several messages, and
	// Floods those fired by the unanswered messages before the attempts got there.
	Bursts, Floods int
	// Actions is the number of valid member-action records, redeliveries included;
	// ActionsByKind counts them by action, and Redelivered the redeliveries among them.
	Actions       int
	ActionsByKind map[string]int
	Redelivered   int
	// SenderAlerts counts the sender-level alerts expected (repeat offenders).
	SenderAlerts int
}

// Output is one expected or observed decision, reduced to what identifies it.
type Output struct {
	ID string
	// What is "nudge <kind> <audience>" or "alert <severity>".
	What string
	// From and To are the pair: the nudged member and the other one for a nudge, sender
	// and recipient for an alert.
	From, To    string
	TriggeredBy string
}

// Key is the decision without its id: two outputs with the same key must carry the same id.
func (o Output) Key() string {
	return fmt.Sprintf("%s %s->%s by %s", o.What, o.From, o.To, o.TriggeredBy)
}

// BadKinds are the kinds of bad input the workload sends.
var BadKinds = []string{
	"random-bytes", "truncated-json", "missing-field", "empty-field", "wrong-type",
	"invalid-utf8", "oversize", "long-id", "future", "past", "self-addressed",
	"self-action", "unknown-action",
}

// actionKinds are the bad input kinds sent on the member-action topic.
var actionKinds = map[string]bool{"self-action": true, "unknown-action": true}

// event is one valid input event of a pair's script.
type event struct {
	reply bool
	// action is a member action (topics.MemberActionDismiss…): to did it about from, at
	// at; from is the member acted about, whose streak it is, as the processor decodes it.
	// redelivery marks a second record of an action already in the script.
	action      string
	redelivery  bool
	id          string
	from, to    string
	at          time.Time
	locale      string
	labels      []string
	attachments []topics.Attachment
	key         string
}

// Generate builds the workload and its ledger: what relance must publish for it, decided by
// the real policy over relance's own store algorithm, in memory (state.Memory).
//
// Every pair's events are keyed by the pair, so they land in one partition of one topic
// and are processed in order: that is what makes the expected decisions exact. Answers in
// scripted pairs are messages back (a MessageSent from B to A answers A, on the same
// partition); replies on the reply topic only close short conversations of at most three
// messages, whose outcome (no decision) does not depend on their order. Member actions,
// on their own topic too, are chosen so that their decisions do not depend on their order
// relative to the pair's messages (see scriptActions).
func Generate(cfg WorkloadConfig, pol *policy.Policy) Workload {
	cfg = cfg.withDefaults()
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x72656c616e6365))
	var scripts [][]event
	for i := range cfg.Pairs {
		scripts = append(scripts, scriptPair(rng, cfg, pol, i))
	}
	for i := range cfg.ReplyPairs {
		scripts = append(scripts, scriptReplyPair(rng, cfg, i))
	}
	for i := range cfg.RepeatOffenders {
		scripts = append(scripts, scriptRepeatOffender(rng, cfg, i))
	}

	// Interleave the scripts at random, keeping each one's order.
	var order []event
	total := 0
	for _, s := range scripts {
		total += len(s)
	}
	for total > 0 {
		n := rng.IntN(total)
		for i, s := range scripts {
			if n < len(s) {
				order = append(order, s[0])
				scripts[i] = s[1:]
				break
			}
			n -= len(s)
		}
		total--
	}

	w := Workload{Ledger: Ledger{
		Outputs:       map[string]Output{},
		BadByKind:     map[string]int{},
		Valid:         map[string]int{},
		ActionsByKind: map[string]int{},
	}}
	store, err := state.NewMemory(pol, state.Config{})
	if err != nil {
		panic(fmt.Sprintf("faults: in-memory store: %v", err)) // the zero Config is valid
	}
	bad := 0
	if cfg.BadRate > 0 {
		bad = int(float64(len(order))*cfg.BadRate/(1-cfg.BadRate) + 0.5)
	}
	badAt := map[int]bool{}
	for len(badAt) < bad {
		badAt[rng.IntN(len(order)+bad)] = true
	}
	next := 0
	for pos := range len(order) + bad {
		if badAt[pos] {
			kind := BadKinds[len(w.Ledger.BadByKind)%len(BadKinds)]
			if len(w.Ledger.BadByKind) == len(BadKinds) {
				kind = BadKinds[rng.IntN(len(BadKinds))]
			}
			w.Records = append(w.Records, badRecord(rng, cfg, kind, w.Ledger.Bad))
			w.Ledger.Bad++
			w.Ledger.BadByKind[kind]++
			continue
		}
		ev := order[next]
		next++
		rec := ev.record(cfg.Topics)
		w.Records = append(w.Records, rec)
		w.Ledger.Valid[rec.Topic]++
		if ev.action != "" {
			w.Ledger.Actions++
			w.Ledger.ActionsByKind[ev.action]++
			if ev.redelivery {
				w.Ledger.Redelivered++
			}
		}
		in := ev.input()
		res, err := store.Apply(context.Background(), []policy.Observation{in.Observation})
		if err != nil {
			panic(fmt.Sprintf("faults: in-memory store: %v", err)) // it fails on nothing but a cancelled context
		}
		d := pol.DecideResult(in, res[0])
		for _, o := range outputsOf(d) {
			w.Ledger.Outputs[o.ID] = o
		}
		for _, a := range d.Alerts {
			if len(a.MemberIDs) > 0 {
				w.Ledger.SenderAlerts++
			}
		}
		for _, n := range d.Nudges {
			if n.Kind == topics.KindFollowUpLimit && n.UnansweredCount > n.Attempts {
				w.Ledger.Bursts++
			}
			if n.Kind == topics.KindFollowUpLimit && n.Attempts < pol.Nudge().Attempts {
				w.Ledger.Floods++
			}
		}
	}
	w.Ledger.Events = len(w.Records)
	return w
}

// streakLengths are the first streak of each scripted pair, in turn, in attempts: every
// level, just under and just over it.
var streakLengths = []int{4, 7, 12, 3, 5, 13, 6, 8, 11, 1, 2, 15}

// floodLengths are the messages of a flood: one attempt of quick messages that reaches
// the levels on messages alone, just under and over them.
var floodLengths = []int{10, 9, 20, 41, 19, 11}

// scriptPair writes one pair's conversation: one to three streaks, each by either member,
// mostly answered, with now and then an offensive message, and a polite exchange. A
// streak is attempts minutes apart, each of one message or a burst of quick bubbles
// seconds apart; one pair in five floods instead: tens of messages seconds apart.
func scriptPair(rng *rand.Rand, cfg WorkloadConfig, pol *policy.Policy, i int) []event {
	a, b := fmt.Sprintf("s%d-%d-a", cfg.Seed, i), fmt.Sprintf("s%d-%d-b", cfg.Seed, i)
	key := fmt.Sprintf("pair-%d", i)
	locale := []string{"fr", "en", ""}[rng.IntN(3)]
	t := cfg.Base.Add(time.Duration(rng.IntN(3600)) * time.Second)
	var out []event
	n := 0
	// after is when the next message is sent: a bubble (seconds after the previous one),
	// or a new attempt (six minutes to an hour later: more than the default burst).
	after := func(bubble bool) time.Duration {
		if bubble {
			return time.Duration(1+rng.IntN(50))*time.Second + time.Duration(rng.IntN(1000))*time.Millisecond
		}
		return time.Duration(6+rng.IntN(54))*time.Minute + time.Duration(rng.IntN(1000))*time.Millisecond
	}
	add := func(from, to string, gap time.Duration) *event {
		n++
		t = t.Add(gap)
		out = append(out, event{id: fmt.Sprintf("m-%d-%d-%d", cfg.Seed, i, n), from: from, to: to, at: t, locale: locale, key: key})
		return &out[len(out)-1]
	}
	streaks := 1 + rng.IntN(3)
	for s := range streaks {
		from, to := a, b
		if rng.IntN(4) == 0 {
			from, to = b, a
		}
		if s == 0 && i%5 == 4 {
			for k := range floodLengths[i/5%len(floodLengths)] {
				e := add(from, to, after(k > 0))
				if rng.IntN(40) == 0 {
					offend(rng, e)
				}
			}
		} else {
			attempts := streakLengths[i%len(streakLengths)]
			if s > 0 {
				attempts = 1 + rng.IntN(14)
			}
			for range attempts {
				for b := range 1 + burstLength(rng) {
					e := add(from, to, after(b > 0))
					if rng.IntN(40) == 0 {
						offend(rng, e)
					}
				}
			}
		}
		switch rng.IntN(4) {
		case 0: // left unanswered
		case 1: // a polite exchange: each answers the other
			for k := range 2 + rng.IntN(4) {
				if k%2 == 0 {
					add(to, from, after(false))
				} else {
					add(from, to, after(false))
				}
			}
		default:
			answer := add(to, from, after(false))
			if rng.IntN(3) == 0 {
				// A message sent just before the answer that arrives after it: late,
				// never counted, but its content still raises an alert.
				n++
				late := event{id: fmt.Sprintf("m-%d-%d-%d", cfg.Seed, i, n), from: from, to: to,
					at: answer.at.Add(-time.Duration(1+rng.IntN(999)) * time.Millisecond), locale: locale, key: key}
				if rng.IntN(2) == 0 {
					offend(rng, &late)
				}
				out = append(out, late)
			}
		}
	}
	return scriptActions(rng, cfg, pol, i, out, a, b)
}

// scriptRepeatOffender writes one sender pestering three to five members in turn: four
// follow-ups each, unanswered, so each streak reaches the nudge and the sender's
// pestered count crosses the sender-level levels (3, and 5 for some). Every event of the
// script is keyed by the sender, so they land in one partition and are processed in
// order: which signal crosses a level, and so the alert's id, does not depend on how the
// processor interleaves partitions.
func scriptRepeatOffender(rng *rand.Rand, cfg WorkloadConfig, i int) []event {
	sender := fmt.Sprintf("s%d-o%d", cfg.Seed, i)
	key := fmt.Sprintf("offender-%d", i)
	t := cfg.Base.Add(time.Duration(rng.IntN(3600)) * time.Second)
	var out []event
	for m := range 3 + i%3 {
		to := fmt.Sprintf("s%d-o%d-m%d", cfg.Seed, i, m)
		for k := range 4 {
			t = t.Add(time.Duration(6+rng.IntN(20))*time.Minute + time.Duration(rng.IntN(1000))*time.Millisecond)
			out = append(out, event{id: fmt.Sprintf("m-%d-o%d-%d-%d", cfg.Seed, i, m, k), from: sender, to: to, at: t, locale: "fr", key: key})
		}
	}
	return out
}

// burstLength is how many quick bubbles follow an attempt's first message: mostly none,
// often one or two, now and then up to five.
func burstLength(rng *rand.Rand) int {
	switch r := rng.IntN(10); {
	case r < 5:
		return 0
	case r < 9:
		return 1 + rng.IntN(2)
	default:
		return 3 + rng.IntN(3)
	}
}

func offend(rng *rand.Rand, e *event) {
	switch rng.IntN(5) {
	case 0:
		e.attachments = []topics.Attachment{{Kind: "image", Labels: []string{"nudity"}}}
	default:
		e.labels = []string{[]string{"insult", "hate", "threat", "sexual"}[rng.IntN(4)]}
	}
}

// scriptReplyPair writes a short conversation: one to three messages, then a reply on the
// reply topic. Whatever the order they are processed in, nothing is decided.
func scriptReplyPair(rng *rand.Rand, cfg WorkloadConfig, i int) []event {
	a, b := fmt.Sprintf("s%d-r%d-a", cfg.Seed, i), fmt.Sprintf("s%d-r%d-b", cfg.Seed, i)
	key := fmt.Sprintf("reply-pair-%d", i)
	t := cfg.Base.Add(time.Duration(rng.IntN(3600)) * time.Second)
	var out []event
	for n := range 1 + rng.IntN(3) {
		t = t.Add(time.Duration(1+rng.IntN(60)) * time.Second)
		out = append(out, event{id: fmt.Sprintf("m-%d-r%d-%d", cfg.Seed, i, n), from: a, to: b, at: t, locale: "en", key: key})
	}
	t = t.Add(time.Minute)
	return append(out, event{reply: true, id: fmt.Sprintf("r-%d-r%d", cfg.Seed, i), from: b, to: a, at: t, key: key})
}

func (e event) record(names topics.Names) Record {
	if e.action != "" {
		v, _ := json.Marshal(topics.MemberAction{ActionID: e.id, MemberID: e.to, OtherMemberID: e.from, Action: e.action, At: e.at})
		return Record{Topic: names.MemberAction, Key: []byte(e.key), Value: v}
	}
	if e.reply {
		v, _ := json.Marshal(topics.Reply{MessageID: e.id, SenderID: e.from, RecipientID: e.to, SentAt: e.at})
		return Record{Topic: names.Reply, Key: []byte(e.key), Value: v}
	}
	v, _ := json.Marshal(topics.MessageSent{
		MessageID: e.id, SenderID: e.from, RecipientID: e.to, SentAt: e.at,
		Locale: e.locale, Labels: e.labels, Attachments: e.attachments,
	})
	return Record{Topic: names.MessageSent, Key: []byte(e.key), Value: v}
}

// badRecord builds the n-th bad input, of the given kind; n makes it unique.
func badRecord(rng *rand.Rand, cfg WorkloadConfig, kind string, n int) Record {
	topic := cfg.Topics.MessageSent
	if actionKinds[kind] {
		topic = cfg.Topics.MemberAction
	} else if rng.IntN(4) == 0 {
		topic = cfg.Topics.Reply
	}
	id := fmt.Sprintf("bad-%d-%d", cfg.Seed, n)
	at := cfg.Base.Format(time.RFC3339Nano)
	obj := func(fields string) []byte {
		return []byte(`{` + fields + `}`)
	}
	var v []byte
	switch kind {
	case "random-bytes":
		v = make([]byte, 1+rng.IntN(200))
		for i := range v {
			v[i] = byte(rng.UintN(256))
		}
		v[0] = 0xff // never a JSON object
		v = append(v, id...)
	case "truncated-json":
		full := obj(fmt.Sprintf(`"message_id":%q,"sender_id":"x-%s","recipient_id":"y","sent_at":%q`, id, id, at))
		v = full[:len(full)/2]
	case "missing-field":
		v = obj(fmt.Sprintf(`"message_id":%q,"recipient_id":"y","sent_at":%q`, id, at))
	case "empty-field":
		v = obj(fmt.Sprintf(`"message_id":%q,"sender_id":"","recipient_id":"y","sent_at":%q`, id, at))
	case "wrong-type":
		v = obj(fmt.Sprintf(`"message_id":%q,"sender_id":42,"recipient_id":"y","sent_at":%q`, id, at))
	case "invalid-utf8":
		v = obj(fmt.Sprintf(`"message_id":%q,"sender_id":"x-`+"\xff\xfe"+`","recipient_id":"y","sent_at":%q`, id, at))
	case "oversize":
		v = obj(fmt.Sprintf(`"message_id":%q,"sender_id":"x","recipient_id":"y","sent_at":%q,"conversation_id":%q`,
			id, at, strings.Repeat("c", topics.MaxValueBytes)))
	case "long-id":
		v = obj(fmt.Sprintf(`"message_id":%q,"sender_id":"x","recipient_id":"y","sent_at":%q`, id+strings.Repeat("i", topics.MaxIDBytes), at))
	case "future":
		v = obj(fmt.Sprintf(`"message_id":%q,"sender_id":"x","recipient_id":"y","sent_at":%q`, id, time.Now().Add(48*time.Hour).UTC().Format(time.RFC3339)))
	case "past":
		v = obj(fmt.Sprintf(`"message_id":%q,"sender_id":"x","recipient_id":"y","sent_at":"1970-01-01T00:00:01Z"`, id))
	case "self-addressed":
		v = obj(fmt.Sprintf(`"message_id":%q,"sender_id":"x","recipient_id":"x","sent_at":%q`, id, at))
	case "self-action":
		v = obj(fmt.Sprintf(`"action_id":%q,"member_id":"x","other_member_id":"x","action":"report","at":%q`, id, at))
	case "unknown-action":
		v = obj(fmt.Sprintf(`"action_id":%q,"member_id":"x","other_member_id":"y","action":"mute","at":%q`, id, at))
	default:
		panic("faults: unknown bad input kind " + kind)
	}
	return Record{Topic: topic, Key: []byte(id), Value: v, Bad: kind}
}

// input is what the processor decodes from the event's record (the workload's messages
// carry no text, so labels alone decide rule 3).
func (e event) input() policy.Input {
	o := policy.Observation{Action: policy.ActionMessage, MessageID: e.id, SenderID: e.from, RecipientID: e.to, SentAt: e.at}
	if e.action != "" {
		o.Action, _ = policy.MemberAction(e.action)
		return policy.Input{Observation: o}
	}
	if e.reply {
		o.Action = policy.ActionReply
		return policy.Input{Observation: o}
	}
	attachments := make([][]string, len(e.attachments))
	for i, a := range e.attachments {
		attachments[i] = a.Labels
	}
	o.Categories = policy.Categories(e.labels, attachments)
	return policy.Input{Observation: o, Locale: e.locale}
}

// outputsOf reduces decisions to what the checker compares.
func outputsOf(d policy.Decisions) []Output {
	var out []Output
	for _, n := range d.Nudges {
		out = append(out, NudgeOutput(n))
	}
	for _, a := range d.Alerts {
		out = append(out, AlertOutput(a))
	}
	return out
}

// NudgeOutput reduces a nudge to what the checker compares.
func NudgeOutput(n topics.CoachNudge) Output {
	return Output{ID: n.NudgeID, What: "nudge " + n.Kind + " " + n.Audience, From: n.UserID, To: n.OtherUserID, TriggeredBy: n.TriggeredBy}
}

// AlertOutput reduces an alert to what the checker compares.
func AlertOutput(a topics.ModerationAlert) Output {
	return Output{ID: a.AlertID, What: "alert " + a.Severity, From: a.SenderID, To: a.RecipientID, TriggeredBy: a.TriggeredBy}
}

// Summary describes the ledger in one line.
func (l Ledger) Summary() string {
	by := map[string]int{}
	for _, o := range l.Outputs {
		by[o.What]++
	}
	return fmt.Sprintf("%d events (%d bad, %d member actions: %.1f %%, %d redelivered, %v), %d outputs expected (%d limits reached in bursts, %d by floods, %d sender-level alerts): %v",
		l.Events, l.Bad, l.Actions, 100*float64(l.Actions)/float64(max(l.Events, 1)), l.Redelivered, l.ActionsByKind,
		len(l.Outputs), l.Bursts, l.Floods, l.SenderAlerts, by)
}

// direction is what a pair's messages alone decide for one of its directions.
type direction struct {
	from, to string
	// msgs are the direction's messages, in script order.
	msgs []int
	// loud: its messages decided something besides content alerts (a rule-2 level or a
	// respectful-language nudge); offensive: one of them carried offensive content;
	// nudged: the earliest time one of its streaks reached the nudge (zero if none did).
	loud, offensive bool
	nudged          time.Time
}

// scriptActions adds member actions to a pair's script of messages: now and then a report,
// a dismiss, a block, an unblock, some of them redelivered (the same action_id again later
// in the script, as a producer's retry would).
//
// Member actions go to their own topic, so relance may process a pair's action before or
// after any of the pair's messages, whatever their order in the script: the ledger is exact
// only for actions whose decisions do not depend on that order. Decided on the pair's
// messages alone (in order: what the most messages processed first decide), each direction
// shows what an action could change:
//
//   - A report always raises its alert (the workload stays within one window: never stale)
//     with an id, sender, recipient and triggered_by that are the action's. Its severity is
//     not: high when the streak at `at` was nudged or offensive, as processed so far; a
//     report processed before the streak's messages sees no streak and is medium. So the
//     reported direction is never offensive and `at` is before its first nudge: medium in
//     any order. `at` follows one of its messages, and the report comes anywhere after it
//     in the script, now and then after later messages of the streak (a late report).
//   - A dismiss silences rule 2 for every message of the streak processed after it, even
//     ones sent before it; a block makes them late (not counted). Either one, processed
//     early, would take away the nudges and level alerts of the streak's later messages,
//     "right after the nudge" as well as anywhere else. So both only act on a quiet
//     direction, whose messages decide nothing but content alerts (which a late message
//     raises the same), and come after its last message in the script (a block: also
//     later than all of them), so no message ever joins a streak from before the block.
//   - An unblock changes nothing: anywhere.
func scriptActions(rng *rand.Rand, cfg WorkloadConfig, pol *policy.Policy, i int, out []event, a, b string) []event {
	dirs := [2]*direction{{from: a, to: b}, {from: b, to: a}}
	store, err := state.NewMemory(pol, state.Config{})
	if err != nil {
		panic(fmt.Sprintf("faults: in-memory store: %v", err))
	}
	for k, e := range out {
		d := dirs[0]
		if e.from == b {
			d = dirs[1]
		}
		d.msgs = append(d.msgs, k)
		if len(e.labels) > 0 || len(e.attachments) > 0 {
			d.offensive = true
		}
		in := e.input()
		res, err := store.Apply(context.Background(), []policy.Observation{in.Observation})
		if err != nil {
			panic(fmt.Sprintf("faults: in-memory store: %v", err))
		}
		s := res[0].Streak
		if !s.NudgedAt.IsZero() && (d.nudged.IsZero() || s.NudgedAt.Before(d.nudged)) {
			d.nudged = s.NudgedAt
		}
		decided := pol.Decide(in, s)
		if len(decided.Nudges) > 0 {
			d.loud = true
		}
		for _, al := range decided.Alerts {
			if len(al.ContentLabels) == 0 {
				d.loud = true
			}
		}
	}
	// The actions, each with the script position it follows (-1: the start).
	type placed struct {
		after int
		e     event
	}
	var acts []placed
	n := 0
	act := func(kind string, d *direction, at time.Time, after int) {
		n++
		e := event{action: kind, id: fmt.Sprintf("a-%d-%d-%d", cfg.Seed, i, n), from: d.from, to: d.to, at: at, key: fmt.Sprintf("pair-%d", i)}
		acts = append(acts, placed{after, e})
		if rng.IntN(4) == 0 {
			e.redelivery = true
			again := after
			if after < len(out)-1 {
				again = after + 1 + rng.IntN(len(out)-1-after)
			}
			acts = append(acts, placed{again, e})
		}
	}
	ms := func(max int) time.Duration { return time.Duration(1+rng.IntN(max)) * time.Millisecond }
	first, last := out[0].at, out[len(out)-1].at
	for _, e := range out {
		first, last = minTime(first, e.at), maxTime(last, e.at)
	}
	pick := func(pred func(*direction) bool) *direction {
		k := rng.IntN(2)
		for _, d := range []*direction{dirs[k], dirs[1-k]} {
			if pred(d) {
				return d
			}
		}
		return nil
	}

	if rng.IntN(3) == 0 {
		if d := pick(func(d *direction) bool { return !d.offensive }); d != nil {
			var before []int // its messages sent before its first nudge
			for _, k := range d.msgs {
				if d.nudged.IsZero() || out[k].at.Before(d.nudged.Add(-time.Second)) {
					before = append(before, k)
				}
			}
			switch {
			case len(d.msgs) == 0:
				// Nothing to report but the member: any time of the conversation.
				act(topics.MemberActionReport, d, first.Add(time.Duration(rng.Int64N(int64(last.Sub(first))+1))), rng.IntN(len(out)+1)-1)
			case len(before) > 0:
				k := before[rng.IntN(len(before))]
				act(topics.MemberActionReport, d, out[k].at.Add(ms(999)), k+rng.IntN(len(out)-k))
			}
		}
	}
	quiet := func(d *direction) bool { return !d.loud && len(d.msgs) > 0 }
	if rng.IntN(3) == 0 {
		if d := pick(quiet); d != nil {
			k := d.msgs[len(d.msgs)-1]
			act(topics.MemberActionDismiss, d, out[k].at.Add(time.Duration(1+rng.IntN(120))*time.Second+ms(999)), k)
		}
	}
	if rng.IntN(4) == 0 {
		if d := pick(quiet); d != nil {
			k, at := d.msgs[len(d.msgs)-1], time.Time{}
			for _, m := range d.msgs {
				at = maxTime(at, out[m].at)
			}
			at = at.Add(time.Duration(1+rng.IntN(600))*time.Second + ms(999))
			act(topics.MemberActionBlock, d, at, k)
			if rng.IntN(2) == 0 {
				act(topics.MemberActionUnblock, d, at.Add(time.Duration(1+rng.IntN(600))*time.Second), k+rng.IntN(len(out)-k))
			}
		}
	}
	if rng.IntN(10) == 0 {
		d := dirs[rng.IntN(2)]
		act(topics.MemberActionUnblock, d, first.Add(time.Duration(rng.Int64N(int64(last.Sub(first))+1))), rng.IntN(len(out)+1)-1)
	}

	// Merge: the actions placed after position k come right after it, in the order drawn
	// (a redelivery after its first record: it is placed strictly later).
	var merged []event
	for k := -1; k < len(out); k++ {
		if k >= 0 {
			merged = append(merged, out[k])
		}
		for _, p := range acts {
			if p.after == k {
				merged = append(merged, p.e)
			}
		}
	}
	return merged
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
