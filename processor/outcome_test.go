package processor

import (
	"errors"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap/zaptest"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

// Each kind of observation has its label in the metrics.
func TestOutcomeHandlesEveryAction(t *testing.T) {
	for _, a := range policy.Actions {
		if got := outcome(a, policy.Streak{Status: policy.StatusAnswer}); got == "" || got == "unknown" {
			t.Errorf("%s: outcome %q", a, got)
		}
	}
}

// An event the store could not record is dead-lettered with the store's reason, like one
// that failed to decode, and the batch's other events are decided.
func TestOutputsDeadLetterWhatTheStoreRejects(t *testing.T) {
	p := &Processor{cfg: Config{}.withDefaults(), policy: policy.Default(), log: zaptest.NewLogger(t)}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	obs := policy.Observation{Action: policy.ActionMessage, MessageID: "m1", SenderID: "a", RecipientID: "b", SentAt: at}
	items := []item{
		{msg: &kafka.Message{Topic: "message-sent", Offset: 7}, obs: 0},
		{msg: &kafka.Message{Topic: "message-sent", Offset: 8}, obs: 1},
	}
	reason := errors.New("invalid observation: a test")
	results := []policy.Result{{Invalid: reason}, {Streak: policy.Streak{Status: policy.StatusCounted, Count: 1, PrevPeak: 0, Peak: 1}}}
	records, _, err := p.outputs(nil, items, []policy.Observation{obs, obs}, results)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 1 || records[0].Topic != topics.DefaultDeadLetter {
		t.Fatalf("records %+v, want one dead letter", records)
	}
	if got := record.HeaderValue(records[0], record.HeaderError); got == "" || !errors.Is(items[0].invalid, reason) {
		t.Errorf("dead letter's error header %q, item error %v; want the store's reason", got, items[0].invalid)
	}
}
