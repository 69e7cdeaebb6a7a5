package content

import (
	"fmt"

	"github.com/relance/relance/policy"
)

// Severity says how bad an entry of the word lists is. The zero value means none.
type Severity uint8

// Severities, from the mildest.
const (
	SeverityLow Severity = iota + 1
	SeverityMedium
	SeverityHigh
)

var severityNames = [...]string{SeverityLow: "low", SeverityMedium: "medium", SeverityHigh: "high"}

// String returns "low", "medium" or "high" ("" for none).
func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("Severity(%d)", uint8(s))
}

// MarshalText encodes the severity as its name.
func (s Severity) MarshalText() ([]byte, error) {
	if s < SeverityLow || s > SeverityHigh {
		return nil, fmt.Errorf("content: invalid severity %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity reads "low", "medium" or "high".
func ParseSeverity(name string) (Severity, error) {
	for s := SeverityLow; s <= SeverityHigh; s++ {
		if severityNames[s] == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want low, medium or high)", name)
}

// Finding is one category of offensive content found in a text, with the highest severity
// of what matched. It never says which words matched.
type Finding struct {
	Category policy.Category
	Severity Severity
}

// The categories by index, in policy.Category order (sorted), and the pseudo-categories of
// entries that clear what they overlap (allow) and of entries that aim what follows them at
// the member (target: "you", "t'es", "ferme-la"; a slur they aim is an insult too).
const (
	catHate = iota
	catInsult
	catSexual
	catThreat
	numCategories
	catAllow  = numCategories
	catTarget = numCategories + 1
)

var categories = [numCategories]policy.Category{
	catHate:   policy.CategoryHate,
	catInsult: policy.CategoryInsult,
	catSexual: policy.CategorySexual,
	catThreat: policy.CategoryThreat,
}

// parseCategory reads a category name of the lists, "allow" and "target" included.
func parseCategory(name string) (uint8, error) {
	switch name {
	case "allow":
		return catAllow, nil
	case "target":
		return catTarget, nil
	}
	for i, c := range categories {
		if string(c) == name {
			return uint8(i), nil
		}
	}
	return 0, fmt.Errorf("unknown category %q (want insult, hate, sexual, threat, allow or target)", name)
}

// categorySets holds, for every set of categories (bit i for categories[i]), the sorted
// slice Check returns for it, so that Check never allocates. The slices are shared: their
// capacity is their length, so appending to one copies it, and they must not be modified.
var categorySets = func() (t [1 << numCategories][]policy.Category) {
	for set := 1; set < len(t); set++ {
		var cs []policy.Category
		for i, c := range categories {
			if set&(1<<i) != 0 {
				cs = append(cs, c)
			}
		}
		t[set] = cs[:len(cs):len(cs)]
	}
	return t
}()
