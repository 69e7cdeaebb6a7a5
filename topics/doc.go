// Package topics is relance's side of the contract with the systems around it (the README's "Topics and events"):
// the names of the topics it reads and writes, the structs of the events on them, their
// validation, and the wire codecs and JSON Schemas. It does not import kafka-go, so the pure
// packages can use the event structs; topics/record puts the wire form on Kafka records,
// with their headers.
//
// No other package spells a topic name or a field: they take [Names], decode with
// [DecodeMessageSent], [DecodeReply] and [DecodeMemberAction], and encode outputs with [EncodeNudge] and
// [EncodeAlert] (which topics/record calls).
//
// The outputs measure a streak two ways: [CoachNudge.UnansweredCount] and
// [ModerationAlert.UnansweredCount] count the unanswered messages, Attempts the attempts
// they form (a message and the quick ones that follow it within the policy's burst are one
// attempt; the README's "The default policy"). The sender's nudge kinds are
// [KindFollowUpLimit], the optional earlier [KindFollowUpReminder] and
// [KindRespectfulLanguage]; the recipient's is [KindCheckIn].
//
// An input that breaks the contract decodes to an error wrapping [ErrInvalidEvent], whose
// text names the field and the problem but never repeats the message's content, so it is
// safe to log and to carry in a dead-letter header.
//
// The decoders of the busy inputs, MessageSent and Reply, read the usual shape of an event in
// one pass, without reflection, and fall back to encoding/json on anything else (null, a wrong type, a duplicate key or one that
// differs only in case, a syntax error…), so the result and the error are the same either way.
//
// [EncodeNudge] and [EncodeAlert] write the outputs without reflection, the same bytes as
// [Encode] (encoding/json) of the same event.
//
// The wire format is pinned by golden files (testdata/*.golden, rewritten by
// `go test ./topics -update`) that are checked against the schemas in [Schemas].
package topics
