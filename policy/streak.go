package policy

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/relance/relance/topics"
)

// Action says what kind of input event the store applies.
type Action int

const (
	// ActionMessage is a MessageSent from Sender to Recipient: it answers Recipient→Sender
	// and may extend the Sender→Recipient streak.
	ActionMessage Action = iota + 1
	// ActionReply is a Reply from Sender to Recipient: it answers Recipient→Sender only.
	ActionReply
	// The member actions (MemberAction v1): what Recipient did about Sender, acting on the
	// Sender→Recipient streak current at SentAt (the action's time); MessageID is the
	// action's id. Note the direction: Sender is the member acted about (other_member_id),
	// Recipient the member acting (member_id), so that the streak is Sender's, as for a
	// message.
	//
	// ActionDismiss: Recipient says all is fine: rule 2 is silent for the rest of the streak.
	ActionDismiss
	// ActionBlock ends the streak (it is not an answer).
	ActionBlock
	// ActionUnblock changes no streak.
	ActionUnblock
	// ActionReport raises an alert at once, with the streak's evidence.
	ActionReport
)

// Actions are every Action, for the tests that check each one is handled wherever the kind
// of an observation matters (the streak transition, Decide, the metrics). A new kind is
// added here first.
var Actions = []Action{ActionMessage, ActionReply, ActionDismiss, ActionBlock, ActionUnblock, ActionReport}

// MemberAction is the Action a MemberAction event's action (topics.MemberAction…) is
// recorded as, false for a name that is none of them.
func MemberAction(name string) (Action, bool) {
	a, ok := memberActions[name]
	return a, ok
}

var memberActions = map[string]Action{
	topics.MemberActionDismiss: ActionDismiss,
	topics.MemberActionBlock:   ActionBlock,
	topics.MemberActionUnblock: ActionUnblock,
	topics.MemberActionReport:  ActionReport,
}

// IsMemberAction reports whether a is one of the member actions.
func (a Action) IsMemberAction() bool {
	return a == ActionDismiss || a == ActionBlock || a == ActionUnblock || a == ActionReport
}

