package policy

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/relance/relance/coach"
	"github.com/relance/relance/topics"
)

// Input is one decoded event: the observation the store records (with the offensive
// content found in the message: see Categories and TextChecker) and what the coach needs to
// write to its members. It carries no text.
type Input struct {
	Observation Observation
	// Locale is the message's locale as sent: the sender's language. The coach writes the
	// sender's nudges in it, or in the policy's default language when it has no texts for it.
	Locale string
	// RecipientLocale is the message's recipient_locale as sent: the recipient's language,
	// in which the coach writes the recipient's check-ins, with the same fallback. When it is
	// empty they are written in Locale's language, as they were before the field.
	RecipientLocale string
}

// Decisions are the outputs one message calls for. Nudges come sender first, then
// recipient; alerts by level, then the message's content alert.
type Decisions struct {
	Nudges []topics.CoachNudge
	Alerts []topics.ModerationAlert
}

// Decide says what a message means under the policy, given the Streak the store returned
// for it. It is pure: no I/O and no clock, only event times, so a replay or a redelivery
// takes the same decisions with the same ids.
//
// Levels (the reminder, the nudge and each alert) fire when the observation carried the
// streak's peaks to their threshold (Threshold.Crossed: attempts or unanswered messages,
// whichever comes first), for counted and replayed messages only: once per streak. The
// reminder never fires once the nudge has.
// Offensive content nudges both members on the streak's first offensive message (counted
// or replayed), and raises an alert for every offensive message, even one arriving late.
// A redelivered message is decided with the categories of its first pass (Streak.Categories).
func (p *Policy) Decide(in Input, s Streak) Decisions {
	switch in.Observation.Action {
	case ActionMessage:
		return p.decideMessage(in, s)
	case ActionReply:
		return Decisions{} // an answer only ends the other direction's streak
	case ActionReport:
		if s.Status != StatusAction && s.Status != StatusReplayed {
			return Decisions{} // stale, or a redelivery with nothing stored
		}
		d := decision{p: p, msg: in.Observation, s: s}
		return Decisions{Alerts: []topics.ModerationAlert{d.reportAlert()}}
	case ActionDismiss, ActionBlock, ActionUnblock:
		return Decisions{} // they change the streak; the decisions are the next messages'
	}
	panic(fmt.Sprintf("policy: Decide: %s not handled", in.Observation.Action)) // caught by TestDecideHandlesEveryAction
}

// DecideResult is Decide for the pair's streak, then the sender-level alerts of the
// observation's repeat-offender signal (r.Senders).
func (p *Policy) DecideResult(in Input, r Result) Decisions {
	d := p.Decide(in, r.Streak)
	for _, c := range r.Senders {
		d.Alerts = append(d.Alerts, p.senderAlert(in.Observation, c))
	}
	return d
}

// senderReasons are the alert reason of each of SenderKinds.
var senderReasons = [3]string{topics.ReasonRepeatedPestering, topics.ReasonBlockedByMany, topics.ReasonReportedByMany}

// senderAlert is a sender-level alert: about the sender, the members in member_ids; its
// recipient is the member whose signal crossed the level. Its id names the crossing (kind,
// level, that member and time), so a redelivery publishes it again under the same id.
func (p *Policy) senderAlert(o Observation, c SenderCrossing) topics.ModerationAlert {
	severity := ""
	for _, l := range p.senders[c.Kind] {
		if l.Attempts == c.Level {
			severity = l.severity
		}
	}
	at := c.At.UTC()
	id := decisionID(purposeSenderAlert, SenderKinds[c.Kind], strconv.Itoa(c.Level), o.SenderID, c.Member, at.Format(time.RFC3339Nano))
	d := decision{p: p, msg: o}
	a := d.alert(id, severity, []string{senderReasons[c.Kind]}, []string{}, []string{})
	a.RecipientID, a.MemberIDs, a.LastMessageAt, a.UnansweredCount, a.Attempts = c.Member, slices.Clone(c.Members), at, 0, 0
	a.FirstUnansweredAt, a.NudgedAt = nil, nil
	if o.Action.IsMemberAction() {
		a.ActionID = o.MessageID
	}
	return a
}

