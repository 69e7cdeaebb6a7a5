package coach_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/relance/relance/coach"
	"github.com/relance/relance/topics"
)

// every kind and reason the policy asks for.
var messages = []struct {
	name    string
	kind    string
	reason  coach.Reason
	actions []string
}{
	{"follow_up_limit", topics.KindFollowUpLimit, "", []string{"review_rules"}},
	{"follow_up_reminder", topics.KindFollowUpReminder, "", []string{"review_rules"}},
	{"respectful_language", topics.KindRespectfulLanguage, "", []string{"review_rules"}},
	{"check_in/pestering", topics.KindCheckIn, coach.ReasonPestering, []string{"report", "block", "get_help"}},
	{"check_in/offensive", topics.KindCheckIn, coach.ReasonOffensive, []string{"report", "block", "get_help"}},
}

func TestRenderEveryTextIsComplete(t *testing.T) {
	for _, m := range messages {
		for _, lang := range coach.Languages() {
			t.Run(m.name+"/"+lang, func(t *testing.T) {
				got := coach.Render(lang, coach.Message{Kind: m.kind, Reason: m.reason, Coach: "Zoé", Unanswered: 4})
				if got.Title == "" || got.Body == "" {
					t.Fatalf("empty text: %+v", got)
				}
				if !strings.Contains(got.Body, "Zoé") {
					t.Errorf("body does not name the coach:\n%s", got.Body)
				}
				if !strings.HasSuffix(got.Body, "\nZoé") {
					t.Errorf("body is not signed by the coach:\n%s", got.Body)
				}
				if strings.ContainsAny(got.Title+got.Body, "{}") {
					t.Errorf("placeholder left:\n%s\n%s", got.Title, got.Body)
				}
				if !slices.Equal(got.Actions, m.actions) {
					t.Errorf("actions = %q, want %q", got.Actions, m.actions)
				}
			})
		}
	}
}

func TestRenderFrenchAndEnglishDiffer(t *testing.T) {
	for _, m := range messages {
		t.Run(m.name, func(t *testing.T) {
			msg := coach.Message{Kind: m.kind, Reason: m.reason, Unanswered: 4}
			fr, en := coach.Render("fr", msg), coach.Render("en", msg)
			if fr.Title == en.Title || fr.Body == en.Body {
				t.Errorf("French and English are the same:\n%+v\n%+v", fr, en)
			}
		})
	}
}

func TestRenderCheckInsPointToHelp(t *testing.T) {
	for _, reason := range []coach.Reason{coach.ReasonPestering, coach.ReasonOffensive} {
		for _, lang := range coach.Languages() {
			t.Run(string(reason)+"/"+lang, func(t *testing.T) {
				got := coach.Render(lang, coach.Message{Kind: topics.KindCheckIn, Reason: reason})
				if !strings.Contains(got.Body, coach.DefaultResourceURL) {
					t.Errorf("body lacks %s:\n%s", coach.DefaultResourceURL, got.Body)
				}
				if !slices.Contains(got.Actions, coach.ActionGetHelp) {
					t.Errorf("actions %q lack get_help", got.Actions)
				}
				custom := coach.Render(lang, coach.Message{Kind: topics.KindCheckIn, Reason: reason, ResourceURL: "https://help.example/"})
				if !strings.Contains(custom.Body, "https://help.example/") || strings.Contains(custom.Body, coach.DefaultResourceURL) {
					t.Errorf("configured URL not used:\n%s", custom.Body)
				}
			})
		}
	}
}

