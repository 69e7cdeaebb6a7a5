package topics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrInvalidEvent is wrapped by every error that says an input breaks the contract. Such an
// input goes to the dead-letter topic: retrying it cannot help.
var ErrInvalidEvent = errors.New("invalid event")

// Limits on input events. They bound what one event can cost in memory, Redis keys and
// output size; the value and id limits are part of the contract (README).
const (
	MaxValueBytes  = 64 << 10
	MaxIDBytes     = 128
	MaxLocaleBytes = 35 // the longest language tag RFC 5646 §4.4.1 asks software to handle
	MaxLabels      = 32
	MaxLabelBytes  = 64
	MaxAttachments = 32
	MaxReasonBytes = 64 // MemberAction.Reason
	// MaxClockSkew is how far an event time (sent_at, a MemberAction's at) may be ahead of
	// the processor's clock. Event times drive the windows, so a time far in the future
	// would keep a streak alive for ever.
	MaxClockSkew = 15 * time.Minute
	// MinSentAtYear is the earliest year of an event time (sent_at, a MemberAction's at):
	// older times come from unset or broken clocks, not from messages.
	MinSentAtYear = 2000
)

// DecodeMessageSent decodes and validates a MessageSent v1 record value. now is the
// processor's clock, against which sent_at may not be more than MaxClockSkew ahead.
// The returned SentAt is in UTC and empty lists are nil, so equal events decode equal.
func DecodeMessageSent(value []byte, now time.Time) (MessageSent, error) {
	if checkValue(value) == nil {
		if m, sentAt, ok := scanMessageSent(value); ok {
			return checkMessageSent(m, sentAt, now)
		}
	}
	return decodeMessageSentJSON(value, now)
}

// decodeMessageSentJSON is DecodeMessageSent without the fast path: the fallback for
// what scanMessageSent leaves, and the reference it is tested against.
func decodeMessageSentJSON(value []byte, now time.Time) (MessageSent, error) {
	type event MessageSent // embedded below, where sent_at is shadowed
	var w struct {
		event
		SentAt *string `json:"sent_at"`
	}
	if err := decodeObject(value, &w); err != nil {
		return MessageSent{}, err
	}
	return checkMessageSent(MessageSent(w.event), optional(w.SentAt), now)
}

// checkMessageSent validates a decoded m whose sent_at is still the bytes sentAt.
func checkMessageSent(m MessageSent, sentAt []byte, now time.Time) (MessageSent, error) {
	var err error
	m.SentAt, err = checkEnvelope(m.MessageID, m.SenderID, m.RecipientID, sentAt, now)
	if err == nil {
		err = firstError(
			checkToken("conversation_id", m.ConversationID, MaxIDBytes),
			checkToken("locale", m.Locale, MaxLocaleBytes),
			checkToken("recipient_locale", m.RecipientLocale, MaxLocaleBytes),
			checkLabels("labels", m.Labels),
			checkAttachments(m.Attachments),
		)
	}
	if err != nil {
		return MessageSent{}, err
	}
	m.Labels = nilIfEmpty(m.Labels)
	m.Attachments = nilIfEmpty(m.Attachments)
	for i := range m.Attachments {
		m.Attachments[i].Labels = nilIfEmpty(m.Attachments[i].Labels)
	}
	return m, nil
}

// DecodeReply decodes and validates a Reply v1 record value, as DecodeMessageSent does.
func DecodeReply(value []byte, now time.Time) (Reply, error) {
	if checkValue(value) == nil {
		if r, sentAt, ok := scanReply(value); ok {
			return checkReply(r, sentAt, now)
		}
	}
	return decodeReplyJSON(value, now)
}

// decodeReplyJSON is DecodeReply without the fast path, as decodeMessageSentJSON is.
func decodeReplyJSON(value []byte, now time.Time) (Reply, error) {
	type event Reply // embedded below, where sent_at is shadowed
	var w struct {
		event
		SentAt *string `json:"sent_at"`
	}
	if err := decodeObject(value, &w); err != nil {
		return Reply{}, err
	}
	return checkReply(Reply(w.event), optional(w.SentAt), now)
}

// checkReply validates a decoded r whose sent_at is still the bytes sentAt.
func checkReply(r Reply, sentAt []byte, now time.Time) (Reply, error) {
	var err error
	r.SentAt, err = checkEnvelope(r.MessageID, r.SenderID, r.RecipientID, sentAt, now)
	if err == nil {
		err = checkToken("in_reply_to", r.InReplyTo, MaxIDBytes)
	}
	if err != nil {
		return Reply{}, err
	}
	return r, nil
}

