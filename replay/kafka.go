package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/topics"
)

// TopicsConfig is where and what OpenTopics reads.
type TopicsConfig struct {
	// Brokers are the Kafka bootstrap addresses. Required.
	Brokers []string
	// Security is the brokers' TLS and SASL, as the processor's (package connect).
	Security connect.KafkaSecurity
	// Topics are the topic names; empty names take their defaults. The input topics are read.
	Topics topics.Names
	// From and To bound the records read: in each partition, from the first record whose
	// timestamp is at or after From to the last one before the first at or after To
	// (Kafka's offsets by timestamp). Required, From before To.
	From, To time.Time
	// RequestTimeout bounds each metadata and offsets request. Default 10s.
	RequestTimeout time.Duration
}

// partitionBatch is how many records a partition's reader hands over at once.
const partitionBatch = 256

// Topics reads the input topics between two times, each partition with a reader of its
// own, without a consumer group: nothing is joined, nothing committed.
type Topics struct {
	merge     merger[kafka.Message]
	parts     []*partitionReader
	total     int64
	transport *kafka.Transport
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

// Range is the offsets of one partition that a replay reads: [Start, End).
type Range struct {
	Topic      string
	Partition  int
	Start, End int64
}

// partitionReader reads one partition's range into batches.
type partitionReader struct {
	Range
	batches chan []kafka.Message // one batch read ahead: the merge takes the oldest head
	err     error                // set before batches is closed
	pending []kafka.Message
}

// OpenTopics finds each input partition's offsets at cfg.From and cfg.To and starts
// reading them. An unreachable broker or a missing topic is an error naming it.
func OpenTopics(ctx context.Context, cfg TopicsConfig) (_ *Topics, err error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("replay: no Kafka brokers")
	}
	if cfg.From.IsZero() || cfg.To.IsZero() || !cfg.From.Before(cfg.To) {
		return nil, fmt.Errorf("replay: from %s to %s: want from before to", cfg.From.Format(time.RFC3339), cfg.To.Format(time.RFC3339))
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	names := cfg.Topics.WithDefaults()
	t := &Topics{transport: cfg.Security.Transport()}
	defer func() {
		if err != nil {
			t.transport.CloseIdleConnections()
		}
	}()
	ranges, err := Ranges(ctx, &kafka.Client{Addr: kafka.TCP(cfg.Brokers...), Transport: t.transport, Timeout: cfg.RequestTimeout}, names.Inputs(), cfg.From, cfg.To)
	if err != nil {
		return nil, fmt.Errorf("replay: kafka %s: %w", strings.Join(cfg.Brokers, ","), err)
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	t.cancel = cancel
	for _, r := range ranges {
		t.total += r.End - r.Start
		if r.End <= r.Start {
			continue
		}
		p := &partitionReader{Range: r, batches: make(chan []kafka.Message, 1)}
		t.parts = append(t.parts, p)
		reader := kafka.NewReader(kafka.ReaderConfig{
			Brokers:   cfg.Brokers,
			Topic:     r.Topic,
			Partition: r.Partition,
			Dialer:    cfg.Security.Dialer(),
			MinBytes:  1,
			MaxBytes:  10 << 20,
			MaxWait:   500 * time.Millisecond,
		})
		t.wg.Go(func() {
			defer reader.Close()
			p.err = p.read(rctx, reader)
			close(p.batches)
		})
	}
	// Ties between equal timestamps: the topic listed first, then the lower partition,
	// which is the order of ranges.
	t.merge = merger[kafka.Message]{
		streams: len(t.parts),
		pull:    func(ctx context.Context, i int) (kafka.Message, error) { return t.parts[i].next(ctx) },
		key:     func(i int, m kafka.Message) (int64, int64) { return m.Time.UnixMilli(), int64(i) },
	}
	return t, nil
}

// Ranges finds, for every partition of topics, the offsets of its records from from to
// to: Start is the first offset whose timestamp is at or after from, End the first at or
// after to (the high watermark when there is none), so [Start, End) is what to read.
// Partitions come in the order of topics, then by number.
func Ranges(ctx context.Context, client *kafka.Client, topicNames []string, from, to time.Time) ([]Range, error) {
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: topicNames})
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	partitions := map[string][]int{}
	for _, t := range meta.Topics {
		if t.Error != nil {
			return nil, fmt.Errorf("topic %s: %w", t.Name, t.Error)
		}
		for _, p := range t.Partitions {
			partitions[t.Name] = append(partitions[t.Name], p.ID)
		}
	}
	offsets := func(what string, at func(p int) kafka.OffsetRequest) (map[string]map[int]int64, error) {
		req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
		for topic, ps := range partitions {
			for _, p := range ps {
				req.Topics[topic] = append(req.Topics[topic], at(p))
			}
		}
		resp, err := client.ListOffsets(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("offsets %s: %w", what, err)
		}
		out := map[string]map[int]int64{}
		for topic, ps := range resp.Topics {
			out[topic] = map[int]int64{}
			for _, p := range ps {
				if p.Error != nil {
					return nil, fmt.Errorf("offsets %s of %s/%d: %w", what, topic, p.Partition, p.Error)
				}
				off := p.LastOffset
				if off < 0 {
					off = -1
					for o := range p.Offsets {
						off = o // one offset per partition asked
					}
				}
				out[topic][p.Partition] = off
			}
		}
		return out, nil
	}
	ends, err := offsets("at the end", kafka.LastOffsetOf)
	if err != nil {
		return nil, err
	}
	starts, err := offsets("at "+from.Format(time.RFC3339Nano), func(p int) kafka.OffsetRequest { return kafka.TimeOffsetOf(p, from) })
	if err != nil {
		return nil, err
	}
	stops, err := offsets("at "+to.Format(time.RFC3339Nano), func(p int) kafka.OffsetRequest { return kafka.TimeOffsetOf(p, to) })
	if err != nil {
		return nil, err
	}
	var out []Range
	for _, topic := range topicNames {
		ps := slices.Clone(partitions[topic])
		if len(ps) == 0 {
			return nil, fmt.Errorf("topic %s: no partitions", topic)
		}
		slices.Sort(ps)
		for _, p := range ps {
			hw := ends[topic][p]
			r := Range{Topic: topic, Partition: p, Start: hw, End: hw}
			// -1: no record at or after the time.
			if s, ok := starts[topic][p]; ok && s >= 0 {
				r.Start = min(s, hw)
			}
			if e, ok := stops[topic][p]; ok && e >= 0 {
				r.End = min(e, hw)
			}
			r.End = max(r.End, r.Start)
			out = append(out, r)
		}
	}
	return out, nil
}

