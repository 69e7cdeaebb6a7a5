package content_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/relance/relance/content"
	"github.com/relance/relance/policy"
)

const (
	hate   = policy.CategoryHate
	insult = policy.CategoryInsult
	sexual = policy.CategorySexual
	threat = policy.CategoryThreat
)

func cats(cs ...policy.Category) []policy.Category { return cs }

// check is c.Check, which never fails.
func check(t testing.TB, c *content.Checker, text, locale string) []policy.Category {
	t.Helper()
	got, err := c.Check(t.Context(), text, locale)
	if err != nil {
		t.Fatalf("Check(%q, %q): %v", text, locale, err)
	}
	return got
}

// TestRobustToHowPeopleWrite shows each way of writing the check sees through.
func TestRobustToHowPeopleWrite(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		locale string
		want   []policy.Category
	}{
		{"plain", "espèce de connard", "fr", cats(insult)},
		{"upper case", "CONNARD", "fr", cats(insult)},
		{"mixed case", "ConNaRd", "fr", cats(insult)},
		{"accents missing", "sale pede", "fr", cats(hate, insult)},
		{"accents where none belong", "cönnärd", "fr", cats(insult)},
		{"decomposed accents", "encule\u0301", "fr", cats(insult)},
		{"typographic apostrophe", "t’es vraiment con", "fr", cats(insult)},
		{"no apostrophe", "tes vraiment con", "fr", cats(insult)},
		{"je elided without an apostrophe", "jsais où tu habites", "fr", cats(threat)},
		{"je elided without an apostrophe, innocent", "jsais pas trop, on verra", "fr", nil},
		{"repeated letters", "connnnnnard", "fr", cats(insult)},
		{"repeated vowels", "saaaaalope", "fr", cats(insult)},
		{"repeated letters in a phrase", "ta gueuuuule", "fr", cats(insult)},
		{"doubled letter by mistake", "sallope", "fr", cats(insult)},
		{"leetspeak digits", "c0nn4rd", "fr", cats(insult)},
		{"leetspeak 3 for e", "3ncul3", "fr", cats(insult)},
		{"leetspeak at sign", "s@lope", "fr", cats(insult)},
		{"leetspeak dollar", "$alope", "fr", cats(insult)},
		{"leetspeak 1 for i", "b1tch", "en", cats(insult)},
		{"leetspeak 1 for l", "encu1é", "fr", cats(insult)},
		{"leetspeak exclamation mark inside", "b!te", "fr", cats(sexual)},
		{"leetspeak 7 for t", "s1u7", "en", cats(insult)},
		{"dots between letters", "c.o.n.n.a.r.d", "fr", cats(insult)},
		{"spaces between letters", "c o n n a r d", "fr", cats(insult)},
		{"dashes between letters", "s-a-l-o-p-e", "fr", cats(insult)},
		{"underscores between letters", "p_u_t_e", "fr", cats(insult)},
		{"leetspeak and separators", "c 0 n n 4 r d", "fr", cats(insult)},
		{"separated letters next to a one-letter word", "à c o n n a r d", "fr", cats(insult)},
		{"separated letters inside a phrase", "fils de p.u.t.e", "fr", cats(insult)},
		{"two letters with a dot", "p.d", "fr", cats(hate, insult)},
		{"two letters alone", "P D", "fr", cats(hate, insult)},
		{"masked letter", "c*nnard", "fr", cats(insult)},
		{"masked letters", "n****r", "en", cats(hate, insult)},
		{"masked word in a phrase", "f*ck you", "en", cats(insult)},
		{"all but the first letter masked", "f*** off", "en", cats(insult)},
		{"zero-width space inside", "con\u200bnard", "fr", cats(insult)},
		{"soft hyphen inside", "sa\u00adlope", "fr", cats(insult)},
		{"cyrillic look-alike letters", "сonnаrd", "fr", cats(insult)},
		{"fullwidth letters", "ｃｏｎｎａｒｄ", "fr", cats(insult)},
		{"styled unicode letters", "𝐜𝐨𝐧𝐧𝐚𝐫𝐝", "fr", cats(insult)},
		{"emoji glued to the word", "connard😡", "fr", cats(insult)},
		{"feminine", "connarde", "fr", cats(insult)},
		{"plural", "connards", "fr", cats(insult)},
		{"feminine plural", "enculées", "fr", cats(insult)},
		{"related form", "connasse", "fr", cats(insult)},
		{"feminine of a directed word", "t'es vraiment conne", "fr", cats(insult)},
		{"english plural", "bitches", "en", cats(insult)},
		{"english -ies plural", "pussies", "en", cats(sexual)},
		{"sms nique ta mère", "ntm", "fr", cats(insult)},
		{"sms fils de pute", "fdp", "fr", cats(insult)},
		{"sms ta gueule", "tg", "fr", cats(insult)},
		{"sms va te faire foutre", "vtff", "fr", cats(insult)},
		{"sms shut the fuck up", "stfu", "en", cats(insult)},
		{"sms get the fuck out", "gtfo", "en", cats(insult)},
		{"sms kill yourself", "kys", "en", cats(threat)},
		{"sms spelling of a verb", "jvais te buter", "fr", cats(threat)},
		{"sms you are", "u r so stupid", "en", cats(insult)},
		{"phrase fils de pute", "fils de pute", "fr", cats(insult)},
		{"phrase ta gueule", "ta gueule", "fr", cats(insult)},
		{"phrase nique ta mère", "nique ta mère", "fr", cats(insult)},
		{"phrase with filler words", "t'es vraiment qu'un pauvre con", "fr", cats(insult)},
		{"phrase go back to your country", "go back to your country", "en", cats(hate)},
		{"phrase son of a bitch", "son of a bitch", "en", cats(insult)},
		{"phrase threat", "I'm going to kill you", "en", cats(threat)},
		{"phrase split by a line break", "ta\ngueule", "fr", cats(insult)},
		{"several categories", "crève salope", "fr", cats(insult, threat)},
		{"a phrase that is one thing as a whole", "tête de bite", "fr", cats(insult)},
		{"leaking pictures is a threat, not sexual content", "je vais balancer tes nudes", "fr", cats(threat)},
		{"whole-message word", "idiot", "en", cats(insult)},
		{"whole-message death wish", "die!", "en", cats(threat)},
	}
	c := content.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := check(t, c, tt.text, tt.locale); !slices.Equal(got, tt.want) {
				t.Errorf("Check(%q, %q) = %v, want %v", tt.text, tt.locale, got, tt.want)
			}
		})
	}
}

