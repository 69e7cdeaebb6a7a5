package topics

// Default topic names (DESIGN.md). Every name is configurable through Names.
const (
	DefaultMessageSent     = "message-sent"
	DefaultReply           = "reply"
	DefaultCoachNudge      = "coach-nudge"
	DefaultModerationAlert = "moderation-alert"
	DefaultDeadLetter      = "dead-letter"
)

// Names are the topic names relance reads and writes. The zero value of a field means its default.
type Names struct {
	MessageSent     string
	Reply           string
	CoachNudge      string
	ModerationAlert string
	DeadLetter      string
}
