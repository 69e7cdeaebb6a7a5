package topics

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
)

// Default topic names (README, "Topics and events"). Every name is configurable through Names.
const (
	DefaultMessageSent     = "message-sent"
	DefaultReply           = "reply"
	DefaultMemberAction    = "member-action"
	DefaultCoachNudge      = "coach-nudge"
	DefaultModerationAlert = "moderation-alert"
	DefaultDeadLetter      = "dead-letter"
)

// MaxTopicLength is the longest topic name Kafka accepts.
const MaxTopicLength = 249

// Names are the topic names relance reads and writes. The zero value of a field means its default.
type Names struct {
	MessageSent     string
	Reply           string
	MemberAction    string
	CoachNudge      string
	ModerationAlert string
	DeadLetter      string
}

// WithDefaults returns n with every empty name replaced by its default.
func (n Names) WithDefaults() Names {
	n.MessageSent = cmp.Or(n.MessageSent, DefaultMessageSent)
	n.Reply = cmp.Or(n.Reply, DefaultReply)
	n.MemberAction = cmp.Or(n.MemberAction, DefaultMemberAction)
	n.CoachNudge = cmp.Or(n.CoachNudge, DefaultCoachNudge)
	n.ModerationAlert = cmp.Or(n.ModerationAlert, DefaultModerationAlert)
	n.DeadLetter = cmp.Or(n.DeadLetter, DefaultDeadLetter)
	return n
}

// Validate reports the first name Kafka would refuse, or two roles sharing a topic. Empty
// names are errors: call it on n.WithDefaults() when empty means the default.
func (n Names) Validate() error {
	roles := []struct{ role, name string }{
		{"message-sent", n.MessageSent},
		{"reply", n.Reply},
		{"member-action", n.MemberAction},
		{"coach-nudge", n.CoachNudge},
		{"moderation-alert", n.ModerationAlert},
		{"dead-letter", n.DeadLetter},
	}
	for i, r := range roles {
		if err := checkTopic(r.name); err != nil {
			return fmt.Errorf("topics: %s topic %q: %w", r.role, r.name, err)
		}
		for _, prev := range roles[:i] {
			switch {
			case r.name == prev.name:
				return fmt.Errorf("topics: %s topic %q: same as the %s topic", r.role, r.name, prev.role)
			case collisionKey(r.name) == collisionKey(prev.name):
				return fmt.Errorf("topics: %s topic %q: collides with the %s topic %q ('.' and '_' collide in Kafka)",
					r.role, r.name, prev.role, prev.name)
			}
		}
	}
	return nil
}

// Inputs are the topics relance consumes, in a fixed order: message-sent, reply, then
// member-action.
func (n Names) Inputs() []string {
	return []string{n.MessageSent, n.Reply, n.MemberAction}
}

// All are the six topics relance reads or writes: the inputs, then coach-nudge,
// moderation-alert and the dead-letter topic.
func (n Names) All() []string {
	return []string{n.MessageSent, n.Reply, n.MemberAction, n.CoachNudge, n.ModerationAlert, n.DeadLetter}
}

// checkTopic applies Kafka's rules for topic names (Topic.validate in Kafka's sources).
func checkTopic(name string) error {
	switch {
	case name == "":
		return errors.New("empty")
	case name == "." || name == "..":
		return errors.New("not allowed")
	case len(name) > MaxTopicLength:
		return fmt.Errorf("longer than %d characters", MaxTopicLength)
	}
	for _, r := range name {
		if !legalTopicRune(r) {
			return fmt.Errorf("invalid character %q", r)
		}
	}
	return nil
}

func legalTopicRune(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
		r == '.' || r == '_' || r == '-'
}

// collisionKey maps names that Kafka refuses to hold side by side to the same key: it
// turns '.' into '_' in metric names, so "a.b" and "a_b" cannot both exist.
func collisionKey(name string) string {
	return strings.ReplaceAll(name, ".", "_")
}
