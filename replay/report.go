package replay

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
)

// Figures are what a replay counts under one policy.
type Figures struct {
	// Events is the records decided, EventsByTopic by input topic, and EventsByOutcome by
	// the processor's outcome label (relance_events_consumed_total's: counted, replayed,
	// duplicate, late, stale, answer, dismiss, block, unblock, report, dead_letter).
	Events          int64            `json:"events"`
	EventsByTopic   map[string]int64 `json:"events_by_topic"`
	EventsByOutcome map[string]int64 `json:"events_by_outcome"`
	// Nudges counts the coach nudges by kind, Alerts the moderation alerts by severity and
	// AlertsByReason by reason (an alert with two reasons counts under both). They count
	// what the processor would publish, as relance_nudges_total and relance_alerts_total
	// do: an event redelivered in the input publishes its decisions again, under the same
	// ids, and counts again.
	Nudges         map[string]int64 `json:"nudges"`
	Alerts         map[string]int64 `json:"alerts"`
	AlertsByReason map[string]int64 `json:"alerts_by_reason"`
	// StreaksByAttempts counts the streaks by the most attempts they reached (a streak is
	// a sender's unanswered run to one recipient, as the store keeps it).
	StreaksByAttempts map[int]int64 `json:"streaks_by_attempts"`
	// MembersNudged is the distinct members the coach reminded of the rules (nudges to
	// the sender), MembersCheckedIn those she checked in with (recipients), and
	// MembersAlerted the distinct senders of moderation alerts.
	MembersNudged    int64 `json:"members_nudged"`
	MembersCheckedIn int64 `json:"members_checked_in"`
	MembersAlerted   int64 `json:"members_alerted"`
}

// Report is a replay's figures under one policy.
type Report struct {
	PolicyVersion string `json:"policy_version"`
	Figures
	// Diff is this policy's figures minus the first policy's; nil for the first.
	Diff *Diff `json:"diff,omitempty"`
}

// Diff is a policy's figures minus the first policy's, and which members it treats
// otherwise.
type Diff struct {
	Figures
	// …Added are the members nudged, checked in with or alerted under this policy and not
	// under the first; …Removed the converse.
	MembersNudgedAdded      int64 `json:"members_nudged_added"`
	MembersNudgedRemoved    int64 `json:"members_nudged_removed"`
	MembersCheckedInAdded   int64 `json:"members_checked_in_added"`
	MembersCheckedInRemoved int64 `json:"members_checked_in_removed"`
	MembersAlertedAdded     int64 `json:"members_alerted_added"`
	MembersAlertedRemoved   int64 `json:"members_alerted_removed"`
}

// The rows every report shows, at zero when nothing counted: the processor's outcome
// labels, the nudge kinds, severities and reasons of the contract. Others (from a newer
// policy) are shown after them.
var (
	outcomeRows = []string{"counted", "replayed", "duplicate", "late", "stale", "answer",
		"dismiss", "block", "unblock", "report", "dead_letter"}
	kindRows     = []string{topics.KindFollowUpReminder, topics.KindFollowUpLimit, topics.KindRespectfulLanguage, topics.KindCheckIn}
	severityRows = []string{topics.SeverityLow, topics.SeverityMedium, topics.SeverityHigh}
	reasonRows   = []string{topics.ReasonUnansweredStreak, topics.ReasonContinuedAfterNudge, topics.ReasonOffensiveContent,
		topics.ReasonUnsolicitedSexualContent, topics.ReasonThreat, topics.ReasonHate, topics.ReasonReported,
		topics.ReasonRepeatedPestering, topics.ReasonBlockedByMany, topics.ReasonReportedByMany}
)

// textStreakRows is how many peak-attempt rows the text output shows one by one; longer
// streaks are summed in one row (the JSON has every value).
const textStreakRows = 12

// tally counts one policy's decisions as they are taken.
type tally struct {
	events                     int64
	topics, outcomes           map[string]int64
	nudges, alerts, reasons    map[string]int64
	peaks                      map[streakKey]int // each streak's most attempts
	nudged, checkedIn, alerted map[string]struct{}
}

// streakKey names a streak: its direction and the message that started it.
type streakKey struct{ sender, recipient, start string }

