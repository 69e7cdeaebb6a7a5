package topics_test

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/relance/relance/topics"
)

func TestEncode(t *testing.T) {
	got, err := topics.Encode(map[string]string{"title": "<3 & à bientôt"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"title":"<3 & à bientôt"}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestEncodeOutputsNormalises(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{
			name: "nudge with nil lists and a local time",
			v: topics.CoachNudge{NudgeID: "n-1", UserID: "u-1", Audience: topics.AudienceSender, Kind: topics.KindFollowUpLimit,
				OccurredAt: time.Date(2026, 11, 23, 11, 45, 0, 0, paris)},
			want: `{"nudge_id":"n-1","user_id":"u-1","audience":"sender","kind":"follow_up_limit","other_user_id":"","unanswered_count":0,"attempts":0,"window_seconds":0,"locale":"","coach":"","title":"","body":"","actions":[],"message_ids":[],"triggered_by":"","occurred_at":"2026-11-23T10:45:00Z","policy_version":""}`,
		},
		{
			name: "alert with nil lists and local times",
			v: topics.ModerationAlert{AlertID: "a-1", Severity: topics.SeverityLow, SenderID: "u-1", Reasons: []string{topics.ReasonHate},
				NudgedAt: ptr(time.Date(2026, 11, 23, 11, 0, 0, 0, paris)), LastMessageAt: time.Date(2026, 11, 23, 11, 45, 0, 0, paris), OccurredAt: time.Date(2026, 11, 23, 11, 45, 0, 0, paris)},
			want: `{"alert_id":"a-1","severity":"low","sender_id":"u-1","recipient_id":"","reasons":["hate"],"unanswered_count":0,"attempts":0,"window_seconds":0,"message_ids":[],"content_labels":[],"last_message_at":"2026-11-23T10:45:00Z","nudged_at":"2026-11-23T10:00:00Z","member_ids":[],"action_id":"","triggered_by":"","occurred_at":"2026-11-23T10:45:00Z","policy_version":""}`,
		},
		{
			name: "nudge through a pointer",
			v:    &topics.CoachNudge{NudgeID: "n-1", UserID: "u-2", Audience: topics.AudienceRecipient, Kind: topics.KindCheckIn, Title: "<3"},
			want: `{"nudge_id":"n-1","user_id":"u-2","audience":"recipient","kind":"check_in","other_user_id":"","unanswered_count":0,"attempts":0,"window_seconds":0,"locale":"","coach":"","title":"<3","body":"","actions":[],"message_ids":[],"triggered_by":"","occurred_at":"0001-01-01T00:00:00Z","policy_version":""}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := topics.Encode(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestEncodeOutputsAreTheGoldens: what the record package publishes is the golden wire form.
func TestEncodeOutputsAreTheGoldens(t *testing.T) {
	for name, v := range goldens {
		var got []byte
		var err error
		switch v := v.(type) {
		case topics.CoachNudge:
			got, err = topics.EncodeNudge(v)
		case topics.ModerationAlert:
			got, err = topics.EncodeAlert(v)
		default:
			continue // an input
		}
		t.Run(name, func(t *testing.T) {
			if err != nil {
				t.Fatal(err)
			}
			if want := must(os.ReadFile(goldenPath(name))); !bytes.Equal(got, want) {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func TestEncodeNudgeRejects(t *testing.T) {
	valid := goldens["coach-nudge.follow_up_limit"].(topics.CoachNudge)
	with := func(f func(*topics.CoachNudge)) topics.CoachNudge {
		n := valid
		f(&n)
		return n
	}
	tests := []struct {
		name  string
		nudge topics.CoachNudge
		want  string
	}{
		{"no nudge_id", with(func(n *topics.CoachNudge) { n.NudgeID = "" }), "coach-nudge: nudge_id: missing"},
		{"no user_id", with(func(n *topics.CoachNudge) { n.UserID = "" }), "coach-nudge: user_id: missing"},
		{"unknown audience", with(func(n *topics.CoachNudge) { n.Audience = "moderator" }), `coach-nudge: audience "moderator": unknown`},
		{"unknown kind", with(func(n *topics.CoachNudge) { n.Kind = "warning" }), `coach-nudge: kind "warning": unknown`},
		{"check_in for the sender", with(func(n *topics.CoachNudge) { n.Kind = topics.KindCheckIn }), `coach-nudge: kind "check_in": not for audience "sender"`},
		{"follow_up_limit for the recipient", with(func(n *topics.CoachNudge) { n.Audience = topics.AudienceRecipient }), `coach-nudge: kind "follow_up_limit": not for audience "recipient"`},
		{"follow_up_reminder for the recipient", with(func(n *topics.CoachNudge) { n.Audience, n.Kind = topics.AudienceRecipient, topics.KindFollowUpReminder }), `coach-nudge: kind "follow_up_reminder": not for audience "recipient"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := topics.EncodeNudge(tt.nudge)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestEncodeAlertRejects(t *testing.T) {
	valid := goldens["moderation-alert.medium"].(topics.ModerationAlert)
	with := func(f func(*topics.ModerationAlert)) topics.ModerationAlert {
		a := valid
		f(&a)
		return a
	}
	tests := []struct {
		name  string
		alert topics.ModerationAlert
		want  string
	}{
		{"no alert_id", with(func(a *topics.ModerationAlert) { a.AlertID = "" }), "moderation-alert: alert_id: missing"},
		{"no sender_id", with(func(a *topics.ModerationAlert) { a.SenderID = "" }), "moderation-alert: sender_id: missing"},
		{"unknown severity", with(func(a *topics.ModerationAlert) { a.Severity = "critical" }), `moderation-alert: severity "critical": unknown`},
		{"no reasons", with(func(a *topics.ModerationAlert) { a.Reasons = nil }), "moderation-alert: reasons: empty"},
		{"unknown reason", with(func(a *topics.ModerationAlert) { a.Reasons = []string{"threat", "spam"} }), `moderation-alert: reason "spam": unknown`},
		{"repeated reason", with(func(a *topics.ModerationAlert) { a.Reasons = []string{"threat", "hate", "threat"} }), `moderation-alert: reason "threat": repeated`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := topics.EncodeAlert(tt.alert)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}
