package policy

import (
	"fmt"
	"strings"
	"time"

	"github.com/relance/relance/coach"
	"github.com/relance/relance/topics"
)

// Describe explains in plain words what the policy does at each unanswered count and for
// offensive content, for operators checking a policy file.
func (p *Policy) Describe() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	w("Policy %s.", p.version)
	w("Unanswered messages: for each sender and recipient, the sender's messages sent after the")
	w("recipient last answered, within a sliding window of %s.", describeDuration(p.window))
	first := p.nudgeAt
	for _, l := range p.alerts {
		first = min(first, l.at)
	}
	switch {
	case first == 2:
		w("  1 unanswered: nothing.")
	case first > 2:
		w("  1 to %d unanswered: nothing.", first-1)
	}
	nudged := false
	nudge := func() {
		w("  %d unanswered: %s reminds the sender of the rules (%s) and checks in with the recipient (%s).",
			p.nudgeAt, p.coachName, topics.KindFollowUpLimit, topics.KindCheckIn)
		nudged = true
	}
	for _, l := range p.alerts {
		if !nudged && p.nudgeAt <= l.at {
			nudge()
		}
		reasons := topics.ReasonUnansweredStreak
		if l.at > p.nudgeAt {
			reasons += ", " + topics.ReasonContinuedAfterNudge
		}
		w("  %d unanswered: moderation alert, severity %s (%s).", l.at, l.severity, reasons)
	}
	if !nudged {
		nudge()
	}
	w("  More than %d: nothing more for this streak.", p.HighestLevel())
	w("Each of these fires at most once per streak. A streak ends when the recipient answers, or")
	w("when all of the sender's unanswered messages have left the window.")
	w("")
	w("Offensive content (the platform's labels, the text check, or sexual attachments):")
	w("  the streak's first offensive message: %s reminds the sender to be respectful (%s)", p.coachName, topics.KindRespectfulLanguage)
	w("  and checks in with the recipient (%s);", topics.KindCheckIn)
	w("  every offensive message, counted or not: a moderation alert with the highest severity of its categories:")
	w("    %s: %s", CategoryHate, p.content[string(CategoryHate)])
	w("    %s: %s", CategoryInsult, p.content[string(CategoryInsult)])
	w("    %s, the recipient has answered the sender within the window: %s", CategorySexual, p.content[string(CategorySexual)])
	w("    %s, content or pictures the recipient has not answered: %s", CategorySexual, p.content[sexualUnanswered])
	w("    %s: %s", CategoryThreat, p.content[string(CategoryThreat)])
	w("")
	w("Check-ins offer to report or block, and point to %s.", p.resourceURL)
	w("%s writes to the sender in the message's locale and to the recipient in its recipient_locale", p.coachName)
	w("(else in its locale too), when she has texts for it (%s), else in %s.", strings.Join(coach.Languages(), ", "), p.locale)
	return b.String()
}

// describeDuration writes whole days in words ("7 days"), else Go's form.
func describeDuration(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d == day:
		return "1 day"
	case d > 0 && d%day == 0:
		return fmt.Sprintf("%d days", d/day)
	}
	return d.String()
}