func newTally() *tally {
	return &tally{
		topics: map[string]int64{}, outcomes: zeros(outcomeRows),
		nudges: zeros(kindRows), alerts: zeros(severityRows), reasons: zeros(reasonRows),
		peaks:  map[streakKey]int{},
		nudged: map[string]struct{}{}, checkedIn: map[string]struct{}{}, alerted: map[string]struct{}{},
	}
}

func zeros(keys []string) map[string]int64 {
	m := make(map[string]int64, len(keys))
	for _, k := range keys {
		m[k] = 0
	}
	return m
}

// add counts one event's streak and decisions.
func (t *tally) add(o policy.Observation, s policy.Streak, d policy.Decisions) {
	if s.Status == policy.StatusCounted && s.StartID != "" {
		k := streakKey{o.SenderID, o.RecipientID, s.StartID}
		t.peaks[k] = max(t.peaks[k], s.PeakAttempts)
	}
	for _, n := range d.Nudges {
		t.nudges[n.Kind]++
		if n.Audience == topics.AudienceRecipient {
			t.checkedIn[n.UserID] = struct{}{}
		} else {
			t.nudged[n.UserID] = struct{}{}
		}
	}
	for _, a := range d.Alerts {
		t.alerts[a.Severity]++
		for _, r := range a.Reasons {
			t.reasons[r]++
		}
		t.alerted[a.SenderID] = struct{}{}
	}
}

func (t *tally) report(version string) Report {
	streaks := map[int]int64{}
	for _, peak := range t.peaks {
		streaks[peak]++
	}
	return Report{PolicyVersion: version, Figures: Figures{
		Events: t.events, EventsByTopic: maps.Clone(t.topics), EventsByOutcome: maps.Clone(t.outcomes),
		Nudges: maps.Clone(t.nudges), Alerts: maps.Clone(t.alerts), AlertsByReason: maps.Clone(t.reasons),
		StreaksByAttempts: streaks,
		MembersNudged:     int64(len(t.nudged)), MembersCheckedIn: int64(len(t.checkedIn)), MembersAlerted: int64(len(t.alerted)),
	}}
}

// diff is b minus a.
func diff(ta, tb *tally, a, b Figures) Diff {
	sub := func(x, y map[string]int64) map[string]int64 {
		out := map[string]int64{}
		for k := range x {
			out[k] = y[k] - x[k]
		}
		for k := range y {
			out[k] = y[k] - x[k]
		}
		return out
	}
	streaks := map[int]int64{}
	for k := range a.StreaksByAttempts {
		streaks[k] = b.StreaksByAttempts[k] - a.StreaksByAttempts[k]
	}
	for k := range b.StreaksByAttempts {
		streaks[k] = b.StreaksByAttempts[k] - a.StreaksByAttempts[k]
	}
	only := func(x, y map[string]struct{}) int64 { // in x, not in y
		var n int64
		for k := range x {
			if _, ok := y[k]; !ok {
				n++
			}
		}
		return n
	}
	return Diff{
		Figures: Figures{
			Events:          b.Events - a.Events,
			EventsByTopic:   sub(a.EventsByTopic, b.EventsByTopic),
			EventsByOutcome: sub(a.EventsByOutcome, b.EventsByOutcome),
			Nudges:          sub(a.Nudges, b.Nudges), Alerts: sub(a.Alerts, b.Alerts), AlertsByReason: sub(a.AlertsByReason, b.AlertsByReason),
			StreaksByAttempts: streaks,
			MembersNudged:     b.MembersNudged - a.MembersNudged, MembersCheckedIn: b.MembersCheckedIn - a.MembersCheckedIn,
			MembersAlerted: b.MembersAlerted - a.MembersAlerted,
		},
		MembersNudgedAdded: only(tb.nudged, ta.nudged), MembersNudgedRemoved: only(ta.nudged, tb.nudged),
		MembersCheckedInAdded: only(tb.checkedIn, ta.checkedIn), MembersCheckedInRemoved: only(ta.checkedIn, tb.checkedIn),
		MembersAlertedAdded: only(tb.alerted, ta.alerted), MembersAlertedRemoved: only(ta.alerted, tb.alerted),
	}
}