// The words that carry each text's point, so a rewording cannot lose it.
func TestRenderImportantWords(t *testing.T) {
	tests := []struct {
		name   string
		locale string
		msg    coach.Message
		words  []string
	}{
		{"fr follow_up_limit states rules 1 and 2", "fr",
			coach.Message{Kind: topics.KindFollowUpLimit, Unanswered: 6, Attempts: 4},
			[]string{"relancé cette personne trois fois", "ne pas répondre", "une fois", "deux fois", "trois fois, c'est trop"}},
		{"en follow_up_limit states rules 1 and 2", "en",
			coach.Message{Kind: topics.KindFollowUpLimit, Unanswered: 6, Attempts: 4},
			[]string{"followed up with this person three times", "chooses not to", "once is fine", "twice is tolerable", "three times is too much"}},
		{"fr follow_up_reminder comes before the limit", "fr",
			coach.Message{Kind: topics.KindFollowUpReminder, Unanswered: 5, Attempts: 3},
			[]string{"déjà relancé cette personne deux fois", "une prochaine relance serait de trop",
				"Laisse-lui le temps", "ne pas répondre", "une fois", "deux fois", "trois fois, c'est trop"}},
		{"en follow_up_reminder comes before the limit", "en",
			coach.Message{Kind: topics.KindFollowUpReminder, Unanswered: 5, Attempts: 3},
			[]string{"already followed up with this person twice", "one more follow-up would be too much",
				"Give them time", "or not to", "once is fine", "twice is tolerable", "three times is too much"}},
		{"fr respectful_language states rule 3", "fr",
			coach.Message{Kind: topics.KindRespectfulLanguage},
			[]string{"respecte", "toutes circonstances", "insultes", "dénigrants", "photos"}},
		{"en respectful_language states rule 3", "en",
			coach.Message{Kind: topics.KindRespectfulLanguage},
			[]string{"respect", "every circumstance", "insults", "putting people down", "pictures nobody asked for"}},
		{"fr check_in pestering", "fr",
			coach.Message{Kind: topics.KindCheckIn, Reason: coach.ReasonPestering, Unanswered: 9, Attempts: 5},
			[]string{"Tout va bien ?", "la même personne revient vers toi", "relancé 4 fois sans réponse de ta part", "aucune obligation", "signaler", "bloquer", "gouvernement"}},
		{"en check_in pestering", "en",
			coach.Message{Kind: topics.KindCheckIn, Reason: coach.ReasonPestering, Unanswered: 9, Attempts: 5},
			[]string{"Is everything alright?", "the same person keeps writing to you", "followed up 4 times without an answer", "your choice", "report", "block", "government"}},
		{"fr check_in offensive", "fr",
			coach.Message{Kind: topics.KindCheckIn, Reason: coach.ReasonOffensive},
			[]string{"Tout va bien ?", "tu n'y es pour rien", "signaler", "bloquer", "gouvernement"}},
		{"en check_in offensive", "en",
			coach.Message{Kind: topics.KindCheckIn, Reason: coach.ReasonOffensive},
			[]string{"Is everything alright?", "not your fault", "report", "block", "government"}},
		{"default coach name", "fr",
			coach.Message{Kind: topics.KindCheckIn},
			[]string{"ici Lara"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := coach.Render(tt.locale, tt.msg)
			text := got.Title + "\n" + got.Body
			for _, w := range tt.words {
				if !strings.Contains(text, w) {
					t.Errorf("missing %q in:\n%s", w, text)
				}
			}
		})
	}
}

// The follow-ups are attempts - 1, spelled in words up to three, then in digits.
func TestRenderFollowUps(t *testing.T) {
	tests := []struct {
		name                 string
		unanswered, attempts int
		fr, en               string
	}{
		{"1 follow-up", 7, 2, "une fois", "once"},
		{"2 follow-ups", 7, 3, "deux fois", "twice"},
		{"3 follow-ups", 7, 4, "trois fois", "three times"},
		{"5 follow-ups", 7, 6, "5 fois", "5 times"},
		{"12 follow-ups", 20, 13, "12 fois", "12 times"},
		{"attempts unset: unanswered stands in", 4, 0, "trois fois", "three times"},
		{"attempts unset, one unanswered", 1, 0, "0 fois", "0 times"},
		{"nothing set", 0, 0, "0 fois", "0 times"},
	}
	for _, tt := range tests {
		for _, kind := range []string{topics.KindFollowUpLimit, topics.KindFollowUpReminder, topics.KindCheckIn} {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				msg := coach.Message{Kind: kind, Reason: coach.ReasonPestering, Unanswered: tt.unanswered, Attempts: tt.attempts}
				for lang, want := range map[string]string{"fr": tt.fr, "en": tt.en} {
					body := coach.Render(lang, msg).Body
					if !strings.Contains(body, " "+want+" ") {
						t.Errorf("%s: missing %q in:\n%s", lang, want, body)
					}
				}
			})
		}
	}
}

