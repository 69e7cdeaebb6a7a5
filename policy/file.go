package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/relance/relance/coach"
	"github.com/relance/relance/topics"
)

// document is the policy file's shape. Parse fills one with the defaults before decoding,
// so keys a file leaves out keep them.
type document struct {
	Version  string      `yaml:"version"`
	Window   string      `yaml:"window"`
	Coach    coachDoc    `yaml:"coach"`
	FollowUp followUpDoc `yaml:"follow_up"`
	Content  contentDoc  `yaml:"content"`
	Report   reportDoc   `yaml:"report"`
	Repeat   repeatDoc   `yaml:"repeat_offenders"`
}

// repeatDoc is the sender-level alerts: per count of distinct members over the window,
// the levels at which one fires.
type repeatDoc struct {
	Pestered   []alertDoc `yaml:"pestered"`
	BlockedBy  []alertDoc `yaml:"blocked_by"`
	ReportedBy []alertDoc `yaml:"reported_by"`
}

// reportDoc is the severity of the alert a member's report raises: nudged_or_offensive
// when the reported streak was nudged or carried offensive content, severity otherwise.
type reportDoc struct {
	Severity          string `yaml:"severity"`
	NudgedOrOffensive string `yaml:"nudged_or_offensive"`
}

type coachDoc struct {
	Name          string `yaml:"name"`
	ResourceURL   string `yaml:"resource_url"`
	DefaultLocale string `yaml:"default_locale"`
}

type followUpDoc struct {
	Burst           string     `yaml:"burst"`
	ReminderAt      int        `yaml:"reminder_at"`
	NudgeAt         int        `yaml:"nudge_at"`
	NudgeAtMessages int        `yaml:"nudge_at_messages"`
	Alerts          []alertDoc `yaml:"alerts"`
}

// alertDoc is one alert level: at attempts or, when Messages is not 0, at that many
// unanswered messages, whichever comes first.
type alertDoc struct {
	At       int    `yaml:"at"`
	Messages int    `yaml:"messages"`
	Severity string `yaml:"severity"`
}

type contentDoc struct {
	Insult           string `yaml:"insult"`
	Hate             string `yaml:"hate"`
	Threat           string `yaml:"threat"`
	Sexual           string `yaml:"sexual"`
	SexualUnanswered string `yaml:"sexual_unanswered"`
}

// sexualUnanswered is the content key for sexual content the recipient has not answered.
const sexualUnanswered = "sexual_unanswered"

// contentKeys are the content section's keys, in the file's order.
var contentKeys = []string{
	string(CategoryInsult), string(CategoryHate), string(CategoryThreat), string(CategorySexual), sexualUnanswered,
}

func defaultDocument() document {
	return document{
		Version: DefaultVersion,
		Window:  "168h",
		Coach: coachDoc{
			Name:          coach.DefaultName,
			ResourceURL:   coach.DefaultResourceURL,
			DefaultLocale: coach.DefaultLanguage,
		},
		FollowUp: followUpDoc{
			Burst:           "5m",
			NudgeAt:         4,
			NudgeAtMessages: 10,
			Alerts: []alertDoc{
				{At: 7, Messages: 20, Severity: topics.SeverityMedium},
				{At: 12, Messages: 40, Severity: topics.SeverityHigh},
			},
		},
		Report: reportDoc{Severity: topics.SeverityMedium, NudgedOrOffensive: topics.SeverityHigh},
		Repeat: repeatDoc{
			Pestered:   []alertDoc{{At: 3, Severity: topics.SeverityMedium}, {At: 5, Severity: topics.SeverityHigh}},
			BlockedBy:  []alertDoc{{At: 3, Severity: topics.SeverityMedium}},
			ReportedBy: []alertDoc{{At: 2, Severity: topics.SeverityHigh}},
		},
		Content: contentDoc{
			Insult:           topics.SeverityMedium,
			Hate:             topics.SeverityHigh,
			Threat:           topics.SeverityHigh,
			Sexual:           topics.SeverityMedium,
			SexualUnanswered: topics.SeverityHigh,
		},
	}
}

func parse(data []byte) (*Policy, error) {
	// The node tree only serves to point errors at lines, including for unknown keys.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(err, nil)
	}
	lines := map[string]int{}
	collectLines(&root, "", lines)

	doc := defaultDocument()
	doc.Version = "" // a file that does not name itself is named by its hash, below
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF): // empty file: all defaults
	case err != nil:
		return nil, yamlError(err, lines)
	default:
		if err := dec.Decode(new(yaml.Node)); !errors.Is(err, io.EOF) {
			return nil, errors.New("more than one YAML document")
		}
	}
	if doc.Version == "" {
		sum := sha256.Sum256(data)
		doc.Version = "sha256:" + hex.EncodeToString(sum[:])[:12]
	}
	return compile(doc, lines)
}

