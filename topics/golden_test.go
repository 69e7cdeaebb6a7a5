package topics_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/relance/relance/topics"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the Go values in the tests")

// now is the processor's clock in the tests: a little after the golden events.
var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// goldens are every event as it goes on the wire, named <event type>.<case>.golden.
var goldens = map[string]any{
	"message-sent.full": topics.MessageSent{
		MessageID:       "m-1",
		SenderID:        "u-1",
		RecipientID:     "u-2",
		SentAt:          at("2026-11-23T10:15:00.123Z"),
		ConversationID:  "c-9",
		Text:            "salut ! <3 & à bientôt",
		Locale:          "fr",
		RecipientLocale: "en",
		Labels:          []string{"insult"},
		Attachments: []topics.Attachment{
			{Kind: "image", Labels: []string{"nudity", "explicit"}},
			{Kind: "audio"},
		},
	},
	"message-sent.minimal": topics.MessageSent{
		MessageID:   "m-2",
		SenderID:    "u-1",
		RecipientID: "u-2",
		SentAt:      at("2026-11-23T10:16:00Z"),
	},
	"reply.answer": topics.Reply{
		MessageID:   "m-7",
		SenderID:    "u-2",
		RecipientID: "u-1",
		SentAt:      at("2026-11-23T11:00:00Z"),
		InReplyTo:   "m-1",
	},
	"member-action.report": topics.MemberAction{
		ActionID:      "a-1",
		MemberID:      "u-2",
		OtherMemberID: "u-1",
		Action:        topics.MemberActionReport,
		At:            at("2026-11-23T11:05:00Z"),
		NudgeID:       "nudge-5d8a3c6e0f2b9147",
		Reason:        "harassment",
	},
	"member-action.dismiss": topics.MemberAction{
		ActionID:      "a-2",
		MemberID:      "u-4",
		OtherMemberID: "u-3",
		Action:        topics.MemberActionDismiss,
		At:            at("2026-11-23T11:10:00.5Z"),
	},
	"coach-nudge.follow_up_limit": topics.CoachNudge{
		NudgeID:         "nudge-3f0c9a1e5b7d2c48",
		UserID:          "u-1",
		Audience:        topics.AudienceSender,
		Kind:            topics.KindFollowUpLimit,
		OtherUserID:     "u-2",
		UnansweredCount: 6,
		Attempts:        4,
		WindowSeconds:   604800,
		Locale:          "fr",
		Coach:           "Lara",
		Title:           "Laisse-lui le temps de répondre",
		Body:            "C'est Lara. Tu as relancé cette personne 3 fois sans réponse. Relancer une fois, c'est bien ; deux fois, passe encore ; trois fois, c'est trop. Attends sa réponse, ou pas : c'est son choix.",
		MessageIDs:      []string{"m-1", "m-2", "m-3", "m-4", "m-5", "m-6"},
		TriggeredBy:     "m-6",
		OccurredAt:      at("2026-11-23T10:45:00Z"),
		PolicyVersion:   "relance-default-2",
	},
	// follow_up_reminder is an optional level (off in the default policy): here at 3 attempts,
	// in the same streak as follow_up_limit above, one attempt before it.
	"coach-nudge.follow_up_reminder": topics.CoachNudge{
		NudgeID:         "nudge-b47e2d9a0c3f6815",
		UserID:          "u-1",
		Audience:        topics.AudienceSender,
		Kind:            topics.KindFollowUpReminder,
		OtherUserID:     "u-2",
		UnansweredCount: 5,
		Attempts:        3,
		WindowSeconds:   604800,
		Locale:          "en",
		Coach:           "Lara",
		Title:           "Give them time to answer",
		Body:            "It's Lara. You have followed up twice already. Once is fine, twice is tolerable, three times is too much. Wait for an answer, or not: it's their choice.",
		MessageIDs:      []string{"m-1", "m-2", "m-3", "m-4", "m-5"},
		TriggeredBy:     "m-5",
		OccurredAt:      at("2026-11-23T10:38:00Z"),
		PolicyVersion:   "relance-reminder-2",
	},
	"coach-nudge.respectful_language": topics.CoachNudge{
		NudgeID:         "nudge-91b2e07c4a6f1d35",
		UserID:          "u-3",
		Audience:        topics.AudienceSender,
		Kind:            topics.KindRespectfulLanguage,
		OtherUserID:     "u-4",
		UnansweredCount: 1,
		Attempts:        1,
		WindowSeconds:   604800,
		Locale:          "en",
		Coach:           "Lara",
		Title:           "Respect, always",
		Body:            "It's Lara. Your last message may have hurt. Respect & kindness are the rule here, in every circumstance: no insults, no put-downs, no unsolicited pictures.",
		Actions:         []string{},
		MessageIDs:      []string{"m-20"},
		TriggeredBy:     "m-20",
		OccurredAt:      at("2026-11-23T10:50:00Z"),
		PolicyVersion:   "relance-default-2",
	},
	"coach-nudge.check_in": topics.CoachNudge{
		NudgeID:         "nudge-5d8a3c6e0f2b9147",
		UserID:          "u-2",
		Audience:        topics.AudienceRecipient,
		Kind:            topics.KindCheckIn,
		OtherUserID:     "u-1",
		UnansweredCount: 6,
		Attempts:        4,
		WindowSeconds:   604800,
		Locale:          "fr",
		Coach:           "Lara",
		Title:           "Tout va bien ?",
		Body:            "C'est Lara. Quelqu'un t'a écrit plusieurs fois sans réponse. Tu n'as pas à répondre. Si ça te met mal à l'aise, tu peux le signaler ou le bloquer.",
		Actions:         []string{"report", "block"},
		ResourceURL:     "https://www.arretonslesviolences.gouv.fr",
		MessageIDs:      []string{"m-1", "m-2", "m-3", "m-4", "m-5", "m-6"},
		TriggeredBy:     "m-6",
		OccurredAt:      at("2026-11-23T10:45:00Z"),
		PolicyVersion:   "relance-default-2",
	},
	"moderation-alert.medium": topics.ModerationAlert{
		AlertID:           "alert-7e4f1a9c3b5d0826",
		Severity:          topics.SeverityMedium,
		SenderID:          "u-1",
		RecipientID:       "u-2",
		Reasons:           []string{topics.ReasonUnansweredStreak, topics.ReasonContinuedAfterNudge},
		UnansweredCount:   9,
		Attempts:          7,
		WindowSeconds:     604800,
		MessageIDs:        []string{"m-1", "m-2", "m-3", "m-4", "m-5", "m-6", "m-7", "m-8", "m-9"},
		ContentLabels:     []string{},
		FirstUnansweredAt: ptr(at("2026-11-23T10:15:00.123Z")),
		LastMessageAt:     at("2026-11-23T11:30:00Z"),
		NudgedAt:          ptr(at("2026-11-23T10:45:00Z")),
		TriggeredBy:       "m-9",
		OccurredAt:        at("2026-11-23T11:30:00Z"),
		PolicyVersion:     "relance-default-2",
	},
	"moderation-alert.high": topics.ModerationAlert{
		AlertID:         "alert-c2a60d8e4f1b7395",
		Severity:        topics.SeverityHigh,
		SenderID:        "u-3",
		RecipientID:     "u-4",
		Reasons:         []string{topics.ReasonUnsolicitedSexualContent, topics.ReasonOffensiveContent},
		UnansweredCount: 1,
		Attempts:        1,
		WindowSeconds:   604800,
		MessageIDs:      []string{"m-20"},
		ContentLabels:   []string{"sexual", "nudity"},
		LastMessageAt:   at("2026-11-23T10:50:00Z"),
		TriggeredBy:     "m-20",
		OccurredAt:      at("2026-11-23T10:50:00Z"),
		PolicyVersion:   "relance-default-2",
	},
	"moderation-alert.reported": topics.ModerationAlert{
		AlertID:           "alert-3b9e0c7d51a8f264",
		Severity:          topics.SeverityHigh,
		SenderID:          "u-1",
		RecipientID:       "u-2",
		Reasons:           []string{topics.ReasonReported, topics.ReasonUnansweredStreak, topics.ReasonContinuedAfterNudge},
		UnansweredCount:   6,
		Attempts:          5,
		WindowSeconds:     604800,
		MessageIDs:        []string{"m-1", "m-2", "m-3", "m-4", "m-5", "m-6"},
		ContentLabels:     []string{},
		FirstUnansweredAt: ptr(at("2026-11-23T10:15:00.123Z")),
		LastMessageAt:     at("2026-11-23T11:05:00Z"),
		NudgedAt:          ptr(at("2026-11-23T10:45:00Z")),
		ActionID:          "a-4",
		TriggeredBy:       "a-4",
		OccurredAt:        at("2026-11-23T12:00:00Z"),
		PolicyVersion:     "relance-default-2",
	},
}

