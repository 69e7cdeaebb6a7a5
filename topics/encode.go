package topics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Encode returns the wire form of an event: compact JSON without a trailing newline.
// HTML characters are not escaped: the readers are services, not browsers, and a title
// such as "<3" should stay readable on the topic.
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// MarshalJSON writes the wire form the schema requires whatever the Go value holds:
// lists are [] rather than null when empty, and times are in UTC.
func (n CoachNudge) MarshalJSON() ([]byte, error) { return Encode(n.wire()) }

// coachNudgeWire is CoachNudge without its MarshalJSON method.
type coachNudgeWire CoachNudge

// wire is n as MarshalJSON writes it. Encoding it directly gives the same bytes without
// encoding/json compacting and checking what MarshalJSON returned.
func (n CoachNudge) wire() coachNudgeWire {
	w := coachNudgeWire(n)
	w.Actions = emptyIfNil(w.Actions)
	w.MessageIDs = emptyIfNil(w.MessageIDs)
	w.OccurredAt = w.OccurredAt.UTC()
	return w
}

// MarshalJSON writes the wire form the schema requires whatever the Go value holds:
// lists are [] rather than null when empty, and times are in UTC.
func (a ModerationAlert) MarshalJSON() ([]byte, error) { return Encode(a.wire()) }

// moderationAlertWire is ModerationAlert without its MarshalJSON method.
type moderationAlertWire ModerationAlert

// wire is a as MarshalJSON writes it (see CoachNudge.wire).
func (a ModerationAlert) wire() moderationAlertWire {
	w := moderationAlertWire(a)
	w.Reasons = emptyIfNil(w.Reasons)
	w.MessageIDs = emptyIfNil(w.MessageIDs)
	w.ContentLabels = emptyIfNil(w.ContentLabels)
	w.MemberIDs = emptyIfNil(w.MemberIDs)
	w.FirstUnansweredAt = utcPtr(w.FirstUnansweredAt)
	w.LastMessageAt = w.LastMessageAt.UTC()
	w.NudgedAt = utcPtr(w.NudgedAt)
	w.OccurredAt = w.OccurredAt.UTC()
	return w
}

// EncodeNudge is the wire form of n, as Encode writes it. It refuses a nudge that breaks
// the schema: that is a bug upstream, not something to publish.
func EncodeNudge(n CoachNudge) ([]byte, error) {
	if err := n.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", TypeCoachNudge, err)
	}
	if value, ok := n.appendJSON(nil); ok {
		return value, nil
	}
	return encodeEvent(TypeCoachNudge, n.wire())
}

// EncodeAlert is the wire form of a, as Encode writes it. It refuses an alert that breaks
// the schema: that is a bug upstream, not something to publish.
func EncodeAlert(a ModerationAlert) ([]byte, error) {
	if err := a.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", TypeModerationAlert, err)
	}
	if value, ok := a.appendJSON(nil); ok {
		return value, nil
	}
	return encodeEvent(TypeModerationAlert, a.wire())
}

func encodeEvent(eventType string, v any) ([]byte, error) {
	value, err := Encode(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", eventType, err)
	}
	return value, nil
}

// The values of the enums in the schemas.
var (
	audiences  = []string{AudienceSender, AudienceRecipient}
	kinds      = []string{KindFollowUpLimit, KindFollowUpReminder, KindRespectfulLanguage, KindCheckIn}
	severities = []string{SeverityLow, SeverityMedium, SeverityHigh}
	reasons    = []string{
		ReasonUnansweredStreak, ReasonContinuedAfterNudge, ReasonOffensiveContent,
		ReasonUnsolicitedSexualContent, ReasonThreat, ReasonHate, ReasonReported,
		ReasonRepeatedPestering, ReasonBlockedByMany, ReasonReportedByMany,
	}
)

func (n CoachNudge) check() error {
	switch {
	case n.NudgeID == "":
		return errors.New("nudge_id: missing")
	case n.UserID == "":
		return errors.New("user_id: missing")
	case !slices.Contains(audiences, n.Audience):
		return fmt.Errorf("audience %q: unknown", n.Audience)
	case !slices.Contains(kinds, n.Kind):
		return fmt.Errorf("kind %q: unknown", n.Kind)
	case (n.Kind == KindCheckIn) != (n.Audience == AudienceRecipient):
		return fmt.Errorf("kind %q: not for audience %q", n.Kind, n.Audience)
	}
	return nil
}

func (a ModerationAlert) check() error {
	switch {
	case a.AlertID == "":
		return errors.New("alert_id: missing")
	case a.SenderID == "":
		return errors.New("sender_id: missing")
	case !slices.Contains(severities, a.Severity):
		return fmt.Errorf("severity %q: unknown", a.Severity)
	case len(a.Reasons) == 0:
		return errors.New("reasons: empty")
	}
	for i, r := range a.Reasons {
		switch {
		case !slices.Contains(reasons, r):
			return fmt.Errorf("reason %q: unknown", r)
		case slices.Contains(a.Reasons[:i], r):
			return fmt.Errorf("reason %q: repeated", r)
		}
	}
	return nil
}

func emptyIfNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
