package processor_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/processor"
)

// These tests check the pipeline's ordering: with one record per batch and every record
// on one partition, batch k is the record at offset k, and "committed up to k" is read
// back from the broker as the group's committed offsets.

// seen is a list of message ids a stage has reached, for a test to wait on.
type seen struct {
	mu      sync.Mutex
	ids     []string
	changed chan struct{}
}

func newSeen() *seen { return &seen{changed: make(chan struct{}, 1)} }

func (s *seen) add(id string) {
	s.mu.Lock()
	s.ids = append(s.ids, id)
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

func (s *seen) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ids)
}

// waitFor waits until id has been seen; one goroutine at a time may wait.
func (s *seen) waitFor(t *testing.T, id string) {
	t.Helper()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	for !slices.Contains(s.list(), id) {
		select {
		case <-s.changed:
		case <-deadline.C:
			t.Fatalf("%s not reached within 20s (reached: %v)", id, s.list())
		}
	}
}

// decodeWatch is a text check that finds nothing and records the ids of the messages the
// fetch stage decoded (the harness's texts are "texte <id>").
type decodeWatch struct{ decoded *seen }

func (d decodeWatch) Check(_ context.Context, text, _ string) ([]policy.Category, error) {
	d.decoded.add(strings.TrimPrefix(text, "texte "))
	return nil, nil
}

// recordingStore is the real store, watched: it records the ids applied, in order, and
// fails the test if two Apply calls overlap. It can hold the Apply of the batch holding
// one message id until released, and make the batch holding another one fail for good.
type recordingStore struct {
	processor.Store
	t *testing.T

	hold    string        // the Apply of this message's batch waits for release
	held    chan struct{} // closed once that Apply is waiting
	release chan struct{}
	once    sync.Once

	shortchange string // the Apply of this message's batch returns no streak

	calls   atomic.Int32
	applied *seen // every message of every batch, once Apply returned
}

func newRecordingStore(t *testing.T) *recordingStore {
	return &recordingStore{t: t, held: make(chan struct{}), release: make(chan struct{}), applied: newSeen()}
}

func (s *recordingStore) Apply(ctx context.Context, obs []policy.Observation) ([]policy.Result, error) {
	if n := s.calls.Add(1); n != 1 {
		s.t.Errorf("%d Store.Apply calls at once; want one at a time", n)
	}
	defer s.calls.Add(-1)
	has := func(id string) bool {
		return id != "" && slices.ContainsFunc(obs, func(o policy.Observation) bool { return o.MessageID == id })
	}
	if has(s.hold) {
		s.once.Do(func() { close(s.held) })
		select {
		case <-s.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	streaks, err := s.Store.Apply(ctx, obs)
	if err != nil {
		return nil, err
	}
	for _, o := range obs {
		s.applied.add(o.MessageID)
	}
	if has(s.shortchange) {
		return streaks[:0], nil
	}
	return streaks, nil
}

// oneByOne is a processor whose batches hold one record, over a recordingStore, with
// decodeWatch (decoded) as its text check.
type oneByOne struct {
	*running
	store   *recordingStore
	decoded *seen
}

// startOneByOne starts a oneByOne over e's store; setup (if any) arms the recordingStore
// before the first record reaches it.
func (e *env) startOneByOne(setup func(*recordingStore), opts ...func(*processor.Config)) oneByOne {
	e.t.Helper()
	o := oneByOne{store: newRecordingStore(e.t), decoded: newSeen()}
	if setup != nil {
		setup(o.store)
	}
	o.running = e.startWith(wrap(&o.store.Store, o.store), []processor.Option{processor.WithTextChecker(decodeWatch{o.decoded})},
		append([]func(*processor.Config){func(c *processor.Config) { c.BatchSize = 1 }}, opts...)...)
	return o
}

// waitUncommitted polls the broker until exactly want input records are uncommitted and
// until() holds (nil: at once). It fails as soon as fewer are: the group committed a
// batch that must wait.
func (e *env) waitUncommitted(client *kafka.Client, want int64, until func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	var last string
	for ; time.Now().Before(deadline); <-poll.C {
		behind, err := e.uncommitted(client)
		if err != nil {
			last = err.Error()
			continue
		}
		if behind < want {
			e.t.Fatalf("%d input records uncommitted, want %d: a batch was committed before an earlier one", behind, want)
		}
		if behind == want && (until == nil || until()) {
			return
		}
		last = fmt.Sprintf("%d uncommitted", behind)
	}
	e.t.Fatalf("not %d records uncommitted within 20s (%s)", want, last)
}

// waitNotReady polls Ready until it reports an error containing want.
func waitNotReady(t *testing.T, p *processor.Processor, want string) {
	t.Helper()
	waitReadiness(t, p, func(err error) bool { return err != nil && strings.Contains(err.Error(), want) },
		"an error about "+want)
}

// waitReady polls Ready until it reports no error.
func waitReady(t *testing.T, p *processor.Processor) {
	t.Helper()
	waitReadiness(t, p, func(err error) bool { return err == nil }, "nil")
}

// waitReadiness polls Ready for up to 20 s until done accepts what it returns.
func waitReadiness(t *testing.T, p *processor.Processor, done func(error) bool, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	var err error
	for ; time.Now().Before(deadline); <-poll.C {
		if err = p.Ready(context.Background()); done(err) {
			return
		}
	}
	t.Fatalf("Ready = %v, want %s", err, want)
}

// waitClosed waits until ch is closed.
func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: not within 20s", what)
	}
}

