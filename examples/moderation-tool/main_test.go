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

func TestQueueLine(t *testing.T) {
	reported, err := os.ReadFile("../../topics/testdata/moderation-alert.reported.golden")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, value, want string
	}{
		{"report", string(reported),
			"[high] REPORT a-4 by u-2 about u-1: reported, unanswered_streak, continued_after_nudge; evidence m-1 m-2 m-3 m-4 m-5 m-6"},
		{"report about no streak",
			`{"alert_id":"alert-1","severity":"medium","sender_id":"u-1","recipient_id":"u-2","reasons":["reported"],"message_ids":[],"member_ids":[],"action_id":"a-9"}`,
			"[medium] REPORT a-9 by u-2 about u-1: reported; evidence none"},
		{"sender-level",
			`{"alert_id":"alert-2","severity":"high","sender_id":"u-1","reasons":["repeated_pestering"],"message_ids":[],"member_ids":["u-2","u-3","u-4","u-5","u-6"],"action_id":""}`,
			"[high] u-1 -> 5 members u-2 u-3 u-4 u-5 u-6: repeated_pestering; evidence none"},
		{"sender-level, a reason not known yet",
			`{"alert_id":"alert-3","severity":"high","sender_id":"u-1","reasons":["reported_by_many"],"member_ids":["u-2","u-7"]}`,
			"[high] u-1 -> 2 members u-2 u-7: reported_by_many; evidence none"},
		{"sender-level with a recipient",
			`{"alert_id":"alert-4","severity":"medium","sender_id":"u-1","recipient_id":"u-2","reasons":["blocked_by_many"],"message_ids":["m-1"],"member_ids":["u-2"]}`,
			"[medium] u-1 -> u-2, 1 member u-2: blocked_by_many; evidence m-1"},
		{"pair alert", `{"alert_id":"alert-5","severity":"medium","sender_id":"u-1","recipient_id":"u-2","reasons":["unanswered_streak"],"message_ids":["m-1","m-2"],"member_ids":[],"action_id":""}`,
			"[medium] u-1 -> u-2: unanswered_streak; evidence m-1 m-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			r := &fakeReader{records: []kafka.Message{{Value: []byte(tt.value)}}}
			if err := examples.Consume(context.Background(), r, dedup.New(10), handler(&out)); !errors.Is(err, io.EOF) {
				t.Fatalf("err = %v", err)
			}
			if got := strings.TrimSuffix(out.String(), "\n"); got != tt.want {
				t.Errorf("queue line\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
