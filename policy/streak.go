package policy

import "time"

// Action says what kind of input event the store applies.
type Action int

const (
	// ActionMessage is a MessageSent from Sender to Recipient: it answers Recipient→Sender
	// and may extend the Sender→Recipient streak.
	ActionMessage Action = iota + 1
	// ActionReply is a Reply from Sender to Recipient: it answers Recipient→Sender only.
	ActionReply
)

// Observation is what the store records of one valid input event. It never holds message text.
type Observation struct {
	Action      Action
	MessageID   string
	SenderID    string
	RecipientID string
	SentAt      time.Time
	// Offensive is true when the message carries offensive content (rule 3); the store
	// counts such messages per streak so the content nudges fire once per streak.
	Offensive bool
}

// Status says what the store did with an observation.
type Status int

const (
	// StatusCounted: a new message, now part of the Sender→Recipient streak.
	StatusCounted Status = iota + 1
	// StatusReplayed: a message counted before (redelivery); Streak is the stored view
	// taken when it was first counted, so the same decisions are taken again.
	StatusReplayed
	// StatusDuplicate: a message seen before whose first pass had nothing worth storing.
	StatusDuplicate
	// StatusLate: the recipient had already answered after this message was sent.
	StatusLate
	// StatusStale: the message is older than the window that ends at the pair's newest event.
	StatusStale
	// StatusAnswer: a reply; it only answered the other direction.
	StatusAnswer
)

// String names the status for logs and metric labels.
func (s Status) String() string {
	switch s {
	case StatusCounted:
		return "counted"
	case StatusReplayed:
		return "replayed"
	case StatusDuplicate:
		return "duplicate"
	case StatusLate:
		return "late"
	case StatusStale:
		return "stale"
	case StatusAnswer:
		return "answer"
	}
	return "unknown"
}

// Streak is the store's view of the Sender→Recipient pair after one observation.
type Streak struct {
	Status Status
	// Count is the number of unanswered messages in the window.
	Count int
	// PrevPeak and Peak are the streak's highest Count before and after this observation.
	// A level L fires when PrevPeak < L <= Peak, which makes it fire once per streak.
	PrevPeak, Peak int
	// PrevOffensive and Offensive count the streak's offensive messages before and after.
	PrevOffensive, Offensive int
	// StartID is the message that started the streak; output ids derive from it.
	StartID string
	// FirstUnansweredAt is the event time of the oldest unanswered message in the window.
	FirstUnansweredAt time.Time
	// LastMessageAt is the newest event time seen from Sender to Recipient.
	LastMessageAt time.Time
	// AnsweredAt is the event time of Recipient's latest answer to Sender (zero if none).
	AnsweredAt time.Time
	// NudgedAt is when this streak first reached the nudge threshold (zero if not yet).
	NudgedAt time.Time
	// MessageIDs are the unanswered messages, oldest first, at most MaxEvidence of them.
	MessageIDs []string
}
