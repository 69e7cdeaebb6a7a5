package replay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/faults"
	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/replay"
	"github.com/relance/relance/topics"
)

// rangeWorkload is written to the input topics with record times (and event times) an
// hour apart from base: ana writes ben twelve times, never answered; cam writes dan six
// times, and dan answers on the reply topic after the third.
func rangeWorkload(t *testing.T, brokers []string, names topics.Names, base time.Time) {
	t.Helper()
	var sent, replies []kafka.Message
	for i := 1; i <= 12; i++ {
		at := base.Add(time.Duration(i) * time.Hour)
		v, _ := json.Marshal(topics.MessageSent{MessageID: fmt.Sprintf("ana-%d", i), SenderID: "ana", RecipientID: "ben", SentAt: at})
		sent = append(sent, kafka.Message{Key: []byte("ana-ben"), Value: v, Time: at})
	}
	for i := 1; i <= 6; i++ {
		at := base.Add(time.Duration(2+i)*time.Hour + time.Minute)
		v, _ := json.Marshal(topics.MessageSent{MessageID: fmt.Sprintf("cam-%d", i), SenderID: "cam", RecipientID: "dan", SentAt: at})
		sent = append(sent, kafka.Message{Key: []byte("cam-dan"), Value: v, Time: at})
	}
	at := base.Add(5*time.Hour + 30*time.Minute)
	v, _ := json.Marshal(topics.Reply{MessageID: "dan-1", SenderID: "dan", RecipientID: "cam", SentAt: at})
	replies = append(replies, kafka.Message{Key: []byte("dan-cam"), Value: v, Time: at})
	testenv.Produce(t, brokers, names.MessageSent, sent...)
	testenv.Produce(t, brokers, names.Reply, replies...)
}