// TestLookAlikesAreClean shows words and messages that contain, resemble or are spelled
// like offensive ones, and are not.
func TestLookAlikesAreClean(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		locale string
	}{
		{"town containing con", "je viens de Concarneau", "fr"},
		{"word starting with con", "merci pour le conseil", "fr"},
		{"word starting with conn", "ravie de faire ta connaissance", "fr"},
		{"word starting with con and a doubled letter", "on a une connexion de folie", "fr"},
		{"con in the sense of silly", "c'est con, j'aurais aimé venir", "fr"},
		{"self-deprecation", "je suis trop con parfois", "fr"},
		{"cone with an accent left out", "un cone à la fraise", "fr"},
		{"bitcoin", "mon frère bosse dans le bitcoin", "en"},
		{"Scunthorpe", "I grew up near Scunthorpe", "en"},
		{"assistant", "I'm a teaching assistant", "en"},
		{"classe", "on est dans la même classe", "fr"},
		{"class", "we had class together", "en"},
		{"therapist", "my therapist is great", "en"},
		{"cocktail", "fancy a cocktail?", "en"},
		{"analyse", "j'ai une analyse de sang", "fr"},
		{"analysis", "I do data analysis", "en"},
		{"assassin", "I loved Assassin's Creed", "en"},
		{"Sussex", "weekend in Sussex", "en"},
		{"Penistone", "have you been to Penistone?", "en"},
		{"shuttlecock", "the shuttlecock hit me", "en"},
		{"Matsushita", "a Matsushita rice cooker", "en"},
		{"Dickens", "I'm reading Dickens", "en"},
		{"Moby Dick", "I'm reading Moby Dick", "en"},
		{"a man called Dick", "my mate Dick is coming", "en"},
		{"medical pénis", "mon médecin a parlé d'une infection du pénis", "fr"},
		{"medical penis", "my doctor checked a cyst on my penis", "en"},
		{"cum laude", "I graduated cum laude", "en"},
		{"homo sapiens", "homo sapiens were weird", "en"},
		{"pussycat", "what a sweet pussycat", "en"},
		{"salle, not sale", "la salle arabe du musée", "fr"},
		{"queue as a line", "je fais la queue au cinéma", "fr"},
		{"queue as a ponytail", "j'ai une queue de cheval", "fr"},
		{"chatte as a cat", "la chatte de ma voisine a eu des chatons", "fr"},
		{"chienne as a dog", "ma chienne s'appelle Praline", "fr"},
		{"a big dog", "j'ai un gros chien", "fr"},
		{"tuna", "on a mangé un gros thon grillé", "fr"},
		{"bread", "un pain bâtard s'il vous plaît", "fr"},
		{"raccoon", "un raton laveur dans le jardin", "fr"},
		{"bike pedals", "j'ai changé les pédales de mon vélo", "fr"},
		{"fly swatter", "passe-moi la tapette à mouches", "fr"},
		{"a kiss", "un baiser avant de dormir", "fr"},
		{"big kisses", "gros baisers", "fr"},
		{"je t'aime in sms", "jtm", "fr"},
		{"dying of laughter", "je suis morte de rire", "fr"},
		{"are you dead (no reply)", "t'es mort ou quoi ?", "fr"},
		{"killing time", "je vais tuer le temps", "fr"},
		{"killing time in english", "I'm just killing time", "en"},
		{"I'd kill for a pizza", "I'd kill for a pizza", "en"},
		{"you're killing me", "lol you're killing me", "en"},
		{"meeting again", "j'ai hâte de te retrouver samedi", "fr"},
		{"I'll beat you at chess", "I'll beat you at chess", "en"},
		{"hot in a photo", "you look hot in that photo", "en"},
		{"beautiful", "tu es très belle", "fr"},
		{"wanting to see someone", "j'ai envie de te voir", "fr"},
		{"sexy", "tu es sexy sur cette photo", "fr"},
		{"swearing as an interjection", "putain de train, j'ai encore raté le RER", "fr"},
		{"swearing in english", "fuck this traffic honestly", "en"},
		{"shit weather", "the weather is shit today", "en"},
		{"reported insult", "mon ex me traitait de salope", "fr"},
		{"reported insult in english", "my ex used to call me a bitch", "en"},
		{"identity stated", "je suis une femme trans", "fr"},
		{"origin stated", "mes parents viennent du Maroc", "fr"},
		{"disability stated", "mon cousin est trisomique", "fr"},
		{"retard in french", "désolée du retard", ""},
		{"bite in english", "I won't bite", ""},
		{"numbers are not leetspeak", "j'ai 30 ans et 3 chats", "fr"},
		{"spelled-out initials", "J. P. D. is my uncle", "en"},
		{"single letters of ordinary words", "il y a un bar à côté", "fr"},
		{"sms letters", "u r so sweet", "en"},
		{"empty", "", "fr"},
		{"only punctuation", "?!...", "en"},
	}
	c := content.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := check(t, c, tt.text, tt.locale); got != nil {
				t.Errorf("Check(%q, %q) = %v, want nothing", tt.text, tt.locale, got)
			}
		})
	}
}

