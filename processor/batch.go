package processor

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

// item is one fetched record: either a valid event with its index in the observations
// sent to the store (the observation itself is only there), or the reason it goes to the
// dead-letter topic. It points into the batch's records rather than holding a copy, and
// keeps only what policy.Input adds to the observation: with a copy, decoding allocated
// 595 bytes an event rather than 341 (BenchmarkDecode, before the batch's buffers were
// reused: buffers.go), and items are still written and scanned for every batch.
type item struct {
	msg                     *kafka.Message // in the fetched batch
	locale, recipientLocale string
	obs                     int
	invalid                 error
}

// input is the item's event as the policy decides it.
func (it *item) input(obs []policy.Observation) policy.Input {
	return policy.Input{Observation: obs[it.obs], Locale: it.locale, RecipientLocale: it.recipientLocale}
}

// decode validates every record of a batch and turns the valid ones into observations,
// then runs the text check on the batch's texts (concurrently when the checker allows it,
// within ctx) and adds what it finds to their categories. Message text is read here,
// checked, and dropped: it goes no further. An error means the text check gave no answer
// (ctx ended): the batch cannot be decided, and is left uncommitted. The items and
// observations returned are in buf's memory, kept there for reuse.
func (p *Processor) decode(ctx context.Context, buf *buffers, batch []kafka.Message) ([]item, []policy.Observation, error) {
	now := p.now()
	items := slices.Grow(buf.items[:0], len(batch))[:len(batch)]
	obs := slices.Grow(buf.obs[:0], len(batch))
	texts := buf.texts[:0]
	textObs := buf.textObs[:0] // texts[i] is the text of obs[textObs[i]]
	for i := range batch {
		m := &batch[i]
		items[i] = item{msg: m, obs: -1}
		in, text, err := p.decodeOne(m, now)
		if err != nil {
			items[i].invalid = err
			continue
		}
		if text.Text != "" {
			texts = append(texts, text)
			textObs = append(textObs, len(obs))
		}
		items[i].obs = len(obs)
		obs = append(obs, in.Observation)
		items[i].locale, items[i].recipientLocale = in.Locale, in.RecipientLocale
	}
	buf.items, buf.obs, buf.texts, buf.textObs = items, obs, texts, textObs
	if len(texts) > 0 {
		found, err := policy.CheckTexts(ctx, p.texts, texts)
		clear(texts) // checked: the texts are not kept in buf for the next batch
		if err != nil {
			return nil, nil, fmt.Errorf("text check: %w", err)
		}
		for i, cats := range found {
			o := &obs[textObs[i]]
			o.Categories = mergeCategories(o.Categories, cats)
		}
	}
	return items, obs, nil
}

// decodeOne decodes one record by its topic's decoder, and returns the message's text for
// the text check.
func (p *Processor) decodeOne(m *kafka.Message, now time.Time) (policy.Input, policy.Text, error) {
	decode, ok := p.decoders[m.Topic]
	if !ok {
		return policy.Input{}, policy.Text{}, fmt.Errorf("%w: record from unexpected topic %q", topics.ErrInvalidEvent, m.Topic)
	}
	return decode(m.Value, now)
}

// mergeCategories adds the categories of b missing from a, keeping a's order.
func mergeCategories(a, b []policy.Category) []policy.Category {
	for _, c := range b {
		if !slices.Contains(a, c) {
			a = append(a, c)
		}
	}
	slices.Sort(a)
	return a
}

