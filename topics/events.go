package topics

import "time"

// Event versions carried in the event-version header.
const (
	EventVersion = "1"
)

// Event types carried in the event-type header.
const (
	TypeMessageSent     = "message-sent"
	TypeReply           = "reply"
	TypeCoachNudge      = "coach-nudge"
	TypeModerationAlert = "moderation-alert"
)

// Header names on output records.
const (
	HeaderEventType       = "event-type"
	HeaderEventVersion    = "event-version"
	HeaderError           = "error"
	HeaderSourceTopic     = "source-topic"
	HeaderSourcePartition = "source-partition"
	HeaderSourceOffset    = "source-offset"
)

// MessageSent v1: one chat message from SenderID to RecipientID.
type MessageSent struct {
	MessageID      string       `json:"message_id"`
	SenderID       string       `json:"sender_id"`
	RecipientID    string       `json:"recipient_id"`
	SentAt         time.Time    `json:"sent_at"`
	ConversationID string       `json:"conversation_id,omitempty"`
	Text           string       `json:"text,omitempty"`
	Locale         string       `json:"locale,omitempty"`
	Labels         []string     `json:"labels,omitempty"`
	Attachments    []Attachment `json:"attachments,omitempty"`
}

// Attachment is a file sent with a message; only its kind and labels matter here.
type Attachment struct {
	Kind   string   `json:"kind"`
	Labels []string `json:"labels,omitempty"`
}

// Reply v1: SenderID answered RecipientID.
type Reply struct {
	MessageID   string    `json:"message_id"`
	SenderID    string    `json:"sender_id"`
	RecipientID string    `json:"recipient_id"`
	SentAt      time.Time `json:"sent_at"`
	InReplyTo   string    `json:"in_reply_to,omitempty"`
}

// Audiences of a coach nudge.
const (
	AudienceSender    = "sender"
	AudienceRecipient = "recipient"
)

// Kinds of coach nudge.
const (
	KindFollowUpLimit      = "follow_up_limit"
	KindRespectfulLanguage = "respectful_language"
	KindCheckIn            = "check_in"
)

// CoachNudge v1: a message from the virtual coach to one member.
type CoachNudge struct {
	NudgeID         string    `json:"nudge_id"`
	UserID          string    `json:"user_id"`
	Audience        string    `json:"audience"`
	Kind            string    `json:"kind"`
	OtherUserID     string    `json:"other_user_id"`
	UnansweredCount int       `json:"unanswered_count"`
	WindowSeconds   int64     `json:"window_seconds"`
	Locale          string    `json:"locale"`
	Coach           string    `json:"coach"`
	Title           string    `json:"title"`
	Body            string    `json:"body"`
	Actions         []string  `json:"actions"`
	ResourceURL     string    `json:"resource_url,omitempty"`
	MessageIDs      []string  `json:"message_ids"`
	TriggeredBy     string    `json:"triggered_by"`
	OccurredAt      time.Time `json:"occurred_at"`
	PolicyVersion   string    `json:"policy_version"`
}

// Severities of a moderation alert.
const (
	SeverityLow    = "low"
	SeverityMedium = "medium"
	SeverityHigh   = "high"
)

// Reasons of a moderation alert.
const (
	ReasonUnansweredStreak         = "unanswered_streak"
	ReasonContinuedAfterNudge      = "continued_after_nudge"
	ReasonOffensiveContent         = "offensive_content"
	ReasonUnsolicitedSexualContent = "unsolicited_sexual_content"
	ReasonThreat                   = "threat"
	ReasonHate                     = "hate"
)

// ModerationAlert v1: the moderation team should look at SenderID's messages to RecipientID.
type ModerationAlert struct {
	AlertID           string     `json:"alert_id"`
	Severity          string     `json:"severity"`
	SenderID          string     `json:"sender_id"`
	RecipientID       string     `json:"recipient_id"`
	Reasons           []string   `json:"reasons"`
	UnansweredCount   int        `json:"unanswered_count"`
	WindowSeconds     int64      `json:"window_seconds"`
	MessageIDs        []string   `json:"message_ids"`
	ContentLabels     []string   `json:"content_labels"`
	FirstUnansweredAt *time.Time `json:"first_unanswered_at,omitempty"`
	LastMessageAt     time.Time  `json:"last_message_at"`
	NudgedAt          *time.Time `json:"nudged_at,omitempty"`
	TriggeredBy       string     `json:"triggered_by"`
	OccurredAt        time.Time  `json:"occurred_at"`
	PolicyVersion     string     `json:"policy_version"`
}
