package processor_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relance/relance/coach"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

// gap is the time between two messages of a streak: more than the default policy's burst
// (5 minutes), so that each message is an attempt of its own.
const gap = 10

// streak sends n messages from→to, gap (10) minutes apart, at minutes first+gap to
// first+n*gap: each is an attempt of its own.
func streak(prefix, from, to string, first, n int) []any {
	var out []any
	for i := 1; i <= n; i++ {
		out = append(out, msg(fmt.Sprintf("%s-%d", prefix, i), from, to, first+i*gap))
	}
	return out
}

func TestEveryRowOfTheDefaultPolicy(t *testing.T) {
	e := newEnv(t)
	e.start(nil)
	e.send(streak("m", "ana", "ben", 0, 13)...)
	nudges, alerts, dead := e.outputs()

	if len(dead) != 0 {
		t.Errorf("dead letters: %d, want 0", len(dead))
	}
	gotNudges := make([]string, 0, len(nudges))
	for _, n := range nudges {
		gotNudges = append(gotNudges, nudgeDecision(n))
		if n.UnansweredCount != 4 || n.Attempts != 4 || len(n.MessageIDs) != 4 || n.MessageIDs[0] != "m-1" {
			t.Errorf("nudge %s: count %d, attempts %d, evidence %v; want 4 messages from m-1, 4 attempts", n.Kind, n.UnansweredCount, n.Attempts, n.MessageIDs)
		}
		if n.Coach != "Lara" || n.Locale != "fr" || n.Title == "" || n.Body == "" {
			t.Errorf("nudge %s: coach %q locale %q title %q", n.Kind, n.Coach, n.Locale, n.Title)
		}
	}
	wantNudges := []string{"follow_up_limit ana m-4", "check_in ben m-4"}
	if !slices.Equal(gotNudges, wantNudges) {
		t.Errorf("nudges = %q, want %q", gotNudges, wantNudges)
	}
	checkIn := nudges[len(nudges)-1]
	if checkIn.ResourceURL != "https://www.arretonslesviolences.gouv.fr" || !slices.Contains(checkIn.Actions, "report") || !slices.Contains(checkIn.Actions, "block") {
		t.Errorf("check-in offers %v and %q, want report, block and the resource site", checkIn.Actions, checkIn.ResourceURL)
	}

	gotAlerts := make([]string, 0, len(alerts))
	for _, a := range alerts {
		gotAlerts = append(gotAlerts, alertDecision(a))
		if !slices.Contains(a.Reasons, topics.ReasonContinuedAfterNudge) || a.NudgedAt == nil || !a.NudgedAt.Equal(base.Add(4*gap*time.Minute)) {
			t.Errorf("alert %s: reasons %v nudged_at %v, want continued_after_nudge at m-4, minute %d", a.Severity, a.Reasons, a.NudgedAt, 4*gap)
		}
		if a.UnansweredCount != len(a.MessageIDs) || a.Attempts != a.UnansweredCount || a.MessageIDs[0] != "m-1" {
			t.Errorf("alert %s: count %d attempts %d evidence %v", a.Severity, a.UnansweredCount, a.Attempts, a.MessageIDs)
		}
	}
	wantAlerts := []string{"medium ana ben m-7", "high ana ben m-12"}
	if !slices.Equal(gotAlerts, wantAlerts) {
		t.Errorf("alerts = %q, want %q", gotAlerts, wantAlerts)
	}
}