// TestLocaleSelectsTheLists checks which lists a locale selects.
func TestLocaleSelectsTheLists(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		locale string
		want   []policy.Category
	}{
		{"french locale, french word", "connard", "fr", cats(insult)},
		{"regional french locale", "connard", "fr-CA", cats(insult)},
		{"underscore locale", "connard", "fr_FR", cats(insult)},
		{"upper-case locale", "connard", "FR", cats(insult)},
		{"english locale, english word", "asshole", "en-GB", cats(insult)},
		{"english locale, french-only word", "connard", "en", nil},
		{"french locale, english-only word alone", "asshole", "fr", nil},
		{"french locale, text clearly english", "you are such an asshole", "fr", cats(insult)},
		{"unknown locale checks both", "connard", "de", cats(insult)},
		{"empty locale checks both", "asshole", "", cats(insult)},
		{"empty locale, french text, english homograph", "je te retrouve au retard du bus", "", nil},
	}
	c := content.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := check(t, c, tt.text, tt.locale); !slices.Equal(got, tt.want) {
				t.Errorf("Check(%q, %q) = %v, want %v", tt.text, tt.locale, got, tt.want)
			}
		})
	}
}

func TestFindGivesEachCategoryOnceWithItsHighestSeverity(t *testing.T) {
	c := content.Default()
	got := c.Find("sale bougnoule, espèce de connard, je vais te tuer, tg connard", "fr")
	want := []content.Finding{
		{Category: hate, Severity: content.SeverityHigh},
		{Category: insult, Severity: content.SeverityHigh}, // the slur aimed at the member
		{Category: threat, Severity: content.SeverityHigh},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Find = %v, want %v", got, want)
	}
	if got := c.Find("bonjour", "fr"); got != nil {
		t.Errorf("Find(clean) = %v, want nil", got)
	}
}

func TestCheckDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	c := content.Default()
	ctx := t.Context()
	msgs := []string{"salut ça va ?", "t'es vraiment qu'un pauvre c.o.n", "f*ck you b1tch", "I'm gonna kill you"}
	for _, m := range msgs {
		c.Check(ctx, m, "")
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, m := range msgs {
			c.Check(ctx, m, "")
		}
	})
	if allocs != 0 {
		t.Errorf("Check allocates %.1f times per run of %d messages, want 0", allocs, len(msgs))
	}
}

func TestCheckReturnsSharedSlicesThatAppendingCopies(t *testing.T) {
	c := content.Default()
	a := check(t, c, "connard", "fr")
	b := append(a, threat)
	b[0] = hate
	if got := check(t, c, "connard", "fr"); !slices.Equal(got, cats(insult)) {
		t.Fatalf("after appending to a result, Check = %v", got)
	}
}

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExtraFileAddsAndRemovesEntries(t *testing.T) {
	tests := []struct {
		name, file, data string
	}{
		{"yaml", "extra.yaml", `
add:
  - {lang: fr, term: "gros naze", category: insult, severity: medium}
  - {lang: "*", term: zorglub, category: hate, severity: high, flags: [inflect]}
  - {lang: en, term: "@iwill tickle you", category: threat, severity: low}
remove:
  - {lang: fr, term: bite}
  - {lang: en, term: nudes, category: sexual}
`},
		{"tsv", "extra.tsv", "# operator's entries\n" +
			"add\tfr\tgros naze\tinsult\tmedium\n" +
			"add\t*\tzorglub\thate\thigh\tinflect\n" +
			"add\ten\t@iwill tickle you\tthreat\tlow\n" +
			"remove\tfr\tbite\n" +
			"remove\ten\tnudes\tsexual\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := content.New(content.Config{ExtraFile: writeFile(t, tt.file, tt.data)})
			if err != nil {
				t.Fatal(err)
			}
			checks := []struct {
				text, locale string
				want         []policy.Category
			}{
				{"t'es qu'un gros naze", "fr", cats(insult)},
				{"zorglubs", "en", cats(hate)},
				{"zorglub", "fr", cats(hate, insult)},
				{"I'll tickle you", "en", cats(threat)},
				{"ma bite", "fr", nil},
				{"send nudes", "en", nil},
				{"connard", "fr", cats(insult)},
			}
			for _, ch := range checks {
				if got := check(t, c, ch.text, ch.locale); !slices.Equal(got, ch.want) {
					t.Errorf("Check(%q, %q) = %v, want %v", ch.text, ch.locale, got, ch.want)
				}
			}
			if got := check(t, content.Default(), "ma bite", "fr"); !slices.Equal(got, cats(sexual)) {
				t.Errorf("the extra file changed the default checker: %v", got)
			}
		})
	}
}

func TestExtraFileErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name, file, data, want string
	}{
		{"unknown category", "x.tsv", "add\tfr\tfoo\tinsul\tmedium\n", `x.tsv:1: unknown category "insul"`},
		{"unknown severity", "x.tsv", "# c\nadd\tfr\tfoo\tinsult\tsevere\n", `x.tsv:2: unknown severity "severe"`},
		{"empty term", "x.yaml", "add:\n  - {lang: fr, term: \"\", category: insult, severity: low}\n", "x.yaml:2: empty term"},
		{"blank term", "x.yaml", "add:\n  - lang: fr\n    term: \"  \"\n    category: insult\n    severity: low\n", "x.yaml:2: empty term"},
		{"missing fields", "x.tsv", "add\tfr\tfoo\n", "x.tsv:1: want add"},
		{"unknown action", "x.tsv", "delete\tfr\tfoo\n", `x.tsv:1: unknown action "delete"`},
		{"unknown flag", "x.tsv", "add\tfr\tfoo\tinsult\tlow\tplural\n", `x.tsv:1: unknown flag "plural"`},
		{"bad language", "x.tsv", "add\tFrench\tfoo\tinsult\tlow\n", `x.tsv:1: invalid language "French"`},
		{"unknown class", "x.tsv", "add\ten\t@nope you\tinsult\tlow\n", "x.tsv:1: term \"@nope you\": unknown class @nope"},
		{"reserved class", "x.tsv", "add\ten\t@harmful you\tthreat\tlow\n", "x.tsv:1: term \"@harmful you\": unknown class @harmful"},
		{"gap first", "x.tsv", "add\ten\t~ you\tinsult\tlow\n", "x.tsv:1: term \"~ you\": starts with ~"},
		{"removal of nothing", "x.tsv", "remove\tfr\tpaillasson\n", `x.tsv:1: removes nothing: no fr entry "paillasson"`},
		{"unknown yaml key", "x.yaml", "add:\n  - {lang: fr, term: foo, category: insult, severity: low, colour: red}\n", `x.yaml:2: unknown key "colour"`},
		{"unknown yaml section", "x.yaml", "added:\n  - {lang: fr, term: foo}\n", `x.yaml:1: unknown key "added"`},
		{"yaml without severity", "x.yaml", "add:\n  - {lang: fr, term: foo, category: insult}\n", "x.yaml:2: an addition needs a category and a severity"},
		{"not yaml", "x.yaml", "add: [\n", "x.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := content.New(content.Config{ExtraFile: writeFile(t, tt.file, tt.data)})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (content.Config{ExtraFile: "entries.json"}).Validate(); err == nil {
		t.Error("Validate accepted a .json extra file")
	}
	if _, err := content.New(content.Config{ExtraFile: filepath.Join(t.TempDir(), "missing.tsv")}); err == nil {
		t.Error("New accepted a missing extra file")
	}
	if err := (content.Config{}).Validate(); err != nil {
		t.Errorf("zero Config: %v", err)
	}
}

func TestSeverityText(t *testing.T) {
	for _, s := range []content.Severity{content.SeverityLow, content.SeverityMedium, content.SeverityHigh} {
		b, err := s.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back content.Severity
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("%v → %s → %v, %v", s, b, back, err)
		}
	}
	if _, err := content.ParseSeverity("severe"); err == nil {
		t.Error("ParseSeverity accepted severe")
	}
}

