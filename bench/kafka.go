package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/processor"
	"github.com/relance/relance/topics"
)

// Preload writes n events of w to the input topics as fast as the broker takes them, in
// chunks of 10,000 per call, acknowledged by all in-sync replicas. It returns how long
// the writes took.
func Preload(ctx context.Context, brokers []string, w *Workload, n int) (time.Duration, error) {
	return PreloadTo(ctx, brokers, w, n, topics.Names{})
}

// PreloadTo is Preload to the input topics named by names (empty names: the defaults).
func PreloadTo(ctx context.Context, brokers []string, w *Workload, n int, names topics.Names) (time.Duration, error) {
	names = names.WithDefaults()
	rename := map[string]string{
		topics.DefaultMessageSent:  names.MessageSent,
		topics.DefaultReply:        names.Reply,
		topics.DefaultMemberAction: names.MemberAction,
	}
	transport := &kafka.Transport{}
	defer transport.CloseIdleConnections()
	wr := &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Transport:    transport,
		Balancer:     &kafka.Murmur2Balancer{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		BatchSize:    10_000,
		BatchBytes:   16 << 20,
	}
	start := time.Now()
	const chunk = 10_000
	msgs := make([]kafka.Message, 0, chunk)
	for sent := 0; sent < n; {
		msgs = msgs[:0]
		for range min(chunk, n-sent) {
			ev := w.Next()
			msgs = append(msgs, kafka.Message{Topic: rename[ev.Topic], Key: ev.Key, Value: ev.Value})
		}
		if err := wr.WriteMessages(ctx, msgs...); err != nil {
			_ = wr.Close()
			return 0, fmt.Errorf("preload: %w", err)
		}
		sent += len(msgs)
	}
	if err := wr.Close(); err != nil {
		return 0, fmt.Errorf("preload: close writer: %w", err)
	}
	return time.Since(start), nil
}

// openKafka is a group reader of the input topics and a writer to outTopic, with relance's
// processor settings, and what closes them.
func openKafka(brokers []string, inputs topics.Names, group string, batch int, outTopic string) (*kafka.Reader, *kafka.Writer, func()) {
	r := newGroupReader(brokers, inputs, group, batch)
	transport := &kafka.Transport{}
	w := newWriter(brokers, transport, outTopic)
	return r, w, func() {
		_ = r.Close()
		_ = w.Close()
		transport.CloseIdleConnections()
	}
}

// newGroupReader reads the input topics in group with relance's processor reader, its queue
// sized for batches of batch records.
func newGroupReader(brokers []string, inputs topics.Names, group string, batch int) *kafka.Reader {
	return kafka.NewReader(processor.ReaderConfig(processor.Config{Brokers: brokers, Topics: inputs, GroupID: group, BatchSize: batch}, nil))
}

// newWriter writes to topic with relance's processor writer.
func newWriter(brokers []string, transport *kafka.Transport, topic string) *kafka.Writer {
	w := processor.NewWriter(processor.Config{Brokers: brokers, AllowAutoTopicCreation: true}, transport, nil)
	w.Topic = topic
	return w
}

// Produce writes events of a workload seeded with seed to the input topics at rate events
// per second (event times are the produce times), until n events or ctx ends. It returns
// how many it wrote and how long that took.
func Produce(ctx context.Context, brokers []string, seed uint64, rate float64, n int) (int, time.Duration, error) {
	transport := &kafka.Transport{}
	defer transport.CloseIdleConnections()
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Transport: transport, Balancer: &kafka.Murmur2Balancer{},
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond,
		BatchSize: 100} // kafka-go allocates BatchSize slots per batch: keep it near a tick's records
	wl := NewWorkload(WorkloadConfig{Seed: seed})
	start := time.Now()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	count := 0
	for now := start; count < n; {
		due := min(int(rate*now.Sub(start).Seconds()), n) - count
		msgs := make([]kafka.Message, 0, due)
		for range due {
			ev := wl.NextAt(now)
			msgs = append(msgs, kafka.Message{Topic: ev.Topic, Key: ev.Key, Value: ev.Value})
		}
		if len(msgs) > 0 {
			if err := w.WriteMessages(ctx, msgs...); err != nil {
				_ = w.Close()
				return count, time.Since(start), err
			}
			count += due
		}
		select {
		case <-ctx.Done():
			_ = w.Close()
			return count, time.Since(start), nil
		case now = <-t.C:
		}
	}
	return count, time.Since(start), w.Close()
}
