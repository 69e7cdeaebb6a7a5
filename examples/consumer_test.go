package examples_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/examples"
	"github.com/relance/relance/examples/dedup"
)

// fakeReader serves records in order, then io.EOF, and records commits.
type fakeReader struct {
	records   []kafka.Message
	committed []int64
}

func (f *fakeReader) FetchMessage(context.Context) (kafka.Message, error) {
	if len(f.records) == 0 {
		return kafka.Message{}, io.EOF
	}
	m := f.records[0]
	f.records = f.records[1:]
	return m, nil
}

func (f *fakeReader) CommitMessages(_ context.Context, msgs ...kafka.Message) error {
	for _, m := range msgs {
		f.committed = append(f.committed, m.Offset)
	}
	return nil
}

func TestConsumeDropsDuplicatesAndCommitsEverything(t *testing.T) {
	r := &fakeReader{}
	for i, id := range []string{"a", "b", "a", "bad", "c", "b"} {
		r.records = append(r.records, kafka.Message{Offset: int64(i), Value: []byte(id)})
	}
	var done []string
	err := examples.Consume(context.Background(), r, dedup.New(10), func(m kafka.Message) (string, func() error, error) {
		id := string(m.Value)
		if id == "bad" {
			return "", nil, errors.New("undecodable")
		}
		return id, func() error { done = append(done, id); return nil }, nil
	})
	if !errors.Is(err, io.EOF) {
		t.Fatalf("err = %v", err)
	}
	if want := []string{"a", "b", "c"}; !equal(done, want) {
		t.Errorf("handled %q, want %q", done, want)
	}
	if len(r.committed) != 6 {
		t.Errorf("committed %v, want all 6 offsets", r.committed)
	}
}

func TestConsumeDoesNotCommitFailedWork(t *testing.T) {
	r := &fakeReader{records: []kafka.Message{{Offset: 7, Value: []byte("a")}}}
	seen := dedup.New(10)
	err := examples.Consume(context.Background(), r, seen, func(m kafka.Message) (string, func() error, error) {
		return "a", func() error { return errors.New("push service down") }, nil
	})
	if err == nil || len(r.committed) != 0 {
		t.Fatalf("err %v, committed %v: want the error and no commit", err, r.committed)
	}
	if !seen.Add("a") {
		t.Error("a failed id stays marked as seen: its redelivery would be dropped")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