func TestAnswersEndTheStreak(t *testing.T) {
	tests := []struct {
		name   string
		answer any
	}{
		// After the 3 messages before (minutes 10 to 30), before the 4 after (50 to 80).
		{"reply", reply("r-1", "ben", "ana", 35)},
		{"message in the other direction", msg("b-1", "ben", "ana", 35)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.start(nil)
			e.send(streak("before", "ana", "ben", 0, 3)...)
			e.send(tt.answer)
			e.send(streak("after", "ana", "ben", 40, 4)...)
			nudges, alerts, _ := e.outputs()

			got := make([]string, 0, len(nudges))
			for _, n := range nudges {
				got = append(got, nudgeDecision(n))
			}
			want := []string{"follow_up_limit ana after-4", "check_in ben after-4"}
			if !slices.Equal(got, want) {
				t.Errorf("nudges = %q, want %q: the answer must reset the count", got, want)
			}
			if len(alerts) != 0 {
				t.Errorf("alerts: %d, want 0", len(alerts))
			}
		})
	}
}

func TestLateMessageIsAlreadyAnswered(t *testing.T) {
	e := newEnv(t)
	e.start(nil)
	e.send(reply("r-1", "ben", "ana", 60))
	// Sent before Ben's answer (minutes 10 to 50), delivered after it: already answered,
	// not counted.
	e.send(streak("late", "ana", "ben", 0, 5)...)
	e.send(streak("new", "ana", "ben", 60, 3)...) // minutes 70 to 90
	nudges, alerts, _ := e.outputs()
	if len(nudges) != 0 || len(alerts) != 0 {
		t.Fatalf("got %d nudges and %d alerts, want none: late messages must not count", len(nudges), len(alerts))
	}
	e.send(msg("new-4", "ana", "ben", 100))
	nudges, _, _ = e.outputs()
	if len(nudges) != 2 || nudges[0].TriggeredBy != "new-4" || nudges[0].UnansweredCount != 4 || nudges[0].Attempts != 4 {
		t.Fatalf("nudges %v: want the pair nudged at new-4 with 4 unanswered, 4 attempts", nudges)
	}
}

func TestWindowSlides(t *testing.T) {
	e := newEnv(t)
	e.start(nil)
	week := int((7 * 24 * time.Hour).Minutes())
	e.send(streak("old", "ana", "ben", 0, 3)...) // minutes 10 to 30
	// More than a week after old-3, the three old messages have slid out: this is a new
	// streak (minutes week+40 to week+60).
	e.send(streak("new", "ana", "ben", week+30, 3)...)
	nudges, _, _ := e.outputs()
	if len(nudges) != 0 {
		t.Fatalf("got %d nudges, want none: messages older than the window must not count", len(nudges))
	}
	e.send(msg("new-4", "ana", "ben", week+70))
	nudges, _, _ = e.outputs()
	if len(nudges) != 2 || !slices.Equal(nudges[0].MessageIDs, []string{"new-1", "new-2", "new-3", "new-4"}) {
		t.Fatalf("nudges %v: want one nudge pair with the new streak as evidence", nudges)
	}
}

func TestPairsAreIndependent(t *testing.T) {
	e := newEnv(t)
	e.start(nil)
	e.send(streak("ab", "ana", "ben", 0, 3)...)
	e.send(streak("ac", "ana", "cleo", 0, 3)...)
	e.send(streak("cb", "cleo", "ben", 0, 3)...)
	nudges, alerts, _ := e.outputs()
	if len(nudges) != 0 || len(alerts) != 0 {
		t.Fatalf("got %d nudges and %d alerts: three pairs of 3 must not add up", len(nudges), len(alerts))
	}
}

func TestDuplicateDeliveryRepublishesTheSameIDs(t *testing.T) {
	e := newEnv(t)
	e.start(nil)
	events := streak("m", "ana", "ben", 0, 7)
	e.send(events...)
	e.send(events[3], events[6], events[1]) // redelivered by the platform
	nudges, alerts, _ := e.outputs()

	ids := map[string]string{}
	for _, n := range nudges {
		assertOneID(t, ids, nudgeDecision(n), n.NudgeID)
	}
	for _, a := range alerts {
		assertOneID(t, ids, alertDecision(a), a.AlertID)
	}
	if len(ids) != 3 {
		t.Errorf("distinct decisions: %v, want the 2 nudges at m-4 and the alert at m-7", ids)
	}
}

