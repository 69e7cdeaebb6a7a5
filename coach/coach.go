package coach

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/relance/relance/topics"
)

// Defaults used when a Message leaves a field empty.
const (
	DefaultName        = "Lara"
	DefaultResourceURL = "https://www.arretonslesviolences.gouv.fr"
	DefaultLanguage    = "fr"
)

// Reason says why the coach checks in with a recipient.
type Reason string

const (
	// ReasonPestering: follow-ups to the recipient kept coming without an answer.
	ReasonPestering Reason = "pestering"
	// ReasonOffensive: the recipient received offensive content.
	ReasonOffensive Reason = "offensive"
)

// Actions offered with the texts: stable identifiers the notification service turns into
// buttons, never shown as such.
const (
	ActionReport      = "report"
	ActionBlock       = "block"
	ActionGetHelp     = "get_help"
	ActionReviewRules = "review_rules"
)

// Message is what the coach has to say, without any message content.
type Message struct {
	// Kind is topics.KindFollowUpLimit, topics.KindFollowUpReminder,
	// topics.KindRespectfulLanguage or topics.KindCheckIn.
	Kind string
	// Reason selects the check-in text: ReasonOffensive, or anything else for pestering.
	// Sender nudges ignore it.
	Reason Reason
	// Coach is the coach's name (default DefaultName).
	Coach string
	// Unanswered is the number of unanswered messages in the streak. It stands in for
	// Attempts when Attempts is zero.
	Unanswered int
	// Attempts is the number of attempts they form: a message and the quick bubbles that
	// follow it are one attempt, so attempts - 1 is the number of follow-ups.
	Attempts int
	// Flood: the streak reached its level by its number of messages before its follow-ups
	// got there (many messages in a short time); the texts then speak of messages.
	Flood bool
	// ResourceURL is the help site a check-in points to (default DefaultResourceURL).
	ResourceURL string
}

// Text is ready to show.
type Text struct {
	Title   string
	Body    string
	Actions []string
}

// Render writes m in the language of locale. Unknown or empty locales get French.
// An unknown Kind renders as the zero Text.
func Render(locale string, m Message) Text {
	lang, ok := Language(locale)
	if !ok {
		lang = DefaultLanguage
	}
	t, ok := texts[lang][keyOf(m)]
	if !ok {
		return Text{}
	}
	name := cmp.Or(m.Coach, DefaultName)
	// {streak} and {these} hold {followups} and {messages}: the counts go in second.
	words := [...]string{
		"{coach}", name,
		"{streak}", t.streak.of(m),
		"{these}", t.these.of(m),
		"{url}", cmp.Or(m.ResourceURL, DefaultResourceURL),
	}
	counts := [...]string{"{followups}", followUps(lang, m), "{messages}", messages(lang, m.Unanswered)}
	return Text{
		Title:   expand(expand(t.title, words[:]), counts[:]),
		Body:    expand(expand(t.body, words[:]), counts[:]),
		Actions: slices.Clone(actions[m.Kind]), // callers own their copy
	}
}

// expand replaces in s each placeholder pairs[2k] by pairs[2k+1], as
// strings.NewReplacer(pairs...).Replace does for placeholders that start with '{' and
// hold no other '{' (none is then a prefix of another), without building a replacer on
// every call: a rendered nudge built four.
func expand(s string, pairs []string) string {
	i := strings.IndexByte(s, '{')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 64)
	for i >= 0 {
		b.WriteString(s[:i])
		s = s[i:]
		n := 1 // not a placeholder: keep the brace
		for k := 0; k < len(pairs); k += 2 {
			if strings.HasPrefix(s, pairs[k]) {
				b.WriteString(pairs[k+1])
				n = len(pairs[k])
				break
			}
		}
		if n == 1 {
			b.WriteByte('{')
		}
		s = s[n:]
		i = strings.IndexByte(s, '{')
	}
	b.WriteString(s)
	return b.String()
}

// Language maps a locale tag ("fr", "en-GB", "fr_FR", "EN") to a supported language,
// reporting false when its language has no texts.
func Language(locale string) (string, bool) {
	lang, _, _ := strings.Cut(strings.TrimSpace(locale), "-")
	lang, _, _ = strings.Cut(lang, "_")
	lang = strings.ToLower(lang)
	_, ok := texts[lang]
	return lang, ok
}

// Languages lists the supported languages, sorted.
func Languages() []string {
	langs := make([]string, 0, len(texts))
	for l := range texts {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	return langs
}

// key selects a text: check-ins have one per reason, sender nudges one per kind.
type key struct {
	kind   string
	reason Reason
}

func keyOf(m Message) key {
	if m.Kind != topics.KindCheckIn {
		return key{kind: m.Kind}
	}
	if m.Reason == ReasonOffensive {
		return key{topics.KindCheckIn, ReasonOffensive}
	}
	return key{topics.KindCheckIn, ReasonPestering}
}

var actions = map[string][]string{
	topics.KindFollowUpLimit:      {ActionReviewRules},
	topics.KindFollowUpReminder:   {ActionReviewRules},
	topics.KindRespectfulLanguage: {ActionReviewRules},
	topics.KindCheckIn:            {ActionReport, ActionBlock, ActionGetHelp},
}

// followUps spells the number of follow-ups, attempts - 1, as a count of times: in words
// up to three ("une fois", "twice", "trois fois"), then in digits ("5 fois", "5 times").
// A Message without Attempts (a caller that did not set it) counts every unanswered
// message as an attempt.
func followUps(lang string, m Message) string {
	attempts := m.Attempts
	if attempts <= 0 {
		attempts = m.Unanswered
	}
	n := max(attempts-1, 0)
	sp, ok := times[lang]
	if !ok {
		sp = times[DefaultLanguage]
	}
	if n > 0 && n < len(sp.words) {
		return sp.words[n]
	}
	return strconv.Itoa(n) + sp.unit
}

// times spells counts of times by language: words[n] for the small ones (words[0] is
// unused), digits and unit for the rest.
var times = map[string]struct {
	words []string
	unit  string
}{
	"fr": {[]string{"", "une fois", "deux fois", "trois fois"}, " fois"},
	"en": {[]string{"", "once", "twice", "three times"}, " times"},
}

// messages spells a count of messages: French uses the singular for 0 and 1, English for 1.
func messages(lang string, n int) string {
	singular := n == 1
	if lang == "fr" {
		singular = n <= 1
	}
	s := strconv.Itoa(n) + " message"
	if !singular {
		s += "s"
	}
	return s
}