// WriteJSON writes one JSON object per report, one a line.
func WriteJSON(w io.Writer, reports []Report) error {
	enc := json.NewEncoder(w)
	for _, r := range reports {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// WriteText writes the reports side by side, one column per policy, headed by labels
// (one per report: where the policy came from). A figure of a policy after the first is
// followed by its difference from the first's, when there is one.
func WriteText(w io.Writer, labels []string, reports []Report) error {
	if len(labels) != len(reports) {
		return fmt.Errorf("replay: %d labels for %d reports", len(labels), len(reports))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	row := func(name string, cell func(i int, r Report) string) {
		cells := []string{name}
		for i, r := range reports {
			cells = append(cells, cell(i, r))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	count := func(name string, get func(f Figures) int64) {
		row(name, func(_ int, r Report) string {
			s := strconv.FormatInt(get(r.Figures), 10)
			if r.Diff != nil {
				if d := get(r.Diff.Figures); d != 0 {
					s += fmt.Sprintf(" (%+d)", d)
				}
			}
			return s
		})
	}
	// A title has empty cells, so that the columns stay aligned across sections.
	title := func(name string) { row(name, func(int, Report) string { return "" }) }
	counts := func(name string, rows []string, get func(f Figures) map[string]int64) {
		title(name)
		for _, k := range withOthers(rows, reports, get) {
			count("  "+k, func(f Figures) int64 { return get(f)[k] })
		}
	}

	row("policy", func(_ int, r Report) string { return r.PolicyVersion })
	row("from", func(i int, _ Report) string { return labels[i] })
	count("events", func(f Figures) int64 { return f.Events })
	counts("events by outcome", outcomeRows, func(f Figures) map[string]int64 { return f.EventsByOutcome })
	counts("nudges by kind", kindRows, func(f Figures) map[string]int64 { return f.Nudges })
	counts("alerts by severity", severityRows, func(f Figures) map[string]int64 { return f.Alerts })
	counts("alerts by reason", reasonRows, func(f Figures) map[string]int64 { return f.AlertsByReason })
	title("streaks by peak attempts")
	for n := 1; n <= textStreakRows; n++ {
		count("  "+strconv.Itoa(n), func(f Figures) int64 { return f.StreaksByAttempts[n] })
	}
	count(fmt.Sprintf("  %d or more", textStreakRows+1), func(f Figures) int64 {
		var sum int64
		for n, c := range f.StreaksByAttempts {
			if n > textStreakRows {
				sum += c
			}
		}
		return sum
	})
	members := func(name string, get func(f Figures) int64, added, removed func(d *Diff) int64) {
		row(name, func(_ int, r Report) string {
			s := strconv.FormatInt(get(r.Figures), 10)
			if r.Diff != nil && (added(r.Diff) != 0 || removed(r.Diff) != 0) {
				s += fmt.Sprintf(" (+%d new, -%d no longer)", added(r.Diff), removed(r.Diff))
			}
			return s
		})
	}
	members("members nudged", func(f Figures) int64 { return f.MembersNudged },
		func(d *Diff) int64 { return d.MembersNudgedAdded }, func(d *Diff) int64 { return d.MembersNudgedRemoved })
	members("members checked in with", func(f Figures) int64 { return f.MembersCheckedIn },
		func(d *Diff) int64 { return d.MembersCheckedInAdded }, func(d *Diff) int64 { return d.MembersCheckedInRemoved })
	members("members alerted", func(f Figures) int64 { return f.MembersAlerted },
		func(d *Diff) int64 { return d.MembersAlertedAdded }, func(d *Diff) int64 { return d.MembersAlertedRemoved })
	return tw.Flush()
}

// withOthers is rows, then the keys some report has that rows lacks, sorted.
func withOthers(rows []string, reports []Report, get func(f Figures) map[string]int64) []string {
	out := slices.Clone(rows)
	var extra []string
	for _, r := range reports {
		for k := range get(r.Figures) {
			if !slices.Contains(out, k) && !slices.Contains(extra, k) {
				extra = append(extra, k)
			}
		}
	}
	slices.Sort(extra)
	return append(out, extra...)
}
