package content

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestModelIsASecondOpinion gives the model a bias that finds a threat in every message,
// and checks where the lists keep the last word: a message shorter than modelMinWords, a
// category an allow entry cleared, and the words an operator's file removed.
func TestModelIsASecondOpinion(t *testing.T) {
	name := filepath.Join(t.TempDir(), "extra.tsv")
	if err := os.WriteFile(name, []byte("remove\ten\tnudes\tsexual\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{ExtraFile: name})
	if err != nil {
		t.Fatal(err)
	}
	en := c.models[0]
	if c.langs[0] != "en" || en == nil {
		t.Fatalf("languages %v, models %v: want an English model first", c.langs, c.models)
	}
	saved := en.bias
	defer func() { en.bias = saved }()
	en.bias[catThreat] = 1 << 30 // far above any threshold, in the weights' fixed point

	for _, tt := range []struct {
		text string
		want Severity
	}{
		{"what are you up to tonight", SeverityLow},     // the model alone
		{"see you soon", 0},                             // too short for it
		{"I'm not going to send your pics, promise", 0}, // an allow entry cleared the threat
		{"I'll kill you, I swear it", SeverityHigh},     // the lists' severity stands
	} {
		if got := c.scan(tt.text, "en")[catThreat]; got != tt.want {
			t.Errorf("%q: threat %v, want %v", tt.text, got, tt.want)
		}
	}
	if !c.unseen["nudes"] {
		t.Errorf("the model still sees a word the operator removed: unseen = %v", c.unseen)
	}
}

// TestModelThreatInTheFutureNeedsAWordOfHarm gives the model a bias that finds a threat in
// every message, and a guarded threshold no message reaches: a message in the future tense
// then keeps the model's threat only with a word of harm, exposure or stalking, and a
// message in the present or the past keeps it as before.
func TestModelThreatInTheFutureNeedsAWordOfHarm(t *testing.T) {
	name := filepath.Join(t.TempDir(), "extra.tsv") // its own models, to change them
	if err := os.WriteFile(name, []byte("add\ten\tzorblat\tinsult\tlow\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{ExtraFile: name})
	if err != nil {
		t.Fatal(err)
	}
	for li, m := range c.models {
		if m == nil {
			t.Fatalf("no model for %s", c.langs[li])
		}
		m.bias[catThreat] = 1 << 30
		m.guarded = math.MaxInt32
	}
	for _, tt := range []struct {
		text, locale string
		want         Severity
	}{
		{"I'll teach you to surf this summer", "en", 0},
		{"we're going to the beach on Sunday", "en", 0},
		{"I'll be at the end of your road every night", "en", SeverityLow},
		{"I saw you at the gym in your red top", "en", SeverityLow}, // not in the future
		{"je vais t'apprendre à surfer cet été", "fr", 0},
		{"tu vas avoir mal ce soir, crois-moi", "fr", SeverityLow},
		{"je t'ai vue à la salle avec ton haut rouge", "fr", SeverityLow},
	} {
		if got := c.scan(tt.text, tt.locale)[catThreat]; got != tt.want {
			t.Errorf("%q: threat %v, want %v", tt.text, got, tt.want)
		}
	}
}
