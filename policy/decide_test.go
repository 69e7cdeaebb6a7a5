package policy_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/coach"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
)

// Distinctive ids, so a test can tell they never leak into texts.
const (
	sender    = "member-a-7f3a"
	recipient = "member-b-91c2"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func msgID(i int) string { return fmt.Sprintf("msg-%d", i) }

// message is the count-th message of a streak, a minute after the previous one.
func message(count int) policy.Input {
	return policy.Input{
		Observation: policy.Observation{
			Action:      policy.ActionMessage,
			MessageID:   msgID(count),
			SenderID:    sender,
			RecipientID: recipient,
			SentAt:      t0.Add(time.Duration(count-1) * time.Minute),
		},
		Locale: "fr",
	}
}

// counted is the store's view once the count-th message of a fresh streak is counted,
// each message an attempt of its own.
func counted(count int) policy.Streak {
	s := policy.Streak{
		Status:            policy.StatusCounted,
		Count:             count,
		Attempts:          count,
		PrevPeak:          count - 1,
		Peak:              count,
		PrevPeakAttempts:  count - 1,
		PeakAttempts:      count,
		StartID:           msgID(1),
		FirstUnansweredAt: t0,
		LastMessageAt:     t0.Add(time.Duration(count-1) * time.Minute),
	}
	for i := 1; i <= count; i++ {
		s.MessageIDs = append(s.MessageIDs, msgID(i))
	}
	if count >= 4 {
		s.NudgedAt = t0.Add(3 * time.Minute)
	}
	return s
}

func with(s policy.Streak, change func(*policy.Streak)) policy.Streak {
	change(&s)
	return s
}

// nudgeKinds and alertKinds summarise decisions for table comparisons.
func nudgeKinds(d policy.Decisions) []string {
	var out []string
	for _, n := range d.Nudges {
		out = append(out, n.Audience+" "+n.Kind)
	}
	return out
}

func alertKinds(d policy.Decisions) []string {
	var out []string
	for _, a := range d.Alerts {
		out = append(out, fmt.Sprintf("%s %s [%s]", a.Severity, strings.Join(a.Reasons, ","), strings.Join(a.ContentLabels, ",")))
	}
	return out
}

func ids(d policy.Decisions) []string {
	var out []string
	for _, n := range d.Nudges {
		out = append(out, n.NudgeID)
	}
	for _, a := range d.Alerts {
		out = append(out, a.AlertID)
	}
	return out
}

var (
	bothFollowUp = []string{"sender follow_up_limit", "recipient check_in"}
	bothContent  = []string{"sender respectful_language", "recipient check_in"}
	afterNudge   = "unanswered_streak,continued_after_nudge []"
)

func TestDecideDefaultPolicyTable(t *testing.T) {
	tests := []struct {
		name   string
		count  int
		nudges []string
		alerts []string
	}{
		{"the first message", 1, nil, nil},
		{"one follow-up is fine", 2, nil, nil},
		{"two follow-ups are tolerable", 3, nil, nil},
		{"three follow-ups are too much", 4, bothFollowUp, nil},
		{"five unanswered", 5, nil, nil},
		{"six unanswered", 6, nil, nil},
		{"kept going after the coach", 7, nil, []string{"medium " + afterNudge}},
		{"eight unanswered", 8, nil, nil},
		{"nine unanswered", 9, nil, nil},
		{"ten unanswered", 10, nil, nil},
		{"eleven unanswered", 11, nil, nil},
		{"persistent", 12, nil, []string{"high " + afterNudge}},
		{"past the highest level", 13, nil, nil},
	}
	p := policy.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(message(tt.count), counted(tt.count))
			if got := nudgeKinds(d); !slices.Equal(got, tt.nudges) {
				t.Errorf("nudges = %q, want %q", got, tt.nudges)
			}
			if got := alertKinds(d); !slices.Equal(got, tt.alerts) {
				t.Errorf("alerts = %q, want %q", got, tt.alerts)
			}
		})
	}
}

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestDecideNudgeFields(t *testing.T) {
	in := message(4)
	in.Locale = "en-GB"
	in.Observation.SentAt = in.Observation.SentAt.In(time.FixedZone("CET", 3600))
	got := policy.Default().Decide(in, counted(4))

	render := func(kind string) coach.Text {
		return coach.Render("en", coach.Message{Kind: kind, Reason: coach.ReasonPestering, Coach: "Lara", Unanswered: 4, Attempts: 4})
	}
	evidence := []string{"msg-1", "msg-2", "msg-3", "msg-4"}
	senderText, recipientText := render(topics.KindFollowUpLimit), render(topics.KindCheckIn)
	want := []topics.CoachNudge{{
		UserID:          sender,
		Audience:        topics.AudienceSender,
		Kind:            topics.KindFollowUpLimit,
		OtherUserID:     recipient,
		UnansweredCount: 4,
		Attempts:        4,
		WindowSeconds:   604800,
		Locale:          "en",
		Coach:           "Lara",
		Title:           senderText.Title,
		Body:            senderText.Body,
		Actions:         []string{"review_rules"},
		MessageIDs:      evidence,
		TriggeredBy:     "msg-4",
		OccurredAt:      t0.Add(3 * time.Minute),
		PolicyVersion:   "relance-default-2",
	}, {
		UserID:          recipient,
		Audience:        topics.AudienceRecipient,
		Kind:            topics.KindCheckIn,
		OtherUserID:     sender,
		UnansweredCount: 4,
		Attempts:        4,
		WindowSeconds:   604800,
		Locale:          "en",
		Coach:           "Lara",
		Title:           recipientText.Title,
		Body:            recipientText.Body,
		Actions:         []string{"report", "block", "get_help"},
		ResourceURL:     "https://www.arretonslesviolences.gouv.fr",
		MessageIDs:      evidence,
		TriggeredBy:     "msg-4",
		OccurredAt:      t0.Add(3 * time.Minute),
		PolicyVersion:   "relance-default-2",
	}}
	if len(got.Nudges) != 2 || got.Nudges[0].NudgeID == got.Nudges[1].NudgeID {
		t.Fatalf("want two nudges with different ids, got %+v", got.Nudges)
	}
	for i := range got.Nudges {
		if !hexID.MatchString(got.Nudges[i].NudgeID) {
			t.Errorf("nudge id %q is not 32 hex digits", got.Nudges[i].NudgeID)
		}
		want[i].NudgeID = got.Nudges[i].NudgeID
	}
	if !reflect.DeepEqual(got.Nudges, want) {
		t.Errorf("nudges:\n%+v\nwant\n%+v", got.Nudges, want)
	}
}

