package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/relance/relance/coach"
	"github.com/relance/relance/topics"
)

// Describe explains in plain words what the policy does at each level of a streak and for
// offensive content, for operators checking a policy file.
func (p *Policy) Describe() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	w("Policy %s.", p.version)
	w("Follow-ups (rule 2): for each sender and recipient, the sender's messages sent after the")
	w("recipient last answered, within a sliding window of %s, are unanswered.", describeDuration(p.window))
	if p.burst > 0 {
		w("They form attempts: a message and every later one sent less than %s after it are one", describeShort(p.burst))
		w("attempt (quick bubbles are one thought); the next message after that starts the next")
		w("attempt. An attempt's length counts from its first message, so writing every few minutes")
		w("does not keep one open.")
	} else {
		w("Every message is an attempt (burst 0).")
	}
	type step struct {
		t    Threshold
		what string
	}
	var steps []step
	if r, ok := p.reminder(); ok {
		steps = append(steps, step{r, fmt.Sprintf("%s gently reminds the sender of the rule (%s), unless the next level came first",
			p.coachName, topics.KindFollowUpReminder)})
	}
	steps = append(steps, step{p.nudge, fmt.Sprintf("%s reminds the sender of the rules (%s) and checks in with the recipient (%s)",
		p.coachName, topics.KindFollowUpLimit, topics.KindCheckIn)})
	for _, l := range p.alerts {
		reasons := topics.ReasonUnansweredStreak
		if l.Attempts > p.nudge.Attempts {
			reasons += ", " + topics.ReasonContinuedAfterNudge
		}
		steps = append(steps, step{l.Threshold, fmt.Sprintf("moderation alert, severity %s (%s)", l.severity, reasons)})
	}
	slices.SortStableFunc(steps, func(a, b step) int { return a.t.Attempts - b.t.Attempts })
	switch first := steps[0].t.Attempts; {
	case first == 2:
		w("  1 attempt: nothing.")
	case first > 2:
		w("  1 to %d attempts: nothing.", first-1)
	}
	for _, st := range steps {
		w("  %s: %s.", describeThreshold(st.t), st.what)
	}
	w("  Beyond: nothing more for this streak.")
	w("Each level fires once per streak, at whichever of its two counts comes first. A streak")
	w("ends when the recipient answers, or when all of the sender's unanswered messages have")
	w("left the window.")
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
	w("The recipient's answer (member-action), on the streak current at its time:")
	w("  dismiss (all is fine): no more follow-up nudges, check-ins or alerts for that streak;")
	w("    offensive content still counts. The next streak starts afresh.")
	w("  block: the streak ends (it is not an answer); unblock changes no streak.")
	w("  report: a moderation alert at once (reported, and what the streak shows), with its")
	w("    unanswered messages as evidence: severity %s when the streak was nudged or", p.reportUp)
	w("    carried offensive content, else %s.", p.report)
	w("  Each action counts once (by its id); one older than the window changes nothing.")
	w("")
	w("Repeat offenders: per sender, over the window, the distinct members they pestered (a streak")
	w("of theirs reached the follow-up limit, not dismissed), were blocked by, and were reported by:")
	for k, levels := range p.senders {
		for _, l := range levels {
			w("  %s %d members: moderation alert, severity %s (%s), with the members.", [3]string{"pestered", "blocked by", "reported by"}[k], l.Attempts, l.severity, senderReasons[k])
		}
	}
	w("  Each fires when its count reaches it, again if the count has fallen below it since.")
	w("")
	w("Check-ins offer to report or block, and point to %s.", p.resourceURL)
	w("%s writes to the sender in the message's locale and to the recipient in its recipient_locale", p.coachName)
	w("(else in its locale too), when she has texts for it (%s), else in %s.", strings.Join(coach.Languages(), ", "), p.locale)
	return b.String()
}

// describeThreshold says when a level fires: "4 attempts or 10 unanswered messages".
func describeThreshold(t Threshold) string {
	s := fmt.Sprintf("%d attempts", t.Attempts)
	if t.Attempts == 1 {
		s = "1 attempt"
	}
	if t.Messages > 0 {
		s += fmt.Sprintf(" or %d unanswered messages, whichever comes first", t.Messages)
	}
	return s
}

// describeShort writes a short duration in words: "5 minutes", "90 seconds", else Go's form.
func describeShort(d time.Duration) string {
	switch {
	case d == time.Minute:
		return "1 minute"
	case d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%d seconds", d/time.Second)
	}
	return d.String()
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