func (p *Policy) decideMessage(in Input, s Streak) Decisions {
	d := decision{p: p, msg: in.Observation, s: s, senderLang: p.language(in.Locale)}
	d.recipientLang = d.senderLang
	if in.RecipientLocale != "" {
		d.recipientLang = p.language(in.RecipientLocale)
	}
	categories := in.Observation.Categories
	if s.Redelivered {
		categories = s.Categories
	}
	categories = p.known(categories)
	counted := s.Status == StatusCounted || s.Status == StatusReplayed
	// The recipient said all is fine: rule 2 is silent for the rest of the streak.
	rule2 := counted && !s.Dismissed
	followUp := rule2 && p.nudge.Crossed(s)
	// The reminder comes before the limit or not at all.
	r, on := p.reminder()
	remind := on && rule2 && r.Crossed(s) && !p.nudge.Reached(s.PeakAttempts, s.Peak)
	respect := counted && len(categories) > 0 && s.PrevOffensive == 0 && s.Offensive > 0

	var out Decisions
	if remind {
		out.Nudges = append(out.Nudges, d.followUpNudge(topics.AudienceSender, topics.KindFollowUpReminder))
	}
	if followUp {
		out.Nudges = append(out.Nudges, d.followUpNudge(topics.AudienceSender, topics.KindFollowUpLimit))
	}
	if respect {
		out.Nudges = append(out.Nudges, d.contentNudge(topics.AudienceSender, topics.KindRespectfulLanguage))
	}
	if followUp {
		out.Nudges = append(out.Nudges, d.followUpNudge(topics.AudienceRecipient, topics.KindCheckIn))
	}
	if respect {
		out.Nudges = append(out.Nudges, d.contentNudge(topics.AudienceRecipient, topics.KindCheckIn))
	}
	for _, l := range p.alerts {
		if rule2 && l.Crossed(s) {
			out.Alerts = append(out.Alerts, d.levelAlert(l))
		}
	}
	// Late, stale and duplicate messages still carry their content: moderators hear of
	// it even when the streak does not move. An answer is the recipient's own message.
	if len(categories) > 0 && s.Status != StatusAnswer {
		out.Alerts = append(out.Alerts, d.contentAlert(categories))
	}
	return out
}

