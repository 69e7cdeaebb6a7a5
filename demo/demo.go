package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/relance/relance/topics"
)

// Defaults of Config.
const (
	DefaultPace    = 700 * time.Millisecond
	DefaultTimeout = 30 * time.Second
)

// Config configures a demo run. The zero value of each field means its default; Brokers is
// required.
type Config struct {
	// Brokers are the bootstrap addresses (host:port) of the Kafka cluster relance
	// consumes from. Required.
	Brokers []string
	// Topics are the topic names. Empty names take their defaults. All five topics must
	// exist: the demo never creates topics.
	Topics topics.Names
	// Pace is the real time between two scripted events. Zero means DefaultPace, slow
	// enough to read along; a negative value plays the scenario as fast as possible
	// (tests, CI).
	Pace time.Duration
	// Exit selects what Run does once the whole scenario has been played. True (make
	// demo): return nil as soon as every output the scenario should cause has been seen,
	// or an error naming the missing ones after Timeout. False (make run): keep showing
	// every nudge and alert that arrives, including those caused by events added by hand,
	// until ctx is cancelled, then return nil. In Exit mode a cancelled ctx makes Run
	// return ctx.Err().
	Exit bool
	// Timeout is how long, in Exit mode, Run waits for the expected outputs after the last
	// scripted event was written. Default DefaultTimeout.
	Timeout time.Duration
	// Now is the clock that dates the simulated events (sent_at): the timeline starts two
	// hours before Now at the start of Run. Default time.Now.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	c.Topics = c.Topics.WithDefaults()
	switch {
	case c.Pace == 0:
		c.Pace = DefaultPace
	case c.Pace < 0:
		c.Pace = 0
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if len(c.Brokers) == 0 {
		return errors.New("demo: no Kafka brokers configured")
	}
	for _, b := range c.Brokers {
		if b == "" {
			return errors.New("demo: empty broker address")
		}
	}
	if c.Timeout < 0 {
		return fmt.Errorf("demo: negative timeout %s", c.Timeout)
	}
	if err := c.Topics.WithDefaults().Validate(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// Run plays the scenario against the brokers and writes the timeline to out: each scripted
// event as it is sent, and each coach nudge and moderation alert as relance publishes it.
// See Config.Exit for when it returns. An error writing events or reading outputs ends it.
//
// Every member and message id of a run carries a random run token, and outputs are read
// from where each output partition ended before the first event was written, so runs
// against the same broker never mix; outputs of other events written meanwhile (by hand,
// with kcat) are shown too, but never counted as the scenario's.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg = cfg.withDefaults()
	now := cfg.Now()
	p := newPlan(newRunToken(), now.Add(-lead).Truncate(time.Minute), cfg.Topics)

	// One transport for every request of the run, closed at the end so that no idle
	// connection (and its goroutines) outlives Run.
	tr := &kafka.Transport{ClientID: "relance-demo"}
	defer tr.CloseIdleConnections()

	// Outputs are read from the end of each output partition as it is before the first
	// event is written: every output this run causes comes after, and older runs' outputs
	// are never shown.
	readers, err := outputReaders(ctx, cfg, tr)
	if err != nil {
		return err
	}
	defer func() {
		for _, r := range readers {
			r.Close() //nolint:errcheck // a reader's close error carries nothing to act on
		}
	}()
	w := newWriter(cfg.Brokers, tr)
	defer w.Close() //nolint:errcheck // every write was synchronous and acknowledged

	rctx, stop := context.WithCancel(ctx)
	defer stop()
	g, gctx := errgroup.WithContext(rctx)
	received := make(chan kafka.Message) // unbuffered: the timeline shows records in the order read
	for _, r := range readers {
		g.Go(func() error { return consume(gctx, r, received) })
	}

	t := newTimeline(out, cfg, p)
	t.header(now)
	loopErr := t.loop(gctx, w, received)
	stop()
	if err := g.Wait(); err != nil {
		return err
	}
	switch {
	case loopErr == nil:
		return nil
	case ctx.Err() != nil && !cfg.Exit:
		return nil // make run: cancelled by the user
	case ctx.Err() != nil:
		return ctx.Err()
	default:
		return loopErr
	}
}

// newRunToken is a short random token that makes this run's member and message ids unique.
func newRunToken() string {
	b := make([]byte, 3)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never returns an error (it crashes instead)
	return hex.EncodeToString(b)
}

// timeline owns out and the bookkeeping of what has been seen.
type timeline struct {
	out      io.Writer
	cfg      Config
	plan     plan
	pending  map[expectation]int // expected outputs not seen yet
	missing  int                 // how many outputs pending holds in all
	seen     map[string]bool     // nudge and alert ids already shown
	pairW    int                 // width of the "A → B" column
	noteW    int                 // width of the note column
	writeErr error               // first error writing to out; the timeline goes on without it
}

func newTimeline(out io.Writer, cfg Config, p plan) *timeline {
	t := &timeline{out: out, cfg: cfg, plan: p, pending: make(map[expectation]int), seen: make(map[string]bool)}
	for _, e := range p.expected {
		t.pending[e]++
		t.missing++
	}
	for _, s := range p.steps {
		t.pairW = max(t.pairW, width(arrow(s.from, s.to)))
		t.noteW = max(t.noteW, width(s.note))
	}
	return t
}

// loop writes the scripted events at the configured pace and shows outputs as they arrive.
// It returns nil in Exit mode once the scenario is complete, and otherwise when ctx ends,
// an event cannot be written, or (Exit mode) the outputs are late.
func (t *timeline) loop(ctx context.Context, w *kafka.Writer, received <-chan kafka.Message) error {
	now := make(chan time.Time)
	close(now) // a receive from a closed channel never blocks: "send the next event now"
	var next <-chan time.Time = now
	var deadline <-chan time.Time // nil, and so never ready, until the scenario is played
	var gate <-chan time.Time     // while a gated step waits: when to stop waiting
	i, played, complete := 0, false, false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-next:
			if i < len(t.plan.steps) {
				s := t.plan.steps[i]
				if s.gated && !t.earlierSeen(i) {
					// Wait for the earlier outputs (newPlan says why), then send it at once.
					next, gate = nil, time.After(t.cfg.Timeout)
					break
				}
				t.showStep(s) // before writing: its outputs can only come after
				if err := write(ctx, w, s.msg); err != nil {
					return err
				}
				i++
				next = t.after(now) // also one beat after the last event, for its outputs
				break
			}
			next, played = nil, true
			switch {
			case t.missing == 0:
			case t.cfg.Exit:
				deadline = time.After(t.cfg.Timeout)
				t.printf("\nscenario played; waiting up to %s for relance's outputs…\n", t.cfg.Timeout)
			default:
				t.printf("\nscenario played; waiting for relance's outputs…\n")
			}
		case m := <-received:
			t.showOutput(m)
		case <-gate:
			gate = nil
			s := t.plan.steps[i]
			if t.cfg.Exit {
				return t.missingError(i, "before sending "+t.stepName(s))
			}
			t.printf("%s(relance's outputs are late: sending %s anyway)\n", indent, t.stepName(s))
			t.plan.steps[i].gated = false
			next = now
		case <-deadline:
			return t.missingError(len(t.plan.steps), "after the scenario")
		}
		if gate != nil && t.earlierSeen(i) {
			gate, next = nil, now
		}
		if played && t.missing == 0 && !complete {
			complete = true
			n, a := t.plan.counts()
			t.printf("\nscenario complete: %d nudges, %d alerts as expected\n", n, a)
			if t.cfg.Exit {
				return t.writeErr
			}
			t.printf("still listening for nudges and alerts (Ctrl-C to stop); add your own events as shown above\n")
		}
	}
}

