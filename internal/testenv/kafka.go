package testenv

import (
	"cmp"
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/internal/connect"
)

const (
	// kafkaPartitions is the partition count of seeded and auto-created topics.
	kafkaPartitions = 3
	// kafkaGroupMinSession lets group tests use short session timeouts (kfake's default
	// minimum is 6 s, like Kafka's group.min.session.timeout.ms).
	kafkaGroupMinSession = 100 * time.Millisecond
	kafkaProduceTimeout  = 30 * time.Second
	kafkaPollInterval    = 20 * time.Millisecond
	kafkaReaderMaxWait   = 100 * time.Millisecond
	// kafkaRequestTimeout bounds each request of NewClient's clients, so that polling goes
	// on past a broker that hangs.
	kafkaRequestTimeout = 10 * time.Second
)

// StartKafka starts an in-process Kafka-protocol cluster (franz-go's kfake) of one broker
// on a free 127.0.0.1 port, reached over TCP like a real one, with topics created with
// three partitions. Other topics are created on first use, also with three partitions.
// Consumer groups accept session timeouts down to 100ms, so group tests can set short
// SessionTimeout and HeartbeatInterval. The cluster stops when the test ends; it returns
// the broker addresses.
//
// Close clients first: register their Close with t.Cleanup after calling StartKafka, or
// defer it, so that they stop before the broker does.
func StartKafka(t testing.TB, topics ...string) []string {
	t.Helper()
	return StartKafkaOnPort(t, 0, topics...)
}

// StartKafkaOnPort is StartKafka on the given 127.0.0.1 port (0: a free one), for tests
// whose clients are told the broker's address before it starts.
func StartKafkaOnPort(t testing.TB, port int, topics ...string) []string {
	t.Helper()
	b := NewBroker(BrokerConfig{Port: port, Topics: topics})
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Stop() }) // kfake in this process: nothing to report
	return []string{b.Addr()}
}

// Produce writes msgs to topic and returns once all in-sync replicas have acknowledged
// them. Keys are partitioned like the Java clients do (murmur2). The messages' Topic must
// be empty or topic.
func Produce(t testing.TB, brokers []string, topic string, msgs ...kafka.Message) {
	t.Helper()
	ProduceWith(t, connect.KafkaSecurity{}, brokers, topic, msgs...)
}

// ProduceWith is Produce through sec's TLS and SASL.
func ProduceWith(t testing.TB, sec connect.KafkaSecurity, brokers []string, topic string, msgs ...kafka.Message) {
	t.Helper()
	out := make([]kafka.Message, len(msgs))
	for i, m := range msgs {
		if m.Topic != "" && m.Topic != topic {
			t.Fatalf("produce to %s: message %d is for topic %s", topic, i, m.Topic)
		}
		m.Topic = "" // the writer's Topic applies
		out[i] = m
	}

	// Its own transport, closed below: kafka.DefaultTransport keeps connections and a
	// metadata goroutine per cluster for the life of the process.
	transport := sec.Transport()
	defer transport.CloseIdleConnections()
	w := &kafka.Writer{
		Addr:                   kafka.TCP(brokers...),
		Topic:                  topic,
		Balancer:               &kafka.Murmur2Balancer{},
		RequiredAcks:           kafka.RequireAll,
		BatchTimeout:           time.Millisecond,
		AllowAutoTopicCreation: true,
		Transport:              transport,
	}
	ctx, cancel := context.WithTimeout(context.Background(), kafkaProduceTimeout)
	defer cancel()
	err := w.WriteMessages(ctx, out...)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("produce %d messages to %s: %v", len(msgs), topic, err)
	}
}

// ReadTopic reads topic from the beginning of every partition, without a consumer group
// (nothing is committed), until it has want messages or timeout has passed, and returns
// what it read: partition by partition, each in offset order. With want <= 0 it reads
// until the timeout, to check that nothing (more) was written. A topic that does not
// exist yet is waited for.
//
// When a topic holds more than want messages, which ones are returned is not defined:
// ask for one more than expected, with a short timeout, to check there are no extras.
func ReadTopic(t testing.TB, brokers []string, topic string, want int, timeout time.Duration) []kafka.Message {
	t.Helper()
	return ReadTopicWith(t, connect.KafkaSecurity{}, brokers, topic, want, timeout)
}