// The sender's nudges are written in the message's locale, the recipient's check-ins in its
// recipient_locale; each falls back to the policy's default language (fr) when the coach has
// no texts for it, and a missing recipient_locale keeps the check-ins in the sender's locale.
func TestDecideRecipientLocale(t *testing.T) {
	tests := []struct {
		name, locale, recipientLocale string
		senderLang, recipientLang     string
	}{
		{"sender fr, recipient en", "fr", "en", "fr", "en"},
		{"sender en, recipient fr", "en", "fr", "en", "fr"},
		{"recipient tag with a region", "fr", "en-GB", "fr", "en"},
		{"same language on both sides", "en", "en", "en", "en"},
		{"unknown recipient_locale: the policy's default, not the sender's locale", "en", "de", "en", "fr"},
		{"missing recipient_locale: the sender's locale, as before the field", "en", "", "en", "en"},
		{"missing recipient_locale, unknown locale: the policy's default for both", "de", "", "fr", "fr"},
		{"missing locale, recipient en", "", "en", "fr", "en"},
	}
	p := policy.Default()
	// Reached the follow-up limit with the streak's first offensive message: every kind of
	// nudge, in Decide's order.
	reasons := []coach.Reason{coach.ReasonPestering, coach.ReasonOffensive, coach.ReasonPestering, coach.ReasonOffensive}
	streak := with(counted(4), func(s *policy.Streak) { s.Offensive = 1 })
	input := func(locale, recipientLocale string) policy.Input {
		in := message(4)
		in.Locale, in.RecipientLocale = locale, recipientLocale
		in.Observation.Categories = []policy.Category{policy.CategoryInsult}
		return in
	}
	base := p.Decide(input("", ""), streak)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(input(tt.locale, tt.recipientLocale), streak)
			kinds := []string{"sender follow_up_limit", "sender respectful_language", "recipient check_in", "recipient check_in"}
			if got := nudgeKinds(d); !slices.Equal(got, kinds) {
				t.Fatalf("nudges = %q", got)
			}
			lang := map[string]string{topics.AudienceSender: tt.senderLang, topics.AudienceRecipient: tt.recipientLang}
			for i, n := range d.Nudges {
				want := coach.Render(lang[n.Audience], coach.Message{Kind: n.Kind, Reason: reasons[i], Coach: "Lara", Unanswered: 4})
				if n.Locale != lang[n.Audience] || n.Title != want.Title || n.Body != want.Body {
					t.Errorf("%s %s: locale %q, title %q, want %q, %q", n.Audience, n.Kind, n.Locale, n.Title, lang[n.Audience], want.Title)
				}
			}
			if !slices.Equal(ids(d), ids(base)) {
				t.Errorf("ids %q depend on the languages, want %q", ids(d), ids(base))
			}
		})
	}
}

