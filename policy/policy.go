package policy

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/relance/relance/coach"
	"github.com/relance/relance/topics"
)

// DefaultVersion names the built-in policy in policy_version.
const DefaultVersion = "relance-default-2"

// Bounds checked by Validate.
const (
	// MaxWindow bounds the sliding window. Redis keeps a pair's state for the window plus
	// a margin, so the window is what bounds memory.
	MaxWindow = 90 * 24 * time.Hour
	// MaxBurst bounds the burst: quick bubbles are minutes apart, not days.
	MaxBurst = 24 * time.Hour
	// MaxCoachName bounds the coach's name in bytes: it is shown in notification titles.
	MaxCoachName = 64
	// maxSenderLevel bounds a sender-level count: a sender's record keeps that many
	// members per kind.
	maxSenderLevel = 100
	// maxVersion keeps policy_version a short identifier fit for logs and metric labels.
	maxVersion = 128
)

// Policy is a validated policy: what the counts of a streak and a message's content mean.
// Build one with Default, Parse or Load; it is immutable and safe for concurrent use.
type Policy struct {
	version     string
	window      time.Duration
	coachName   string
	resourceURL string
	locale      string // a language coach.Render supports, once validated
	// burst groups a sender's quick messages into one attempt (see Threshold).
	burst time.Duration
	// reminderAt is the attempts of the optional follow_up_reminder, 0 when off.
	reminderAt int
	nudge      Threshold
	alerts     []level // by increasing attempts
	// content holds rule 3's severities by the file's key: a Category, or
	// sexualUnanswered for sexual content the recipient has not answered.
	content map[string]string
	// report and reportUp are the severities of a report's alert: reportUp when the
	// streak reported was nudged or offensive.
	report, reportUp string
	// senders are the sender-level alerts by SenderKinds, each level's count in
	// Threshold.Attempts.
	senders [3][]level
	// lines maps a field's path ("follow_up.alerts[1].at") to its line in the file the
	// policy came from, so errors can point at it; nil for Default.
	lines map[string]int
}

// level is one moderation alert: its threshold and severity. Its id names it by
// Threshold.Attempts, whichever condition fired it.
type level struct {
	Threshold
	severity string
}

// Default returns the default policy the README documents: a 7-day window, attempts of
// 5 minutes, a nudge at 4 attempts or 10 unanswered messages, alerts at 7 or 20 (medium)
// and 12 or 40 (high), no reminder, and rule 3's severities.
func Default() *Policy {
	p, err := compile(defaultDocument(), nil)
	if err != nil {
		panic(fmt.Sprintf("policy: invalid defaults: %v", err)) // caught by the tests
	}
	return p
}

// Parse reads a policy file (YAML, see the package documentation) and validates it. Keys
// it leaves out take the defaults; unknown keys are an error. A file without a version is
// named "sha256:" and the first 12 hex digits of its SHA-256.
func Parse(data []byte) (*Policy, error) {
	p, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return p, nil
}

// Load reads and parses the policy file at path.
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	p, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("policy: %s: %w", path, err)
	}
	return p, nil
}

// Validate reports the first setting that cannot work, naming its field and, for a
// policy read from a file, its line.
func (p *Policy) Validate() error {
	if err := p.validate(); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	return nil
}