// assertOneID checks that a decision never appears under two ids.
func assertOneID(t *testing.T, ids map[string]string, decision, id string) {
	t.Helper()
	if prev, ok := ids[decision]; ok && prev != id {
		t.Errorf("decision %q published under two ids: %s and %s", decision, prev, id)
	}
	ids[decision] = id
}

func TestContentLabelsNudgeAndAlert(t *testing.T) {
	e := newEnv(t)
	e.start(nil)
	insult := msg("m-1", "ana", "ben", 0)
	insult.Labels = []string{"insult"}
	picture := msg("m-2", "ana", "ben", 1)
	picture.Attachments = []topics.Attachment{{Kind: "image", Labels: []string{"nudity"}}}
	e.send(insult, picture)
	nudges, alerts, _ := e.outputs()

	var got []string
	for _, n := range nudges {
		got = append(got, nudgeDecision(n))
	}
	want := []string{"respectful_language ana m-1", "check_in ben m-1"}
	if !slices.Equal(got, want) {
		t.Errorf("nudges = %q, want %q (once per streak)", got, want)
	}
	var gotAlerts []string
	for _, a := range alerts {
		gotAlerts = append(gotAlerts, alertDecision(a)+" "+strings.Join(a.ContentLabels, ","))
	}
	wantAlerts := []string{"medium ana ben m-1 insult", "high ana ben m-2 sexual"}
	if !slices.Equal(gotAlerts, wantAlerts) {
		t.Errorf("alerts = %q, want %q", gotAlerts, wantAlerts)
	}
}

// The published check-in is written in the message's recipient_locale, the sender's nudge
// in its locale; each falls back as policy.Input says.
func TestCheckInInTheRecipientsLocale(t *testing.T) {
	tests := []struct {
		name, from, to, locale, recipientLocale string
		senderLang, recipientLang               string
	}{
		{"sender fr, recipient en", "ana", "ben", "fr", "en", "fr", "en"},
		{"missing recipient_locale: the sender's locale", "cleo", "dan", "en", "", "en", "en"},
		{"unknown recipient_locale: the policy's default", "eve", "finn", "en", "de", "en", "fr"},
	}
	e := newEnv(t)
	e.start(nil)
	for _, tt := range tests {
		for _, ev := range streak(tt.from, tt.from, tt.to, 0, 4) {
			m := ev.(topics.MessageSent)
			m.Locale, m.RecipientLocale = tt.locale, tt.recipientLocale
			e.send(m)
		}
	}
	nudges, _, dead := e.outputs()
	if len(dead) != 0 {
		t.Errorf("dead letters: %d, want 0", len(dead))
	}
	byUser := map[string]topics.CoachNudge{}
	var got []string
	for _, n := range nudges {
		byUser[n.UserID] = n
		got = append(got, nudgeDecision(n))
	}
	if len(nudges) != 2*len(tests) || len(byUser) != len(nudges) {
		t.Fatalf("nudges %q: want one for each member", got)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for user, want := range map[string]struct{ kind, lang string }{
				tt.from: {topics.KindFollowUpLimit, tt.senderLang},
				tt.to:   {topics.KindCheckIn, tt.recipientLang},
			} {
				n := byUser[user]
				text := coach.Render(want.lang, coach.Message{Kind: want.kind, Reason: coach.ReasonPestering, Coach: "Lara", Unanswered: 4, Attempts: 4})
				if n.Kind != want.kind || n.Locale != want.lang || n.Title != text.Title || n.Body != text.Body {
					t.Errorf("%s's nudge: %s in %q, title %q, body %q; want %s in %q, title %q, body %q",
						user, n.Kind, n.Locale, n.Title, n.Body, want.kind, want.lang, text.Title, text.Body)
				}
				if n.UnansweredCount != 4 || n.Attempts != 4 {
					t.Errorf("%s's nudge: %d unanswered, %d attempts; want 4 and 4", user, n.UnansweredCount, n.Attempts)
				}
			}
		})
	}
}

