package processor

import (
	"time"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
)

// Decoder turns one record value of an input topic into the Input the store and the
// policy decide, and the message's text for the text check (empty when none). An error
// wraps topics.ErrInvalidEvent: the record is dead-lettered.
type Decoder func(value []byte, now time.Time) (policy.Input, policy.Text, error)

// Decoders are the input topics and how each one's records are read: a new input is one
// entry here (and its Action in package policy), nothing else.
func Decoders(names topics.Names) map[string]Decoder {
	names = names.WithDefaults()
	return map[string]Decoder{
		names.MessageSent:  decodeMessageSent,
		names.Reply:        decodeReply,
		names.MemberAction: decodeMemberAction,
	}
}

func decodeMessageSent(value []byte, now time.Time) (policy.Input, policy.Text, error) {
	ev, err := topics.DecodeMessageSent(value, now)
	if err != nil {
		return policy.Input{}, policy.Text{}, err
	}
	attachments := make([][]string, len(ev.Attachments))
	for i, a := range ev.Attachments {
		attachments[i] = a.Labels
	}
	return policy.Input{
		Observation: policy.Observation{
			Action:      policy.ActionMessage,
			MessageID:   ev.MessageID,
			SenderID:    ev.SenderID,
			RecipientID: ev.RecipientID,
			SentAt:      ev.SentAt,
			Categories:  policy.Categories(ev.Labels, attachments),
		},
		Locale:          ev.Locale,
		RecipientLocale: ev.RecipientLocale,
	}, policy.Text{Text: ev.Text, Locale: ev.Locale}, nil
}

func decodeReply(value []byte, now time.Time) (policy.Input, policy.Text, error) {
	ev, err := topics.DecodeReply(value, now)
	if err != nil {
		return policy.Input{}, policy.Text{}, err
	}
	return policy.Input{Observation: policy.Observation{
		Action:      policy.ActionReply,
		MessageID:   ev.MessageID,
		SenderID:    ev.SenderID,
		RecipientID: ev.RecipientID,
		SentAt:      ev.SentAt,
	}}, policy.Text{}, nil
}

// decodeMemberAction reads what member_id did about other_member_id. It acts on
// other_member_id's streak to member_id, so the observation's sender is the member acted
// about (policy.ActionDismiss).
func decodeMemberAction(value []byte, now time.Time) (policy.Input, policy.Text, error) {
	ev, err := topics.DecodeMemberAction(value, now)
	if err != nil {
		return policy.Input{}, policy.Text{}, err
	}
	action, _ := policy.MemberAction(ev.Action) // DecodeMemberAction accepts no other
	return policy.Input{Observation: policy.Observation{
		Action:      action,
		MessageID:   ev.ActionID,
		SenderID:    ev.OtherMemberID,
		RecipientID: ev.MemberID,
		SentAt:      ev.At,
	}}, policy.Text{}, nil
}