func TestDecideAlertFields(t *testing.T) {
	got := policy.Default().Decide(message(7), counted(7))
	nudged := t0.Add(3 * time.Minute)
	want := topics.ModerationAlert{
		Severity:          topics.SeverityMedium,
		SenderID:          sender,
		RecipientID:       recipient,
		Reasons:           []string{"unanswered_streak", "continued_after_nudge"},
		UnansweredCount:   7,
		Attempts:          7,
		WindowSeconds:     604800,
		MessageIDs:        []string{"msg-1", "msg-2", "msg-3", "msg-4", "msg-5", "msg-6", "msg-7"},
		ContentLabels:     []string{},
		FirstUnansweredAt: &t0,
		LastMessageAt:     t0.Add(6 * time.Minute),
		NudgedAt:          &nudged,
		MemberIDs:         []string{},
		TriggeredBy:       "msg-7",
		OccurredAt:        t0.Add(6 * time.Minute),
		PolicyVersion:     "relance-default-2",
	}
	if len(got.Alerts) != 1 || !hexID.MatchString(got.Alerts[0].AlertID) {
		t.Fatalf("want one alert with a hex id, got %+v", got.Alerts)
	}
	want.AlertID = got.Alerts[0].AlertID
	if !reflect.DeepEqual(got.Alerts[0], want) {
		t.Errorf("alert:\n%+v\nwant\n%+v", got.Alerts[0], want)
	}
	b, err := json.Marshal(got.Alerts[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"content_labels":[]`) {
		t.Errorf("content_labels not encoded as []: %s", b)
	}
}

func TestDecideOptionalTimesAreNilWhenZero(t *testing.T) {
	in := message(2)
	in.Observation.Categories = []policy.Category{policy.CategoryInsult}
	s := policy.Streak{Status: policy.StatusLate}
	d := policy.Default().Decide(in, s)
	if len(d.Alerts) != 1 {
		t.Fatalf("want one alert, got %+v", d.Alerts)
	}
	a := d.Alerts[0]
	if a.FirstUnansweredAt != nil || a.NudgedAt != nil {
		t.Errorf("first_unanswered_at %v, nudged_at %v; want nil", a.FirstUnansweredAt, a.NudgedAt)
	}
	if a.MessageIDs == nil || a.ContentLabels == nil || a.Reasons == nil {
		t.Errorf("nil list in %+v", a)
	}
}

func TestDecideStatuses(t *testing.T) {
	tests := []struct {
		name   string
		action policy.Action
		status policy.Status
		nudges []string
	}{
		{"counted", policy.ActionMessage, policy.StatusCounted, bothFollowUp},
		{"replayed", policy.ActionMessage, policy.StatusReplayed, bothFollowUp},
		{"duplicate", policy.ActionMessage, policy.StatusDuplicate, nil},
		{"late", policy.ActionMessage, policy.StatusLate, nil},
		{"stale", policy.ActionMessage, policy.StatusStale, nil},
		{"answer", policy.ActionMessage, policy.StatusAnswer, nil},
		{"unknown status", policy.ActionMessage, policy.Status(0), nil},
		{"a reply", policy.ActionReply, policy.StatusCounted, nil},
	}
	p := policy.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := message(4)
			in.Observation.Action = tt.action
			d := p.Decide(in, with(counted(4), func(s *policy.Streak) { s.Status = tt.status }))
			if got := nudgeKinds(d); !slices.Equal(got, tt.nudges) {
				t.Errorf("nudges = %q, want %q", got, tt.nudges)
			}
			if len(d.Alerts) != 0 {
				t.Errorf("alerts = %q, want none", alertKinds(d))
			}
		})
	}
}

func TestDecideReplayedTakesTheSameDecisions(t *testing.T) {
	p := policy.Default()
	for _, count := range []int{4, 7, 12} {
		in := message(count)
		in.Observation.Categories = []policy.Category{policy.CategoryHate}
		first := counted(count)
		first.Offensive = 1
		replay := with(first, func(s *policy.Streak) { s.Status = policy.StatusReplayed })
		if got, want := p.Decide(in, replay), p.Decide(in, first); !reflect.DeepEqual(got, want) {
			t.Errorf("count %d: replay decided\n%+v\nfirst run\n%+v", count, got, want)
		}
	}
}

func TestDecidePeakKeptAfterSlidingBack(t *testing.T) {
	tests := []struct {
		name                  string
		count, prevPeak, peak int
	}{
		{"below the nudge again", 2, 5, 5},
		{"back at the nudge level", 4, 4, 4},
		{"back at an alert level", 7, 9, 9},
		{"back past every level", 13, 13, 13},
	}
	p := policy.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := with(counted(tt.count), func(s *policy.Streak) {
				s.PrevPeak, s.Peak, s.PrevPeakAttempts, s.PeakAttempts = tt.prevPeak, tt.peak, tt.prevPeak, tt.peak
			})
			if d := p.Decide(message(tt.count), s); len(d.Nudges)+len(d.Alerts) != 0 {
				t.Errorf("fired %q %q", nudgeKinds(d), alertKinds(d))
			}
		})
	}
}

func TestDecideNewStreakFiresAgainWithNewIDs(t *testing.T) {
	p := policy.Default()
	for _, count := range []int{4, 7, 12} {
		first := p.Decide(message(count), counted(count))
		again := p.Decide(message(count), with(counted(count), func(s *policy.Streak) { s.StartID = "msg-40" }))
		if !slices.Equal(nudgeKinds(again), nudgeKinds(first)) || !slices.Equal(alertKinds(again), alertKinds(first)) {
			t.Errorf("count %d: new streak fired %q %q, first %q %q", count,
				nudgeKinds(again), alertKinds(again), nudgeKinds(first), alertKinds(first))
		}
		for _, id := range ids(again) {
			if slices.Contains(ids(first), id) {
				t.Errorf("count %d: id %s reused by the new streak", count, id)
			}
		}
	}
}

func TestDecideContent(t *testing.T) {
	insult := []policy.Category{policy.CategoryInsult}
	sexual := []policy.Category{policy.CategorySexual}
	sent := message(2).Observation.SentAt
	tests := []struct {
		name                     string
		categories               []policy.Category
		status                   policy.Status
		prevOffensive, offensive int
		answeredAt               time.Time
		nudges                   []string
		alerts                   []string
		messageIDs               []string
	}{
		{"insult", insult, policy.StatusCounted, 0, 1, time.Time{},
			bothContent, []string{"medium offensive_content [insult]"}, []string{"msg-1", "msg-2"}},
		{"hate", []policy.Category{policy.CategoryHate}, policy.StatusCounted, 0, 1, time.Time{},
			bothContent, []string{"high hate [hate]"}, []string{"msg-1", "msg-2"}},
		{"threat", []policy.Category{policy.CategoryThreat}, policy.StatusCounted, 0, 1, time.Time{},
			bothContent, []string{"high threat [threat]"}, []string{"msg-1", "msg-2"}},
		{"sexual never answered", sexual, policy.StatusCounted, 0, 1, time.Time{},
			bothContent, []string{"high unsolicited_sexual_content [sexual]"}, []string{"msg-1", "msg-2"}},
		{"sexual answered yesterday", sexual, policy.StatusCounted, 0, 1, sent.Add(-24 * time.Hour),
			bothContent, []string{"medium offensive_content [sexual]"}, []string{"msg-1", "msg-2"}},
		{"sexual answered at the window's edge", sexual, policy.StatusCounted, 0, 1, sent.Add(-7 * 24 * time.Hour),
			bothContent, []string{"medium offensive_content [sexual]"}, []string{"msg-1", "msg-2"}},
		{"sexual answered before the window", sexual, policy.StatusCounted, 0, 1, sent.Add(-8 * 24 * time.Hour),
			bothContent, []string{"high unsolicited_sexual_content [sexual]"}, []string{"msg-1", "msg-2"}},
		{"nudity picture", policy.Categories(nil, [][]string{{"nudity"}}), policy.StatusCounted, 0, 1, time.Time{},
			bothContent, []string{"high unsolicited_sexual_content [sexual]"}, []string{"msg-1", "msg-2"}},
		{"insult and threat", []policy.Category{policy.CategoryInsult, policy.CategoryThreat}, policy.StatusCounted, 0, 1, time.Time{},
			bothContent, []string{"high offensive_content,threat [insult,threat]"}, []string{"msg-1", "msg-2"}},
		{"hate and unanswered sexual", []policy.Category{policy.CategorySexual, policy.CategoryHate}, policy.StatusCounted, 0, 1, time.Time{},
			bothContent, []string{"high hate,unsolicited_sexual_content [hate,sexual]"}, []string{"msg-1", "msg-2"}},
		{"insult and answered sexual", []policy.Category{policy.CategoryInsult, policy.CategorySexual}, policy.StatusCounted, 0, 1, sent.Add(-time.Hour),
			bothContent, []string{"medium offensive_content [insult,sexual]"}, []string{"msg-1", "msg-2"}},
		{"unsorted duplicates", []policy.Category{policy.CategoryThreat, policy.CategoryInsult, policy.CategoryThreat}, policy.StatusCounted, 0, 1, time.Time{},
			bothContent, []string{"high offensive_content,threat [insult,threat]"}, []string{"msg-1", "msg-2"}},
		{"unknown category", []policy.Category{"spam"}, policy.StatusCounted, 0, 1, time.Time{},
			nil, nil, nil},
		{"second offensive message of the streak", insult, policy.StatusCounted, 1, 2, time.Time{},
			nil, []string{"medium offensive_content [insult]"}, []string{"msg-1", "msg-2"}},
		{"replayed first offensive message", insult, policy.StatusReplayed, 0, 1, time.Time{},
			bothContent, []string{"medium offensive_content [insult]"}, []string{"msg-1", "msg-2"}},
		{"late", insult, policy.StatusLate, 0, 1, time.Time{},
			nil, []string{"medium offensive_content [insult]"}, []string{"msg-2"}},
		{"stale", insult, policy.StatusStale, 0, 1, time.Time{},
			nil, []string{"medium offensive_content [insult]"}, []string{"msg-2"}},
		{"duplicate", insult, policy.StatusDuplicate, 0, 1, time.Time{},
			nil, []string{"medium offensive_content [insult]"}, []string{"msg-2"}},
		{"answer", insult, policy.StatusAnswer, 0, 1, time.Time{},
			nil, nil, nil},
		{"no categories", nil, policy.StatusCounted, 0, 1, time.Time{},
			nil, nil, nil},
	}
	p := policy.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := message(2)
			in.Observation.Categories = tt.categories
			s := with(counted(2), func(s *policy.Streak) {
				s.Status, s.PrevOffensive, s.Offensive, s.AnsweredAt = tt.status, tt.prevOffensive, tt.offensive, tt.answeredAt
			})
			d := p.Decide(in, s)
			if got := nudgeKinds(d); !slices.Equal(got, tt.nudges) {
				t.Errorf("nudges = %q, want %q", got, tt.nudges)
			}
			if got := alertKinds(d); !slices.Equal(got, tt.alerts) {
				t.Errorf("alerts = %q, want %q", got, tt.alerts)
			}
			var got []string
			for _, a := range d.Alerts {
				got = append(got, a.MessageIDs...)
			}
			if !slices.Equal(got, tt.messageIDs) {
				t.Errorf("alert message_ids = %q, want %q", got, tt.messageIDs)
			}
		})
	}
}

func TestDecideContentNudgeFields(t *testing.T) {
	in := message(2)
	in.Observation.Categories = []policy.Category{policy.CategoryInsult}
	d := policy.Default().Decide(in, with(counted(2), func(s *policy.Streak) { s.Offensive = 1 }))
	if len(d.Nudges) != 2 {
		t.Fatalf("want two nudges, got %q", nudgeKinds(d))
	}
	want := coach.Render("fr", coach.Message{Kind: topics.KindCheckIn, Reason: coach.ReasonOffensive, Coach: "Lara"})
	checkIn := d.Nudges[1]
	if checkIn.Body != want.Body || checkIn.ResourceURL != coach.DefaultResourceURL || checkIn.UserID != recipient {
		t.Errorf("check-in is not the offensive one for the recipient: %+v", checkIn)
	}
	if d.Nudges[0].ResourceURL != "" {
		t.Errorf("sender nudge has a resource_url: %+v", d.Nudges[0])
	}
	for _, n := range d.Nudges {
		if !slices.Equal(n.MessageIDs, []string{"msg-2"}) || n.TriggeredBy != "msg-2" || n.UnansweredCount != 2 {
			t.Errorf("%s %s: message_ids %q, triggered_by %q, count %d", n.Audience, n.Kind, n.MessageIDs, n.TriggeredBy, n.UnansweredCount)
		}
	}
}

func TestDecideContentAlertAddsTheMessageToCappedEvidence(t *testing.T) {
	in := message(2)
	in.Observation.Categories = []policy.Category{policy.CategoryThreat}
	d := policy.Default().Decide(in, with(counted(2), func(s *policy.Streak) { s.MessageIDs = []string{"msg-1"} }))
	if len(d.Alerts) != 1 || !slices.Equal(d.Alerts[0].MessageIDs, []string{"msg-1", "msg-2"}) {
		t.Errorf("alerts = %+v", d.Alerts)
	}
}

func TestDecideLevelAndContentOnOneMessage(t *testing.T) {
	tests := []struct {
		name   string
		count  int
		nudges []string
		alerts []string
	}{
		{"nudge level and first offensive message", 4,
			[]string{"sender follow_up_limit", "sender respectful_language", "recipient check_in", "recipient check_in"},
			nil},
		{"alert level and first offensive message", 7,
			bothContent,
			[]string{"medium " + afterNudge, "medium offensive_content [insult]"}},
	}
	p := policy.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := message(tt.count)
			in.Observation.Categories = []policy.Category{policy.CategoryInsult}
			d := p.Decide(in, with(counted(tt.count), func(s *policy.Streak) { s.Offensive = 1 }))
			if got := nudgeKinds(d); !slices.Equal(got, tt.nudges) {
				t.Errorf("nudges = %q, want %q", got, tt.nudges)
			}
			if got := alertKinds(d)[:len(tt.alerts)]; !slices.Equal(got, tt.alerts) {
				t.Errorf("alerts = %q, want %q", alertKinds(d), tt.alerts)
			}
			got := ids(d)
			if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
				t.Errorf("ids repeat: %q", got)
			}
		})
	}
}

func TestDecideContentAlertIDs(t *testing.T) {
	p := policy.Default()
	alertID := func(count int, status policy.Status) string {
		in := message(count)
		in.Observation.Categories = []policy.Category{policy.CategoryInsult}
		d := p.Decide(in, with(counted(count), func(s *policy.Streak) { s.Status = status }))
		return d.Alerts[len(d.Alerts)-1].AlertID
	}
	if alertID(2, policy.StatusCounted) != alertID(2, policy.StatusReplayed) {
		t.Error("a replayed message's content alert has a new id")
	}
	if alertID(2, policy.StatusLate) != alertID(2, policy.StatusDuplicate) {
		t.Error("a redelivered late message's content alert has a new id")
	}
	if alertID(2, policy.StatusCounted) == alertID(3, policy.StatusCounted) {
		t.Error("two messages share a content alert id")
	}
}

// Every decision of two streaks of offensive messages has its own id.
func TestDecideIDsAreUnique(t *testing.T) {
	p := policy.Default()
	seen := map[string]string{}
	for _, first := range []int{1, 40} {
		for count := 1; count <= 13; count++ {
			in := message(first + count - 1)
			in.Observation.Categories = []policy.Category{policy.CategoryHate}
			s := with(counted(count), func(s *policy.Streak) { s.StartID, s.PrevOffensive, s.Offensive = msgID(first), count-1, count })
			for i, id := range ids(p.Decide(in, s)) {
				what := fmt.Sprintf("streak %d count %d output %d", first, count, i)
				if prev, ok := seen[id]; ok {
					t.Errorf("%s reuses the id of %s", what, prev)
				}
				seen[id] = what
			}
		}
	}
	if len(seen) != 2*(13+2+2+2) {
		t.Errorf("%d ids, want one per message (content alerts) and 6 streak decisions per streak", len(seen))
	}
}

func TestDecideCustomPolicy(t *testing.T) {
	p, err := policy.Parse([]byte(`
version: strict-2
window: 2d
coach:
  name: Sam
  resource_url: https://help.example.org/
  default_locale: en
follow_up:
  nudge_at: 2
  alerts:
    - at: 3
      severity: low
    - at: 5
      severity: high
content:
  insult: high
  sexual: low
`))
	if err != nil {
		t.Fatal(err)
	}
	sent := message(2).Observation.SentAt
	tests := []struct {
		name       string
		count      int
		categories []policy.Category
		answeredAt time.Time
		nudges     []string
		alerts     []string
	}{
		{"first message", 1, nil, time.Time{}, nil, nil},
		{"nudge at 2", 2, nil, time.Time{}, bothFollowUp, nil},
		{"low alert at 3", 3, nil, time.Time{}, nil, []string{"low " + afterNudge}},
		{"nothing at 4", 4, nil, time.Time{}, nil, nil},
		{"high alert at 5", 5, nil, time.Time{}, nil, []string{"high " + afterNudge}},
		{"nothing at 6", 6, nil, time.Time{}, nil, nil},
		{"insult is high", 1, []policy.Category{policy.CategoryInsult}, time.Time{},
			bothContent, []string{"high offensive_content [insult]"}},
		{"sexual answered within 2 days is low", 1, []policy.Category{policy.CategorySexual}, sent.Add(-36 * time.Hour),
			bothContent, []string{"low offensive_content [sexual]"}},
		{"sexual answered 3 days ago is unanswered", 1, []policy.Category{policy.CategorySexual}, sent.Add(-72 * time.Hour),
			bothContent, []string{"high unsolicited_sexual_content [sexual]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := message(tt.count)
			in.Locale = "de"
			in.Observation.Categories = tt.categories
			d := p.Decide(in, with(counted(tt.count), func(s *policy.Streak) { s.Offensive, s.AnsweredAt = 1, tt.answeredAt }))
			if got := nudgeKinds(d); !slices.Equal(got, tt.nudges) {
				t.Errorf("nudges = %q, want %q", got, tt.nudges)
			}
			if got := alertKinds(d); !slices.Equal(got, tt.alerts) {
				t.Errorf("alerts = %q, want %q", got, tt.alerts)
			}
			for _, n := range d.Nudges {
				if n.Coach != "Sam" || n.Locale != "en" || n.WindowSeconds != 172800 || n.PolicyVersion != "strict-2" ||
					!strings.Contains(n.Body, "Sam") {
					t.Errorf("nudge does not follow the policy: %+v", n)
				}
			}
			for _, a := range d.Alerts {
				if a.WindowSeconds != 172800 || a.PolicyVersion != "strict-2" {
					t.Errorf("alert does not follow the policy: %+v", a)
				}
			}
		})
	}
}

// The input carries no text at all, and the coach's words never name either member nor
// any message.
func TestDecideOutputsCarryNoText(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[policy.Input](), reflect.TypeFor[policy.Observation](), reflect.TypeFor[policy.Streak]()} {
		for f := range typ.Fields() {
			if strings.Contains(strings.ToLower(f.Name), "text") {
				t.Errorf("%s has a field %s", typ, f.Name)
			}
		}
	}
	p := policy.Default()
	for _, locale := range []string{"fr", "en"} {
		for count := 1; count <= 13; count++ {
			in := message(count)
			in.Locale = locale
			in.Observation.Categories = []policy.Category{policy.CategorySexual, policy.CategoryThreat}
			d := p.Decide(in, with(counted(count), func(s *policy.Streak) { s.Offensive = 1 }))
			for _, n := range d.Nudges {
				text := n.Title + "\n" + n.Body
				for _, leak := range append([]string{sender, recipient, "member", "msg-"}, n.MessageIDs...) {
					if strings.Contains(text, leak) {
						t.Errorf("%s %s text contains %q", n.Audience, n.Kind, leak)
					}
				}
			}
		}
	}
}

// TestDecideHandlesEveryAction: each kind of observation has its case in Decide; only a
// message calls for decisions.
func TestDecideHandlesEveryAction(t *testing.T) {
	for _, a := range policy.Actions {
		in := message(4)
		in.Observation.Action = a
		d := policy.Default().Decide(in, counted(4))
		if got := len(d.Nudges) > 0; got != (a == policy.ActionMessage) {
			t.Errorf("%s: nudges %q", a, nudgeKinds(d))
		}
	}
}

// A redelivered message is decided with the categories of its first pass: the alert a
// remote classifier's "threat" raised is raised again when the fallback now finds nothing,
// and a message first found clean raises none when the check now finds something.
func TestDecideRedeliveryUsesTheFirstCategories(t *testing.T) {
	for _, tt := range []struct {
		name         string
		now, first   []policy.Category
		wantSeverity string // "" for no content alert
	}{
		{"first threat, now clean", nil, []policy.Category{policy.CategoryThreat}, topics.SeverityHigh},
		{"first clean, now an insult", []policy.Category{policy.CategoryInsult}, nil, ""},
		{"same both times", []policy.Category{policy.CategoryInsult}, []policy.Category{policy.CategoryInsult}, topics.SeverityMedium},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := message(2)
			in.Observation.Categories = tt.now
			s := counted(2)
			s.Status, s.Redelivered, s.Categories = policy.StatusReplayed, true, tt.first
			if len(tt.first) > 0 {
				s.Offensive = 1
			}
			var severities []string
			for _, a := range policy.Default().Decide(in, s).Alerts {
				severities = append(severities, a.Severity)
			}
			if want := slices.DeleteFunc([]string{tt.wantSeverity}, func(s string) bool { return s == "" }); !slices.Equal(severities, want) {
				t.Errorf("content alerts %q, want %q", severities, want)
			}
		})
	}
}

func TestObservationValidate(t *testing.T) {
	valid := message(1).Observation
	for _, tt := range []struct {
		name   string
		change func(*policy.Observation)
		want   string
	}{
		{"valid message", func(*policy.Observation) {}, ""},
		{"valid reply without an id", func(o *policy.Observation) { o.Action, o.MessageID = policy.ActionReply, "" }, ""},
		{"unknown action", func(o *policy.Observation) { o.Action = 99 }, "unknown action 99"},
		{"no action", func(o *policy.Observation) { o.Action = 0 }, "unknown action 0"},
		{"no sender", func(o *policy.Observation) { o.SenderID = "" }, "empty sender or recipient id"},
		{"no recipient", func(o *policy.Observation) { o.RecipientID = "" }, "empty sender or recipient id"},
		{"one member on both ends", func(o *policy.Observation) { o.RecipientID = o.SenderID }, "same member"},
		{"message without an id", func(o *policy.Observation) { o.MessageID = "" }, "empty message id"},
		{"time before 1970", func(o *policy.Observation) { o.SentAt = time.Unix(-5, 0) }, "must be after 1970"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := valid
			tt.change(&o)
			err := o.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Validate: %v, want %q", err, tt.want)
			case err != nil && !errors.Is(err, policy.ErrInvalidObservation):
				t.Fatalf("Validate: %v does not wrap ErrInvalidObservation", err)
			}
		})
	}
}
