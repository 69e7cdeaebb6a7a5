package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/goleak"
	"golang.org/x/sync/errgroup"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// partitions is the partition count of every topic of the test clusters.
const partitions = 3

// clock is the fixed clock of the tests: the timeline starts at 10:00 UTC.
func clock() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }

// newCluster starts a Kafka-protocol broker over TCP holding the five topics of names.
func newCluster(t *testing.T, names topics.Names) []string {
	t.Helper()
	c, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.SeedTopics(partitions, names.All()...),
		kfake.GroupMinSessionTimeout(100*time.Millisecond),
	)
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

// fakeOptions make the fake relance misbehave.
type fakeOptions struct {
	drop      string // an output it never writes, as "nudge <kind>" or "alert <severity>"
	duplicate bool   // write every output twice, as after a redelivery
	// dropLast: never write the outputs of the scenario's last event.
	dropLast bool
}

// fakeRelance stands in for the processor: it reads the input topics from the start and
// decides each event as relance does under the default policy (decider: the built-in text
// check, the in-memory store, Decide), writing the outputs, or misbehaving as told.
type fakeRelance struct {
	names topics.Names
	opt   fakeOptions

	mu     sync.Mutex
	inputs []kafka.Message // every input record read
}

func startFakeRelance(t *testing.T, brokers []string, names topics.Names, opt fakeOptions) *fakeRelance {
	t.Helper()
	f := &fakeRelance{names: names, opt: opt}
	ctx, cancel := context.WithCancel(context.Background())
	g, ctx := errgroup.WithContext(ctx)
	in := make(chan kafka.Message)
	for _, topic := range names.Inputs() {
		for p := range partitions {
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: p, MinBytes: 1, MaxBytes: 1 << 20, MaxWait: 100 * time.Millisecond})
			g.Go(func() error {
				defer r.Close()
				return consume(ctx, r, in)
			})
		}
	}
	tr := &kafka.Transport{}
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond, Transport: tr}
	g.Go(func() error { return f.decide(ctx, in, w) })
	t.Cleanup(func() {
		cancel()
		if err := g.Wait(); err != nil {
			t.Errorf("fake relance: %v", err)
		}
		w.Close()
		tr.CloseIdleConnections()
	})
	return f
}

func (f *fakeRelance) decide(ctx context.Context, in <-chan kafka.Message, w *kafka.Writer) error {
	d := newDecider()
	for {
		var m kafka.Message
		select {
		case <-ctx.Done():
			return nil
		case m = <-in:
		}
		f.mu.Lock()
		f.inputs = append(f.inputs, m)
		f.mu.Unlock()
		var event any
		switch m.Topic {
		case f.names.Reply:
			var e topics.Reply
			if err := json.Unmarshal(m.Value, &e); err != nil {
				return fmt.Errorf("decode %s: %w", m.Topic, err)
			}
			event = e
		case f.names.MemberAction:
			e, err := topics.DecodeMemberAction(m.Value, time.Now())
			if err != nil {
				return fmt.Errorf("decode %s: %w", m.Topic, err)
			}
			event = e
		default:
			var e topics.MessageSent
			if err := json.Unmarshal(m.Value, &e); err != nil {
				return fmt.Errorf("decode %s: %w", m.Topic, err)
			}
			event = e
		}
		_, _, out := d.decide(event)
		outs, err := f.outputs(out)
		if err != nil {
			return err
		}
		if err := w.WriteMessages(ctx, outs...); err != nil && ctx.Err() == nil {
			return fmt.Errorf("write outputs: %w", err)
		}
	}
}

