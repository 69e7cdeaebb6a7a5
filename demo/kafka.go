package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

// newWriter is the platform's producer: synchronous, acknowledged by all in-sync replicas,
// one record per call. The small BatchTimeout matters: kafka-go's 1 s default would hold
// each synchronous call for a second. Records are keyed by sender_id and partitioned like
// Java clients do.
func newWriter(brokers []string, tr *kafka.Transport) *kafka.Writer {
	return &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Balancer:     &kafka.Murmur2Balancer{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		Transport:    tr,
	}
}

// write encodes one scripted event and writes it to its topic.
func write(ctx context.Context, w *kafka.Writer, m topicMessage) error {
	value, err := topics.Encode(m.value)
	if err != nil {
		return fmt.Errorf("demo: encode %s: %w", m.eventType, err)
	}
	err = w.WriteMessages(ctx, kafka.Message{
		Topic: m.topic,
		Key:   []byte(m.key),
		Value: value,
		Headers: []kafka.Header{
			{Key: record.HeaderEventType, Value: []byte(m.eventType)},
			{Key: record.HeaderEventVersion, Value: []byte(topics.EventVersion)},
		},
	})
	if err != nil {
		return fmt.Errorf("demo: write %s: %w", m.topic, err)
	}
	return nil
}

// outputReaders returns one reader per partition of the two output topics, each positioned
// at the partition's end as it is now. Run calls it before writing its first event, so every
// output of the run is read, and no output of an earlier run is. (A consumer group reader
// starting at LastOffset would instead start wherever the end is once it has joined,
// possibly after the first outputs.)
func outputReaders(ctx context.Context, cfg Config, tr *kafka.Transport) ([]*kafka.Reader, error) {
	outputs := []string{cfg.Topics.CoachNudge, cfg.Topics.ModerationAlert}
	client := &kafka.Client{Addr: kafka.TCP(cfg.Brokers...), Transport: tr, Timeout: 10 * time.Second}
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: outputs})
	if err != nil {
		return nil, fmt.Errorf("demo: metadata of %v: %w", outputs, err)
	}
	req := &kafka.ListOffsetsRequest{Topics: make(map[string][]kafka.OffsetRequest)}
	for _, t := range meta.Topics {
		if t.Error != nil {
			return nil, fmt.Errorf("demo: topic %s: %w", t.Name, t.Error)
		}
		for _, p := range t.Partitions {
			req.Topics[t.Name] = append(req.Topics[t.Name], kafka.LastOffsetOf(p.ID))
		}
	}
	for _, name := range outputs {
		if len(req.Topics[name]) == 0 {
			return nil, fmt.Errorf("demo: topic %s has no partitions (does it exist?)", name)
		}
	}
	ends, err := client.ListOffsets(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("demo: end offsets of %v: %w", outputs, err)
	}

	var readers []*kafka.Reader
	closeAll := func() {
		for _, r := range readers {
			r.Close() //nolint:errcheck // nothing was read yet
		}
	}
	for _, name := range outputs {
		for _, p := range ends.Topics[name] {
			if p.Error != nil {
				closeAll()
				return nil, fmt.Errorf("demo: end offset of %s[%d]: %w", name, p.Partition, p.Error)
			}
			r := kafka.NewReader(kafka.ReaderConfig{
				Brokers:   cfg.Brokers,
				Topic:     name,
				Partition: p.Partition,
				MinBytes:  1,
				MaxBytes:  1 << 20,
				MaxWait:   250 * time.Millisecond, // also bounds how long Close waits for a fetch
			})
			readers = append(readers, r)
			if err := r.SetOffset(p.LastOffset); err != nil {
				closeAll()
				return nil, fmt.Errorf("demo: position on %s[%d]: %w", name, p.Partition, err)
			}
		}
	}
	return readers, nil
}
