package embedded_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/relance/relance/embedded"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestKafkaWriteGroupReadCommitResume(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topics := []string{"message-sent", "reply"}
	k, err := embedded.StartKafka(ctx, topics, 3, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close() // after every client below is closed

	if got := partitionCount(t, ctx, k.Addrs()[0], topics...); got != 6 {
		t.Fatalf("%v have %d partitions in all, want 2×3", topics, got)
	}

	w := newWriter(k.Addrs())
	defer closeWriter(t, w)
	write(t, ctx, w,
		kafka.Message{Topic: "message-sent", Key: []byte("u-1"), Value: []byte("m-1")},
		kafka.Message{Topic: "reply", Key: []byte("u-2"), Value: []byte("m-2")},
	)

	const group = "embedded-test"
	r := newGroupReader(t, k.Addrs(), group, topics)
	got := fetch(t, ctx, r, 2)
	if err := r.CommitMessages(ctx, got...); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("close reader: %v", err)
	}
	if vals := values(got); !slices.Equal(vals, []string{"m-1", "m-2"}) {
		t.Fatalf("read %v, want m-1 and m-2", vals)
	}
	committed := committedOffsets(t, ctx, k.Addrs(), group, topics, 3)
	for _, m := range got {
		if c := committed[m.Topic][m.Partition]; c != m.Offset+1 {
			t.Errorf("%s/%d: committed offset %d, want %d", m.Topic, m.Partition, c, m.Offset+1)
		}
	}

	// A new member of the group resumes after the committed offsets.
	write(t, ctx, w, kafka.Message{Topic: "message-sent", Key: []byte("u-1"), Value: []byte("m-3")})
	r2 := newGroupReader(t, k.Addrs(), group, topics)
	defer r2.Close()
	if vals := values(fetch(t, ctx, r2, 1)); !slices.Equal(vals, []string{"m-3"}) {
		t.Fatalf("after resume read %v, want only m-3", vals)
	}
}

func TestKafkaCreatesUnknownTopicsWithTheSamePartitions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	k, err := embedded.StartKafka(ctx, nil, 2, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()

	w := newWriter(k.Addrs())
	w.AllowAutoTopicCreation = true
	defer closeWriter(t, w)
	write(t, ctx, w, kafka.Message{Topic: "made-on-the-fly", Value: []byte("x")})
	if got := partitionCount(t, ctx, k.Addrs()[0], "made-on-the-fly"); got != 2 {
		t.Errorf("auto-created topic has %d partitions, want 2", got)
	}
}

func TestKafkaFixedPort(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	if k, err := embedded.StartKafka(ctx, nil, 1, zap.NewNop(), embedded.WithPort(port)); err == nil {
		k.Close()
		t.Fatalf("started on port %d, which is in use", port)
	}

	busy.Close() // now free (unless another process grabs it in between: unlikely)
	k, err := embedded.StartKafka(ctx, []string{"t"}, 1, zap.NewNop(), embedded.WithPort(port))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if want := "127.0.0.1:" + strconv.Itoa(port); !slices.Equal(k.Addrs(), []string{want}) {
		t.Errorf("Addrs() = %v, want [%s]", k.Addrs(), want)
	}
}

func TestKafkaRejectsBadArguments(t *testing.T) {
	ctx := context.Background()
	if _, err := embedded.StartKafka(ctx, []string{"t"}, 0, nil); err == nil {
		t.Error("0 partitions accepted")
	}
	if _, err := embedded.StartKafka(ctx, []string{""}, 1, nil); err == nil {
		t.Error("empty topic name accepted")
	}
}

