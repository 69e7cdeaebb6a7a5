package topics_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/relance/relance/topics"
)

func TestNamesWithDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   topics.Names
		want topics.Names
	}{
		{
			name: "zero value",
			in:   topics.Names{},
			want: topics.Names{MessageSent: "message-sent", Reply: "reply", MemberAction: "member-action", CoachNudge: "coach-nudge", ModerationAlert: "moderation-alert", DeadLetter: "dead-letter"},
		},
		{
			name: "set names kept",
			in:   topics.Names{Reply: "chat.reply.v1", MemberAction: "app.member-action", DeadLetter: "relance.dlq"},
			want: topics.Names{MessageSent: "message-sent", Reply: "chat.reply.v1", MemberAction: "app.member-action", CoachNudge: "coach-nudge", ModerationAlert: "moderation-alert", DeadLetter: "relance.dlq"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.WithDefaults(); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestNamesValidate(t *testing.T) {
	valid := topics.Names{}.WithDefaults()
	with := func(f func(*topics.Names)) topics.Names {
		n := valid
		f(&n)
		return n
	}
	tests := []struct {
		name  string
		names topics.Names
		want  string // "" for valid
	}{
		{"defaults", valid, ""},
		{"all legal characters", with(func(n *topics.Names) { n.Reply = "Chat_reply-v1.0" }), ""},
		{"249 characters", with(func(n *topics.Names) { n.DeadLetter = strings.Repeat("d", 249) }), ""},
		{"zero value", topics.Names{}, `topics: message-sent topic "": empty`},
		{"one empty", with(func(n *topics.Names) { n.ModerationAlert = "" }), `topics: moderation-alert topic "": empty`},
		{"space", with(func(n *topics.Names) { n.DeadLetter = "a b" }), `topics: dead-letter topic "a b": invalid character ' '`},
		{"slash", with(func(n *topics.Names) { n.Reply = "chat/reply" }), `topics: reply topic "chat/reply": invalid character '/'`},
		{"non-ASCII", with(func(n *topics.Names) { n.CoachNudge = "coach-énervé" }), `topics: coach-nudge topic "coach-énervé": invalid character 'é'`},
		{"newline", with(func(n *topics.Names) { n.MessageSent = "message-sent\n" }), `topics: message-sent topic "message-sent\n": invalid character '\n'`},
		{"dot", with(func(n *topics.Names) { n.Reply = "." }), `topics: reply topic ".": not allowed`},
		{"dot dot", with(func(n *topics.Names) { n.Reply = ".." }), `topics: reply topic "..": not allowed`},
		{"250 characters", with(func(n *topics.Names) { n.DeadLetter = strings.Repeat("d", 250) }), `topics: dead-letter topic "` + strings.Repeat("d", 250) + `": longer than 249 characters`},
		{"input twice", with(func(n *topics.Names) { n.Reply = "message-sent" }), `topics: reply topic "message-sent": same as the message-sent topic`},
		{"member-action empty", with(func(n *topics.Names) { n.MemberAction = "" }), `topics: member-action topic "": empty`},
		{"member-action invalid", with(func(n *topics.Names) { n.MemberAction = "member action" }), `topics: member-action topic "member action": invalid character ' '`},
		{"member-action same as reply", with(func(n *topics.Names) { n.MemberAction = "reply" }), `topics: member-action topic "reply": same as the reply topic`},
		{"output into member-action", with(func(n *topics.Names) { n.CoachNudge = "member-action" }), `topics: coach-nudge topic "member-action": same as the member-action topic`},
		{"member-action collides", with(func(n *topics.Names) { n.MemberAction = "member.action"; n.DeadLetter = "member_action" }), `topics: dead-letter topic "member_action": collides with the member-action topic "member.action" ('.' and '_' collide in Kafka)`},
		{"dead letters into an input", with(func(n *topics.Names) { n.DeadLetter = "reply" }), `topics: dead-letter topic "reply": same as the reply topic`},
		{"outputs shared", with(func(n *topics.Names) { n.ModerationAlert = "coach-nudge" }), `topics: moderation-alert topic "coach-nudge": same as the coach-nudge topic`},
		{"dot and underscore collide", with(func(n *topics.Names) { n.CoachNudge = "relance.out"; n.ModerationAlert = "relance_out" }), `topics: moderation-alert topic "relance_out": collides with the coach-nudge topic "relance.out" ('.' and '_' collide in Kafka)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.names.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNamesInputs(t *testing.T) {
	n := topics.Names{MessageSent: "in.messages", Reply: "in.replies", MemberAction: "in.actions", CoachNudge: "out.nudges"}
	if got, want := n.Inputs(), []string{"in.messages", "in.replies", "in.actions"}; !slices.Equal(got, want) {
		t.Errorf("Inputs() = %q, want %q", got, want)
	}
}

func TestNamesAll(t *testing.T) {
	n := topics.Names{}.WithDefaults()
	n.Reply = "in.replies"
	want := []string{"message-sent", "in.replies", "member-action", "coach-nudge", "moderation-alert", n.DeadLetter}
	if got := n.All(); !slices.Equal(got, want) {
		t.Errorf("All() = %q, want %q", got, want)
	}
}
