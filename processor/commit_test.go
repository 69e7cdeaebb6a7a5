package processor

import (
	"maps"
	"strconv"
	"testing"

	"github.com/segmentio/kafka-go"
)

// commitPoints gives CommitMessages one record per partition, with the highest offset of
// the batch's records of that partition: what CommitMessages commits of the whole batch.
func TestCommitPointsCommitWhatTheBatchCommits(t *testing.T) {
	rec := func(topic string, partition int, offset int64) kafka.Message {
		return kafka.Message{Topic: topic, Partition: partition, Offset: offset, Value: []byte("v")}
	}
	for _, c := range []struct {
		name  string
		batch []kafka.Message
	}{
		{"one record", []kafka.Message{rec("a", 0, 7)}},
		{"runs of partitions", []kafka.Message{rec("a", 0, 1), rec("a", 0, 2), rec("a", 0, 3), rec("a", 1, 8), rec("a", 1, 9)}},
		{"partitions interleaved", []kafka.Message{rec("a", 0, 1), rec("a", 1, 8), rec("a", 2, 4), rec("a", 0, 2), rec("a", 1, 9), rec("a", 2, 5)}},
		{"two topics' partition 0", []kafka.Message{rec("a", 0, 1), rec("b", 0, 50), rec("a", 0, 2), rec("b", 0, 49)}},
		{"a partition's offsets out of order", []kafka.Message{rec("a", 0, 5), rec("a", 1, 1), rec("a", 0, 3)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			points, ok := commitPoints(nil, c.batch)
			if !ok {
				t.Fatal("not ok")
			}
			want := highestOffsets(c.batch)
			if got := highestOffsets(points); !maps.Equal(got, want) || len(points) != len(want) {
				t.Errorf("commit points %v, want one a partition: %v", got, want)
			}
		})
	}
}

// A batch from more partitions than commitPoints looks among is committed whole.
func TestCommitPointsOfTooManyPartitions(t *testing.T) {
	var batch []kafka.Message
	for p := range maxCommitPoints + 1 {
		batch = append(batch, kafka.Message{Topic: "a", Partition: p, Offset: 1})
	}
	if _, ok := commitPoints(nil, batch[:maxCommitPoints]); !ok {
		t.Errorf("%d partitions: not ok", maxCommitPoints)
	}
	if _, ok := commitPoints(nil, batch); ok {
		t.Errorf("%d partitions: ok, want the batch to be committed whole", len(batch))
	}
}

// highestOffsets is the highest offset of msgs in each topic's partition.
func highestOffsets(msgs []kafka.Message) map[string]int64 {
	out := make(map[string]int64)
	for _, m := range msgs {
		k := m.Topic + "/" + strconv.Itoa(m.Partition)
		if o, ok := out[k]; !ok || m.Offset > o {
			out[k] = m.Offset
		}
	}
	return out
}

// BenchmarkCommitPoints is what the publish stage adds to a batch's commit to spare
// CommitMessages all but one record a partition, on make bench's six input partitions
// with their records interleaved.
func BenchmarkCommitPoints(b *testing.B) {
	batch := benchBatch(1000, 0)
	var points []kafka.Message
	b.ReportAllocs()
	for b.Loop() {
		var ok bool
		if points, ok = commitPoints(points[:0], batch); !ok || len(points) != 6 {
			b.Fatalf("%d commit points, ok %v; want 6", len(points), ok)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/event")
}