func TestRedis(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := embedded.StartRedis(zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr()})
	defer rdb.Close()

	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if got, err := rdb.Get(ctx, "k").Result(); err != nil || got != "v" {
		t.Fatalf("GET = %q, %v; want v", got, err)
	}

	incrBy := redis.NewScript(`return redis.call("INCRBY", KEYS[1], ARGV[1])`)
	for want := int64(3); want <= 6; want += 3 {
		got, err := incrBy.Run(ctx, rdb, []string{"n"}, 3).Int64()
		if err != nil || got != want {
			t.Fatalf("script = %d, %v; want %d", got, err, want)
		}
	}

	// Keys expire with the clock, like on a real server.
	if err := rdb.Set(ctx, "short", "v", 50*time.Millisecond).Err(); err != nil {
		t.Fatalf("SET PX: %v", err)
	}
	waitFor(t, ctx, "key with a 50ms TTL to expire", func() bool {
		n, err := rdb.Exists(ctx, "short").Result()
		return err == nil && n == 0
	})
}

func ExampleStartKafka() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	k, err := embedded.StartKafka(ctx, []string{"message-sent", "reply"}, 3, zap.NewNop())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer k.Close()

	conn, err := kafka.DialContext(ctx, "tcp", k.Addrs()[0])
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions("message-sent", "reply")
	fmt.Println(len(parts), err)
	// Output: 6 <nil>
}

func ExampleStartRedis() {
	r, err := embedded.StartRedis(zap.NewNop())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr()})
	defer rdb.Close()
	fmt.Println(rdb.Ping(context.Background()).Val())
	// Output: PONG
}

func newWriter(brokers []string) *kafka.Writer {
	return &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Balancer:     &kafka.Murmur2Balancer{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 5 * time.Millisecond,
		// Its own transport, closed by closeWriter: kafka.DefaultTransport is shared and
		// keeps its connections and metadata goroutines for the life of the process.
		Transport: &kafka.Transport{},
	}
}

func closeWriter(t *testing.T, w *kafka.Writer) {
	t.Helper()
	if err := w.Close(); err != nil {
		t.Errorf("close writer: %v", err)
	}
	// Writer.Close flushes but leaves a caller-provided transport open.
	w.Transport.(*kafka.Transport).CloseIdleConnections()
}

func write(t *testing.T, ctx context.Context, w *kafka.Writer, msgs ...kafka.Message) {
	t.Helper()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func newGroupReader(t *testing.T, brokers []string, group string, topics []string) *kafka.Reader {
	log := zaptest.NewLogger(t).Sugar()
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers:     brokers,
		GroupID:     group,
		GroupTopics: topics,
		StartOffset: kafka.FirstOffset,
		MaxWait:     50 * time.Millisecond,
		ErrorLogger: kafka.LoggerFunc(log.Debugf),
	})
}

func fetch(t *testing.T, ctx context.Context, r *kafka.Reader, n int) []kafka.Message {
	t.Helper()
	var got []kafka.Message
	for len(got) < n {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("fetch after %d of %d messages: %v", len(got), n, err)
		}
		got = append(got, m)
	}
	return got
}

func values(msgs []kafka.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, string(m.Value))
	}
	slices.Sort(out)
	return out
}

// committedOffsets returns the group's committed offsets by topic and partition.
func committedOffsets(t *testing.T, ctx context.Context, brokers []string, group string, topics []string, partitions int) map[string]map[int]int64 {
	t.Helper()
	transport := &kafka.Transport{}
	defer transport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Transport: transport}
	req := &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{}}
	for _, topic := range topics {
		for p := range partitions {
			req.Topics[topic] = append(req.Topics[topic], p)
		}
	}
	resp, err := client.OffsetFetch(ctx, req)
	if err == nil {
		err = resp.Error
	}
	if err != nil {
		t.Fatalf("offset fetch: %v", err)
	}
	out := make(map[string]map[int]int64)
	for topic, parts := range resp.Topics {
		out[topic] = make(map[int]int64)
		for _, p := range parts {
			out[topic][p.Partition] = p.CommittedOffset
		}
	}
	return out
}

func partitionCount(t *testing.T, ctx context.Context, broker string, topics ...string) int {
	t.Helper()
	conn, err := kafka.DialContext(ctx, "tcp", broker)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions(topics...)
	if err != nil {
		t.Fatal(err)
	}
	return len(parts)
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, errors.Join(ctx.Err(), context.Cause(ctx)))
		case <-tick.C:
		}
	}
}
