package record_test

import (
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

func ExampleNudge() {
	m, err := record.Nudge("coach-nudge", topics.CoachNudge{
		NudgeID: "n-1", UserID: "u-2", Audience: topics.AudienceRecipient, Kind: topics.KindCheckIn,
		OtherUserID: "u-1", OccurredAt: time.Date(2026, 11, 23, 10, 45, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Topic, string(m.Key), record.HeaderValue(m, record.HeaderEventType), record.HeaderValue(m, record.HeaderEventVersion))
	// Output:
	// coach-nudge u-2 coach-nudge 1
}

func ExampleDeadLetter() {
	src := kafka.Message{Topic: "message-sent", Partition: 3, Offset: 42, Key: []byte("u-1"), Value: []byte(`{"sender_id":5}`)}
	m := record.DeadLetter("dead-letter", src, fmt.Errorf("decode message-sent: %w", topics.ErrInvalidEvent), record.PayloadRedacted)
	for _, h := range m.Headers {
		fmt.Printf("%s: %s\n", h.Key, h.Value)
	}
	fmt.Println("value:", string(m.Value))
	// Output:
	// error: decode message-sent: invalid event
	// source-topic: message-sent
	// source-partition: 3
	// source-offset: 42
	// value: {"sender_id":5}
}

func ExampleRedact() {
	v, ok := record.Redact([]byte(`{"message_id":"m-1", "text":"salut !","labels":["insult"]}`))
	fmt.Println(string(v), ok)
	_, ok = record.Redact([]byte(`salut !`))
	fmt.Println(ok)
	// Output:
	// {"message_id":"m-1","labels":["insult"]} true
	// false
}