// wait waits for Run to return by itself.
func (r *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-r.done:
		return r.err
	case <-time.After(40 * time.Second):
		t.Fatal("Run did not return within 40s")
		return nil
	}
}

// createTopic creates a topic of three partitions, as operators do.
func (e *env) createTopic(name string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := newClient(e).CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{
		{Topic: name, NumPartitions: 3, ReplicationFactor: 1},
	}})
	if err == nil {
		err = resp.Errors[name]
	}
	if err != nil {
		e.t.Fatalf("create topic %s: %v", name, err)
	}
}

// sendNotJSON produces an invalid record on the message-sent topic, keyed like ana's
// messages so that it lands on their partition.
func (e *env) sendNotJSON() {
	e.t.Helper()
	testenv.Produce(e.t, e.brokers, e.names.MessageSent, kafka.Message{Key: []byte("ana"), Value: []byte("pas du JSON")})
}

// withoutDeadLetterTopic points the processor at a dead-letter topic that does not exist
// yet: writing a dead letter fails, and is retried, until the test creates it.
func (e *env) withoutDeadLetterTopic() {
	e.names.DeadLetter += ".created-later"
}

func TestCommitsWaitForAnEarlierBatchWhoseWriteFails(t *testing.T) {
	e := newEnv(t)
	e.withoutDeadLetterTopic()
	e.sendNotJSON() // batch 0: its dead letter cannot be written
	e.send(streak("m", "ana", "ben", 0, 4)...)
	r := e.startOneByOne(func(s *recordingStore) { s.hold = "m-2" })
	client := newClient(e)

	waitNotReady(t, r.proc, "kafka_write")
	// Redis works on the next batches while batch 0's write keeps failing...
	close(r.store.release)
	r.store.applied.waitFor(t, "m-2")
	r.decoded.waitFor(t, "m-4")
	// ...and neither their successes hide the failing write, nor are they committed.
	e.waitUncommitted(client, 5, nil)
	if err := r.proc.Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "kafka_write") {
		t.Fatalf("Ready = %v while a write is failing, want the kafka_write error", err)
	}

	e.createTopic(e.names.DeadLetter)
	nudges, _, dead := e.outputs() // waits until everything is committed
	if len(dead) != 1 || len(nudges) != 2 {
		t.Errorf("got %d dead letters and %d nudges, want 1 and 2", len(dead), len(nudges))
	}
	if got, want := r.store.applied.list(), []string{"m-1", "m-2", "m-3", "m-4"}; !slices.Equal(got, want) {
		t.Errorf("applied %v, want %v: Apply must follow the fetch order", got, want)
	}
	waitReady(t, r.proc)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestNothingAfterABatchInRedisIsCommitted(t *testing.T) {
	e := newEnv(t)
	e.send(streak("m", "ana", "ben", 0, 5)...)
	r := e.startOneByOne(func(s *recordingStore) { s.hold = "m-3" })
	client := newClient(e)

	waitClosed(t, r.store.held, "Apply of m-3")
	// m-1 and m-2 are committed; m-3 is held in Apply while m-4 and m-5 are fetched and
	// decoded behind it: none of them is committed.
	e.waitUncommitted(client, 3, func() bool { return slices.Contains(r.decoded.list(), "m-5") })
	e.waitUncommitted(client, 3, nil)

	close(r.store.release)
	e.waitUncommitted(client, 0, nil)
	if got, want := r.store.applied.list(), []string{"m-1", "m-2", "m-3", "m-4", "m-5"}; !slices.Equal(got, want) {
		t.Errorf("applied %v, want %v", got, want)
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestCancelFinishesEveryBatchInFlight(t *testing.T) {
	e := newEnv(t)
	e.withoutDeadLetterTopic()
	e.sendNotJSON()
	e.send(streak("m", "ana", "ben", 0, 4)...)
	r := e.startOneByOne(nil)

	// Batch 0 is stuck in its write; m-1 and m-2 are applied behind it, m-3 is waiting
	// for Apply, and m-4, the last record, is fetched and decoded.
	waitNotReady(t, r.proc, "kafka_write")
	r.store.applied.waitFor(t, "m-2")
	r.decoded.waitFor(t, "m-4")
	r.cancel() // SIGTERM
	e.createTopic(e.names.DeadLetter)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run after cancel: %v, want nil: every fetched batch must be finished", err)
	}
	behind := e.uncommittedNow(newClient(e))
	if behind != 0 {
		t.Fatalf("%d records uncommitted after Run returned nil, want 0", behind)
	}
	nudges, _, dead := e.outputs()
	if len(dead) != 1 || len(nudges) != 2 {
		t.Errorf("got %d dead letters and %d nudges, want 1 and 2", len(dead), len(nudges))
	}
}

func TestGraceOverLeavesTheBatchesAfterTheStuckOneUncommitted(t *testing.T) {
	e := newEnv(t)
	e.send(streak("m", "ana", "ben", 0, 5)...)
	r := e.startOneByOne(func(s *recordingStore) { s.hold = "m-3" }, // never released: Redis does not answer
		func(c *processor.Config) { c.ShutdownGrace = 100 * time.Millisecond })
	client := newClient(e)

	e.waitUncommitted(client, 3, func() bool { return slices.Contains(r.decoded.list(), "m-5") })
	err := r.stop(t)
	if err == nil || !strings.Contains(err.Error(), "grace") {
		t.Fatalf("Run = %v, want the stuck batch's error, given up when the grace was over", err)
	}
	if behind := e.uncommittedNow(client); behind != 3 {
		t.Fatalf("%d records uncommitted, want 3: m-1 and m-2 committed, nothing from the stuck m-3 on", behind)
	}
}

func TestAStageFailingEndsRunAndCommitsNothingAfterIt(t *testing.T) {
	e := newEnv(t)
	e.send(streak("m", "ana", "ben", 0, 5)...)
	r := e.startOneByOne(func(s *recordingStore) { s.shortchange = "m-2" }) // a store bug: not one result per event

	err := r.wait(t) // no cancel: the failure ends Run
	if err == nil || !strings.Contains(err.Error(), "store returned 0 results for 1 events") {
		t.Fatalf("Run = %v, want the apply stage's error", err)
	}
	behind := e.uncommittedNow(newClient(e))
	if behind != 4 {
		t.Fatalf("%d records uncommitted, want 4: m-1 committed, nothing from the failed m-2 on", behind)
	}
	if got, want := r.store.applied.list(), []string{"m-1", "m-2"}; !slices.Equal(got, want) {
		t.Errorf("applied %v, want %v: nothing after the failed batch", got, want)
	}
}

func TestBrokerUnreachableAtStartIsWaitedFor(t *testing.T) {
	e, startBroker := newEnvBrokerLater(t)
	r := e.start(nil, func(c *processor.Config) { c.JoinGroupBackoff = 10 * time.Millisecond })

	// kafka-go's reader gives up joining after three attempts and FetchMessage returns
	// the error: Run must fetch again, and Ready say why it cannot work meanwhile.
	waitNotReady(t, r.proc, "kafka_fetch")
	select {
	case <-r.done:
		t.Fatalf("Run returned while the broker was unreachable: %v", r.err)
	default:
	}

	startBroker()
	e.send(streak("m", "ana", "ben", 0, 4)...)
	if nudges, _, _ := e.outputs(); len(nudges) != 2 {
		t.Errorf("got %d nudges once the broker was up, want 2", len(nudges))
	}
	waitReady(t, r.proc)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run: %v", err)
	}
}