// String names the action for logs and errors.
func (a Action) String() string {
	switch a {
	case ActionMessage:
		return "message"
	case ActionReply:
		return "reply"
	case ActionDismiss:
		return "dismiss"
	case ActionBlock:
		return "block"
	case ActionUnblock:
		return "unblock"
	case ActionReport:
		return "report"
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// Observation is what the store records of one valid input event. It never holds message text.
type Observation struct {
	Action      Action
	MessageID   string
	SenderID    string
	RecipientID string
	SentAt      time.Time
	// Categories is the offensive content the message was found to carry (rule 3: its
	// labels and its text check), sorted, empty when none. The store counts offensive
	// messages per streak, so the content nudges fire once per streak, and keeps the
	// categories with the message's replay view, so a redelivery decides with the same ones
	// even if the text check would now answer otherwise.
	Categories []Category
}

// Offensive reports whether the message carries offensive content.
func (o Observation) Offensive() bool { return len(o.Categories) > 0 }

// ErrInvalidObservation marks an observation the store cannot record. It is never worth a
// retry: the event is dead-lettered.
var ErrInvalidObservation = errors.New("invalid observation")

// Validate reports why the store cannot record o (wrapping ErrInvalidObservation): no
// ids, one member on both ends, an unknown action, a time not after 1970.
func (o Observation) Validate() error {
	switch {
	case !slices.Contains(Actions, o.Action):
		return fmt.Errorf("%w: unknown action %d", ErrInvalidObservation, o.Action)
	case o.SenderID == "" || o.RecipientID == "":
		return fmt.Errorf("%w: empty sender or recipient id", ErrInvalidObservation)
	case o.SenderID == o.RecipientID:
		return fmt.Errorf("%w: sender and recipient are the same member", ErrInvalidObservation)
	case o.Action == ActionMessage && o.MessageID == "":
		return fmt.Errorf("%w: empty message id", ErrInvalidObservation)
	case o.Action.IsMemberAction() && o.MessageID == "":
		return fmt.Errorf("%w: empty action id", ErrInvalidObservation)
	case o.SentAt.UnixMilli() <= 0:
		return fmt.Errorf("%w: sent at %s: must be after 1970", ErrInvalidObservation, o.SentAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// Result is what the store did with one observation.
type Result struct {
	// Streak is the Sender→Recipient streak after the observation.
	Streak Streak
	// Senders are the sender-level levels this observation's signal crossed (or, for a
	// redelivery, crossed the first time), decided by DecideResult.
	Senders []SenderCrossing
	// Invalid is why the observation was not recorded (it wraps ErrInvalidObservation);
	// nothing changed for it and Streak is empty. The processor dead-letters its event.
	Invalid error
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
	// StatusAction: a member action, applied to the Sender→Recipient streak current at its
	// time. A redelivered action is StatusReplayed (a report: its stored view) or
	// StatusDuplicate; one older than the window is StatusStale.
	StatusAction
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
	case StatusAction:
		return "action"
	}
	return "unknown"
}

// Streak is the store's view of the Sender→Recipient pair after one observation.
type Streak struct {
	Status Status
	// Count is the number of unanswered messages in the window, Attempts the number of
	// attempts they form (see Threshold).
	Count, Attempts int
	// PrevPeak and Peak are the streak's highest Count before and after this observation,
	// PrevPeakAttempts and PeakAttempts its highest Attempts. A level fires when this
	// observation carried the peaks to its threshold (Threshold.Crossed): once per streak.
	PrevPeak, Peak                 int
	PrevPeakAttempts, PeakAttempts int
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
	// Dismissed: Recipient said all is fine during this streak (ActionDismiss): rule 2
	// stays silent until it ends.
	Dismissed bool
	// MessageIDs are the unanswered messages, oldest first, at most the store's evidence
	// bound of them.
	MessageIDs []string
	// Redelivered is set when the store recognised a message it had recorded before and
	// knows what it was decided with: Categories are then the categories of its first pass,
	// which Decide uses instead of the message's own.
	Redelivered bool
	Categories  []Category
	// NudgeOutcome is the outcome (one of Outcomes) this observation fixed for a nudged
	// streak of the pair, in either direction (an answer fixes the other direction's), ""
	// if none. It is fixed once, as the state changes: a redelivery never carries it.
	NudgeOutcome string
}

// Threshold is a rule-2 level's condition: it is reached when the streak's attempts reach
// Attempts or its unanswered messages reach Messages, whichever comes first. A zero field
// is a condition that never holds.
//
// An attempt is an unanswered message together with every later one the sender sent less
// than the policy's burst after it; the next message after that starts the next attempt.
// Attempts are anchored to their first message, so writing every few minutes cannot keep
// one attempt open, and a burst of zero makes every message an attempt.
type Threshold struct {
	Attempts, Messages int
}

// Reached reports whether a streak of attempts attempts and messages unanswered messages
// has reached t.
func (t Threshold) Reached(attempts, messages int) bool {
	return (t.Attempts > 0 && attempts >= t.Attempts) || (t.Messages > 0 && messages >= t.Messages)
}

// Crossed reports whether the observation that gave s carried the streak's peaks to t:
// true once per streak, on the observation that reached it first.
func (t Threshold) Crossed(s Streak) bool {
	return !t.Reached(s.PrevPeakAttempts, s.PrevPeak) && t.Reached(s.PeakAttempts, s.Peak)
}

// SenderCrossing is a sender-level count (SenderKinds) reaching one of its levels.
type SenderCrossing struct {
	// Kind is an index in SenderKinds; Level the count the level fires at.
	Kind, Level int
	// Member is the member whose signal carried the count there, At its time; Members
	// the distinct members counted, oldest signal first.
	Member  string
	At      time.Time
	Members []string
}

// The outcomes of a nudged streak (the "did the coach help?" figure): once a streak has
// reached the nudge threshold (its follow_up_limit fired), the first of these events the
// store applies to it fixes its outcome, once per streak.
const (
	// OutcomeAnswered: the recipient answered (a reply, or a message back).
	OutcomeAnswered = "answered"
	// OutcomeBlocked: the recipient blocked the sender (ActionBlock).
	OutcomeBlocked = "blocked"
	// OutcomeReported: the recipient reported the sender (ActionReport).
	OutcomeReported = "reported"
	// OutcomeDismissed: the recipient said all is fine (ActionDismiss).
	OutcomeDismissed = "dismissed"
	// OutcomeContinued: the sender sent another message in the streak, sent after the
	// message that reached the nudge threshold.
	OutcomeContinued = "continued"
	// OutcomeStopped: the streak's messages slid out of the window with no message from
	// the sender after the nudge (seen on the pair's next event after the window).
	OutcomeStopped = "stopped"
)

// Outcomes are every outcome of a nudged streak, for the metrics and for the test that
// checks each one is reachable.
var Outcomes = []string{OutcomeAnswered, OutcomeBlocked, OutcomeReported, OutcomeDismissed, OutcomeContinued, OutcomeStopped}
