package policy_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/policy"
)

// defaultFile spells out every default, as documented.
const defaultFile = `version: relance-default-2      # names the policy in every output (policy_version)
window: 168h                    # sliding window
coach:
  name: Lara
  resource_url: https://www.arretonslesviolences.gouv.fr
  default_locale: fr
follow_up:
  burst: 5m
  reminder_at: 0
  nudge_at: 4
  nudge_at_messages: 10
  alerts:
    - at: 7
      messages: 20
      severity: medium
    - at: 12
      messages: 40
      severity: high
report:
  severity: medium
  nudged_or_offensive: high
content:
  insult: medium
  hate: high
  threat: high
  sexual: medium
  sexual_unanswered: high
`

func TestDefault(t *testing.T) {
	p := policy.Default()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := p.Version(); got != "relance-default-2" {
		t.Errorf("Version() = %q", got)
	}
	if got := p.Window(); got != 7*24*time.Hour {
		t.Errorf("Window() = %s", got)
	}
	if got := p.Burst(); got != 5*time.Minute {
		t.Errorf("Burst() = %s", got)
	}
	if got := p.Nudge(); got != (policy.Threshold{Attempts: 4, Messages: 10}) {
		t.Errorf("Nudge() = %+v", got)
	}
	want := []policy.Threshold{{Attempts: 4, Messages: 10}, {Attempts: 7, Messages: 20}, {Attempts: 12, Messages: 40}}
	if got := p.Thresholds(); !slices.Equal(got, want) {
		t.Errorf("Thresholds() = %+v, want %+v", got, want)
	}
}

func TestParseDefaultFileIsDefault(t *testing.T) {
	p, err := policy.Parse([]byte(defaultFile))
	if err != nil {
		t.Fatal(err)
	}
	def := policy.Default()
	if p.Describe() != def.Describe() {
		t.Errorf("Describe() differs:\n%s\nwant:\n%s", p.Describe(), def.Describe())
	}
	for count := 1; count <= 13; count++ {
		in, s := message(count), counted(count)
		in.Observation.Categories = []policy.Category{policy.CategorySexual}
		if got, want := p.Decide(in, s), def.Decide(in, s); !reflect.DeepEqual(got, want) {
			t.Errorf("count %d: Decide differs:\n%+v\nwant\n%+v", count, got, want)
		}
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		name string
		file string
		want string
	}{
		{"named", "version: strict-2\n", "strict-2"},
		{"unnamed file is named by its hash", "follow_up:\n  nudge_at: 3\n", hashVersion("follow_up:\n  nudge_at: 3\n")},
		{"empty version is named by its hash", "version: \"\"\nwindow: 3d\n", hashVersion("version: \"\"\nwindow: 3d\n")},
		{"empty file", "", hashVersion("")},
		{"comments only", "# nothing to change\n", hashVersion("# nothing to change\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Version(); got != tt.want {
				t.Errorf("Version() = %q, want %q", got, tt.want)
			}
		})
	}
}

func hashVersion(file string) string {
	sum := sha256.Sum256([]byte(file))
	return "sha256:" + hex.EncodeToString(sum[:])[:12]
}