// memberActions are the values of MemberAction.Action, in the order the errors list them.
var memberActions = []string{MemberActionDismiss, MemberActionBlock, MemberActionUnblock, MemberActionReport}

// DecodeMemberAction decodes and validates a MemberAction v1 record value, as
// DecodeMessageSent does: at is held to sent_at's rules. The returned At is in UTC.
// Member actions are rare next to messages, so there is no fast path: encoding/json reads them.
func DecodeMemberAction(value []byte, now time.Time) (MemberAction, error) {
	type event MemberAction // embedded below, where at is shadowed
	var w struct {
		event
		At *string `json:"at"`
	}
	if err := decodeObject(value, &w); err != nil {
		return MemberAction{}, err
	}
	return checkMemberAction(MemberAction(w.event), optional(w.At), now)
}

// optional is the bytes of an optional string, empty when it is absent.
func optional(s *string) []byte {
	if s == nil {
		return nil
	}
	return []byte(*s)
}

// checkMemberAction validates a decoded a whose at is still the bytes at.
func checkMemberAction(a MemberAction, at []byte, now time.Time) (MemberAction, error) {
	err := firstError(
		checkID("action_id", a.ActionID),
		checkID("member_id", a.MemberID),
		checkID("other_member_id", a.OtherMemberID),
		checkAction(a.Action),
	)
	if err == nil {
		a.At, err = parseEventTime("at", at, now)
	}
	if err == nil && a.MemberID == a.OtherMemberID {
		err = invalid("other_member_id: same as member_id")
	}
	if err == nil {
		err = firstError(
			checkToken("nudge_id", a.NudgeID, MaxIDBytes),
			checkToken("reason", a.Reason, MaxReasonBytes),
		)
	}
	if err != nil {
		return MemberAction{}, err
	}
	return a, nil
}

// checkAction accepts the actions of MemberAction. Its error does not quote the value.
func checkAction(action string) error {
	switch {
	case action == "":
		return invalid("action: missing")
	case !slices.Contains(memberActions, action):
		return invalidf("action: unknown, want one of %s", strings.Join(memberActions, ", "))
	}
	return nil
}

// decodeObject unmarshals one JSON object into v, adding the checks encoding/json leaves
// out, and turns its errors into ones that never quote the input.
func decodeObject(value []byte, v any) error {
	if err := checkValue(value); err != nil {
		return err
	}
	err := json.Unmarshal(value, v)
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		// null decodes into a struct without error.
		if bytes.TrimLeft(value, " \t\r\n")[0] != '{' {
			return invalid("not a JSON object")
		}
		return nil
	case errors.As(err, &syntaxErr):
		// The message of a SyntaxError quotes a byte of the input; its offset does not.
		return invalidf("not JSON: syntax error at byte %d", syntaxErr.Offset)
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return invalid("not a JSON object")
	case errors.As(err, &typeErr):
		// Field starts with the name of the embedded struct ("event.sender_id").
		field := strings.TrimPrefix(typeErr.Field, "event.")
		got, _, _ := strings.Cut(typeErr.Value, " ") // "number 5" would quote the input
		return invalidf("%s: want %s, got %s", field, jsonType(typeErr.Type), got)
	default:
		return invalid("not decodable")
	}
}

// checkValue holds a value to the limits that come before any decoding.
func checkValue(value []byte) error {
	switch {
	case len(value) == 0:
		return invalid("empty value")
	case len(value) > MaxValueBytes:
		return invalidf("value over %d bytes", MaxValueBytes)
	case !utf8.Valid(value):
		// encoding/json would quietly turn each bad byte into U+FFFD.
		return invalid("not valid UTF-8")
	}
	return nil
}

// jsonType names the JSON type that decodes into t.
func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return jsonType(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Bool:
		return "boolean"
	default:
		return "number"
	}
}

// checkEnvelope checks the fields every input event has and returns sent_at in UTC.
func checkEnvelope(messageID, senderID, recipientID string, sentAt []byte, now time.Time) (time.Time, error) {
	if err := firstError(
		checkID("message_id", messageID),
		checkID("sender_id", senderID),
		checkID("recipient_id", recipientID),
	); err != nil {
		return time.Time{}, err
	}
	t, err := parseEventTime("sent_at", sentAt, now)
	if err != nil {
		return time.Time{}, err
	}
	if senderID == recipientID {
		return time.Time{}, invalid("recipient_id: same as sender_id")
	}
	return t, nil
}

