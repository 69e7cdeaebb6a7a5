package testenv

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/internal/connect"
)

// caughtUpPollInterval is how often WaitCaughtUp polls: the benchmark times a run by
// when it first sees the group caught up.
const caughtUpPollInterval = 10 * time.Millisecond

// NewClient returns a client of brokers on a transport of its own, whose requests time
// out after 10 s, and a func that closes the transport's connections (kafka.DefaultTransport
// keeps connections and a metadata goroutine per cluster for the life of the process).
func NewClient(brokers ...string) (*kafka.Client, func()) {
	transport := &kafka.Transport{}
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Transport: transport, Timeout: kafkaRequestTimeout}
	return client, transport.CloseIdleConnections
}

// Offsets maps a topic and a partition to an offset.
type Offsets map[string]map[int]int64

// Sum is the sum of the offsets: for end offsets, the number of records written.
func (o Offsets) Sum() int64 {
	var sum int64
	for _, parts := range o {
		for _, off := range parts {
			sum += off
		}
	}
	return sum
}

// EndOffsets returns the end offset (the high watermark) of every partition of topics.
func EndOffsets(ctx context.Context, client *kafka.Client, topics ...string) (Offsets, error) {
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for _, t := range meta.Topics {
		if t.Error != nil {
			return nil, fmt.Errorf("metadata of %s: %w", t.Name, t.Error)
		}
		for _, p := range t.Partitions {
			req.Topics[t.Name] = append(req.Topics[t.Name], kafka.LastOffsetOf(p.ID))
		}
	}
	resp, err := client.ListOffsets(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("list offsets: %w", err)
	}
	out := Offsets{}
	for topic, parts := range resp.Topics {
		out[topic] = map[int]int64{}
		for _, p := range parts {
			if p.Error != nil {
				return nil, fmt.Errorf("list offsets of %s/%d: %w", topic, p.Partition, p.Error)
			}
			out[topic][p.Partition] = p.LastOffset
		}
	}
	return out, nil
}

// Lag returns how many records of topics group has not committed yet: a partition
// without a committed offset counts from its start.
func Lag(ctx context.Context, client *kafka.Client, group string, topics ...string) (int64, error) {
	ends, err := EndOffsets(ctx, client, topics...)
	if err != nil {
		return 0, err
	}
	req := &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{}}
	for topic, parts := range ends {
		req.Topics[topic] = slices.Collect(maps.Keys(parts))
	}
	resp, err := client.OffsetFetch(ctx, req)
	if err == nil && !errors.Is(resp.Error, kafka.GroupIdNotFound) { // kfake's answer for a group that never committed
		err = resp.Error
	}
	if err != nil {
		return 0, fmt.Errorf("offset fetch of %s: %w", group, err)
	}
	committed := Offsets{}
	for topic, parts := range resp.Topics {
		committed[topic] = map[int]int64{}
		for _, p := range parts {
			if p.Error != nil {
				return 0, fmt.Errorf("offset fetch of %s, %s/%d: %w", group, topic, p.Partition, p.Error)
			}
			committed[topic][p.Partition] = max(p.CommittedOffset, 0) // -1: none
		}
	}
	var lag int64
	for topic, parts := range ends {
		for p, end := range parts {
			lag += max(end-committed[topic][p], 0)
		}
	}
	return lag, nil
}

// WaitCaughtUp polls until group has committed every record of topics (its Lag is 0), and
// returns when it first saw so. It gives up when ctx ends.
func WaitCaughtUp(ctx context.Context, client *kafka.Client, group string, topics ...string) (time.Time, error) {
	tick := time.NewTicker(caughtUpPollInterval)
	defer tick.Stop()
	lag, lastErr := int64(-1), error(nil)
	for {
		attempt, cancel := context.WithTimeout(ctx, kafkaRequestTimeout)
		l, err := Lag(attempt, client, group, topics...)
		cancel()
		if err == nil && l == 0 {
			return time.Now(), nil
		}
		if lastErr = err; err == nil {
			lag = l
		}
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("group %s not caught up (lag %d, last error %v): %w", group, lag, lastErr, ctx.Err())
		case <-tick.C:
		}
	}
}

// ReadAll reads every record of topic, from the first offset to the high watermark it has
// when ReadAll starts, without a consumer group: partition by partition, each in offset
// order.
func ReadAll(ctx context.Context, brokers []string, topic string) ([]kafka.Message, error) {
	client, done := NewClient(brokers...)
	defer done()
	ends, err := EndOffsets(ctx, client, topic)
	if err != nil {
		return nil, err
	}
	var out []kafka.Message
	for _, p := range slices.Sorted(maps.Keys(ends[topic])) {
		msgs, err := readPartitionTo(ctx, brokers, topic, p, ends[topic][p])
		if err != nil {
			return nil, err
		}
		out = append(out, msgs...)
	}
	return out, nil
}

// readPartitionTo reads partition of topic from its first offset up to end.
func readPartitionTo(ctx context.Context, brokers []string, topic string, partition int, end int64) ([]kafka.Message, error) {
	if end == 0 {
		return nil, nil
	}
	r, err := partitionReader(connect.KafkaSecurity{}, brokers, topic, partition)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []kafka.Message
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read %s/%d at %d of %d: %w", topic, partition, len(out), end, err)
		}
		out = append(out, m)
		if m.Offset >= end-1 {
			return out, nil
		}
	}
}
