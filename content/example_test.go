package content_test

import (
	"context"
	"fmt"

	"github.com/relance/relance/content"
)

// The built-in check finds categories, never words, and sees through spelling tricks.
func ExampleChecker_Check() {
	c := content.Default()
	ctx := context.Background()
	for _, m := range []struct{ text, locale string }{
		{"t'es vraiment qu'un c.o.n.n.a.r.d", "fr"},
		{"je viens de Concarneau, ravie de faire ta connaissance", "fr"},
		{"I'm gonna k1ll you, b!tch", "en"},
	} {
		cats, _ := c.Check(ctx, m.text, m.locale) // the built-in check never fails
		fmt.Println(cats)
	}
	// Output:
	// [insult]
	// []
	// [insult threat]
}

// Find adds the highest severity of each category.
func ExampleChecker_Find() {
	for _, f := range content.Default().Find("sale bougnoule, va crever", "") {
		fmt.Println(f.Category, f.Severity)
	}
	// Output:
	// hate high
	// insult high
	// threat high
}

// An operator's file adds and removes entries; New validates it at start.
func ExampleNew() {
	_, err := content.New(content.Config{ExtraFile: "testdata/does-not-exist.yaml"})
	fmt.Println(err != nil)
	// Output: true
}