// rfc3339 is the date-time of RFC 3339 with an upper-case T and Z. time.Parse alone also
// takes one-digit hours and offsets of 24 hours or more (go.dev/issue/54580).
// isRFC3339 reports whether s has the shape of an RFC 3339 time with a time zone:
// ^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$ (time.Parse accepts
// more). Written out by hand: the regular expression cost half a microsecond per event.
func isRFC3339(s []byte) bool {
	const head = "dddd-dd-ddTdd:dd:dd" // d: an ASCII digit
	if len(s) <= len(head) {
		return false
	}
	for i := range len(head) {
		if head[i] == 'd' && !isDigit(s[i]) || head[i] != 'd' && s[i] != head[i] {
			return false
		}
	}
	s = s[len(head):]
	if s[0] == '.' {
		n := 1
		for n < len(s) && isDigit(s[n]) {
			n++
		}
		if n == 1 {
			return false
		}
		s = s[n:]
	}
	if len(s) == 1 && s[0] == 'Z' {
		return true
	}
	if len(s) != 6 || s[0] != '+' && s[0] != '-' || s[3] != ':' {
		return false
	}
	hour := (s[1] == '0' || s[1] == '1') && isDigit(s[2]) || s[1] == '2' && '0' <= s[2] && s[2] <= '3'
	return hour && '0' <= s[4] && s[4] <= '5' && isDigit(s[5])
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// parseEventTime parses the event time in field (sent_at, at) and returns it in UTC.
func parseEventTime(field string, s []byte, now time.Time) (time.Time, error) {
	if len(s) == 0 {
		return time.Time{}, invalidf("%s: missing", field)
	}
	if !isRFC3339(s) {
		return time.Time{}, invalidf("%s: not an RFC 3339 time with a time zone", field)
	}
	t, err := time.Parse(time.RFC3339, string(s))
	if err != nil { // an out-of-range field; the error would quote the input
		return time.Time{}, invalidf("%s: not an RFC 3339 time with a time zone", field)
	}
	t = t.UTC()
	if t.Year() < MinSentAtYear {
		return time.Time{}, invalidf("%s: before %d-01-01T00:00:00Z", field, MinSentAtYear)
	}
	if ahead := t.Sub(now); ahead > MaxClockSkew {
		minutes := ahead / time.Minute
		if ahead%time.Minute != 0 {
			minutes++
		}
		return time.Time{}, invalidf("%s: %d minutes ahead of the processor's clock", field, minutes)
	}
	return t, nil
}

func checkID(field, s string) error {
	if s == "" {
		return invalidf("%s: missing", field)
	}
	return checkToken(field, s, MaxIDBytes)
}

// checkToken bounds an optional id, label or tag and rejects invisible trouble in it:
// control characters, and U+FFFD, which is what encoding/json makes of a lone surrogate
// escape, so that two different broken ids would otherwise become the same key.
func checkToken(field, s string, maxBytes int) error {
	if len(s) > maxBytes {
		return invalidf("%s: longer than %d bytes", field, maxBytes)
	}
	i := 0
	for i < len(s) && printableASCII[s[i]] { // the usual token, quickly
		i++
	}
	for _, r := range s[i:] {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return invalidf("%s: contains a control or replacement character", field)
		}
	}
	return nil
}

// printableASCII tells the ASCII bytes that are not control characters.
var printableASCII = func() (p [256]bool) {
	for c := ' '; c < 0x7f; c++ {
		p[c] = true
	}
	return p
}()

func checkLabels(field string, labels []string) error {
	if len(labels) > MaxLabels {
		return invalidf("%s: more than %d", field, MaxLabels)
	}
	for i, l := range labels {
		if checkToken("", l, MaxLabelBytes) != nil { // name the field only on failure: it costs
			return checkToken(fmt.Sprintf("%s[%d]", field, i), l, MaxLabelBytes)
		}
	}
	return nil
}

func checkAttachments(as []Attachment) error {
	if len(as) > MaxAttachments {
		return invalidf("attachments: more than %d", MaxAttachments)
	}
	for i, a := range as {
		if a.Kind != "" && checkToken("", a.Kind, MaxLabelBytes) == nil && checkLabels("", a.Labels) == nil {
			continue // valid: name the field only on failure
		}
		field := fmt.Sprintf("attachments[%d]", i)
		if a.Kind == "" {
			return invalidf("%s.kind: missing", field)
		}
		if err := firstError(
			checkToken(field+".kind", a.Kind, MaxLabelBytes),
			checkLabels(field+".labels", a.Labels),
		); err != nil {
			return err
		}
	}
	return nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

func invalid(problem string) error {
	return fmt.Errorf("%w: %s", ErrInvalidEvent, problem)
}

func invalidf(format string, args ...any) error {
	return invalid(fmt.Sprintf(format, args...))
}
