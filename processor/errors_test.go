package processor_test

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/topics/record"
)

// replyErr is a Redis error reply as go-redis returns one.
type replyErr string

func (r replyErr) Error() string { return string(r) }
func (replyErr) RedisError()     {}

// failingStore fails its first `times` Apply calls with err (all of them for times < 0),
// then calls the real store.
type failingStore struct {
	processor.Store
	err   error
	times int32
	calls atomic.Int32
}

func (s *failingStore) Apply(ctx context.Context, obs []policy.Observation) ([]policy.Result, error) {
	if n := s.calls.Add(1); s.times < 0 || n <= s.times {
		return nil, s.err
	}
	return s.Store.Apply(ctx, obs)
}

// A Redis that answers READONLY (a replica after a failover) is waited for: the batch is
// retried until it passes and nothing is lost.
func TestTransientStoreErrorIsRetried(t *testing.T) {
	e := newEnv(t)
	store := &failingStore{err: replyErr("READONLY You can't write against a read only replica."), times: 3}
	e.start(wrap(&store.Store, store))
	e.send(streak("m", "ana", "ben", 0, 4)...)
	nudges, _, _ := e.outputs()
	if len(nudges) != 2 || store.calls.Load() < 4 {
		t.Fatalf("%d nudges after %d Apply calls, want 2 after at least 4", len(nudges), store.calls.Load())
	}
}

// A Redis that refuses the command (an ACL without the right) is not retried forever: Run
// stops with an error that names it, and nothing is committed.
func TestPermanentStoreErrorStopsRun(t *testing.T) {
	e := newEnv(t)
	store := &failingStore{err: replyErr("NOPERM this user has no permissions to run the 'evalsha' command"), times: -1}
	e.send(streak("m", "ana", "ben", 0, 2)...)
	r := e.start(wrap(&store.Store, store))
	err := r.wait(t)
	if err == nil || !strings.Contains(err.Error(), "NOPERM") || !strings.Contains(err.Error(), "not retried") {
		t.Fatalf("Run = %v, want the NOPERM error, not retried", err)
	}
	if n := store.calls.Load(); n != 1 {
		t.Errorf("%d Apply calls, want 1", n)
	}
	if behind := e.uncommittedNow(newClient(e)); behind != 2 {
		t.Errorf("%d records uncommitted, want 2", behind)
	}
}

// An event more than 15 minutes ahead of the processor's clock is dead-lettered; one just
// inside the limit is decided.
func TestEventsFromTheFutureAreDeadLettered(t *testing.T) {
	e := newEnv(t)
	now := base.Add(time.Hour)
	e.startWith(nil, []processor.Option{processor.WithClock(func() time.Time { return now })})
	e.send(streak("m", "ana", "ben", 34, 3)...) // minutes 44, 54 and 64: the last a few minutes ahead
	e.send(msg("m-4", "ana", "ben", 74), msg("far", "ana", "ben", 76))
	nudges, _, dead := e.outputs()
	if len(nudges) != 2 {
		t.Errorf("%d nudges, want 2: m-4, 14 minutes ahead, is the fourth attempt", len(nudges))
	}
	if len(dead) != 1 || !strings.Contains(record.HeaderValue(dead[0], record.HeaderError), "16 minutes ahead") {
		t.Errorf("dead letters %d, want 1 for the message 16 minutes ahead", len(dead))
	}
}

// threatIn finds a threat in one message's text and nothing in any other: a remote
// classifier that answered before a crash.
type threatIn struct{ text string }

func (c threatIn) Check(_ context.Context, text, _ string) ([]policy.Category, error) {
	if text == c.text {
		return []policy.Category{policy.CategoryThreat}, nil
	}
	return nil, nil
}

// A message found offensive before a crash is decided offensive on its redelivery too,
// even when the text check now finds nothing (the classifier is down and its fallback
// misses it): the alert and the nudges are not lost.
func TestRedeliveryDecidesWithTheFirstCategories(t *testing.T) {
	e := newEnv(t)
	e.send(streak("m", "ana", "ben", 0, 2)...)

	crashing := &crashingStore{crashed: make(chan struct{})}
	first := e.startWith(wrap(&crashing.Store, crashing), []processor.Option{processor.WithTextChecker(threatIn{"texte m-2"})},
		func(c *processor.Config) { c.ShutdownGrace = time.Millisecond })
	<-crashing.crashed
	if err := first.stop(t); err == nil {
		t.Fatal("first instance stopped cleanly; want it to give up its unfinished batch")
	}

	e.startWith(nil, []processor.Option{processor.WithTextChecker(policy.NoTextCheck)})
	nudges, alerts, _ := e.outputs()
	if len(alerts) != 1 || alerts[0].TriggeredBy != "m-2" || alerts[0].Severity != "high" ||
		!slices.Contains(alerts[0].ContentLabels, string(policy.CategoryThreat)) {
		t.Fatalf("alerts %+v, want m-2's threat alert, high", alerts)
	}
	if len(nudges) != 2 {
		t.Errorf("%d nudges, want the two respectful-language ones", len(nudges))
	}
}
