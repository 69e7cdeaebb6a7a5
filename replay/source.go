package replay

import (
	"container/heap"
	"context"
	"io"

	"github.com/segmentio/kafka-go"
)

// Source is the records to replay, in the order they are decided.
type Source interface {
	// Next returns the next record, or io.EOF after the last one.
	Next(ctx context.Context) (kafka.Message, error)
	// Total is how many records Next returns in all, for the progress line.
	Total() int64
	// Close releases the source's file or connections.
	Close() error
}

// merger merges streams (partitions) of items by timestamp, keeping each stream's order:
// it always takes the oldest of the streams' next items (see the package documentation).
// A file's lines and a topic's records are merged by the same code.
type merger[T any] struct {
	// pull returns stream i's next item, or io.EOF after its last one.
	pull func(ctx context.Context, i int) (T, error)
	// key is what orders an item of stream i: its timestamp, then tie.
	key     func(i int, item T) (ts, tie int64)
	streams int
	heads   heads[T]
	started bool
}

// head is a stream's next item.
type head[T any] struct {
	item    T
	ts, tie int64
	stream  int
}

// heads is a min-heap of heads by timestamp, then tie.
type heads[T any] []head[T]

func (h heads[T]) Len() int { return len(h) }
func (h heads[T]) Less(i, j int) bool {
	if h[i].ts != h[j].ts {
		return h[i].ts < h[j].ts
	}
	return h[i].tie < h[j].tie
}
func (h heads[T]) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *heads[T]) Push(x any)   { *h = append(*h, x.(head[T])) }
func (h *heads[T]) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// next returns the oldest next item of all streams, or io.EOF when every one has ended.
func (m *merger[T]) next(ctx context.Context) (T, error) {
	var zero T
	if !m.started {
		m.started = true
		for i := range m.streams {
			if err := m.add(ctx, i); err != nil {
				return zero, err
			}
		}
	}
	if len(m.heads) == 0 {
		return zero, io.EOF
	}
	h := heap.Pop(&m.heads).(head[T])
	if err := m.add(ctx, h.stream); err != nil {
		return zero, err
	}
	return h.item, nil
}

// add pushes stream i's next item, if it has one.
func (m *merger[T]) add(ctx context.Context, i int) error {
	item, err := m.pull(ctx, i)
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	ts, tie := m.key(i, item)
	heap.Push(&m.heads, head[T]{item: item, ts: ts, tie: tie, stream: i})
	return nil
}