// ReadTopicWith is ReadTopic through sec's TLS and SASL.
func ReadTopicWith(t testing.TB, sec connect.KafkaSecurity, brokers []string, topic string, want int, timeout time.Duration) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	partitions := kafkaPartitionsOf(t, ctx, sec, brokers, topic)
	if len(partitions) == 0 {
		return nil // deadline passed before the topic existed
	}

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		msgs = make(chan kafka.Message) // unbuffered: readers stop as soon as we do
	)
	for _, p := range partitions {
		wg.Go(func() {
			if err := kafkaReadPartition(ctx, sec, brokers, topic, p, msgs); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}

	var got []kafka.Message
collect:
	for want <= 0 || len(got) < want {
		select {
		case m := <-msgs:
			got = append(got, m)
		case <-ctx.Done():
			break collect
		}
	}
	cancel()
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Errorf("read %s: %v", topic, err)
	}

	slices.SortFunc(got, func(a, b kafka.Message) int {
		return cmp.Or(cmp.Compare(a.Partition, b.Partition), cmp.Compare(a.Offset, b.Offset))
	})
	return got
}

// kafkaPartitionsOf waits until topic exists and returns its partitions, or nil when ctx
// ends first.
func kafkaPartitionsOf(t testing.TB, ctx context.Context, sec connect.KafkaSecurity, brokers []string, topic string) []int {
	t.Helper()
	tick := time.NewTicker(kafkaPollInterval)
	defer tick.Stop()
	var lastErr error
	for {
		parts, err := kafkaReadPartitions(ctx, sec, brokers, topic)
		if err == nil && len(parts) > 0 {
			return parts
		}
		lastErr = err
		select {
		case <-ctx.Done():
			t.Logf("topic %s: no partitions before the deadline (last error: %v)", topic, lastErr)
			return nil
		case <-tick.C:
		}
	}
}

// kafkaReadPartitions asks for topic's partitions without creating it (a kafka.Conn's
// ReadPartitions would, on a broker that allows auto-creation).
func kafkaReadPartitions(ctx context.Context, sec connect.KafkaSecurity, brokers []string, topic string) ([]int, error) {
	transport := sec.Transport()
	defer transport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Transport: transport, Timeout: kafkaRequestTimeout}
	resp, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, err
	}
	for _, tp := range resp.Topics {
		if tp.Name != topic {
			continue
		}
		if tp.Error != nil {
			return nil, tp.Error
		}
		var ids []int
		for _, p := range tp.Partitions {
			ids = append(ids, p.ID)
		}
		slices.Sort(ids)
		return ids, nil
	}
	return nil, errors.New("not in metadata")
}

// kafkaReadPartition sends partition's messages from its first offset to out until ctx
// ends. It returns an error only for something other than ctx ending.
func kafkaReadPartition(ctx context.Context, sec connect.KafkaSecurity, brokers []string, topic string, partition int, out chan<- kafka.Message) error {
	r, err := partitionReader(sec, brokers, topic, partition)
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		select {
		case out <- m:
		case <-ctx.Done():
			return nil
		}
	}
}

// partitionReader reads partition of topic from its first offset, without a group.
func partitionReader(sec connect.KafkaSecurity, brokers []string, topic string, partition int) (*kafka.Reader, error) {
	r := kafka.NewReader(kafka.ReaderConfig{
		Dialer:    sec.Dialer(),
		Brokers:   brokers,
		Topic:     topic,
		Partition: partition,
		MaxWait:   kafkaReaderMaxWait, // MinBytes stays at its default of 1: setting it alone panics
		MaxBytes:  8 << 20,
	})
	if err := r.SetOffset(kafka.FirstOffset); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}