func goldenPath(name string) string { return filepath.Join("testdata", name+".golden") }

// eventType is the event type of a golden file name, e.g. "coach-nudge" for "coach-nudge.check_in".
func eventType(name string) string {
	typ, _, _ := strings.Cut(filepath.Base(name), ".")
	return typ
}

func TestGolden(t *testing.T) {
	for name, v := range goldens {
		t.Run(name, func(t *testing.T) {
			got, err := topics.Encode(v)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				if err := os.WriteFile(goldenPath(name), got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(goldenPath(name))
			if err != nil {
				t.Fatalf("%v (run go test ./topics -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("wire form changed (run go test ./topics -update if on purpose)\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

// TestGoldenFilesHaveValues catches a golden file whose Go value was removed.
func TestGoldenFilesHaveValues(t *testing.T) {
	files, err := filepath.Glob(goldenPath("*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".golden")
		if _, ok := goldens[name]; !ok {
			t.Errorf("%s has no value in goldens", f)
		}
	}
}

func TestGoldenMatchesSchema(t *testing.T) {
	schemas := compileSchemas(t)
	for name := range goldens {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(goldenPath(name))
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(schemas, eventType(name), b); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestGoldenInputsDecode holds the decoders to the wire form of the inputs: each golden
// input decodes to its Go value and encodes back to the same bytes.
func TestGoldenInputsDecode(t *testing.T) {
	decoders := map[string]func([]byte) (any, error){
		topics.TypeMessageSent:  func(b []byte) (any, error) { return topics.DecodeMessageSent(b, now) },
		topics.TypeReply:        func(b []byte) (any, error) { return topics.DecodeReply(b, now) },
		topics.TypeMemberAction: func(b []byte) (any, error) { return topics.DecodeMemberAction(b, now) },
	}
	for name, want := range goldens {
		decode, ok := decoders[eventType(name)]
		if !ok {
			continue // an output
		}
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(goldenPath(name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decoded\n got: %+v\nwant: %+v", got, want)
			}
			again, err := topics.Encode(got)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, b) {
				t.Errorf("re-encoded\n got: %s\nwant: %s", again, b)
			}
		})
	}
}

// TestSchemaEnums keeps the schemas' enums and the Go constants in step.
func TestSchemaEnums(t *testing.T) {
	tests := []struct {
		schema, pointer string
		want            []string
	}{
		{"member-action", "/properties/action/enum", []string{topics.MemberActionDismiss, topics.MemberActionBlock, topics.MemberActionUnblock, topics.MemberActionReport}},
		{"coach-nudge", "/properties/audience/enum", []string{topics.AudienceSender, topics.AudienceRecipient}},
		{"coach-nudge", "/properties/kind/enum", []string{topics.KindFollowUpLimit, topics.KindFollowUpReminder, topics.KindRespectfulLanguage, topics.KindCheckIn}},
		{"coach-nudge", "/allOf/0/else/properties/kind/enum", []string{topics.KindFollowUpLimit, topics.KindFollowUpReminder, topics.KindRespectfulLanguage}},
		{"moderation-alert", "/properties/severity/enum", []string{topics.SeverityLow, topics.SeverityMedium, topics.SeverityHigh}},
		{"moderation-alert", "/properties/reasons/items/enum", []string{
			topics.ReasonUnansweredStreak, topics.ReasonContinuedAfterNudge, topics.ReasonOffensiveContent,
			topics.ReasonUnsolicitedSexualContent, topics.ReasonThreat, topics.ReasonHate, topics.ReasonReported,
			topics.ReasonRepeatedPestering, topics.ReasonBlockedByMany, topics.ReasonReportedByMany,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.schema+tt.pointer, func(t *testing.T) {
			b, err := topics.Schemas.ReadFile("schema/" + tt.schema + ".v1.json")
			if err != nil {
				t.Fatal(err)
			}
			var doc any
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			for _, key := range strings.Split(tt.pointer, "/")[1:] {
				switch d := doc.(type) {
				case []any:
					i, err := strconv.Atoi(key)
					if err != nil || i < 0 || i >= len(d) {
						t.Fatalf("%s: no element %q", tt.pointer, key)
					}
					doc = d[i]
				case map[string]any:
					doc = d[key]
				default:
					t.Fatalf("%s: nothing at %q", tt.pointer, key)
				}
			}
			var got []string
			for _, v := range doc.([]any) {
				got = append(got, v.(string))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("enum = %q, want %q", got, tt.want)
			}
		})
	}
}

// compileSchemas compiles the embedded schemas, keyed by event type, asserting formats
// (date-time, uri) as a strict consumer would.
func compileSchemas(tb testing.TB) map[string]*jsonschema.Schema {
	tb.Helper()
	files, err := fs.Glob(topics.Schemas, "schema/*.json")
	if err != nil || len(files) != 5 {
		tb.Fatalf("embedded schemas: %q, %v", files, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, f := range files {
		b, err := topics.Schemas.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		if err := c.AddResource(f, doc); err != nil {
			tb.Fatal(err)
		}
	}
	schemas := make(map[string]*jsonschema.Schema)
	for _, f := range files {
		s, err := c.Compile(f)
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		schemas[eventType(f)] = s
	}
	return schemas
}

func validate(schemas map[string]*jsonschema.Schema, eventType string, value []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(value))
	if err != nil {
		return err
	}
	return schemas[eventType].Validate(inst)
}

// TestSchemasReject makes sure the schemas are not vacuous: each breaks one rule.
func TestSchemasReject(t *testing.T) {
	nudge := string(must(os.ReadFile(goldenPath("coach-nudge.follow_up_limit"))))
	reminder := string(must(os.ReadFile(goldenPath("coach-nudge.follow_up_reminder"))))
	alert := string(must(os.ReadFile(goldenPath("moderation-alert.high"))))
	tests := []struct {
		name, eventType, value string
	}{
		{"message-sent without sender_id", "message-sent", `{"message_id":"m-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z"}`},
		{"message-sent with an empty id", "message-sent", `{"message_id":"","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z"}`},
		{"message-sent with a control character in an id", "message-sent", `{"message_id":"m\n1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z"}`},
		{"message-sent without time zone", "message-sent", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00"}`},
		{"message-sent with 33 labels", "message-sent", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","labels":["a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a"]}`},
		{"message-sent with a recipient_locale of 36 characters", "message-sent", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","recipient_locale":"abcdefghijklmnopqrstuvwxyzabcdefghij"}`},
		{"message-sent with a numeric recipient_locale", "message-sent", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","recipient_locale":1}`},
		{"message-sent with an attachment without kind", "message-sent", `{"message_id":"m-1","sender_id":"u-1","recipient_id":"u-2","sent_at":"2026-11-23T10:15:00Z","attachments":[{}]}`},
		{"reply with a numeric sender_id", "reply", `{"message_id":"m-7","sender_id":2,"recipient_id":"u-1","sent_at":"2026-11-23T11:00:00Z"}`},
		{"member-action without action", "member-action", `{"action_id":"a-1","member_id":"u-2","other_member_id":"u-1","at":"2026-11-23T12:00:00Z"}`},
		{"member-action with an unknown action", "member-action", `{"action_id":"a-1","member_id":"u-2","other_member_id":"u-1","action":"mute","at":"2026-11-23T12:00:00Z"}`},
		{"member-action with an empty member_id", "member-action", `{"action_id":"a-1","member_id":"","other_member_id":"u-1","action":"block","at":"2026-11-23T12:00:00Z"}`},
		{"member-action without time zone", "member-action", `{"action_id":"a-1","member_id":"u-2","other_member_id":"u-1","action":"block","at":"2026-11-23T12:00:00"}`},
		{"member-action with a reason of 65 characters", "member-action", `{"action_id":"a-1","member_id":"u-2","other_member_id":"u-1","action":"report","at":"2026-11-23T12:00:00Z","reason":"` + strings.Repeat("r", 65) + `"}`},
		{"coach-nudge with an unknown field", "coach-nudge", strings.Replace(nudge, `{`, `{"extra":1,`, 1)},
		{"coach-nudge without actions", "coach-nudge", strings.Replace(nudge, `"actions":[],`, ``, 1)},
		{"coach-nudge check_in for the sender", "coach-nudge", strings.Replace(nudge, `"follow_up_limit"`, `"check_in"`, 1)},
		{"coach-nudge with an unknown kind", "coach-nudge", strings.Replace(nudge, `"follow_up_limit"`, `"warning"`, 1)},
		{"coach-nudge follow_up_reminder for the recipient", "coach-nudge", strings.Replace(reminder, `"audience":"sender"`, `"audience":"recipient"`, 1)},
		{"coach-nudge without attempts", "coach-nudge", strings.Replace(nudge, `"attempts":4,`, ``, 1)},
		{"coach-nudge with negative attempts", "coach-nudge", strings.Replace(nudge, `"attempts":4`, `"attempts":-1`, 1)},
		{"coach-nudge with fractional attempts", "coach-nudge", strings.Replace(nudge, `"attempts":4`, `"attempts":3.5`, 1)},
		{"moderation-alert without attempts", "moderation-alert", strings.Replace(alert, `"attempts":1,`, ``, 1)},
		{"moderation-alert with attempts a string", "moderation-alert", strings.Replace(alert, `"attempts":1`, `"attempts":"1"`, 1)},
		{"moderation-alert with an unknown reason", "moderation-alert", strings.Replace(alert, `"offensive_content"`, `"spam"`, 1)},
		{"moderation-alert with a repeated reason", "moderation-alert", strings.Replace(alert, `"offensive_content"`, `"unsolicited_sexual_content"`, 1)},
		{"moderation-alert with content_labels null", "moderation-alert", strings.Replace(alert, `"content_labels":["sexual","nudity"]`, `"content_labels":null`, 1)},
	}
	schemas := compileSchemas(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := validate(schemas, tt.eventType, []byte(tt.value)); err == nil {
				t.Errorf("schema accepts %s", tt.value)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
