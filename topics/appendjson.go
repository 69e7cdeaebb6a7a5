package topics

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// The outputs' wire form, written by hand: encoding/json's reflection, and the
// compacting it does after time.Time's MarshalJSON, made encoding a nudge cost some
// microseconds and a dozen allocations. These functions give the same bytes as Encode
// of the events, which is that of their wire form (TestAppendJSONMatchesEncode checks
// every field): lists [] when empty, times in UTC.

// appendJSON appends n as Encode writes it, or reports ok == false for a time Encode
// refuses (a year outside 0-9999), whose error the caller gets from Encode. To a nil b it
// appends in a buffer of the event's size.
func (n CoachNudge) appendJSON(b []byte) (_ []byte, ok bool) {
	if !encodableTime(n.OccurredAt) {
		return nil, false
	}
	if b == nil {
		b = make([]byte, 0, wireSize(len(n.NudgeID)+len(n.UserID)+len(n.Audience)+len(n.Kind)+len(n.OtherUserID)+
			len(n.Locale)+len(n.Coach)+len(n.Title)+len(n.Body)+len(n.ResourceURL)+len(n.TriggeredBy)+
			len(n.PolicyVersion)+stringsLen(n.Actions, n.MessageIDs)))
	}
	b = appendJSONMember(b, '{', "nudge_id", n.NudgeID)
	b = appendJSONMember(b, ',', "user_id", n.UserID)
	b = appendJSONMember(b, ',', "audience", n.Audience)
	b = appendJSONMember(b, ',', "kind", n.Kind)
	b = appendJSONMember(b, ',', "other_user_id", n.OtherUserID)
	b = strconv.AppendInt(append(b, `,"unanswered_count":`...), int64(n.UnansweredCount), 10)
	b = strconv.AppendInt(append(b, `,"attempts":`...), int64(n.Attempts), 10)
	b = strconv.AppendInt(append(b, `,"window_seconds":`...), n.WindowSeconds, 10)
	b = appendJSONMember(b, ',', "locale", n.Locale)
	b = appendJSONMember(b, ',', "coach", n.Coach)
	b = appendJSONMember(b, ',', "title", n.Title)
	b = appendJSONMember(b, ',', "body", n.Body)
	b = appendJSONStrings(append(b, `,"actions":`...), n.Actions)
	if n.ResourceURL != "" {
		b = appendJSONMember(b, ',', "resource_url", n.ResourceURL)
	}
	b = appendJSONStrings(append(b, `,"message_ids":`...), n.MessageIDs)
	b = appendJSONMember(b, ',', "triggered_by", n.TriggeredBy)
	b = appendJSONTime(append(b, `,"occurred_at":`...), n.OccurredAt)
	b = appendJSONMember(b, ',', "policy_version", n.PolicyVersion)
	return append(b, '}'), true
}

// appendJSON appends a as Encode writes it, as CoachNudge.appendJSON does.
func (a ModerationAlert) appendJSON(b []byte) (_ []byte, ok bool) {
	for _, t := range []*time.Time{a.FirstUnansweredAt, &a.LastMessageAt, a.NudgedAt, &a.OccurredAt} {
		if t != nil && !encodableTime(*t) {
			return nil, false
		}
	}
	if b == nil {
		b = make([]byte, 0, wireSize(len(a.AlertID)+len(a.Severity)+len(a.SenderID)+len(a.RecipientID)+
			len(a.ActionID)+len(a.TriggeredBy)+len(a.PolicyVersion)+
			stringsLen(a.Reasons, a.MessageIDs, a.ContentLabels, a.MemberIDs)))
	}
	b = appendJSONMember(b, '{', "alert_id", a.AlertID)
	b = appendJSONMember(b, ',', "severity", a.Severity)
	b = appendJSONMember(b, ',', "sender_id", a.SenderID)
	b = appendJSONMember(b, ',', "recipient_id", a.RecipientID)
	b = appendJSONStrings(append(b, `,"reasons":`...), a.Reasons)
	b = strconv.AppendInt(append(b, `,"unanswered_count":`...), int64(a.UnansweredCount), 10)
	b = strconv.AppendInt(append(b, `,"attempts":`...), int64(a.Attempts), 10)
	b = strconv.AppendInt(append(b, `,"window_seconds":`...), a.WindowSeconds, 10)
	b = appendJSONStrings(append(b, `,"message_ids":`...), a.MessageIDs)
	b = appendJSONStrings(append(b, `,"content_labels":`...), a.ContentLabels)
	if a.FirstUnansweredAt != nil {
		b = appendJSONTime(append(b, `,"first_unanswered_at":`...), *a.FirstUnansweredAt)
	}
	b = appendJSONTime(append(b, `,"last_message_at":`...), a.LastMessageAt)
	if a.NudgedAt != nil {
		b = appendJSONTime(append(b, `,"nudged_at":`...), *a.NudgedAt)
	}
	b = appendJSONStrings(append(b, `,"member_ids":`...), a.MemberIDs)
	b = appendJSONMember(b, ',', "action_id", a.ActionID)
	b = appendJSONMember(b, ',', "triggered_by", a.TriggeredBy)
	b = appendJSONTime(append(b, `,"occurred_at":`...), a.OccurredAt)
	b = appendJSONMember(b, ',', "policy_version", a.PolicyVersion)
	return append(b, '}'), true
}

// wireSize is about the length of the wire form of an event whose strings, lists
// included, hold n bytes in all: the keys, numbers and times of an alert, the longer
// event, take under 512 bytes. So appendJSON allocates once (unless many characters need
// escaping), and little more than it needs.
func wireSize(n int) int { return n + 512 }

// stringsLen is the length of all of ss and of their quotes and commas.
func stringsLen(ss ...[]string) int {
	n := 0
	for _, l := range ss {
		for _, s := range l {
			n += len(s) + 3
		}
	}
	return n
}

// appendJSONMember appends sep and a member whose value is a string.
func appendJSONMember(b []byte, sep byte, key, value string) []byte {
	b = append(b, sep, '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendJSONString(b, value)
}

// appendJSONStrings appends ss as the wire form has a list: [] when empty.
func appendJSONStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// encodableTime reports whether time.Time's MarshalJSON accepts t in UTC.
func encodableTime(t time.Time) bool {
	y := t.UTC().Year()
	return 0 <= y && y <= 9999
}

// appendJSONTime appends t in UTC, encodable, as time.Time's MarshalJSON writes it.
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// jsonSafe tells the bytes that stand for themselves in a JSON string: ASCII but for
// control characters, the quote and the backslash.
var jsonSafe = func() (safe [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		safe[c] = c != '"' && c != '\\'
	}
	return safe
}()

// appendJSONString appends s quoted as encoding/json does without HTML escaping: the
// short escapes for \b \f \n \r \t, \u00XX for the other control characters, \ufffd for
// each byte of invalid UTF-8, \u2028 and \u2029 (they end lines in JavaScript).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && jsonSafe[s[i]] { // i is a local to stay in a register
			i++
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
