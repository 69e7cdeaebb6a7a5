package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/examples"
	"github.com/relance/relance/examples/dedup"
)

type fakeReader struct{ records []kafka.Message }

func (f *fakeReader) FetchMessage(context.Context) (kafka.Message, error) {
	if len(f.records) == 0 {
		return kafka.Message{}, io.EOF
	}
	m := f.records[0]
	f.records = f.records[1:]
	return m, nil
}

func (f *fakeReader) CommitMessages(context.Context, ...kafka.Message) error { return nil }

// TestShowsEachOnce replays relance's golden records twice, as a redelivery would.
func TestShowsEachOnce(t *testing.T) {
	files, err := filepath.Glob("../../topics/testdata/moderation-alert.*.golden")
	if err != nil || len(files) == 0 {
		t.Fatalf("golden files: %v %v", files, err)
	}
	r := &fakeReader{}
	for range 2 {
		for _, f := range files {
			value, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r.records = append(r.records, kafka.Message{Value: value})
		}
	}
	r.records = append(r.records, kafka.Message{Value: []byte("not json")}, kafka.Message{Value: []byte("{}")})
	var out bytes.Buffer
	if err := examples.Consume(context.Background(), r, dedup.New(100), handler(&out)); !errors.Is(err, io.EOF) {
		t.Fatalf("err = %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(files) {
		t.Errorf("%d lines for %d distinct records:\n%s", len(lines), len(files), out.String())
	}
	if !strings.Contains(out.String(), "[medium] u-1 -> u-2: unanswered_streak") {
		t.Errorf("output lacks %q:\n%s", "[medium] u-1 -> u-2: unanswered_streak", out.String())
	}
}
