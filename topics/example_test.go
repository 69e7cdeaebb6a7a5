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

func ExampleDecodeMemberAction() {
	clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

	a, err := topics.DecodeMemberAction([]byte(`{"action_id":"a-1","member_id":"u-2","other_member_id":"u-1",
		"action":"report","at":"2026-11-23T12:00:00+01:00","nudge_id":"nudge-5d8a3c6e0f2b9147","reason":"harassment"}`), clock)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.MemberID, a.Action, a.OtherMemberID, a.At, a.Reason)

	_, err = topics.DecodeMemberAction([]byte(`{"action_id":"a-2","member_id":"u-2","other_member_id":"u-1",
		"action":"mute","at":"2026-11-23T11:00:00Z"}`), clock)
	fmt.Println(err)
	// Output:
	// u-2 report u-1 2026-11-23 11:00:00 +0000 UTC harassment
	// invalid event: action: unknown, want one of dismiss, block, unblock, report
}
