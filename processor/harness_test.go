package processor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"go.uber.org/zap/zaptest"

	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/internal/setup"
	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

// base is the event time of the first message of every scenario; event times only matter
// relative to each other and must not be ahead of the processor's clock, and scenarios
// span a little over a week.
var base = time.Now().UTC().Truncate(time.Hour).Add(-30 * 24 * time.Hour)

// env is one test's broker, Redis and topic names; nothing is shared between tests.
type env struct {
	t       *testing.T
	brokers []string
	names   topics.Names
	group   string
	rdb     *redis.Client // the processor's Redis, for the tests to look at
	// redis is how the processor reaches Redis; no Addrs: rdb's address, in plaintext.
	redis  connect.Redis
	policy *policy.Policy
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := newEnvWithoutBroker(t)
	e.brokers = testenv.StartKafka(t, e.names.All()...)
	return e
}

// newEnvBrokerLater is newEnv with the broker's address chosen but nothing listening on
// it yet: the returned function starts the broker there.
func newEnvBrokerLater(t *testing.T) (*env, func()) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	e := newEnvWithoutBroker(t)
	e.brokers = []string{net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	return e, func() { testenv.StartKafkaOnPort(t, port, e.names.All()...) }
}

func newEnvWithoutBroker(t *testing.T) *env {
	t.Helper()
	prefix := regexp.MustCompile(`[^a-zA-Z0-9]+`).ReplaceAllString(t.Name(), "-") + "."
	names := topics.Names{
		MessageSent:     prefix + topics.DefaultMessageSent,
		Reply:           prefix + topics.DefaultReply,
		MemberAction:    prefix + topics.DefaultMemberAction,
		CoachNudge:      prefix + topics.DefaultCoachNudge,
		ModerationAlert: prefix + topics.DefaultModerationAlert,
		DeadLetter:      prefix + topics.DefaultDeadLetter,
	}
	rdb := redis.NewClient(&redis.Options{Addr: testenv.StartRedis(t)})
	t.Cleanup(func() { rdb.Close() })
	return &env{t: t, names: names, group: prefix + "group", rdb: rdb, policy: policy.Default()}
}

// running is one processor instance started by a test.
type running struct {
	proc   *processor.Processor
	cancel context.CancelFunc
	done   chan error
	err    error
}

// stop cancels the processor as SIGTERM would and returns what Run returned.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case <-r.done:
		return r.err
	case <-time.After(30 * time.Second):
		t.Fatal("processor did not stop within 30s of its context being cancelled")
		return nil
	}
}

// start runs a processor over the env, built as relance builds it (package setup); wrap,
// if not nil, stands between the processor and the store.
func (e *env) start(wrap func(processor.Store) processor.Store, opts ...func(*processor.Config)) *running {
	e.t.Helper()
	return e.startWith(wrap, nil, opts...)
}

// wrap makes outer the processor's store, calling the real one through *inner.
func wrap(inner *processor.Store, outer processor.Store) func(processor.Store) processor.Store {
	return func(s processor.Store) processor.Store {
		*inner = s
		return outer
	}
}