// Rule 2 counts attempts, not bubbles: no text may count messages or speak of bubbles.
func TestRenderSpeaksOfFollowUpsNotBubbles(t *testing.T) {
	for _, m := range messages {
		for _, lang := range coach.Languages() {
			t.Run(m.name+"/"+lang, func(t *testing.T) {
				got := coach.Render(lang, coach.Message{Kind: m.kind, Reason: m.reason, Unanswered: 7, Attempts: 4})
				text := strings.ToLower(got.Title + "\n" + got.Body)
				for _, w := range []string{"bulle", "bubble", "7 message", "4 message", "7 fois", "7 times"} {
					if strings.Contains(text, w) {
						t.Errorf("text speaks of %q:\n%s", w, text)
					}
				}
			})
		}
	}
}

func TestRenderLocale(t *testing.T) {
	msg := coach.Message{Kind: topics.KindCheckIn}
	fr, en := coach.Render("fr", msg), coach.Render("en", msg)
	tests := []struct {
		locale string
		want   coach.Text
	}{
		{"fr", fr},
		{"en", en},
		{"en-GB", en},
		{"en_US", en},
		{"EN", en},
		{" en ", en},
		{"fr_FR", fr},
		{"fr-CA", fr},
		{"", fr},
		{"de", fr},
		{"english", fr},
	}
	for _, tt := range tests {
		t.Run(tt.locale, func(t *testing.T) {
			got := coach.Render(tt.locale, msg)
			if got.Title != tt.want.Title || got.Body != tt.want.Body {
				t.Errorf("Render(%q) = %q, want %q", tt.locale, got.Title, tt.want.Title)
			}
		})
	}
}

func TestLanguage(t *testing.T) {
	tests := []struct {
		locale string
		want   string
		ok     bool
	}{
		{"fr", "fr", true},
		{"en-GB", "en", true},
		{"fr_FR", "fr", true},
		{"EN", "en", true},
		{"", "", false},
		{"de-DE", "de", false},
	}
	for _, tt := range tests {
		t.Run(tt.locale, func(t *testing.T) {
			got, ok := coach.Language(tt.locale)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Language(%q) = %q, %v; want %q, %v", tt.locale, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestRenderUnknownKind(t *testing.T) {
	got := coach.Render("fr", coach.Message{Kind: "nope"})
	if got.Title != "" || got.Body != "" || got.Actions != nil {
		t.Errorf("Render(unknown kind) = %+v, want the zero Text", got)
	}
}

func TestRenderActionsAreCopies(t *testing.T) {
	msg := coach.Message{Kind: topics.KindCheckIn}
	coach.Render("fr", msg).Actions[0] = "changed"
	if got := coach.Render("fr", msg).Actions[0]; got != coach.ActionReport {
		t.Errorf("Actions[0] = %q after a caller changed its copy", got)
	}
}

func ExampleRender() {
	t := coach.Render("en-GB", coach.Message{Kind: topics.KindFollowUpLimit, Coach: "Lara", Unanswered: 4})
	fmt.Println(t.Title)
	fmt.Println(t.Actions)
	// Output:
	// Give them time to answer
	// [review_rules]
}

// TestRenderFlood: a limit reached by many messages in a short time, before the
// follow-ups got there, is told as such: the count of messages, not "once".
func TestRenderFlood(t *testing.T) {
	tests := []struct {
		lang, kind string
		want       []string
	}{
		{"fr", topics.KindFollowUpLimit, []string{"Tu as envoyé 12 messages à cette personne en peu de temps"}},
		{"en", topics.KindFollowUpLimit, []string{"You've sent this person 12 messages in a short time"}},
		{"fr", topics.KindCheckIn, []string{"t'a envoyé 12 messages en peu de temps", "Si ces messages te dérangent"}},
		{"en", topics.KindCheckIn, []string{"has sent you 12 messages in a short time", "If these messages bother you"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.kind, func(t *testing.T) {
			m := coach.Message{Kind: tt.kind, Reason: coach.ReasonPestering, Unanswered: 12, Attempts: 1, Flood: true}
			got := coach.Render(tt.lang, m).Body
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, got)
				}
			}
			if strings.Contains(got, "relancé cette personne") || strings.Contains(got, "followed up with") || strings.ContainsAny(got, "{}") {
				t.Errorf("a flood told as follow-ups, or a placeholder left:\n%s", got)
			}
			m.Flood = false
			if coach.Render(tt.lang, m).Body == got {
				t.Error("the flood text is the follow-ups text")
			}
		})
	}
}