func TestParseKeepsDefaultsOfMissingKeys(t *testing.T) {
	def := policy.Default().Thresholds()
	tests := []struct {
		name       string
		file       string
		window     time.Duration
		burst      time.Duration
		thresholds []policy.Threshold
	}{
		{"empty", "", 168 * time.Hour, 5 * time.Minute, def},
		{"nudge only", "follow_up:\n  nudge_at: 3\n", 168 * time.Hour, 5 * time.Minute,
			[]policy.Threshold{{Attempts: 3, Messages: 10}, def[1], def[2]}},
		{"coach only", "coach:\n  name: Sam\n", 168 * time.Hour, 5 * time.Minute, def},
		{"no alerts", "follow_up:\n  alerts: []\n", 168 * time.Hour, 5 * time.Minute, def[:1]},
		{"nudge above the alerts", "follow_up:\n  nudge_at: 20\n  nudge_at_messages: 0\n", 168 * time.Hour, 5 * time.Minute,
			[]policy.Threshold{{Attempts: 20}, def[1], def[2]}},
		{"alerts on attempts only", "follow_up:\n  alerts:\n    - {at: 6, severity: low}\n", 168 * time.Hour, 5 * time.Minute,
			[]policy.Threshold{def[0], {Attempts: 6}}},
		{"reminder", "follow_up:\n  reminder_at: 3\n", 168 * time.Hour, 5 * time.Minute,
			[]policy.Threshold{{Attempts: 3}, def[0], def[1], def[2]}},
		{"burst zero", "follow_up:\n  burst: 0\n", 168 * time.Hour, 0, def},
		{"burst in seconds", "follow_up:\n  burst: 90s\n", 168 * time.Hour, 90 * time.Second, def},
		{"window in days", "window: 7d\n", 168 * time.Hour, 5 * time.Minute, def},
		{"window in days and hours", "window: 1d12h\n", 36 * time.Hour, 5 * time.Minute, def},
		{"window in hours", "window: 36h\n", 36 * time.Hour, 5 * time.Minute, def},
		{"longest window", "window: 90d\n", 90 * 24 * time.Hour, 5 * time.Minute, def},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if p.Window() != tt.window || p.Burst() != tt.burst || !slices.Equal(p.Thresholds(), tt.thresholds) {
				t.Errorf("window %s, burst %s, thresholds %+v; want %s, %s, %+v",
					p.Window(), p.Burst(), p.Thresholds(), tt.window, tt.burst, tt.thresholds)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		want string
	}{
		{"unknown key", "windw: 7d\n",
			`policy: windw: unknown field (line 1)`},
		{"unknown coach key", "coach:\n  nmae: Sam\n",
			`policy: coach.nmae: unknown field (line 2)`},
		{"unknown alert key", "follow_up:\n  alerts:\n    - at: 7\n      sevrity: high\n",
			`policy: follow_up.alerts[0].sevrity: unknown field (line 4)`},
		{"not YAML", "window: [7d\n",
			`policy: did not find expected ',' or ']' (line 1)`},
		{"not a mapping", "- window\n",
			`policy: cannot unmarshal !!seq into a mapping (line 1)`},
		{"two documents", "window: 7d\n---\nwindow: 1d\n",
			`policy: more than one YAML document`},
		{"version with spaces", "version: my policy\n",
			`policy: version: "my policy" must not contain spaces or control characters (line 1)`},
		{"version too long", "version: " + strings.Repeat("v", 129) + "\n",
			`policy: version: 129 bytes, more than 128 (line 1)`},
		{"window not a duration", "window: soon\n",
			`policy: window: "soon" is not a duration such as 168h or 7d (line 1)`},
		{"window without unit", "window: 7\n",
			`policy: window: "7" is not a duration such as 168h or 7d (line 1)`},
		{"window with fractional days", "window: 1.5d\n",
			`policy: window: "1.5d" is not a duration such as 168h or 7d (line 1)`},
		{"window with a negative part", "window: 7d-1h\n",
			`policy: window: "7d-1h" is not a duration such as 168h or 7d (line 1)`},
		{"window zero", "window: 0s\n",
			`policy: window: 0s must be positive (line 1)`},
		{"window negative", "window: -1h\n",
			`policy: window: -1h0m0s must be positive (line 1)`},
		{"window too long", "window: 91d\n",
			`policy: window: 91d is longer than the maximum of 90d (line 1)`},
		{"coach name empty", "coach:\n  name: \"\"\n",
			`policy: coach.name: must not be empty (line 2)`},
		{"coach name blank", "coach:\n  name: \"  \"\n",
			`policy: coach.name: must not be empty (line 2)`},
		{"coach name too long", "coach:\n  name: " + strings.Repeat("x", 65) + "\n",
			`policy: coach.name: 65 bytes, more than 64 (line 2)`},
		{"resource url not https", "coach:\n  resource_url: http://example.org\n",
			`policy: coach.resource_url: "http://example.org" is not an absolute https URL (line 2)`},
		{"resource url relative", "coach:\n  resource_url: /help\n",
			`policy: coach.resource_url: "/help" is not an absolute https URL (line 2)`},
		{"default locale unsupported", "coach:\n  default_locale: de\n",
			`policy: coach.default_locale: "de" is not one of en, fr (line 2)`},
		{"nudge_at zero", "follow_up:\n  nudge_at: 0\n",
			`policy: follow_up.nudge_at: 0 must be at least 1 (line 2)`},
		{"nudge_at not a number", "follow_up:\n  nudge_at: four\n",
			"policy: follow_up.nudge_at: cannot unmarshal !!str `four` into int (line 2)"},
		{"burst not a duration", "follow_up:\n  burst: quick\n",
			`policy: follow_up.burst: "quick" is not a duration such as 5m or 0 (line 2)`},
		{"burst negative", "follow_up:\n  burst: -5m\n",
			`policy: follow_up.burst: -5m0s must be zero or a positive whole number of milliseconds (line 2)`},
		{"burst too long", "follow_up:\n  burst: 25h\n",
			`policy: follow_up.burst: 25h0m0s is longer than the maximum of 24h0m0s (line 2)`},
		{"burst as long as the window", "window: 1h\nfollow_up:\n  burst: 1h\n",
			`policy: follow_up.burst: 1h0m0s must be shorter than the window (1h0m0s) (line 3)`},
		{"burst finer than a millisecond", "follow_up:\n  burst: 1.5ms\n",
			`policy: follow_up.burst: 1.5ms must be zero or a positive whole number of milliseconds (line 2)`},
		{"nudge messages below its attempts", "follow_up:\n  nudge_at: 12\n",
			`policy: follow_up.nudge_at_messages: 10 is below nudge_at (12): set it to 0 (attempts only) or at least 12`},
		{"nudge messages negative", "follow_up:\n  nudge_at_messages: -1\n",
			`policy: follow_up.nudge_at_messages: -1 is below nudge_at (4): set it to 0 (attempts only) or at least 4 (line 2)`},
		{"reminder at the nudge", "follow_up:\n  reminder_at: 4\n",
			`policy: follow_up.reminder_at: 4 must be 0 (no reminder) or between 1 and nudge_at - 1 (3) (line 2)`},
		{"reminder negative", "follow_up:\n  reminder_at: -1\n",
			`policy: follow_up.reminder_at: -1 must be 0 (no reminder) or between 1 and nudge_at - 1 (3) (line 2)`},
		{"alert messages below its attempts", "follow_up:\n  alerts:\n    - at: 7\n      messages: 5\n      severity: medium\n",
			`policy: follow_up.alerts[0].messages: 5 is below its at (7): set it to 0 (attempts only) or at least 7 (line 4)`},
		{"alert messages decreasing", "follow_up:\n  alerts:\n    - {at: 7, messages: 20, severity: medium}\n    - {at: 12, messages: 15, severity: high}\n",
			`policy: follow_up.alerts[1].messages: 15 must be greater than the previous level's 20 (line 4)`},
		{"alert level zero", "follow_up:\n  alerts:\n    - at: 0\n      severity: low\n",
			`policy: follow_up.alerts[0].at: 0 must be at least 1 (line 3)`},
		{"alert levels decreasing", "follow_up:\n  alerts:\n    - at: 7\n      severity: medium\n    - at: 5\n      severity: high\n",
			`policy: follow_up.alerts[1].at: 5 must be greater than the previous level 7 (line 5)`},
		{"alert levels repeated", "follow_up:\n  alerts:\n    - at: 7\n      severity: medium\n    - at: 7\n      severity: high\n",
			`policy: follow_up.alerts[1].at: 7 must be greater than the previous level 7 (line 5)`},
		{"alert severity unknown", "follow_up:\n  alerts:\n    - at: 7\n      severity: urgent\n",
			`policy: follow_up.alerts[0].severity: severity "urgent" is not one of low, medium, high (line 4)`},
		{"alert severity missing", "follow_up:\n  alerts:\n    - at: 7\n",
			`policy: follow_up.alerts[0].severity: severity "" is not one of low, medium, high`},
		{"report severity unknown", "report:\n  severity: urgent\n",
			`policy: report.severity: severity "urgent" is not one of low, medium, high (line 2)`},
		{"report escalated severity unknown", "report:\n  nudged_or_offensive: \"\"\n",
			`policy: report.nudged_or_offensive: severity "" is not one of low, medium, high (line 2)`},
		{"content severity unknown", "content:\n  hate: urgent\n",
			`policy: content.hate: severity "urgent" is not one of low, medium, high (line 2)`},
		{"sexual_unanswered severity unknown", "content:\n  sexual_unanswered: HIGH\n",
			`policy: content.sexual_unanswered: severity "HIGH" is not one of low, medium, high (line 2)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.file))
			if err == nil {
				t.Fatalf("Parse succeeded: %s", p.Describe())
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte("version: strict-2\nfollow_up:\n  nudge_at: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("window: 0s\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	p, err := policy.Load(good)
	if err != nil {
		t.Fatal(err)
	}
	if p.Version() != "strict-2" || p.Nudge().Attempts != 3 {
		t.Errorf("Load(good) = version %q, nudge %+v", p.Version(), p.Nudge())
	}

	_, err = policy.Load(bad)
	if want := "policy: " + bad + ": window: 0s must be positive (line 1)"; err == nil || err.Error() != want {
		t.Errorf("Load(bad) error = %v, want %q", err, want)
	}
	_, err = policy.Load(filepath.Join(dir, "missing.yaml"))
	if err == nil || !strings.HasPrefix(err.Error(), "policy: open ") {
		t.Errorf("Load(missing) error = %v", err)
	}
}

func TestParseNormalisesDefaultLocale(t *testing.T) {
	p, err := policy.Parse([]byte("coach:\n  default_locale: en-GB\n"))
	if err != nil {
		t.Fatal(err)
	}
	in := message(4)
	in.Locale, in.RecipientLocale = "de", "it"
	for _, n := range p.Decide(in, counted(4)).Nudges {
		if n.Locale != "en" {
			t.Errorf("%s nudge locale = %q, want en", n.Kind, n.Locale)
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		lines []string
	}{
		{"default", defaultFile, []string{
			"Policy relance-default-2.",
			"sliding window of 7 days",
			"a message and every later one sent less than 5 minutes after it are one",
			"1 to 3 attempts: nothing.",
			"4 attempts or 10 unanswered messages, whichever comes first: Lara reminds the sender of the rules (follow_up_limit) and checks in with the recipient (check_in).",
			"7 attempts or 20 unanswered messages, whichever comes first: moderation alert, severity medium (unanswered_streak, continued_after_nudge).",
			"12 attempts or 40 unanswered messages, whichever comes first: moderation alert, severity high (unanswered_streak, continued_after_nudge).",
			"Beyond: nothing more for this streak.",
			"sexual, content or pictures the recipient has not answered: high",
			"https://www.arretonslesviolences.gouv.fr",
			"severity high when the streak was nudged or",
			"block: the streak ends (it is not an answer); unblock changes no streak.",
			"to the sender in the message's locale and to the recipient in its recipient_locale",
		}},
		{"one day", "window: 1d\n", []string{"sliding window of 1 day,"}},
		{"alert before the nudge", "window: 36h\ncoach:\n  name: Sam\nfollow_up:\n  burst: 0\n  nudge_at: 3\n  nudge_at_messages: 0\n  alerts:\n    - at: 2\n      severity: low\n", []string{
			"sliding window of 36h0m0s",
			"Every message is an attempt (burst 0).",
			"1 attempt: nothing.",
			"2 attempts: moderation alert, severity low (unanswered_streak).",
			"3 attempts: Sam reminds the sender",
			"Beyond: nothing more",
		}},
		{"reminder", "follow_up:\n  burst: 90s\n  reminder_at: 3\n", []string{
			"less than 90 seconds after it",
			"1 to 2 attempts: nothing.",
			"3 attempts: Lara gently reminds the sender of the rule (follow_up_reminder), unless the next level came first.",
			"4 attempts or 10 unanswered messages",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got := p.Describe()
			for _, l := range tt.lines {
				if !strings.Contains(got, l) {
					t.Errorf("Describe() lacks %q:\n%s", l, got)
				}
			}
		})
	}
}