// known keeps the categories the policy has severities for, sorted and distinct.
func (p *Policy) known(categories []Category) []Category {
	var out []Category
	for _, c := range categories {
		if _, ok := p.content[string(c)]; ok && c != sexualUnanswered {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Id purposes: each kind of decision hashes its own tuple, so no two share an id.
const (
	purposeFollowUpNudge = "follow_up_nudge"
	purposeContentNudge  = "content_nudge"
	purposeLevelAlert    = "level_alert"
	purposeContentAlert  = "content_alert"
	purposeReportAlert   = "report_alert"
	purposeSenderAlert   = "sender_alert"
)

// decision builds the outputs for one message.
type decision struct {
	p   *Policy
	msg Observation
	s   Streak
	// senderLang and recipientLang are the languages the coach writes to each member in.
	senderLang, recipientLang string
}

func (d decision) followUpNudge(audience, kind string) topics.CoachNudge {
	id := decisionID(purposeFollowUpNudge, kind, d.msg.SenderID, d.msg.RecipientID, d.s.StartID)
	// A limit reached by the messages before the attempts is a flood: the coach speaks of
	// many messages, not of follow-ups.
	flood := kind != topics.KindFollowUpReminder && d.s.PeakAttempts < d.p.nudge.Attempts
	return d.nudge(id, audience, kind, coach.ReasonPestering, flood, evidence(d.s.MessageIDs))
}

// contentNudge lists only the triggering message: the streak's other messages may be
// perfectly polite.
func (d decision) contentNudge(audience, kind string) topics.CoachNudge {
	id := decisionID(purposeContentNudge, kind, d.msg.SenderID, d.msg.RecipientID, d.s.StartID)
	return d.nudge(id, audience, kind, coach.ReasonOffensive, false, []string{d.msg.MessageID})
}

func (d decision) nudge(id, audience, kind string, reason coach.Reason, flood bool, messageIDs []string) topics.CoachNudge {
	user, other, lang := d.msg.SenderID, d.msg.RecipientID, d.senderLang
	if audience == topics.AudienceRecipient {
		user, other, lang = other, user, d.recipientLang
	}
	count, attempts := max(d.s.Count, 0), max(d.s.Attempts, 0)
	text := coach.Render(lang, coach.Message{
		Kind:        kind,
		Reason:      reason,
		Coach:       d.p.coachName,
		Unanswered:  count,
		Attempts:    attempts,
		Flood:       flood,
		ResourceURL: d.p.resourceURL,
	})
	n := topics.CoachNudge{
		NudgeID:         id,
		UserID:          user,
		Audience:        audience,
		Kind:            kind,
		OtherUserID:     other,
		UnansweredCount: count,
		Attempts:        attempts,
		WindowSeconds:   d.windowSeconds(),
		Locale:          lang,
		Coach:           d.p.coachName,
		Title:           text.Title,
		Body:            text.Body,
		Actions:         text.Actions,
		MessageIDs:      messageIDs,
		TriggeredBy:     d.msg.MessageID,
		OccurredAt:      d.msg.SentAt.UTC(),
		PolicyVersion:   d.p.version,
	}
	if kind == topics.KindCheckIn {
		n.ResourceURL = d.p.resourceURL
	}
	return n
}

func (d decision) levelAlert(l level) topics.ModerationAlert {
	reasons := []string{topics.ReasonUnansweredStreak}
	if d.p.nudge.Reached(d.s.PrevPeakAttempts, d.s.PrevPeak) {
		reasons = append(reasons, topics.ReasonContinuedAfterNudge)
	}
	id := decisionID(purposeLevelAlert, strconv.Itoa(l.Attempts), d.msg.SenderID, d.msg.RecipientID, d.s.StartID)
	return d.alert(id, l.severity, reasons, evidence(d.s.MessageIDs), []string{})
}

// contentAlert takes the highest severity of the message's categories. Sexual content the
// recipient has not answered (in the window before the message) is unsolicited.
func (d decision) contentAlert(categories []Category) topics.ModerationAlert {
	answered := !d.s.AnsweredAt.IsZero() && !d.s.AnsweredAt.Before(d.msg.SentAt.Add(-d.p.window))
	var severity string
	reasons := []string{}
	labels := make([]string, len(categories))
	for i, c := range categories {
		key, reason := string(c), contentReasons[c]
		if c == CategorySexual && !answered {
			key, reason = sexualUnanswered, topics.ReasonUnsolicitedSexualContent
		}
		if s := d.p.content[key]; severityRank[s] > severityRank[severity] {
			severity = s
		}
		if !slices.Contains(reasons, reason) {
			reasons = append(reasons, reason)
		}
		labels[i] = string(c)
	}
	// A counted message's case is the whole streak; any other stands on its own.
	messageIDs := []string{d.msg.MessageID}
	if d.s.Status == StatusCounted || d.s.Status == StatusReplayed {
		messageIDs = evidence(d.s.MessageIDs)
		if !slices.Contains(messageIDs, d.msg.MessageID) {
			messageIDs = append(messageIDs, d.msg.MessageID) // the evidence was capped before it
		}
	}
	id := decisionID(purposeContentAlert, topics.ReasonOffensiveContent, d.msg.SenderID, d.msg.RecipientID, d.msg.MessageID)
	return d.alert(id, severity, reasons, messageIDs, labels)
}

// reportAlert is the alert a report raises at once: reasons reported and what the
// streak shows, its evidence as it stood at the report, severity by whether it was
// nudged or offensive. The Observation's Sender is the member reported; triggered_by
// and action_id are the report's id.
func (d decision) reportAlert() topics.ModerationAlert {
	reasons := []string{topics.ReasonReported}
	nudged, offensive := !d.s.NudgedAt.IsZero(), d.s.Offensive > 0
	if nudged {
		reasons = append(reasons, topics.ReasonUnansweredStreak)
		if d.s.LastMessageAt.After(d.s.NudgedAt) {
			reasons = append(reasons, topics.ReasonContinuedAfterNudge)
		}
	}
	if offensive {
		reasons = append(reasons, topics.ReasonOffensiveContent)
	}
	severity := d.p.report
	if nudged || offensive {
		severity = d.p.reportUp
	}
	id := decisionID(purposeReportAlert, d.msg.MessageID, d.msg.SenderID, d.msg.RecipientID, "")
	a := d.alert(id, severity, reasons, evidence(d.s.MessageIDs), []string{})
	a.ActionID = d.msg.MessageID
	if a.LastMessageAt.IsZero() {
		a.LastMessageAt = d.msg.SentAt.UTC() // nothing unanswered: the report's time
	}
	return a
}

// contentReasons are the alert reasons of each category; sexual content the recipient
// has not answered is ReasonUnsolicitedSexualContent instead.
var contentReasons = map[Category]string{
	CategoryHate:   topics.ReasonHate,
	CategoryInsult: topics.ReasonOffensiveContent,
	CategorySexual: topics.ReasonOffensiveContent,
	CategoryThreat: topics.ReasonThreat,
}

func (d decision) alert(id, severity string, reasons, messageIDs, labels []string) topics.ModerationAlert {
	return topics.ModerationAlert{
		AlertID:           id,
		Severity:          severity,
		SenderID:          d.msg.SenderID,
		RecipientID:       d.msg.RecipientID,
		Reasons:           reasons,
		UnansweredCount:   max(d.s.Count, 0),
		Attempts:          max(d.s.Attempts, 0),
		WindowSeconds:     d.windowSeconds(),
		MessageIDs:        messageIDs,
		ContentLabels:     labels,
		FirstUnansweredAt: optionalTime(d.s.FirstUnansweredAt),
		LastMessageAt:     d.s.LastMessageAt.UTC(),
		NudgedAt:          optionalTime(d.s.NudgedAt),
		MemberIDs:         []string{},
		TriggeredBy:       d.msg.MessageID,
		OccurredAt:        d.msg.SentAt.UTC(),
		PolicyVersion:     d.p.version,
	}
}

func (d decision) windowSeconds() int64 { return int64(d.p.window / time.Second) }

// evidence copies a streak's message ids, never nil: outputs list them as [] at least.
func evidence(ids []string) []string {
	return append([]string{}, ids...)
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
