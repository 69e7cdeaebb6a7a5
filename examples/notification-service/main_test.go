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
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/relance/relance/examples"
	"github.com/relance/relance/examples/dedup"
	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
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

// goldens returns relance's golden coach-nudge records, each times times, as a redelivery would.
func goldens(t *testing.T, times int) (*fakeReader, int) {
	t.Helper()
	files, err := filepath.Glob("../../topics/testdata/coach-nudge.*.golden")
	if err != nil || len(files) == 0 {
		t.Fatalf("golden files: %v %v", files, err)
	}
	r := &fakeReader{}
	for range times {
		for _, f := range files {
			value, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r.records = append(r.records, kafka.Message{Value: value})
		}
	}
	return r, len(files)
}

func noTap(topics.CoachNudge) string { return "" }

func noSend(topics.MemberAction) error { return errors.New("no member action expected") }

// TestShowsEachOnce replays relance's golden records twice, as a redelivery would.
func TestShowsEachOnce(t *testing.T) {
	r, distinct := goldens(t, 2)
	r.records = append(r.records, kafka.Message{Value: []byte("not json")}, kafka.Message{Value: []byte("{}")})
	var out bytes.Buffer
	if err := examples.Consume(context.Background(), r, dedup.New(100), handler(&out, noTap, noSend, time.Now)); !errors.Is(err, io.EOF) {
		t.Fatalf("err = %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != distinct {
		t.Errorf("%d lines for %d distinct records:\n%s", len(lines), distinct, out.String())
	}
	if !strings.Contains(out.String(), "to u-2 [check_in] Lara") {
		t.Errorf("output lacks %q:\n%s", "to u-2 [check_in] Lara", out.String())
	}
}

func TestTapper(t *testing.T) {
	checkIn := func(id string) topics.CoachNudge {
		return topics.CoachNudge{NudgeID: id, Kind: topics.KindCheckIn, UserID: "u-2", OtherUserID: "u-1"}
	}
	for _, choice := range []string{"dismiss", "block", "report"} {
		tap, err := tapper(choice)
		if err != nil || tap(checkIn("n-1")) != choice {
			t.Errorf("tapper(%q): %v", choice, err)
		}
	}
	if tap, err := tapper("none"); err != nil || tap(checkIn("n-1")) != "" {
		t.Errorf("tapper(none): %v", err)
	}
	if _, err := tapper("ignore"); err == nil {
		t.Error("tapper(ignore) = nil error")
	}
	vary, err := tapper("vary")
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	for _, id := range []string{"n-1", "n-2", "n-3", "n-4", "n-5", "n-6", "n-7", "n-8", "n-9", "n-10"} {
		a := vary(checkIn(id))
		if a != vary(checkIn(id)) {
			t.Errorf("vary is not deterministic for %s", id)
		}
		seen[a] = true
	}
	if len(seen) != len(taps) {
		t.Errorf("vary over ten check-ins chose only %v", seen)
	}
}

// TestCheckInAnswered runs the service against an in-process Kafka broker: each check-in
// (redelivered once) is shown once and answered with one MemberAction on the member-action
// topic; the sender's nudges are not answered.
func TestCheckInAnswered(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "answers-dismiss", "answers-block", "answers-report"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tr := &kafka.Transport{}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{Addr: kafka.TCP(c.ListenAddrs()...), RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond, Transport: tr}
	defer w.Close()
	now := time.Date(2026, 11, 23, 11, 5, 0, 0, time.FixedZone("CET", 3600))

	for _, action := range taps {
		t.Run(action, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			topic := "answers-" + action
			tap, err := tapper(action)
			if err != nil {
				t.Fatal(err)
			}
			send := func(a topics.MemberAction) error { return sendAction(ctx, w, topic, a) }
			r, _ := goldens(t, 2)
			var out bytes.Buffer
			if err := examples.Consume(ctx, r, dedup.New(100), handler(&out, tap, send, func() time.Time { return now })); !errors.Is(err, io.EOF) {
				t.Fatalf("err = %v", err)
			}
			if got, want := strings.Count(out.String(), " taps "), 1; got != want {
				t.Errorf("%d taps, want %d:\n%s", got, want, out.String())
			}

			rd := kafka.NewReader(kafka.ReaderConfig{Brokers: c.ListenAddrs(), Topic: topic, Partition: 0, MaxWait: 100 * time.Millisecond})
			defer rd.Close()
			m, err := rd.ReadMessage(ctx)
			if err != nil {
				t.Fatalf("read %s: %v", topic, err)
			}
			a, err := topics.DecodeMemberAction(m.Value, now)
			if err != nil {
				t.Fatalf("relance would refuse %s: %v", m.Value, err)
			}
			want := topics.MemberAction{
				ActionID: a.ActionID, MemberID: "u-2", OtherMemberID: "u-1", Action: action,
				At: now.UTC(), NudgeID: "nudge-5d8a3c6e0f2b9147",
			}
			if a != want || !strings.HasPrefix(a.ActionID, "tap-") {
				t.Errorf("member action\n got %+v\nwant %+v", a, want)
			}
			if string(m.Key) != "u-2" || record.HeaderValue(m, record.HeaderEventType) != topics.TypeMemberAction ||
				record.HeaderValue(m, record.HeaderEventVersion) != topics.EventVersion {
				t.Errorf("key %q, headers %v", m.Key, m.Headers)
			}
			if !strings.Contains(out.String(), "u-2 taps "+action+" about u-1 (action "+a.ActionID+")") {
				t.Errorf("output lacks the tap:\n%s", out.String())
			}

			// One record only: the topic ends right after it.
			client := &kafka.Client{Addr: kafka.TCP(c.ListenAddrs()...), Transport: tr}
			ends, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: {kafka.LastOffsetOf(0)}}})
			if err != nil {
				t.Fatal(err)
			}
			if end := ends.Topics[topic][0].LastOffset; end != 1 {
				t.Errorf("%s holds %d records, want 1", topic, end)
			}
		})
	}
}

// TestAnswerIDs: a check-in redelivered after a crash is answered with the same action_id
// (relance counts it once); another check-in or another tap has another.
func TestAnswerIDs(t *testing.T) {
	n := topics.CoachNudge{NudgeID: "n-1", UserID: "u-2", OtherUserID: "u-1", Kind: topics.KindCheckIn}
	now := time.Now()
	a := answer(n, topics.MemberActionReport, now).ActionID
	if b := answer(n, topics.MemberActionReport, now.Add(time.Minute)).ActionID; b != a {
		t.Errorf("redone tap: %s, then %s", a, b)
	}
	if b := answer(n, topics.MemberActionBlock, now).ActionID; b == a {
		t.Errorf("block and report share %s", a)
	}
	n.NudgeID = "n-2"
	if b := answer(n, topics.MemberActionReport, now).ActionID; b == a {
		t.Errorf("two check-ins share %s", a)
	}
}