func TestBadInputGoesToDeadLetterAndProcessingGoesOn(t *testing.T) {
	tests := []struct {
		name    string
		payload record.Payload
	}{
		{"default: redacted", ""},
		{"redacted", record.PayloadRedacted},
		{"full", record.PayloadFull},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testBadInput(t, tt.payload) })
	}
}

// testBadInput sends every kind of bad input, then a streak: each is dead-lettered with its
// headers and its value as payload says, and the streak is decided.
func testBadInput(t *testing.T, payload record.Payload) {
	e := newEnv(t)
	e.start(nil, func(c *processor.Config) { c.DeadLetterPayload = payload })
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	cases := []struct {
		name     string
		topic    string
		value    string
		redacted string // the value of the redacted dead letter; "" for one written empty
	}{
		{"not JSON", e.names.MessageSent, `salut !`, ``},
		{"missing sender", e.names.MessageSent, `{"message_id":"x-1","recipient_id":"ben","sent_at":"2026-11-20T09:00:00Z","text":"t"}`, `{"message_id":"x-1","recipient_id":"ben","sent_at":"2026-11-20T09:00:00Z"}`},
		{"empty recipient", e.names.MessageSent, `{"message_id":"x-2","sender_id":"ana","recipient_id":"","sent_at":"2026-11-20T09:00:00Z"}`, `{"message_id":"x-2","sender_id":"ana","recipient_id":"","sent_at":"2026-11-20T09:00:00Z"}`},
		{"missing message id", e.names.Reply, `{"sender_id":"ben","recipient_id":"ana","sent_at":"2026-11-20T09:00:00Z"}`, `{"sender_id":"ben","recipient_id":"ana","sent_at":"2026-11-20T09:00:00Z"}`},
		{"unparsable time", e.names.MessageSent, `{"message_id":"x-3","sender_id":"ana","recipient_id":"ben","sent_at":"yesterday"}`, `{"message_id":"x-3","sender_id":"ana","recipient_id":"ben","sent_at":"yesterday"}`},
		{"time in the future", e.names.MessageSent, `{"message_id":"x-4","sender_id":"ana","recipient_id":"ben","sent_at":"` + future + `"}`, `{"message_id":"x-4","sender_id":"ana","recipient_id":"ben","sent_at":"` + future + `"}`},
		{"sender is recipient", e.names.Reply, `{"message_id":"x-5","sender_id":"ana","recipient_id":"ana","sent_at":"2026-11-20T09:00:00Z"}`, `{"message_id":"x-5","sender_id":"ana","recipient_id":"ana","sent_at":"2026-11-20T09:00:00Z"}`},
		{"over 64 KiB", e.names.MessageSent, `{"message_id":"x-6","sender_id":"ana","recipient_id":"ben","sent_at":"2026-11-20T09:00:00Z","text":"` + strings.Repeat("a", 65<<10) + `"}`, `{"message_id":"x-6","sender_id":"ana","recipient_id":"ben","sent_at":"2026-11-20T09:00:00Z"}`},
		{"id over 128 bytes", e.names.MessageSent, `{"message_id":"` + strings.Repeat("x", 129) + `","sender_id":"ana","recipient_id":"ben","sent_at":"2026-11-20T09:00:00Z"}`, `{"message_id":"` + strings.Repeat("x", 129) + `","sender_id":"ana","recipient_id":"ben","sent_at":"2026-11-20T09:00:00Z"}`},
	}
	for _, c := range cases {
		e.sendRaw(c.topic, []byte(c.value))
	}
	e.send(streak("m", "ana", "ben", 0, 4)...)
	nudges, _, dead := e.outputs()

	if len(dead) != len(cases) {
		t.Fatalf("dead letters: %d, want %d", len(dead), len(cases))
	}
	type sent struct{ name, value string }
	want := map[string]sent{}
	for _, c := range cases {
		v := c.redacted
		if payload == record.PayloadFull {
			v = c.value
		}
		want[v] = sent{c.name, c.value}
	}
	for _, d := range dead {
		c, ok := want[string(d.Value)]
		if !ok {
			t.Errorf("dead letter value %.60q is none of those expected", d.Value)
			continue
		}
		delete(want, string(d.Value))
		for _, h := range []string{record.HeaderError, record.HeaderSourceTopic, record.HeaderSourcePartition, record.HeaderSourceOffset} {
			if record.HeaderValue(d, h) == "" {
				t.Errorf("%s: dead letter without header %q", c.name, h)
			}
		}
		if strings.Contains(record.HeaderValue(d, record.HeaderError), "aaaa") {
			t.Errorf("%s: the error header quotes the message text", c.name)
		}
		sum := sha256.Sum256([]byte(c.value))
		wantBytes, wantSum := "", ""
		if len(d.Value) == 0 && payload != record.PayloadFull {
			wantBytes, wantSum = strconv.Itoa(len(c.value)), hex.EncodeToString(sum[:])
		}
		if got := record.HeaderValue(d, record.HeaderPayloadBytes); got != wantBytes {
			t.Errorf("%s: payload-bytes %q, want %q", c.name, got, wantBytes)
		}
		if got := record.HeaderValue(d, record.HeaderPayloadSHA256); got != wantSum {
			t.Errorf("%s: payload-sha256 %q, want %q", c.name, got, wantSum)
		}
	}
	if len(nudges) != 2 {
		t.Errorf("nudges after bad input: %d, want 2: processing must go on", len(nudges))
	}
}