func FuzzCheck(f *testing.F) {
	for _, lang := range []string{"fr", "en"} {
		for i, s := range readCorpus(f, lang) {
			if i%7 == 0 {
				f.Add(s.text, lang)
			}
		}
	}
	for _, s := range []string{"c.o.n.n.a.r.d", "f*** y*u", "𝐜𝐨𝐧", "\xff\xfe", "a b c d e f g h i j k l m n o p q r s t u v w x y z", strings.Repeat("t'es ", 100) + "con", "1|1|1|1", "****", "'''", "p.d"} {
		f.Add(s, "")
	}
	c := content.Default()
	f.Fuzz(func(t *testing.T, text, locale string) {
		got := check(t, c, text, locale)
		seen := map[policy.Category]bool{}
		for _, cat := range got {
			if !slices.Contains(allCategories, cat) {
				t.Fatalf("Check(%q) returned unknown category %q", text, cat)
			}
			if seen[cat] {
				t.Fatalf("Check(%q) returned %q twice: %v", text, cat, got)
			}
			seen[cat] = true
		}
		if !slices.IsSorted(got) {
			t.Fatalf("Check(%q) = %v, not sorted", text, got)
		}
		found := c.Find(text, locale)
		if len(found) != len(got) {
			t.Fatalf("Find(%q) = %v, Check = %v", text, found, got)
		}
		for i, fd := range found {
			if fd.Category != got[i] || fd.Severity < content.SeverityLow || fd.Severity > content.SeverityHigh {
				t.Fatalf("Find(%q) = %v, Check = %v", text, found, got)
			}
		}
	})
}

// A slur aimed at the member (after "you", "t'es", a greeting or a retort, or alone in its
// clause) is an insult too; about an absent person or a group it is hate alone.
func TestSlurAimedAtTheMemberIsAnInsultToo(t *testing.T) {
	c := content.Default()
	for _, tt := range []struct {
		text, locale string
		want         []policy.Category
	}{
		{"go back to the jungle you n1gger", "en", cats(hate, insult)},
		{"nice try tranny, swipe left", "en", cats(hate, insult)},
		{"shut it you p.a.k.i", "en", cats(hate, insult)},
		{"faggot", "en", cats(hate, insult)},
		{"fucking pakis", "en", cats(hate)},
		{"my neighbour is a paki", "en", cats(hate)},
		{"sale gouine", "fr", cats(hate, insult)},
		{"t'es qu'un travelo", "fr", cats(hate, insult)},
		{"dégage de mon profil, bougnoule", "fr", cats(hate, insult)},
		{"p.é.d.é va", "fr", cats(hate, insult)},
		{"mon voisin est pédé", "fr", cats(hate)},
		{"les bougnoules", "fr", cats(hate)},
	} {
		if got := check(t, c, tt.text, tt.locale); !slices.Equal(got, tt.want) {
			t.Errorf("Check(%q, %q) = %v, want %v", tt.text, tt.locale, got, tt.want)
		}
	}
}

// A follow-up after no answer is the traffic relance counts: it is never offensive in
// itself ("pourquoi tu ne réponds pas ?" read as a threat by a model trained on threats
// that say "réponds" would nudge and report every persistent member).
func TestFollowUpsAreClean(t *testing.T) {
	c := content.Default()
	for _, tc := range []struct{ text, locale string }{
		{"Pourquoi tu ne réponds pas ?", "fr"},
		{"tu réponds plus ? c'est dommage", "fr"},
		{"t'as vu mon message de ce matin ?", "fr"},
		{"why aren't you answering me?", "en"},
		{"hello? are you there? did my message get through", "en"},
		{"you haven't replied, is everything ok?", "en"},
	} {
		if got := check(t, c, tc.text, tc.locale); len(got) > 0 {
			t.Errorf("Check(%q, %s) = %v, want clean", tc.text, tc.locale, got)
		}
	}
}

// Knowing where the member lives or works is a threat whatever follows in the sentence:
// an allow entry for a place the member gave ("you said Clapham") would clear these too.
func TestStalkingStaysAThreat(t *testing.T) {
	c := content.Default()
	for _, tc := range []struct{ text, locale string }{
		{"I know where you live, you said too much", "en"},
		{"I know where you work now, you told me everything I needed", "en"},
		{"je sais où t'habites, t'as dit que t'irais voir les flics", "fr"},
		{"je sais où tu bosses, tu m'as dit tout ce qu'il fallait", "fr"},
	} {
		if got := check(t, c, tc.text, tc.locale); !slices.Contains(got, policy.CategoryThreat) {
			t.Errorf("Check(%q, %s) = %v, want a threat", tc.text, tc.locale, got)
		}
	}
}