// after is the channel that says when to send the next event.
func (t *timeline) after(now <-chan time.Time) <-chan time.Time {
	if t.cfg.Pace <= 0 {
		return now
	}
	return time.After(t.cfg.Pace)
}

// earlierSeen reports whether every output expected of the steps before step i has been seen.
func (t *timeline) earlierSeen(i int) bool {
	before := 0
	for _, s := range t.plan.steps[:i] {
		before += len(s.expected)
	}
	// Outputs of step i and later cannot have come yet: they are not written.
	return len(t.plan.expected)-t.missing >= before
}

// stepName names a step for a person: "10:50 Inès → Noah (report)".
func (t *timeline) stepName(s step) string {
	return fmt.Sprintf("%s %s (%s)", s.sentAt.Format("15:04"), arrow(s.from, s.to), s.note)
}

// missingError names every output expected of the steps before step upTo not seen yet;
// when says when they were due.
func (t *timeline) missingError(upTo int, when string) error {
	left := maps.Clone(t.pending)
	for _, s := range t.plan.steps[upTo:] {
		for _, e := range s.expected {
			left[e]-- // not written yet, so not seen: pending, but not due
		}
	}
	var missing []string
	for _, s := range t.plan.steps[:upTo] {
		for _, e := range s.expected {
			if left[e] <= 0 {
				continue
			}
			left[e]--
			missing = append(missing, t.describe(e))
		}
	}
	return fmt.Errorf("demo: %d expected outputs not seen within %s %s: %s (is relance running and consuming %s?)",
		len(missing), t.cfg.Timeout, when, strings.Join(missing, "; "), strings.Join(t.cfg.Topics.Inputs(), ", "))
}

// describe names an expected output for a person.
func (t *timeline) describe(e expectation) string {
	kind, detail, _ := strings.Cut(e.what, " ")
	if kind == "nudge" {
		return fmt.Sprintf("%s nudge for %s about %s", detail, t.plan.name(e.user), t.plan.name(e.other))
	}
	return fmt.Sprintf("%s alert on %s", detail, arrow(t.plan.name(e.user), t.plan.name(e.other)))
}

// consume forwards every record r reads until ctx ends.
func consume(ctx context.Context, r *kafka.Reader, received chan<- kafka.Message) error {
	for {
		m, err := r.ReadMessage(ctx) // no consumer group: nothing to commit
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			c := r.Config()
			return fmt.Errorf("demo: read %s[%d]: %w", c.Topic, c.Partition, err)
		}
		select {
		case received <- m:
		case <-ctx.Done():
			return nil
		}
	}
}