// crashingStore writes the first batch to Redis, then fails every call as if the process
// had died before writing the outputs.
type crashingStore struct {
	processor.Store
	crashed chan struct{}
	once    sync.Once
}

func (s *crashingStore) Apply(ctx context.Context, obs []policy.Observation) ([]policy.Result, error) {
	select {
	case <-s.crashed:
		return nil, errCrash
	default:
	}
	if _, err := s.Store.Apply(ctx, obs); err != nil {
		return nil, err
	}
	s.once.Do(func() { close(s.crashed) })
	return nil, errCrash
}

func TestRestartAfterCrashLosesNothingAndKeepsIDs(t *testing.T) {
	e := newEnv(t)
	events := streak("m", "ana", "ben", 0, 12)
	e.send(events...)

	// First instance: its batch reaches Redis, then it "dies" before its outputs.
	crashing := &crashingStore{crashed: make(chan struct{})}
	first := e.start(wrap(&crashing.Store, crashing), func(c *processor.Config) { c.ShutdownGrace = time.Millisecond })
	<-crashing.crashed
	if err := first.stop(t); err == nil {
		t.Fatal("first instance stopped cleanly; want it to give up its unfinished batch")
	}

	// Second instance: the same group resumes from the last commit.
	e.start(nil)
	e.send(msg("m-13", "ana", "ben", 13*gap))
	nudges, alerts, _ := e.outputs()
	ids := map[string]string{}
	for _, n := range nudges {
		assertOneID(t, ids, nudgeDecision(n), n.NudgeID)
	}
	for _, a := range alerts {
		assertOneID(t, ids, alertDecision(a), a.AlertID)
	}
	want := []string{"check_in ben m-4", "follow_up_limit ana m-4", "high ana ben m-12", "medium ana ben m-7"}
	got := make([]string, 0, len(ids))
	for d := range ids {
		got = append(got, d)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("decisions after restart = %q, want %q", got, want)
	}
}

// gatedStore holds the first Apply until released, so a test can stop the processor in
// the middle of a batch.
type gatedStore struct {
	processor.Store
	entered chan struct{}
	release chan struct{}
}

func (s *gatedStore) Apply(ctx context.Context, obs []policy.Observation) ([]policy.Result, error) {
	select {
	case s.entered <- struct{}{}:
		<-s.release
	default: // later batches go straight through
	}
	return s.Store.Apply(ctx, obs)
}

