package topics

import (
	"regexp"
	"testing"
)

// rfc3339Shape is the shape isRFC3339 checks, as the regular expression it replaced.
var rfc3339Shape = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$`)

var rfc3339Cases = []string{
	"", "Z", "2026-11-23T10:15:00Z", "2026-11-23T10:15:00.123Z", "2026-11-23T10:15:00.Z",
	"2026-11-23T10:15:00+01:00", "2026-11-23T10:15:00.5-23:59", "2026-11-23T10:15:00+24:00",
	"2026-11-23T10:15:00+19:60", "2026-11-23T10:15:00+1:00", "2026-11-23T10:15:00z",
	"2026-11-23t10:15:00Z", "2026-11-23 10:15:00Z", "2026-11-23T10:15:00", "2026-11-23T10:15:00ZZ",
	"2026-11-23T10:15:00+01:00\n", "\n2026-11-23T10:15:00Z", "2026-11-23T10:15:00Z\n",
	"２026-11-23T10:15:00Z", "2026-11-23T10:15:00.１Z", "20261-11-23T10:15:00Z", "2026-11-23T10:15:0Z",
	"2026-11-23T10:15:00+01:000", "2026-11-23T10:15:00+0100", "2026-11-23T10:15:00.1234567890123Z",
	"9999-99-99T99:99:99Z", "2026-11-23T10:15:00-00:00",
}

func TestIsRFC3339MatchesTheRegexp(t *testing.T) {
	for _, s := range rfc3339Cases {
		if got, want := isRFC3339([]byte(s)), rfc3339Shape.MatchString(s); got != want {
			t.Errorf("isRFC3339(%q) = %v, the regexp says %v", s, got, want)
		}
	}
}

func FuzzIsRFC3339(f *testing.F) {
	for _, s := range rfc3339Cases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isRFC3339([]byte(s)), rfc3339Shape.MatchString(s); got != want {
			t.Fatalf("isRFC3339(%q) = %v, the regexp says %v", s, got, want)
		}
	})
}