func (f *fakeRelance) outputs(d policy.Decisions) ([]kafka.Message, error) {
	var outs []kafka.Message
	for _, n := range d.Nudges {
		if f.opt.drop == nudgeExpectation(n).what {
			continue
		}
		m, err := record.Nudge(f.names.CoachNudge, n)
		if err != nil {
			return nil, err
		}
		outs = append(outs, m)
	}
	for _, a := range d.Alerts {
		if f.opt.drop == alertExpectation(a).what || f.opt.dropLast && strings.HasSuffix(a.TriggeredBy, fmt.Sprintf("-m-%d", len(script))) {
			continue
		}
		m, err := record.Alert(f.names.ModerationAlert, a)
		if err != nil {
			return nil, err
		}
		outs = append(outs, m)
	}
	if f.opt.duplicate {
		outs = append(outs, outs...)
	}
	return outs, nil
}

// seen returns the input records the fake has read so far.
func (f *fakeRelance) seen() []kafka.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]kafka.Message(nil), f.inputs...)
}

// syncBuffer is a timeline that tests can read while Run writes it, and wait on.
type syncBuffer struct {
	mu      sync.Mutex
	b       strings.Builder
	changed chan struct{} // capacity 1: one pending signal is enough to re-check
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{}, 1)} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	n, err := s.b.Write(p)
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until the timeline contains want.
func (s *syncBuffer) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !strings.Contains(s.String(), want) {
		select {
		case <-s.changed:
		case <-deadline:
			t.Fatalf("timeline never showed %q:\n%s", want, s.String())
		}
	}
}

func TestRunExitReturnsOnceEveryOutputArrived(t *testing.T) {
	names := topics.Names{MessageSent: "platform.messages"}.WithDefaults() // a configured name, too
	brokers := newCluster(t, names)
	relance := startFakeRelance(t, brokers, names, fakeOptions{})
	out := newSyncBuffer()

	start := time.Now()
	err := Run(t.Context(), Config{Brokers: brokers, Topics: topics.Names{MessageSent: "platform.messages"}, Pace: -1, Exit: true, Now: clock}, out)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	// Played at the default pace, the scenario alone would take this long.
	if elapsed, paced := time.Since(start), time.Duration(len(script)-1)*DefaultPace; elapsed >= paced {
		t.Errorf("Pace < 0 took %s, no faster than the default pace (%s)", elapsed, paced)
	}

	timeline := out.String()
	for _, m := range members {
		if !regexp.MustCompile(`(?m)^\d\d:\d\d  .*\b` + m.name + `\b`).MatchString(timeline) {
			t.Errorf("timeline never shows %s", m.name)
		}
	}
	for _, want := range []string{
		"kcat -b " + brokers[0] + " -t platform.messages -P",
		"kcat -b " + brokers[0] + " -t coach-nudge -C -o beginning",
	} {
		if !strings.Contains(timeline, want) {
			t.Errorf("header lacks %q", want)
		}
	}
	for _, want := range []struct {
		line  string
		count int
	}{
		{`(?m)^10:27  Noah → Inès +attempt 4 \(3 follow-ups\), 6 unanswered +"Tu es là \?"$`, 1},
		{`(?m)^10:06  Noah → Inès +3 messages in one attempt: no follow-up yet +"😊"$`, 1},
		{`(?m)^10:11  Jordan → Sam +4 messages in one attempt: no follow-up yet +"😊"$`, 1},
		{`(?m)^10:03  Sam → Camille +reply +"Yes! The encore was amazing 🎶"$`, 1},
		{`(?m)^10:55  Jordan → Camille +message, attempt 1, offensive: insult +"Who asked you\? Idiot\."$`, 1},
		{`(?m)^10:50  Inès → Noah +report$`, 1},
		{`(?m)^ {7}🧭 Lara → Noah +nudge follow_up_limit: `, 1},
		{`(?m)^ {7}🧭 Lara → Inès +nudge check_in: `, 1},
		{`(?m)^ {7}🧭 Lara → Jordan +nudge respectful_language: `, 1},
		{`(?m)^ {7}🧭 Lara → Camille +nudge check_in: `, 1},
		{`(?m)^ {7}🛡  moderation alert MEDIUM  Noah → Inès  reasons: unanswered_streak, continued_after_nudge  evidence: 9 messages$`, 1},
		{`(?m)^ {7}🛡  moderation alert MEDIUM  Jordan → Camille  reasons: offensive_content  evidence: 1 message  labels: insult$`, 1},
		{`(?m)^ {7}🛡  moderation alert HIGH    Noah → Inès  reasons: unanswered_streak, continued_after_nudge  evidence: 14 messages$`, 1},
		{`(?m)^ {7}🛡  moderation alert HIGH    Noah → Inès  reasons: reported, unanswered_streak, continued_after_nudge  evidence: 9 messages$`, 1},
		{`(?m)^10:50  Inès → Noah +report\n {7}🛡  moderation alert HIGH    Noah → Inès  reasons: reported, unanswered_streak, continued_after_nudge  evidence: 9 messages\n10:55  Jordan`, 1},
		{`(?m)^scenario complete: 4 nudges, 4 alerts as expected$`, 1},
		{`not expected`, 0},
	} {
		if got := len(regexp.MustCompile(want.line).FindAllString(timeline, -1)); got != want.count {
			t.Errorf("timeline has %d lines matching %s, want %d", got, want.line, want.count)
		}
	}
	if t.Failed() {
		t.Logf("timeline:\n%s", timeline)
	}

	inputs := relance.seen()
	if len(inputs) != len(script) {
		t.Fatalf("relance read %d input records, want %d", len(inputs), len(script))
	}
	for _, m := range inputs {
		var e struct {
			SenderID string    `json:"sender_id"`
			MemberID string    `json:"member_id"` // a member action's
			SentAt   time.Time `json:"sent_at"`
			At       time.Time `json:"at"` // a member action's
		}
		if err := json.Unmarshal(m.Value, &e); err != nil {
			t.Fatalf("input %s: %v", m.Value, err)
		}
		if m.Topic == names.MemberAction {
			e.SenderID, e.SentAt = e.MemberID, e.At
		}
		if string(m.Key) != e.SenderID || e.SentAt.After(clock()) || record.HeaderValue(m, record.HeaderEventType) == "" {
			t.Errorf("input key %q, headers %v, value %s: want the sender as key, an event-type header and sent_at before now", m.Key, m.Headers, m.Value)
		}
	}
}

