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

// appendJSON appends w as Encode writes it, or reports ok == false for a time Encode
// refuses (a year outside 0-9999), whose error the caller gets from Encode. To a nil b it
// appends in a buffer of the event's size.
func (w CoachNudge) appendJSON(b []byte) (_ []byte, ok bool) {
	if !encodableTime(w.OccurredAt) {
		return nil, false
	}
	if b == nil {
		b = make([]byte, 0, wireSize(len(w.NudgeID)+len(w.UserID)+len(w.Audience)+len(w.Kind)+len(w.OtherUserID)+
			len(w.Locale)+len(w.Coach)+len(w.Title)+len(w.Body)+len(w.ResourceURL)+len(w.TriggeredBy)+
			len(w.PolicyVersion)+stringsLen(w.Actions, w.MessageIDs)))
	}
	b = appendJSONKey(b, '{', "nudge_id", w.NudgeID)
	b = appendJSONKey(b, ',', "user_id", w.UserID)
	b = appendJSONKey(b, ',', "audience", w.Audience)
	b = appendJSONKey(b, ',', "kind", w.Kind)
	b = appendJSONKey(b, ',', "other_user_id", w.OtherUserID)
	b = strconv.AppendInt(append(b, `,"unanswered_count":`...), int64(w.UnansweredCount), 10)
	b = strconv.AppendInt(append(b, `,"attempts":`...), int64(w.Attempts), 10)
	b = strconv.AppendInt(append(b, `,"window_seconds":`...), w.WindowSeconds, 10)
	b = appendJSONKey(b, ',', "locale", w.Locale)
	b = appendJSONKey(b, ',', "coach", w.Coach)
	b = appendJSONKey(b, ',', "title", w.Title)
	b = appendJSONKey(b, ',', "body", w.Body)
	b = appendJSONStrings(append(b, `,"actions":`...), w.Actions)
	if w.ResourceURL != "" {
		b = appendJSONKey(b, ',', "resource_url", w.ResourceURL)
	}
	b = appendJSONStrings(append(b, `,"message_ids":`...), w.MessageIDs)
	b = appendJSONKey(b, ',', "triggered_by", w.TriggeredBy)
	b = appendJSONTime(append(b, `,"occurred_at":`...), w.OccurredAt)
	b = appendJSONKey(b, ',', "policy_version", w.PolicyVersion)
	return append(b, '}'), true
}

// appendJSON appends w as Encode writes it, as CoachNudge.appendJSON does.
func (w ModerationAlert) appendJSON(b []byte) (_ []byte, ok bool) {
	for _, t := range []*time.Time{w.FirstUnansweredAt, &w.LastMessageAt, w.NudgedAt, &w.OccurredAt} {
		if t != nil && !encodableTime(*t) {
			return nil, false
		}
	}
	if b == nil {
		b = make([]byte, 0, wireSize(len(w.AlertID)+len(w.Severity)+len(w.SenderID)+len(w.RecipientID)+
			len(w.ActionID)+len(w.TriggeredBy)+len(w.PolicyVersion)+
			stringsLen(w.Reasons, w.MessageIDs, w.ContentLabels, w.MemberIDs)))
	}
	b = appendJSONKey(b, '{', "alert_id", w.AlertID)
	b = appendJSONKey(b, ',', "severity", w.Severity)
	b = appendJSONKey(b, ',', "sender_id", w.SenderID)
	b = appendJSONKey(b, ',', "recipient_id", w.RecipientID)
	b = appendJSONStrings(append(b, `,"reasons":`...), w.Reasons)
	b = strconv.AppendInt(append(b, `,"unanswered_count":`...), int64(w.UnansweredCount), 10)
	b = strconv.AppendInt(append(b, `,"attempts":`...), int64(w.Attempts), 10)
	b = strconv.AppendInt(append(b, `,"window_seconds":`...), w.WindowSeconds, 10)
	b = appendJSONStrings(append(b, `,"message_ids":`...), w.MessageIDs)
	b = appendJSONStrings(append(b, `,"content_labels":`...), w.ContentLabels)
	if w.FirstUnansweredAt != nil {
		b = appendJSONTime(append(b, `,"first_unanswered_at":`...), *w.FirstUnansweredAt)
	}
	b = appendJSONTime(append(b, `,"last_message_at":`...), w.LastMessageAt)
	if w.NudgedAt != nil {
		b = appendJSONTime(append(b, `,"nudged_at":`...), *w.NudgedAt)
	}
	b = appendJSONStrings(append(b, `,"member_ids":`...), w.MemberIDs)
	b = appendJSONKey(b, ',', "action_id", w.ActionID)
	b = appendJSONKey(b, ',', "triggered_by", w.TriggeredBy)
	b = appendJSONTime(append(b, `,"occurred_at":`...), w.OccurredAt)
	b = appendJSONKey(b, ',', "policy_version", w.PolicyVersion)
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

// appendJSONKey appends sep, the key and the string value of a member.
func appendJSONKey(b []byte, sep byte, key, value string) []byte {
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