// outputs appends to records, in input order, the dead letters and the records of every
// decision. An event the store could not record is dead-lettered like one that failed to
// decode.
func (p *Processor) outputs(records []kafka.Message, items []item, obs []policy.Observation, results []policy.Result) ([]kafka.Message, tally, error) {
	names := p.cfg.Topics
	t := newTally()
	if p.shadow != nil {
		shadowed := newTally()
		t.shadow = &shadowed
	}
	for i := range items {
		it := &items[i]
		if it.invalid == nil && results[it.obs].Invalid != nil {
			it.invalid = fmt.Errorf("%w: %w", topics.ErrInvalidEvent, results[it.obs].Invalid)
		}
		if it.invalid != nil {
			p.log.Warn("dead-lettering invalid input",
				zap.String("topic", it.msg.Topic), zap.Int("partition", it.msg.Partition),
				zap.Int64("offset", it.msg.Offset), zap.Error(it.invalid))
			records = append(records, record.DeadLetter(names.DeadLetter, *it.msg, it.invalid, p.cfg.DeadLetterPayload))
			continue
		}
		in := it.input(obs)
		d := p.policy.DecideResult(in, results[it.obs])
		if p.shadow != nil {
			p.shadow.decide(in, results[it.obs], t.shadow)
		}
		for _, n := range d.Nudges {
			rec, err := record.Nudge(names.CoachNudge, n)
			if err != nil {
				return nil, t, fmt.Errorf("encode nudge %s: %w", n.NudgeID, err)
			}
			t.nudges[n.Kind]++
			records = append(records, rec)
		}
		for _, a := range d.Alerts {
			rec, err := record.Alert(names.ModerationAlert, a)
			if err != nil {
				return nil, t, fmt.Errorf("encode alert %s: %w", a.AlertID, err)
			}
			t.alerts[a.Severity]++
			records = append(records, rec)
		}
	}
	return records, t, nil
}

// tally counts a batch's decisions for the metrics.
type tally struct {
	nudges map[string]int // by kind
	alerts map[string]int // by severity
	// shadow counts the shadow policy's decisions, nil when there is none.
	shadow *tally
}

func newTally() tally { return tally{nudges: map[string]int{}, alerts: map[string]int{}} }

// countOutcomes updates the metrics once a batch is committed, so counts are not inflated
// by retries.
func (p *Processor) countOutcomes(items []item, obs []policy.Observation, results []policy.Result, t tally) {
	m := p.metrics
	for kind, n := range t.nudges {
		m.Nudges.WithLabelValues(kind).Add(float64(n))
	}
	for severity, n := range t.alerts {
		m.Alerts.WithLabelValues(severity).Add(float64(n))
	}
	if t.shadow != nil {
		version := p.shadow.policy.Version()
		for kind, n := range t.shadow.nudges {
			m.ShadowNudges.WithLabelValues(version, kind).Add(float64(n))
		}
		for severity, n := range t.shadow.alerts {
			m.ShadowAlerts.WithLabelValues(version, severity).Add(float64(n))
		}
	}
	// Events are counted per topic and outcome first: a batch has a few of each, and a
	// counter's lookup by labels costs more than the count.
	var consumed []consumedCount
	for i := range items {
		it := &items[i]
		if it.invalid != nil {
			consumed = countConsumed(consumed, it.msg.Topic, OutcomeDeadLetter)
			m.DeadLetters.WithLabelValues(it.msg.Topic).Inc()
			continue
		}
		s := &results[it.obs].Streak
		consumed = countConsumed(consumed, it.msg.Topic, statusOutcome(obs[it.obs].Action, s.Status))
		// The store fixes a nudged streak's outcome once, as its state changes: a
		// redelivery carries none.
		if o := s.NudgeOutcome; o != "" {
			m.NudgeOutcomes.WithLabelValues(p.policy.Version(), o).Inc()
		}
	}
	for _, c := range consumed {
		m.EventsConsumed.WithLabelValues(c.topic, c.outcome).Add(float64(c.n))
	}
}

// consumedCount is how many of a batch's events of topic had outcome.
type consumedCount struct {
	topic, outcome string
	n              int
}

// countConsumed adds an event of topic with outcome to counts.
func countConsumed(counts []consumedCount, topic, outcome string) []consumedCount {
	for i := range counts {
		if counts[i].topic == topic && counts[i].outcome == outcome {
			counts[i].n++
			return counts
		}
	}
	return append(counts, consumedCount{topic: topic, outcome: outcome, n: 1})
}

// outcome is an event's label in relance_events_consumed_total.
func outcome(a policy.Action, s policy.Streak) string { return statusOutcome(a, s.Status) }

// statusOutcome is outcome, from the only field of the streak it reads.
func statusOutcome(a policy.Action, status policy.Status) string {
	switch a {
	case policy.ActionMessage, policy.ActionReply:
		return status.String() // a reply's is "answer"
	case policy.ActionDismiss, policy.ActionBlock, policy.ActionUnblock, policy.ActionReport:
		if status == policy.StatusAction {
			return a.String() // "dismiss", "block", "unblock", "report"
		}
		return status.String() // replayed, duplicate or stale
	}
	panic(fmt.Sprintf("processor: outcome: %s not handled", a)) // caught by TestOutcomeHandlesEveryAction
}