// TestReplayTopicsBetweenTwoTimes replays the input topics of a kfake broker from 3h to 9h
// after base: only the records of that stretch are decided (ana's third to eighth message,
// cam's six and dan's reply), in timestamp order across topics and partitions, so that
// dan's reply on its own topic answers cam between his third and fourth message.
func TestReplayTopicsBetweenTwoTimes(t *testing.T) {
	names := topics.Names{}.WithDefaults()
	brokers := testenv.StartKafka(t, names.All()...)
	base := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Hour)
	rangeWorkload(t, brokers, names, base)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	src, err := replay.OpenTopics(ctx, replay.TopicsConfig{Brokers: brokers, Topics: names, From: base.Add(3 * time.Hour), To: base.Add(9 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if src.Total() != 13 {
		t.Errorf("%d records in the range, want 13", src.Total())
	}
	var mu sync.Mutex
	var decided []string
	reports, err := replay.Run(ctx, src, []*policy.Policy{policy.Default()}, replay.Config{BatchSize: 4},
		replay.WithDecisions(func(_ int, in policy.Input, d policy.Decisions) {
			mu.Lock()
			defer mu.Unlock()
			for _, n := range d.Nudges {
				decided = append(decided, n.Kind+" "+n.UserID+" by "+n.TriggeredBy)
			}
			for _, a := range d.Alerts {
				decided = append(decided, "alert "+a.SenderID+" by "+a.TriggeredBy)
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	r := reports[0]
	if r.Events != 13 || r.EventsByOutcome["counted"] != 12 || r.EventsByOutcome["answer"] != 1 {
		t.Errorf("%d events %v, want 13: 12 counted, 1 answer", r.Events, r.EventsByOutcome)
	}
	// ana's streak starts at her third message, the first in the range: her fourth
	// attempt in it is ana-6. cam's streak is answered after three.
	slices.Sort(decided)
	if got, want := strings.Join(decided, "; "), "check_in ben by ana-6; follow_up_limit ana by ana-6"; got != want {
		t.Errorf("decided %q, want %q", got, want)
	}
}

func TestRangesFindOffsetsByTimestamp(t *testing.T) {
	names := topics.Names{}.WithDefaults()
	brokers := testenv.StartKafka(t, names.All()...)
	base := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Hour)
	rangeWorkload(t, brokers, names, base)
	client, closeClient := testenv.NewClient(brokers...)
	defer closeClient()
	ctx := context.Background()
	tests := []struct {
		name     string
		from, to time.Duration // after base
		want     int64
	}{
		{name: "everything", from: 0, to: 24 * time.Hour, want: 19},
		{name: "a stretch", from: 3 * time.Hour, to: 9 * time.Hour, want: 13},
		{name: "to is exclusive", from: time.Hour, to: 2 * time.Hour, want: 1},
		{name: "after the last record", from: 13 * time.Hour, to: 24 * time.Hour, want: 0},
		{name: "before the first record", from: -time.Hour, to: 30 * time.Minute, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ranges, err := replay.Ranges(ctx, client, names.Inputs(), base.Add(tt.from), base.Add(tt.to))
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			for _, r := range ranges {
				n += r.End - r.Start
			}
			if n != tt.want {
				t.Errorf("%d records in %v, want %d", n, ranges, tt.want)
			}
		})
	}
}

func TestOpenTopicsNamesAnUnreachableBroker(t *testing.T) {
	_, err := replay.OpenTopics(context.Background(), replay.TopicsConfig{Brokers: []string{"127.0.0.1:1"},
		From: time.Now().Add(-time.Hour), To: time.Now(), RequestTimeout: 2 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("err = %v, want one naming the broker", err)
	}
}

// TestReplayTopicsDecidesAsTheLedger produces the fault harness's seeded workload to a
// kfake broker, records stamped by the producer, and replays the topics: every nudge and
// alert id of the ledger, and no other. The ledger holds whatever the interleaving of
// partitions, as long as each is decided in order (faults' TestLedgerIndependentOfTopicOrder):
// so must a replay.
func TestReplayTopicsDecidesAsTheLedger(t *testing.T) {
	names := topics.Names{}.WithDefaults()
	brokers := testenv.StartKafka(t, names.All()...)
	pol := policy.Default()
	w := faults.Generate(faults.WorkloadConfig{Seed: 13, Pairs: 100, BadRate: 0.05}, pol)
	byTopic := map[string][]kafka.Message{}
	var order []string
	for _, r := range w.Records {
		if _, ok := byTopic[r.Topic]; !ok {
			order = append(order, r.Topic)
		}
		byTopic[r.Topic] = append(byTopic[r.Topic], kafka.Message{Key: r.Key, Value: r.Value})
	}
	from := time.Now().Add(-time.Second)
	for _, topic := range order {
		testenv.Produce(t, brokers, topic, byTopic[topic]...)
	}
	to := time.Now().Add(time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	src, err := replay.OpenTopics(ctx, replay.TopicsConfig{Brokers: brokers, Topics: names, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var got outputs
	reports, err := replay.Run(ctx, src, []*policy.Policy{pol}, replay.Config{}, got.collect(0))
	if err != nil {
		t.Fatal(err)
	}
	if reports[0].Events != int64(w.Ledger.Events) {
		t.Errorf("%d events replayed, %d produced", reports[0].Events, w.Ledger.Events)
	}
	if !reflect.DeepEqual(got.got, w.Ledger.Outputs) {
		t.Fatalf("%d outputs, the ledger has %d", len(got.got), len(w.Ledger.Outputs))
	}
}

func TestOpenTopicsNamesAMissingTopic(t *testing.T) {
	brokers := testenv.StartKafka(t)
	names := topics.Names{MessageSent: "no-such-topic", Reply: "no-reply", MemberAction: "no-action"}
	_, err := replay.OpenTopics(context.Background(), replay.TopicsConfig{Brokers: brokers, Topics: names, From: time.Now().Add(-time.Hour), To: time.Now()})
	if err == nil || !strings.Contains(err.Error(), "topic no-") {
		t.Fatalf("err = %v, want one naming the topic", err)
	}
	t.Log(err)
}
