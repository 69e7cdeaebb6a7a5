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
	TypeMemberAction    = "member-action"
	TypeCoachNudge      = "coach-nudge"
	TypeModerationAlert = "moderation-alert"
)

// MessageSent v1: one chat message from SenderID to RecipientID.
// DecodeMessageSent is the only way in: it enforces the limits documented on the fields.
type MessageSent struct {
	MessageID   string    `json:"message_id"`   // required, at most MaxIDBytes
	SenderID    string    `json:"sender_id"`    // required, at most MaxIDBytes
	RecipientID string    `json:"recipient_id"` // required, at most MaxIDBytes, not SenderID
	SentAt      time.Time `json:"sent_at"`      // required, in UTC once decoded
	// ConversationID is optional, at most MaxIDBytes.
	ConversationID string `json:"conversation_id,omitempty"`
	// Text is read for the content check only: it is never stored, published or logged.
	Text string `json:"text,omitempty"`
	// Locale is the sender's language, a tag such as "fr" or "en", at most MaxLocaleBytes.
	// The sender's nudges are written in it.
	Locale string `json:"locale,omitempty"`
	// RecipientLocale is the recipient's language, as Locale. The recipient's check-ins are
	// written in it; when it is absent they are written in Locale, as before the field.
	RecipientLocale string `json:"recipient_locale,omitempty"`
	// Labels are content labels from the platform's own classifier ("insult", "hate", …;
	// package policy gives them meaning), at most MaxLabels of at most MaxLabelBytes each.
	Labels []string `json:"labels,omitempty"`
	// Attachments are at most MaxAttachments.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is a file sent with a message; only its kind and labels matter here.
type Attachment struct {
	Kind   string   `json:"kind"`             // required, e.g. "image", at most MaxLabelBytes
	Labels []string `json:"labels,omitempty"` // as MessageSent.Labels
}

// Reply v1: SenderID answered RecipientID.
// DecodeReply is the only way in: it enforces the limits documented on the fields.
type Reply struct {
	MessageID   string    `json:"message_id"`            // required, at most MaxIDBytes
	SenderID    string    `json:"sender_id"`             // required, at most MaxIDBytes
	RecipientID string    `json:"recipient_id"`          // required, at most MaxIDBytes, not SenderID
	SentAt      time.Time `json:"sent_at"`               // required, in UTC once decoded
	InReplyTo   string    `json:"in_reply_to,omitempty"` // optional message id, at most MaxIDBytes
}

// Actions of a MemberAction: what a member did about another member. What each does to the
// streak of OtherMemberID towards MemberID is package policy's (the README's "The
// recipient's answer").
const (
	MemberActionDismiss = "dismiss" // all is fine: no further rule-2 check-ins or alerts for this streak
	MemberActionBlock   = "block"   // the streak ends, without being answered
	MemberActionUnblock = "unblock" // no change to streaks
	MemberActionReport  = "report"  // a moderation alert at once
)

// MemberAction v1: MemberID did Action about OtherMemberID, usually in answer to a check-in.
// DecodeMemberAction is the only way in: it enforces the limits documented on the fields.
type MemberAction struct {
	ActionID      string    `json:"action_id"`       // required, at most MaxIDBytes; actions are idempotent by it
	MemberID      string    `json:"member_id"`       // required, at most MaxIDBytes: the member who acted
	OtherMemberID string    `json:"other_member_id"` // required, at most MaxIDBytes, not MemberID
	Action        string    `json:"action"`          // required, one of MemberActionDismiss, …Block, …Unblock, …Report
	At            time.Time `json:"at"`              // required, in UTC once decoded
	// NudgeID is optional, at most MaxIDBytes: the check-in being answered.
	NudgeID string `json:"nudge_id,omitempty"`
	// Reason is optional, at most MaxReasonBytes: the platform's own code, e.g. "harassment".
	Reason string `json:"reason,omitempty"`
}

// Audiences of a coach nudge.
const (
	AudienceSender    = "sender"
	AudienceRecipient = "recipient"
)

// Kinds of coach nudge. The sender gets KindFollowUpLimit, KindFollowUpReminder (an
// optional level before the limit) or KindRespectfulLanguage, the recipient KindCheckIn.
const (
	KindFollowUpLimit      = "follow_up_limit"
	KindFollowUpReminder   = "follow_up_reminder"
	KindRespectfulLanguage = "respectful_language"
	KindCheckIn            = "check_in"
)

// CoachNudge v1: a message from the virtual coach to one member.
// Its record (record.Nudge) is keyed by UserID.
type CoachNudge struct {
	NudgeID         string    `json:"nudge_id"` // deterministic: the same decision has the same id
	UserID          string    `json:"user_id"`  // the member the nudge is for
	Audience        string    `json:"audience"` // AudienceSender or AudienceRecipient
	Kind            string    `json:"kind"`     // KindFollowUpLimit, KindFollowUpReminder, KindRespectfulLanguage or KindCheckIn
	OtherUserID     string    `json:"other_user_id"`
	UnansweredCount int       `json:"unanswered_count"`
	Attempts        int       `json:"attempts"` // the attempts the unanswered messages form
	WindowSeconds   int64     `json:"window_seconds"`
	Locale          string    `json:"locale"`
	Coach           string    `json:"coach"` // the coach's name, e.g. "Lara"
	Title           string    `json:"title"` // ready to show; never quotes the messages
	Body            string    `json:"body"`  // ready to show; never quotes the messages
	Actions         []string  `json:"actions"`
	ResourceURL     string    `json:"resource_url,omitempty"`
	MessageIDs      []string  `json:"message_ids"`
	TriggeredBy     string    `json:"triggered_by"`
	OccurredAt      time.Time `json:"occurred_at"` // event time of the triggering message
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
	// ReasonReported: the recipient reported the sender (MemberAction report).
	ReasonReported = "reported"
	// Sender-level reasons: over the window, the sender pestered many distinct members
	// (their streaks reached the nudge level), was blocked by many, or reported by many.
	ReasonRepeatedPestering = "repeated_pestering"
	ReasonBlockedByMany     = "blocked_by_many"
	ReasonReportedByMany    = "reported_by_many"
)

// ModerationAlert v1: the moderation team should look at SenderID's messages to RecipientID.
// Its record (record.Alert) is keyed by SenderID. It carries ids, never message text.
type ModerationAlert struct {
	AlertID           string     `json:"alert_id"` // deterministic: the same decision has the same id
	Severity          string     `json:"severity"` // SeverityLow, SeverityMedium or SeverityHigh
	SenderID          string     `json:"sender_id"`
	RecipientID       string     `json:"recipient_id"`
	Reasons           []string   `json:"reasons"` // at least one Reason…, no duplicates
	UnansweredCount   int        `json:"unanswered_count"`
	Attempts          int        `json:"attempts"` // the attempts the unanswered messages form
	WindowSeconds     int64      `json:"window_seconds"`
	MessageIDs        []string   `json:"message_ids"` // the evidence, oldest first
	ContentLabels     []string   `json:"content_labels"`
	FirstUnansweredAt *time.Time `json:"first_unanswered_at,omitempty"`
	LastMessageAt     time.Time  `json:"last_message_at"`
	NudgedAt          *time.Time `json:"nudged_at,omitempty"`
	MemberIDs         []string   `json:"member_ids"` // a sender-level alert's members; else empty
	ActionID          string     `json:"action_id"`  // the MemberAction that raised the alert, if one did
	TriggeredBy       string     `json:"triggered_by"`
	OccurredAt        time.Time  `json:"occurred_at"`
	PolicyVersion     string     `json:"policy_version"`
}