func TestCancelFinishesAndCommitsTheBatchInHand(t *testing.T) {
	e := newEnv(t)
	gated := &gatedStore{entered: make(chan struct{}), release: make(chan struct{})}
	e.send(streak("m", "ana", "ben", 0, 4)...)
	r := e.start(wrap(&gated.Store, gated))

	<-gated.entered // a batch is between fetch and Redis
	r.cancel()      // SIGTERM
	close(gated.release)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run after cancel: %v, want nil", err)
	}
	behind := e.uncommittedNow(newClient(e))
	// The batch in hand was finished and committed, with any fetched behind it (see
	// TestCancelFinishesEveryBatchInFlight); what was not fetched yet is not.
	if behind == 4 {
		t.Fatalf("nothing committed after cancel: the batch in hand must be finished")
	}
}

// msgAfter is msg at base + d, for messages seconds apart.
func msgAfter(id, from, to string, d time.Duration) topics.MessageSent {
	m := msg(id, from, to, 0)
	m.SentAt = base.Add(d)
	return m
}

// Quick bubbles are one attempt: four messages a few seconds apart are not four
// follow-ups; the nudge comes at the 4th attempt, with every unanswered message counted.
func TestBubblesAreOneAttempt(t *testing.T) {
	e := newEnv(t)
	e.start(nil)
	for i := range 4 { // seconds 0, 3, 6 and 9: one attempt of 4 messages
		e.send(msgAfter(fmt.Sprintf("m-%d", i+1), "ana", "ben", time.Duration(3*i)*time.Second))
	}
	nudges, alerts, dead := e.outputs()
	if len(nudges) != 0 || len(alerts) != 0 || len(dead) != 0 {
		t.Fatalf("after 4 bubbles: %d nudges, %d alerts, %d dead letters; want none: they are one attempt",
			len(nudges), len(alerts), len(dead))
	}

	for i := range 3 { // an hour apart: attempts 2, 3 and 4
		e.send(msgAfter(fmt.Sprintf("m-%d", i+5), "ana", "ben", time.Duration(i+1)*time.Hour))
	}
	checkNudgePair(t, e, "m-7", 7, 4) // the 4th attempt is the 7th message
}

// checkNudgePair checks that the outputs are ana's follow-up limit and ben's check-in,
// triggered by the message by, with unanswered messages from m-1 in attempts.
func checkNudgePair(t *testing.T, e *env, by string, unanswered, attempts int) {
	t.Helper()
	nudges, alerts, dead := e.outputs()
	var got []string
	for _, n := range nudges {
		got = append(got, nudgeDecision(n))
		if n.UnansweredCount != unanswered || n.Attempts != attempts || len(n.MessageIDs) != unanswered || n.MessageIDs[0] != "m-1" {
			t.Errorf("nudge %s: %d unanswered, %d attempts, evidence %v; want %d messages from m-1 in %d attempts",
				n.Kind, n.UnansweredCount, n.Attempts, n.MessageIDs, unanswered, attempts)
		}
	}
	if want := []string{"follow_up_limit ana " + by, "check_in ben " + by}; !slices.Equal(got, want) {
		t.Errorf("nudges = %q, want %q", got, want)
	}
	if len(alerts) != 0 || len(dead) != 0 {
		t.Errorf("%d alerts and %d dead letters, want none", len(alerts), len(dead))
	}
}

// A flood is one attempt, but 10 unanswered messages nudge all the same: whichever count
// comes first.
func TestFloodNudgesAtTenMessages(t *testing.T) {
	e := newEnv(t)
	e.start(nil)
	for i := range 10 { // a second apart: one attempt
		e.send(msgAfter(fmt.Sprintf("m-%d", i+1), "ana", "ben", time.Duration(i)*time.Second))
	}
	checkNudgePair(t, e, "m-10", 10, 1)
}
