package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/topics"
)

// Header names on output records.
const (
	HeaderEventType       = "event-type"
	HeaderEventVersion    = "event-version"
	HeaderError           = "error"
	HeaderSourceTopic     = "source-topic"
	HeaderSourcePartition = "source-partition"
	HeaderSourceOffset    = "source-offset"
	// HeaderPayloadBytes and HeaderPayloadSHA256 are on a redacted dead letter whose value
	// was written empty: the input's length in bytes and the hex SHA-256 of its bytes.
	HeaderPayloadBytes  = "payload-bytes"
	HeaderPayloadSHA256 = "payload-sha256"
)

// Payload says what a dead letter's value holds.
type Payload string

const (
	// PayloadRedacted, the default (and the zero value's meaning), writes no message text:
	// an input that is a JSON object loses its top-level text member, any other input is
	// written empty with its length and SHA-256 in headers. See [Redact].
	PayloadRedacted Payload = "redacted"
	// PayloadFull writes the input's bytes unchanged, for a dead-letter topic as protected
	// as the inputs.
	PayloadFull Payload = "full"
)

// Validate reports a payload that is neither "" (redacted), redacted nor full.
func (p Payload) Validate() error {
	switch p {
	case "", PayloadRedacted, PayloadFull:
		return nil
	}
	return fmt.Errorf("dead-letter payload %q: want %s or %s", string(p), PayloadRedacted, PayloadFull)
}

// MaxErrorHeaderBytes bounds the error header of a dead-letter record.
const MaxErrorHeaderBytes = 512

// Nudge is the coach-nudge record of n, keyed by the member it is for. It refuses a nudge
// that breaks the schema: that is a bug upstream, not something to publish.
func Nudge(topic string, n topics.CoachNudge) (kafka.Message, error) {
	value, err := topics.EncodeNudge(n)
	if err != nil {
		return kafka.Message{}, err
	}
	return event(topic, n.UserID, topics.TypeCoachNudge, value), nil
}

// Alert is the moderation-alert record of a, keyed by the sender. It refuses an alert that
// breaks the schema: that is a bug upstream, not something to publish.
func Alert(topic string, a topics.ModerationAlert) (kafka.Message, error) {
	value, err := topics.EncodeAlert(a)
	if err != nil {
		return kafka.Message{}, err
	}
	return event(topic, a.SenderID, topics.TypeModerationAlert, value), nil
}

// DeadLetter is the dead-letter record of src: its key unchanged, its value as payload
// says (PayloadFull: unchanged, so the platform can inspect or replay it; PayloadRedacted
// or "": without message text, see [Redact]), and headers saying why and where from. A
// nil reason is recorded as "unknown".
func DeadLetter(topic string, src kafka.Message, reason error, payload Payload) kafka.Message {
	why := "unknown"
	if reason != nil {
		why = truncate(reason.Error(), MaxErrorHeaderBytes)
	}
	m := kafka.Message{
		Topic: topic,
		Key:   src.Key,
		Value: src.Value,
		Headers: []kafka.Header{
			{Key: HeaderError, Value: []byte(why)},
			{Key: HeaderSourceTopic, Value: []byte(src.Topic)},
			{Key: HeaderSourcePartition, Value: []byte(strconv.Itoa(src.Partition))},
			{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(src.Offset, 10))},
		},
	}
	if payload == PayloadFull {
		return m
	}
	if v, ok := Redact(src.Value); ok {
		m.Value = v
		return m
	}
	sum := sha256.Sum256(src.Value)
	m.Value = []byte{}
	m.Headers = append(m.Headers,
		kafka.Header{Key: HeaderPayloadBytes, Value: []byte(strconv.Itoa(len(src.Value)))},
		kafka.Header{Key: HeaderPayloadSHA256, Value: []byte(hex.EncodeToString(sum[:]))},
	)
	return m
}

// Redact is value without its message text, and true, when value is one JSON object: the
// object with every top-level member whose name is "text" removed (the name compared as
// JSON decoders do, after unescaping and ignoring case, so "Text" and "te\u0078t" go too),
// the other members' bytes as they were, in their order. Only the whitespace between
// members and around the object is not kept. A "text" nested deeper (in an attachment,
// say) is not message text under the contract and stays. For anything else — bytes that
// are not JSON, JSON that is not an object — it is nil and false: such a value cannot be
// shown to hold no text, so a dead letter writes it empty.
func Redact(value []byte) ([]byte, bool) {
	if !json.Valid(value) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	out := make([]byte, 0, len(value))
	out = append(out, '{')
	kept := 0
	for dec.More() {
		start := int(dec.InputOffset()) // after '{' or the previous member's value
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		name, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		end := int(dec.InputOffset())
		if strings.EqualFold(name, "text") {
			continue
		}
		member := bytes.TrimLeft(value[start:end], " \t\r\n,")
		if kept > 0 {
			out = append(out, ',')
		}
		out = append(out, member...)
		kept++
	}
	return append(out, '}'), true
}

// HeaderValue is the value of m's last header called name, or "" when it has none. The
// last one wins, as with Kafka's Headers.lastHeader.
func HeaderValue(m kafka.Message, name string) string {
	for _, h := range slices.Backward(m.Headers) {
		if h.Key == name {
			return string(h.Value)
		}
	}
	return ""
}

func event(topic, key, eventType string, value []byte) kafka.Message {
	// The key and the header values share one allocation; each is capped so that
	// appending to one cannot overwrite the next.
	b := make([]byte, 0, len(key)+len(eventType)+len(topics.EventVersion))
	b = append(b, key...)
	b = append(b, eventType...)
	b = append(b, topics.EventVersion...)
	k, t := len(key), len(key)+len(eventType)
	return kafka.Message{
		Topic: topic,
		Key:   b[:k:k],
		Value: value,
		Headers: []kafka.Header{
			{Key: HeaderEventType, Value: b[k:t:t]},
			{Key: HeaderEventVersion, Value: b[t:]},
		},
	}
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