// startWith is start with processor options too (they come after the test logger, so a
// WithLogger among them wins).
func (e *env) startWith(wrap func(processor.Store) processor.Store, procOpts []processor.Option, opts ...func(*processor.Config)) *running {
	t := e.t
	t.Helper()
	cfg := setup.Config{
		Processor: processor.Config{
			Brokers:           e.brokers,
			GroupID:           e.group,
			Topics:            e.names,
			MinBackoff:        10 * time.Millisecond,
			MaxBackoff:        100 * time.Millisecond,
			SessionTimeout:    time.Second,
			HeartbeatInterval: 100 * time.Millisecond,
			RebalanceTimeout:  time.Second,
		},
		Redis: e.redis,
	}
	if len(cfg.Redis.Addrs) == 0 {
		cfg.Redis = connect.Redis{Addrs: []string{e.rdb.Options().Addr}}
	}
	for _, o := range opts {
		o(&cfg.Processor)
	}
	setupOpts := []setup.Option{setup.WithLogger(zaptest.NewLogger(t)), setup.WithPolicy(e.policy),
		setup.WithProcessorOptions(procOpts...)}
	if wrap != nil {
		setupOpts = append(setupOpts, setup.WithStoreWrapper(wrap))
	}
	rel, err := setup.New(context.Background(), cfg, setupOpts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{proc: rel.Processor, cancel: cancel, done: make(chan error)}
	go func() {
		r.err = rel.Processor.Run(ctx)
		close(r.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-r.done
		rel.Close()
	})
	return r
}

// msg is a MessageSent from→to, n minutes after base.
func msg(id, from, to string, minutes int) topics.MessageSent {
	return topics.MessageSent{MessageID: id, SenderID: from, RecipientID: to,
		SentAt: base.Add(time.Duration(minutes) * time.Minute), Text: "texte " + id, Locale: "fr"}
}

// act is member's action about other, n minutes after base.
func act(id, member, action, other string, minutes int) topics.MemberAction {
	return topics.MemberAction{ActionID: id, MemberID: member, OtherMemberID: other, Action: action,
		At: base.Add(time.Duration(minutes) * time.Minute)}
}

func reply(id, from, to string, minutes int) topics.Reply {
	return topics.Reply{MessageID: id, SenderID: from, RecipientID: to,
		SentAt: base.Add(time.Duration(minutes) * time.Minute)}
}

// send produces events in order on their input topic (one partition per key keeps order).
func (e *env) send(events ...any) {
	e.t.Helper()
	for _, ev := range events {
		value, err := json.Marshal(ev)
		if err != nil {
			e.t.Fatal(err)
		}
		switch ev := ev.(type) {
		case topics.MessageSent:
			testenv.Produce(e.t, e.brokers, e.names.MessageSent, kafka.Message{Key: []byte(ev.SenderID), Value: value})
		case topics.Reply:
			testenv.Produce(e.t, e.brokers, e.names.Reply, kafka.Message{Key: []byte(ev.SenderID), Value: value})
		case topics.MemberAction:
			testenv.Produce(e.t, e.brokers, e.names.MemberAction, kafka.Message{Key: []byte(ev.OtherMemberID), Value: value})
		default:
			e.t.Fatalf("send: unexpected %T", ev)
		}
	}
}

// sendRaw produces bytes as they are on an input topic.
func (e *env) sendRaw(topic string, value []byte) {
	e.t.Helper()
	testenv.Produce(e.t, e.brokers, topic, kafka.Message{Key: []byte("raw"), Value: value})
}

// waitCommitted waits until the group has committed every record produced so far on every
// input topic: from then on, every output of those records is on the output topics.
func (e *env) waitCommitted() {
	e.t.Helper()
	client := newClient(e)
	deadline := time.Now().Add(30 * time.Second)
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	var last string
	for ; time.Now().Before(deadline); <-poll.C {
		behind, err := e.uncommitted(client)
		if err == nil && behind == 0 {
			return
		}
		last = fmt.Sprintf("behind=%d err=%v", behind, err)
	}
	e.t.Fatalf("group %s did not commit all input within 30s (%s)", e.group, last)
}

// uncommittedNow is uncommitted, failing the test when it cannot be known.
func (e *env) uncommittedNow(client *kafka.Client) int64 {
	e.t.Helper()
	behind, err := e.uncommitted(client)
	if err != nil {
		e.t.Fatal(err)
	}
	return behind
}

// uncommitted is how many input records the group has not committed yet.
func (e *env) uncommitted(client *kafka.Client) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req := map[string][]kafka.OffsetRequest{}
	parts := map[string][]int{}
	for _, topic := range e.names.Inputs() {
		for p := range 3 {
			req[topic] = append(req[topic], kafka.LastOffsetOf(p))
			parts[topic] = append(parts[topic], p)
		}
	}
	ends, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: req})
	if err != nil {
		return 0, err
	}
	committed, err := client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: e.group, Topics: parts})
	if err != nil {
		return 0, err
	}
	if committed.Error != nil {
		return 0, committed.Error
	}
	var behind int64
	for topic, parts := range ends.Topics {
		for _, p := range parts {
			if p.Error != nil {
				return 0, p.Error
			}
			done := int64(0)
			for _, c := range committed.Topics[topic] {
				if c.Partition == p.Partition && c.CommittedOffset > 0 {
					done = c.CommittedOffset
				}
			}
			behind += p.LastOffset - done
		}
	}
	return behind, nil
}

// outputs reads everything on the output topics once the input is committed.
func (e *env) outputs() ([]topics.CoachNudge, []topics.ModerationAlert, []kafka.Message) {
	e.t.Helper()
	e.waitCommitted()
	var nudges []topics.CoachNudge
	for _, m := range e.readAll(e.names.CoachNudge) {
		var n topics.CoachNudge
		mustUnmarshal(e.t, m, &n)
		nudges = append(nudges, n)
	}
	var alerts []topics.ModerationAlert
	for _, m := range e.readAll(e.names.ModerationAlert) {
		var a topics.ModerationAlert
		mustUnmarshal(e.t, m, &a)
		alerts = append(alerts, a)
	}
	return nudges, alerts, e.readAll(e.names.DeadLetter)
}

// readAll returns every record of a topic; the topic is complete when called after
// waitCommitted.
func (e *env) readAll(topic string) []kafka.Message {
	e.t.Helper()
	client := newClient(e)
	ends, err := client.ListOffsets(context.Background(), &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{
		topic: {kafka.LastOffsetOf(0), kafka.LastOffsetOf(1), kafka.LastOffsetOf(2)},
	}})
	if err != nil {
		e.t.Fatal(err)
	}
	var total int
	for _, p := range ends.Topics[topic] {
		total += int(p.LastOffset)
	}
	if total == 0 {
		return nil
	}
	got := testenv.ReadTopic(e.t, e.brokers, topic, total, 20*time.Second)
	if len(got) != total {
		e.t.Fatalf("read %d of the %d records on %s", len(got), total, topic)
	}
	return got
}

func mustUnmarshal(t *testing.T, m kafka.Message, v any) {
	t.Helper()
	if got := record.HeaderValue(m, record.HeaderEventVersion); got != topics.EventVersion {
		t.Errorf("%s record at offset %d: event-version %q", m.Topic, m.Offset, got)
	}
	if err := json.Unmarshal(m.Value, v); err != nil {
		t.Fatalf("%s record at offset %d: %v", m.Topic, m.Offset, err)
	}
}

// decision names what was decided, independently of its id.
func nudgeDecision(n topics.CoachNudge) string {
	return strings.Join([]string{n.Kind, n.UserID, n.TriggeredBy}, " ")
}

func alertDecision(a topics.ModerationAlert) string {
	return strings.Join([]string{a.Severity, a.SenderID, a.RecipientID, a.TriggeredBy}, " ")
}

// errCrash is returned by crashingStore to simulate a process dying after Redis.
var errCrash = errors.New("simulated crash after the Redis write")

// newClient is a Kafka client whose connections close with the test.
func newClient(e *env) *kafka.Client {
	transport := &kafka.Transport{}
	e.t.Cleanup(transport.CloseIdleConnections)
	return &kafka.Client{Addr: kafka.TCP(e.brokers...), Timeout: 5 * time.Second, Transport: transport}
}