func (p *Policy) validate() error {
	switch {
	case p.version == "":
		return p.fieldError("version", "must not be empty")
	case len(p.version) > maxVersion:
		return p.fieldError("version", "%d bytes, more than %d", len(p.version), maxVersion)
	case strings.ContainsFunc(p.version, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }):
		return p.fieldError("version", "%q must not contain spaces or control characters", p.version)
	case p.window <= 0:
		return p.fieldError("window", "%s must be positive", formatDuration(p.window))
	case p.window > MaxWindow:
		return p.fieldError("window", "%s is longer than the maximum of %s", formatDuration(p.window), formatDuration(MaxWindow))
	case strings.TrimSpace(p.coachName) == "":
		return p.fieldError("coach.name", "must not be empty")
	case len(p.coachName) > MaxCoachName:
		return p.fieldError("coach.name", "%d bytes, more than %d", len(p.coachName), MaxCoachName)
	case !utf8.ValidString(p.coachName):
		return p.fieldError("coach.name", "must be valid UTF-8")
	case !isHTTPS(p.resourceURL):
		return p.fieldError("coach.resource_url", "%q is not an absolute https URL", p.resourceURL)
	case !isLanguage(p.locale):
		return p.fieldError("coach.default_locale", "%q is not one of %s", p.locale, strings.Join(coach.Languages(), ", "))
	case p.burst < 0 || p.burst%time.Millisecond != 0:
		return p.fieldError("follow_up.burst", "%s must be zero or a positive whole number of milliseconds", p.burst)
	case p.burst > MaxBurst:
		return p.fieldError("follow_up.burst", "%s is longer than the maximum of %s", p.burst, MaxBurst)
	case p.burst >= p.window:
		return p.fieldError("follow_up.burst", "%s must be shorter than the window (%s)", p.burst, formatDuration(p.window))
	case p.nudge.Attempts < 1:
		return p.fieldError("follow_up.nudge_at", "%d must be at least 1", p.nudge.Attempts)
	case p.nudge.Messages != 0 && p.nudge.Messages < p.nudge.Attempts:
		return p.fieldError("follow_up.nudge_at_messages", "%d is below nudge_at (%d): set it to 0 (attempts only) or at least %d", p.nudge.Messages, p.nudge.Attempts, p.nudge.Attempts)
	case p.reminderAt < 0 || (p.reminderAt > 0 && p.reminderAt >= p.nudge.Attempts):
		return p.fieldError("follow_up.reminder_at", "%d must be 0 (no reminder) or between 1 and nudge_at - 1 (%d)", p.reminderAt, p.nudge.Attempts-1)
	}
	for i, l := range p.alerts {
		field := fmt.Sprintf("follow_up.alerts[%d]", i)
		switch {
		case l.Attempts < 1:
			return p.fieldError(field+".at", "%d must be at least 1", l.Attempts)
		case i > 0 && l.Attempts <= p.alerts[i-1].Attempts:
			return p.fieldError(field+".at", "%d must be greater than the previous level %d", l.Attempts, p.alerts[i-1].Attempts)
		case l.Messages != 0 && l.Messages < l.Attempts:
			return p.fieldError(field+".messages", "%d is below its at (%d): set it to 0 (attempts only) or at least %d", l.Messages, l.Attempts, l.Attempts)
		case l.Messages != 0 && i > 0 && l.Messages <= p.alerts[i-1].Messages:
			return p.fieldError(field+".messages", "%d must be greater than the previous level's %d", l.Messages, p.alerts[i-1].Messages)
		case !isSeverity(l.severity):
			return p.fieldError(field+".severity", "%s", severityProblem(l.severity))
		}
	}
	for k, levels := range p.senders {
		for i, l := range levels {
			field := fmt.Sprintf("repeat_offenders.%s[%d]", SenderKinds[k], i)
			switch {
			case l.Attempts < 1 || l.Attempts > maxSenderLevel:
				return p.fieldError(field+".at", "%d must be between 1 and %d", l.Attempts, maxSenderLevel)
			case i > 0 && l.Attempts <= levels[i-1].Attempts:
				return p.fieldError(field+".at", "%d must be greater than the previous level %d", l.Attempts, levels[i-1].Attempts)
			case !isSeverity(l.severity):
				return p.fieldError(field+".severity", "%s", severityProblem(l.severity))
			}
		}
	}
	if !isSeverity(p.report) {
		return p.fieldError("report.severity", "%s", severityProblem(p.report))
	}
	if !isSeverity(p.reportUp) {
		return p.fieldError("report.nudged_or_offensive", "%s", severityProblem(p.reportUp))
	}
	for _, key := range contentKeys {
		if s := p.content[key]; !isSeverity(s) {
			return p.fieldError("content."+key, "%s", severityProblem(s))
		}
	}
	return nil
}

// fieldError names the field, and its line when the policy came from a file.
func (p *Policy) fieldError(field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if line, ok := p.lines[field]; ok {
		return fmt.Errorf("%s: %s (line %d)", field, msg, line)
	}
	return fmt.Errorf("%s: %s", field, msg)
}

// Version names the policy in every output's policy_version.
func (p *Policy) Version() string { return p.version }

// Window is the sliding window in which unanswered messages count.
func (p *Policy) Window() time.Duration { return p.window }

// Burst is how long after an attempt's first message the sender's later messages still
// belong to that attempt; zero makes every message an attempt.
func (p *Policy) Burst() time.Duration { return p.burst }

// Nudge is the threshold at which the coach nudges the sender (follow_up_limit) and checks
// in with the recipient.
func (p *Policy) Nudge() Threshold { return p.nudge }

// Thresholds are every rule-2 level's threshold: the reminder when on, the nudge and each
// alert. The store keeps what a redelivery needs for the messages that crossed one.
func (p *Policy) Thresholds() []Threshold {
	var ts []Threshold
	if r, ok := p.reminder(); ok {
		ts = append(ts, r)
	}
	ts = append(ts, p.nudge)
	for _, l := range p.alerts {
		ts = append(ts, l.Threshold)
	}
	return ts
}

// SenderKinds name the repeat-offender counts, as the policy file does: the distinct
// members a sender pestered (their streak reached the nudge level), was blocked by, and
// was reported by, over the window.
var SenderKinds = [3]string{"pestered", "blocked_by", "reported_by"}

// SenderLevels are the counts at which a sender-level alert fires, per SenderKinds.
func (p *Policy) SenderLevels() [3][]int {
	var out [3][]int
	for k, levels := range p.senders {
		for _, l := range levels {
			out[k] = append(out[k], l.Attempts)
		}
	}
	return out
}

// reminder is the follow_up_reminder's threshold, and whether the policy has one.
func (p *Policy) reminder() (Threshold, bool) {
	return Threshold{Attempts: p.reminderAt}, p.reminderAt > 0
}

// language is the supported language of a message's locale, else the policy's default.
func (p *Policy) language(locale string) string {
	if lang, ok := coach.Language(locale); ok {
		return lang
	}
	return p.locale
}

var severityRank = map[string]int{
	topics.SeverityLow:    1,
	topics.SeverityMedium: 2,
	topics.SeverityHigh:   3,
}

func isSeverity(s string) bool { return severityRank[s] > 0 }

func severityProblem(s string) string {
	return fmt.Sprintf("severity %q is not one of %s, %s, %s", s, topics.SeverityLow, topics.SeverityMedium, topics.SeverityHigh)
}

func isLanguage(locale string) bool {
	lang, ok := coach.Language(locale)
	return ok && lang == locale
}

func isHTTPS(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}

// formatDuration writes whole days as "7d", the way a policy file may, else Go's form.
func formatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d > 0 && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	return d.String()
}
