package content_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/relance/relance/content"
	"github.com/relance/relance/policy"
)

// TestListSyntaxOfIssue15 checks the list syntax the lists of issue 15 use, through an
// operator's file of made-up words (so that no built-in entry takes part): "~~" skips up
// to eight words inside a sentence, "..." runs to the end of the sentence, an allow entry
// that names categories clears those only, or its whole sentence with "sentence", and a
// list word may be a number.
func TestListSyntaxOfIssue15(t *testing.T) {
	file := writeFile(t, "extra.tsv", strings.Join([]string{
		"add\ten\tzorblat ~~ flumph\tthreat\thigh",
		"add\ten\twibblex\tinsult\tmedium",
		"add\ten\tquuxer ...\tallow\t-",
		"add\ten\tglorpish\tinsult\tmedium",
		"add\ten\tglorpish\tthreat\tmedium",
		"add\ten\tnever glorpish\tallow\t-\tthreat",
		"add\ten\t4242\tsexual\tlow",
		"add\ten\tsnorfle\tsexual\tmedium",
		"add\ten\tblick ~~ zanth\tthreat\thigh",
		"add\ten\tblick ~~ zanth\tallow\t-\tsexual,sentence",
	}, "\n")+"\n")
	c, err := content.New(content.Config{ExtraFile: file})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []policy.Category
	}{
		{"zorblat flumph", cats(threat)},
		{"zorblat one two three four five six seven eight flumph", cats(threat)},
		{"zorblat one two three four five six seven eight nine flumph", nil}, // nine words
		{"zorblat. flumph", nil},                                             // another sentence
		{"quuxer said my wibblex", nil},                                      // to the end of the sentence
		{"quuxer said so. wibblex", cats(insult)},                            // not beyond it
		{"wibblex, quuxer", cats(insult)},                                    // nor before it
		{"glorpish", cats(insult, threat)},
		{"never glorpish", cats(insult)}, // the allow entry clears the threat only
		{"4242", cats(sexual)},
		{"42 42", nil},
		{"x4242", nil},
		// An allow entry with "sentence" clears its whole sentence, before it too.
		{"my snorfle, blick it to zanth", cats(threat)},
		{"blick it to zanth with the snorfle", cats(threat)},
		{"my snorfle. blick it to zanth", cats(sexual, threat)},
		{"snorfle", cats(sexual)},
	}
	for _, tt := range tests {
		if got := check(t, c, tt.text, "en"); !slices.Equal(got, tt.want) {
			t.Errorf("Check(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestListSyntaxErrorsOfIssue15(t *testing.T) {
	tests := []struct{ data, want string }{
		{"add\ten\tfoo ... bar\tallow\t-\n", "... only ends a term"},
		{"add\ten\tfoo ~~\tthreat\tlow\n", "ends with a gap"},
		{"add\ten\tfoo ~ ~~ bar\tthreat\tlow\n", "two gaps in a row"},
		{"add\ten\tfoo\tinsult\tlow\tthreat\n", "only an allow entry names the categories it clears"},
		{"add\ten\tfoo $ ...\tallow\t-\n", "$ only ends a term"},
		{"add\ten\tfoo\tinsult\tlow\tsentence\n", "only an allow entry clears its sentence"},
	}
	for _, tt := range tests {
		_, err := content.New(content.Config{ExtraFile: writeFile(t, "x.tsv", tt.data)})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%q): %v, want an error containing %q", tt.data, err, tt.want)
		}
	}
}