func TestRunExitFailsWhenOutputsAreMissing(t *testing.T) {
	tests := []struct {
		name        string
		relance     bool
		opt         fakeOptions
		wantErr     []string
		wantNotInIt string
	}{
		{
			name:    "relance is not running",
			wantErr: []string{"3 expected outputs not seen within 500ms before sending 10:50 Inès → Noah (report): follow_up_limit nudge for Noah about Inès; check_in nudge for Inès about Noah; medium alert on Noah → Inès (is relance running and consuming message-sent, reply, member-action?)"},
		},
		{
			name:        "relance misses the high alerts",
			relance:     true,
			opt:         fakeOptions{drop: "alert high"},
			wantErr:     []string{"1 expected outputs not seen within 500ms before sending 10:55 Jordan → Camille (message, attempt 1, offensive: insult): high alert on Noah → Inès (is"},
			wantNotInIt: "nudge",
		},
		{
			name:    "relance misses the check-ins: Inès's report waits for them",
			relance: true,
			opt:     fakeOptions{drop: "nudge check_in"},
			wantErr: []string{"1 expected outputs not seen within 500ms before sending 10:50 Inès → Noah (report): check_in nudge for Inès about Noah (is"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names := topics.Names{}.WithDefaults()
			brokers := newCluster(t, names)
			if tt.relance {
				startFakeRelance(t, brokers, names, tt.opt)
			}
			out := newSyncBuffer()
			err := Run(t.Context(), Config{Brokers: brokers, Pace: -1, Exit: true, Timeout: 500 * time.Millisecond, Now: clock}, out)
			if err == nil {
				t.Fatalf("Run returned nil, want an error\n%s", out)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if tt.wantNotInIt != "" && strings.Contains(err.Error(), tt.wantNotInIt) {
				t.Errorf("error %q names %q, which arrived", err, tt.wantNotInIt)
			}
		})
	}
}

func TestRunFailsWithoutTheTopics(t *testing.T) {
	brokers := newCluster(t, topics.Names{}.WithDefaults())
	err := Run(t.Context(), Config{Brokers: brokers, Topics: topics.Names{CoachNudge: "elsewhere"}, Pace: -1, Exit: true}, newSyncBuffer())
	if err == nil || !strings.Contains(err.Error(), "elsewhere") {
		t.Errorf("Run = %v, want an error naming the missing topic", err)
	}
}

func TestRunDropsDuplicateOutputs(t *testing.T) {
	names := topics.Names{}.WithDefaults()
	brokers := newCluster(t, names)
	startFakeRelance(t, brokers, names, fakeOptions{duplicate: true})
	out := newSyncBuffer()
	if err := Run(t.Context(), Config{Brokers: brokers, Pace: -1, Exit: true, Now: clock}, out); err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	if got := strings.Count(out.String(), "nudge follow_up_limit"); got != 1 {
		t.Errorf("follow_up_limit shown %d times, want once:\n%s", got, out)
	}
}

func TestRunPace(t *testing.T) {
	names := topics.Names{}.WithDefaults()
	brokers := newCluster(t, names)
	startFakeRelance(t, brokers, names, fakeOptions{})
	const pace = 20 * time.Millisecond
	start := time.Now()
	if err := Run(t.Context(), Config{Brokers: brokers, Pace: pace, Exit: true}, newSyncBuffer()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if elapsed, least := time.Since(start), time.Duration(len(script)-1)*pace; elapsed < least {
		t.Errorf("Run took %s, less than %d events %s apart", elapsed, len(script), pace)
	}
}

func TestRunKeepsShowingOutputsUntilCancelled(t *testing.T) {
	names := topics.Names{}.WithDefaults()
	brokers := newCluster(t, names)
	startFakeRelance(t, brokers, names, fakeOptions{})
	out := newSyncBuffer()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Config{Brokers: brokers, Pace: -1, Now: clock}, out) }()

	out.waitFor(t, "scenario complete: 4 nudges, 4 alerts as expected")
	out.waitFor(t, "still listening")

	// A member's own events, as with kcat: four unanswered attempts from u-1 to u-2, six
	// minutes apart.
	tr := &kafka.Transport{}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond, Transport: tr}
	defer w.Close()
	for i := range 4 {
		v := fmt.Sprintf(`{"message_id":"m-%d","sender_id":"u-1","recipient_id":"u-2","sent_at":%q}`, i, time.Now().Add(time.Duration(i-3)*6*time.Minute).UTC().Format(time.RFC3339))
		if err := w.WriteMessages(ctx, kafka.Message{Topic: names.MessageSent, Key: []byte("u-1"), Value: []byte(v)}); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	out.waitFor(t, "🧭 Lara → u-1")
	out.waitFor(t, "🧭 Lara → u-2")

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if strings.Contains(out.String(), "not expected") {
		t.Errorf("outputs of hand-made events marked as unexpected:\n%s", out)
	}
}

func TestRunExitCancelled(t *testing.T) {
	names := topics.Names{}.WithDefaults()
	brokers := newCluster(t, names)
	// A relance that never publishes the last event's alert: the whole scenario is played
	// (the events gated on earlier outputs get them), then Run waits for it.
	startFakeRelance(t, brokers, names, fakeOptions{dropLast: true})
	out := newSyncBuffer()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Config{Brokers: brokers, Pace: -1, Exit: true, Now: clock}, out) }()
	out.waitFor(t, "scenario played; waiting up to 30s")
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}