// read hands over the partition's records from Start to End, in batches.
func (p *partitionReader) read(ctx context.Context, r *kafka.Reader) error {
	if err := r.SetOffset(p.Start); err != nil {
		return err
	}
	batch := make([]kafka.Message, 0, partitionBatch)
	send := func() bool {
		select {
		case p.batches <- batch:
			batch = make([]kafka.Message, 0, partitionBatch)
			return true
		case <-ctx.Done():
			return false
		}
	}
	for r.Offset() < p.End {
		m, err := r.ReadMessage(ctx) // no GroupID: nothing is committed
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("read %s/%d at offset %d: %w", p.Topic, p.Partition, r.Offset(), err)
		}
		if m.Offset >= p.End {
			break
		}
		batch = append(batch, m)
		if len(batch) == partitionBatch && !send() {
			return ctx.Err()
		}
	}
	if len(batch) > 0 && !send() {
		return ctx.Err()
	}
	return nil
}

// next returns the partition's next record, io.EOF after its last.
func (p *partitionReader) next(ctx context.Context) (kafka.Message, error) {
	for len(p.pending) == 0 {
		select {
		case b, ok := <-p.batches:
			if !ok {
				if p.err != nil {
					return kafka.Message{}, p.err
				}
				return kafka.Message{}, io.EOF
			}
			p.pending = b
		case <-ctx.Done():
			return kafka.Message{}, ctx.Err()
		}
	}
	m := p.pending[0]
	p.pending = p.pending[1:]
	return m, nil
}

// Next returns the next record in merged order.
func (t *Topics) Next(ctx context.Context) (kafka.Message, error) {
	m, err := t.merge.next(ctx)
	if err != nil && err != io.EOF {
		return m, fmt.Errorf("replay: %w", err)
	}
	return m, err
}

// Total is the number of records in the ranges read.
func (t *Topics) Total() int64 { return t.total }

// Close stops the readers and closes their connections.
func (t *Topics) Close() error {
	if t.cancel != nil {
		t.cancel()
	}
	t.wg.Wait()
	t.transport.CloseIdleConnections()
	return nil
}
