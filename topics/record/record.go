package record

import (
	"slices"
	"strconv"
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
)

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

// DeadLetter is the dead-letter record of src: its key and value unchanged, so the
// platform can inspect or replay them, and headers saying why and where from. A nil
// reason is recorded as "unknown".
func DeadLetter(topic string, src kafka.Message, reason error) kafka.Message {
	why := "unknown"
	if reason != nil {
		why = truncate(reason.Error(), MaxErrorHeaderBytes)
	}
	return kafka.Message{
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
	return kafka.Message{
		Topic: topic,
		Key:   []byte(key),
		Value: value,
		Headers: []kafka.Header{
			{Key: HeaderEventType, Value: []byte(eventType)},
			{Key: HeaderEventVersion, Value: []byte(topics.EventVersion)},
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
