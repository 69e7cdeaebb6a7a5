package topics_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/relance/relance/topics"
)

func ExampleDecodeMessageSent() {
	clock := time.Date(2026, 11, 23, 10, 20, 0, 0, time.UTC)

	m, err := topics.DecodeMessageSent([]byte(`{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2",
		"sent_at":"2026-11-23T11:15:00.123+01:00","text":"salut !","labels":["insult"]}`), clock)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.MessageID, m.SenderID, "->", m.RecipientID, m.SentAt, m.Labels)

	_, err = topics.DecodeMessageSent([]byte(`{"message_id":"m-2","sender_id":"u-1","recipient_id":"u-2",
		"sent_at":"2026-11-23T10:40:00Z","text":"salut !"}`), clock)
	fmt.Println(err)
	fmt.Println(errors.Is(err, topics.ErrInvalidEvent))
	// Output:
	// m-1 u-1 -> u-2 2026-11-23 10:15:00.123 +0000 UTC [insult]
	// invalid event: sent_at: 20 minutes ahead of the processor's clock
	// true
}