// compile turns a decoded document into a validated Policy.
func compile(doc document, lines map[string]int) (*Policy, error) {
	p := &Policy{
		version:     doc.Version,
		coachName:   doc.Coach.Name,
		resourceURL: doc.Coach.ResourceURL,
		locale:      doc.Coach.DefaultLocale,
		reminderAt:  doc.FollowUp.ReminderAt,
		nudge:       Threshold{Attempts: doc.FollowUp.NudgeAt, Messages: doc.FollowUp.NudgeAtMessages},
		content: map[string]string{
			string(CategoryInsult): doc.Content.Insult,
			string(CategoryHate):   doc.Content.Hate,
			string(CategoryThreat): doc.Content.Threat,
			string(CategorySexual): doc.Content.Sexual,
			sexualUnanswered:       doc.Content.SexualUnanswered,
		},
		report:   doc.Report.Severity,
		reportUp: doc.Report.NudgedOrOffensive,
		lines:    lines,
	}
	window, err := parseWindow(doc.Window)
	if err != nil {
		return nil, p.fieldError("window", "%q is not a duration such as 168h or 7d", doc.Window)
	}
	p.window = window
	burst, err := time.ParseDuration(strings.TrimSpace(doc.FollowUp.Burst))
	if strings.TrimSpace(doc.FollowUp.Burst) == "0" {
		burst, err = 0, nil
	}
	if err != nil {
		return nil, p.fieldError("follow_up.burst", "%q is not a duration such as 5m or 0", doc.FollowUp.Burst)
	}
	p.burst = burst
	if lang, ok := coach.Language(doc.Coach.DefaultLocale); ok {
		p.locale = lang // accept "fr-FR" and the like
	}
	for i, levels := range [...][]alertDoc{doc.Repeat.Pestered, doc.Repeat.BlockedBy, doc.Repeat.ReportedBy} {
		for j, a := range levels {
			if a.Messages != 0 {
				return nil, p.fieldError(fmt.Sprintf("repeat_offenders.%s[%d].messages", SenderKinds[i], j), "a count of members has no messages")
			}
			p.senders[i] = append(p.senders[i], level{Threshold: Threshold{Attempts: a.At}, severity: a.Severity})
		}
	}
	for _, a := range doc.FollowUp.Alerts {
		p.alerts = append(p.alerts, level{Threshold: Threshold{Attempts: a.At, Messages: a.Messages}, severity: a.Severity})
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// parseWindow accepts Go durations ("168h") and whole days, alone or followed by one
// ("7d", "1d12h"): time.ParseDuration has no day unit.
func parseWindow(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	days, rest, ok := strings.Cut(s, "d")
	if !ok {
		return time.ParseDuration(s)
	}
	n, err := strconv.ParseInt(days, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/int64(24*time.Hour) {
		return 0, fmt.Errorf("bad number of days %q", days)
	}
	d := time.Duration(n) * 24 * time.Hour
	if rest != "" {
		r, err := time.ParseDuration(rest)
		if err != nil || r < 0 {
			return 0, fmt.Errorf("bad duration after days %q", rest)
		}
		d += r
	}
	return d, nil
}

// collectLines records the line of every mapping key, by path ("follow_up.alerts[1].at").
func collectLines(n *yaml.Node, path string, lines map[string]int) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			collectLines(c, path, lines)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			lines[p] = k.Line
			collectLines(v, p, lines)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			collectLines(c, fmt.Sprintf("%s[%d]", path, i), lines)
		}
	}
}

// typeNames hides the decoder's Go types from messages meant for operators.
var typeNames = strings.NewReplacer(
	"[]policy.alertDoc", "a list of alerts",
	"policy.document", "a mapping",
	"policy.coachDoc", "a mapping",
	"policy.followUpDoc", "a mapping",
	"policy.alertDoc", "a mapping",
	"policy.contentDoc", "a mapping",
	"policy.reportDoc", "a mapping",
	"policy.repeatDoc", "a mapping",
)

var (
	yamlLine     = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
)

// yamlError rewrites yaml.v3's messages ("line 3: field windw not found in type
// policy.document") in the policy's own terms: the field's path when it can be told,
// what is wrong, and the line.
func yamlError(err error, lines map[string]int) error {
	msgs := []string{err.Error()}
	if te, ok := errors.AsType[*yaml.TypeError](err); ok {
		msgs = te.Errors
	}
	out := make([]string, len(msgs))
	for i, msg := range msgs {
		out[i] = relocate(msg, lines)
	}
	return errors.New(strings.Join(out, "; "))
}

func relocate(msg string, lines map[string]int) string {
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return strings.TrimPrefix(msg, "yaml: ")
	}
	line, _ := strconv.Atoi(m[1])
	what, name := typeNames.Replace(m[2]), ""
	if f := unknownField.FindStringSubmatch(m[2]); f != nil {
		what, name = "unknown field", f[1]
	}
	if field := fieldAt(lines, line, name); field != "" {
		return fmt.Sprintf("%s: %s (line %d)", field, what, line)
	}
	return fmt.Sprintf("%s (line %d)", what, line)
}

// fieldAt is the one key on line whose last element is name (any name when empty), or ""
// when there is none or several.
func fieldAt(lines map[string]int, line int, name string) string {
	found := ""
	for path, l := range lines {
		if l != line || (name != "" && !strings.HasSuffix("."+path, "."+name)) {
			continue
		}
		if found != "" {
			return ""
		}
		found = path
	}
	return found
}
