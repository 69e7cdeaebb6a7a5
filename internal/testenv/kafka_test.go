package testenv_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/goleak"

	"github.com/relance/relance/internal/testenv"
)

// noLeaks checks, once the test and all its cleanups are done, that it left no goroutine
// behind. Call it first, so that its cleanup runs last.
func noLeaks(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

func TestKafkaProduceThenReadTopic(t *testing.T) {
	noLeaks(t)
	brokers := testenv.StartKafka(t, "in", "empty")

	var sent []kafka.Message
	for i := range 6 {
		sent = append(sent, kafka.Message{
			Key:     []byte(fmt.Sprintf("u-%d", i%3)),
			Value:   []byte(fmt.Sprintf("m-%d", i)),
			Headers: []kafka.Header{{Key: "event-type", Value: []byte("message-sent")}},
		})
	}
	testenv.Produce(t, brokers, "in", sent...)

	got := testenv.ReadTopic(t, brokers, "in", len(sent), 10*time.Second)
	if vals := sortedValues(got); !slices.Equal(vals, []string{"m-0", "m-1", "m-2", "m-3", "m-4", "m-5"}) {
		t.Fatalf("read %v", vals)
	}
	for _, m := range got {
		if m.Topic != "in" || len(m.Headers) != 1 || string(m.Headers[0].Value) != "message-sent" {
			t.Errorf("message %s/%d@%d: topic %q headers %v", m.Topic, m.Partition, m.Offset, m.Topic, m.Headers)
		}
	}
	if !slices.IsSortedFunc(got, func(a, b kafka.Message) int {
		return (a.Partition*1_000_000 + int(a.Offset)) - (b.Partition*1_000_000 + int(b.Offset))
	}) {
		t.Error("messages not in partition, offset order")
	}

	// Asking for one more than was written returns them all once the (short) timeout passes.
	if extra := testenv.ReadTopic(t, brokers, "in", len(sent)+1, 300*time.Millisecond); len(extra) != len(sent) {
		t.Errorf("want+1 read %d messages, want %d", len(extra), len(sent))
	}
	if none := testenv.ReadTopic(t, brokers, "empty", 0, 200*time.Millisecond); len(none) != 0 {
		t.Errorf("empty topic gave %d messages", len(none))
	}
	if none := testenv.ReadTopic(t, brokers, "never-written", 1, 200*time.Millisecond); len(none) != 0 {
		t.Errorf("missing topic gave %d messages", len(none))
	}
}

func TestKafkaTopicsHaveThreePartitions(t *testing.T) {
	noLeaks(t)
	brokers := testenv.StartKafka(t, "seeded")
	testenv.Produce(t, brokers, "auto-created", kafka.Message{Value: []byte("x")})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	transport := &kafka.Transport{}
	defer transport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Transport: transport}
	resp, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{"seeded", "auto-created"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range resp.Topics {
		if topic.Error != nil || len(topic.Partitions) != 3 {
			t.Errorf("topic %s: %d partitions, error %v; want 3", topic.Name, len(topic.Partitions), topic.Error)
		}
	}
}

func TestKafkaGroupsAcceptShortSessions(t *testing.T) {
	noLeaks(t)
	brokers := testenv.StartKafka(t, "a", "b")
	testenv.Produce(t, brokers, "a", kafka.Message{Key: []byte("k"), Value: []byte("from-a")})
	testenv.Produce(t, brokers, "b", kafka.Message{Key: []byte("k"), Value: []byte("from-b")})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:     brokers,
		GroupID:     "short-sessions",
		GroupTopics: []string{"a", "b"},
		StartOffset: kafka.FirstOffset,
		// Far below kfake's default 6 s minimum: the join fails unless StartKafka lowered it.
		SessionTimeout:    500 * time.Millisecond,
		HeartbeatInterval: 100 * time.Millisecond,
		MaxWait:           100 * time.Millisecond,
	})
	defer r.Close()
	var got []kafka.Message
	for len(got) < 2 {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("fetch after %d messages: %v", len(got), err)
		}
		got = append(got, m)
	}
	if err := r.CommitMessages(ctx, got...); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if vals := sortedValues(got); !slices.Equal(vals, []string{"from-a", "from-b"}) {
		t.Errorf("read %v", vals)
	}
}

func sortedValues(msgs []kafka.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, string(m.Value))
	}
	slices.Sort(out)
	return out
}

// The fault rig restarts its broker on the same port with its data directory: records and
// committed offsets survive, and Lag, WaitCaughtUp and ReadAll see them.
func TestBrokerRestartsOnItsPortWithItsData(t *testing.T) {
	noLeaks(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b := testenv.NewBroker(testenv.BrokerConfig{Topics: []string{"in"}, Dir: t.TempDir()})
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	addr := b.Addr()
	brokers := []string{addr}
	var sent []kafka.Message
	for i := range 5 {
		sent = append(sent, kafka.Message{Key: []byte(fmt.Sprintf("k-%d", i)), Value: []byte(fmt.Sprintf("v-%d", i))})
	}
	testenv.Produce(t, brokers, "in", sent...)

	before, done := testenv.NewClient(brokers...)
	defer done()
	if lag, err := testenv.Lag(ctx, before, "g", "in"); err != nil || lag != 5 {
		t.Fatalf("lag of a group that committed nothing: %d, %v; want 5", lag, err)
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, GroupID: "g", Topic: "in", StartOffset: kafka.FirstOffset,
		SessionTimeout: 500 * time.Millisecond, HeartbeatInterval: 100 * time.Millisecond, MaxWait: 100 * time.Millisecond})
	for range 3 {
		m, err := r.FetchMessage(ctx)
		if err == nil {
			err = r.CommitMessages(ctx, m)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if b.Addr() != addr {
		t.Fatalf("restarted on %s, want %s", b.Addr(), addr)
	}
	client, closeClient := testenv.NewClient(brokers...)
	defer closeClient()
	ends, err := testenv.EndOffsets(ctx, client, "in")
	if err != nil || ends.Sum() != 5 {
		t.Fatalf("end offsets after the restart: %v (sum %d), %v; want 5 records", ends, ends.Sum(), err)
	}
	if lag, err := testenv.Lag(ctx, client, "g", "in"); err != nil || lag != 2 {
		t.Fatalf("lag after the restart: %d, %v; want 2", lag, err)
	}
	all, err := testenv.ReadAll(ctx, brokers, "in")
	if err != nil {
		t.Fatal(err)
	}
	if vals := sortedValues(all); !slices.Equal(vals, []string{"v-0", "v-1", "v-2", "v-3", "v-4"}) {
		t.Errorf("ReadAll after the restart: %v", vals)
	}
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelShort()
	if _, err := testenv.WaitCaughtUp(short, client, "g", "in"); err == nil {
		t.Error("WaitCaughtUp returned with 2 records uncommitted")
	}
}
