package policy

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// YAML writes the effective policy as a complete policy file, every default filled in, so
// that operators see what a file that leaves keys out amounts to. Parse reads it back to an
// equivalent policy.
func (p *Policy) YAML() ([]byte, error) {
	doc := document{
		Version: p.version,
		Window:  formatDuration(p.window),
		Coach: coachDoc{
			Name:          p.coachName,
			ResourceURL:   p.resourceURL,
			DefaultLocale: p.locale,
		},
		FollowUp: followUpDoc{
			Burst:           p.burst.String(),
			ReminderAt:      p.reminderAt,
			NudgeAt:         p.nudge.Attempts,
			NudgeAtMessages: p.nudge.Messages,
			Alerts:          []alertDoc{},
		},
		Report: reportDoc{Severity: p.report, NudgedOrOffensive: p.reportUp},
		Repeat: repeatDoc{Pestered: senderDocs(p.senders[0]), BlockedBy: senderDocs(p.senders[1]), ReportedBy: senderDocs(p.senders[2])},
		Content: contentDoc{
			Insult:           p.content[string(CategoryInsult)],
			Hate:             p.content[string(CategoryHate)],
			Threat:           p.content[string(CategoryThreat)],
			Sexual:           p.content[string(CategorySexual)],
			SexualUnanswered: p.content[sexualUnanswered],
		},
	}
	for _, l := range p.alerts {
		doc.FollowUp.Alerts = append(doc.FollowUp.Alerts, alertDoc{At: l.Attempts, Messages: l.Messages, Severity: l.severity})
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return out, nil
}

func senderDocs(levels []level) []alertDoc {
	out := []alertDoc{}
	for _, l := range levels {
		out = append(out, alertDoc{At: l.Attempts, Severity: l.severity})
	}
	return out
}
