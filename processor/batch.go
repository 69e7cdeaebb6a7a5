package processor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
)

// item is one fetched record: either a valid event with its index in the observations
// sent to the store, or the reason it goes to the dead-letter topic.
type item struct {
	msg     kafka.Message
	in      policy.Input
	obs     int
	invalid error
}

// errNoTextAnswer marks a text check that gave no answer: no fault of the record, so the
// batch is left unfinished rather than dead-lettered.
var errNoTextAnswer = errors.New("text check gave no answer")

// decode validates every record of a batch and turns the valid ones into observations.
// Message text is read here, checked, and dropped: it goes no further. An error means a
// text check gave no answer: the batch cannot be decided.
func (p *Processor) decode(batch []kafka.Message) ([]item, []policy.Observation, error) {
	now := p.now()
	items := make([]item, len(batch))
	obs := make([]policy.Observation, 0, len(batch))
	for i, m := range batch {
		items[i] = item{msg: m, obs: -1}
		in, err := p.decodeOne(m, now)
		if errors.Is(err, errNoTextAnswer) {
			return nil, nil, err
		}
		if err != nil {
			items[i].invalid = err
			continue
		}
		items[i].in = in
		items[i].obs = len(obs)
		obs = append(obs, in.Observation)
	}
	return items, obs, nil
}

func (p *Processor) decodeOne(m kafka.Message, now time.Time) (policy.Input, error) {
	switch m.Topic {
	case p.cfg.Topics.MessageSent:
		ev, err := topics.DecodeMessageSent(m.Value, now)
		if err != nil {
			return policy.Input{}, err
		}
		attachments := make([][]string, len(ev.Attachments))
		for i, a := range ev.Attachments {
			attachments[i] = a.Labels
		}
		categories := policy.Categories(ev.Labels, attachments)
		if ev.Text != "" {
			// TODO: check the batch's texts with policy.CheckTexts under the pipeline's ctx.
			cats, err := p.texts.Check(context.TODO(), ev.Text, ev.Locale)
			if err != nil {
				return policy.Input{}, fmt.Errorf("%w: %w", errNoTextAnswer, err)
			}
			categories = mergeCategories(categories, cats)
		}
		return policy.Input{
			Observation: policy.Observation{
				Action:      policy.ActionMessage,
				MessageID:   ev.MessageID,
				SenderID:    ev.SenderID,
				RecipientID: ev.RecipientID,
				SentAt:      ev.SentAt,
				Offensive:   len(categories) > 0,
			},
			Locale:     ev.Locale,
			Categories: categories,
		}, nil
	case p.cfg.Topics.Reply:
		ev, err := topics.DecodeReply(m.Value, now)
		if err != nil {
			return policy.Input{}, err
		}
		return policy.Input{Observation: policy.Observation{
			Action:      policy.ActionReply,
			MessageID:   ev.MessageID,
			SenderID:    ev.SenderID,
			RecipientID: ev.RecipientID,
			SentAt:      ev.SentAt,
		}}, nil
	}
	return policy.Input{}, fmt.Errorf("%w: record from unexpected topic %q", topics.ErrInvalidEvent, m.Topic)
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

// outputs builds, in input order, the dead letters and the records of every decision.
func (p *Processor) outputs(items []item, streaks []policy.Streak) ([]kafka.Message, tally, error) {
	names := p.cfg.Topics
	var records []kafka.Message
	t := tally{nudges: map[string]int{}, alerts: map[string]int{}}
	for _, it := range items {
		if it.invalid != nil {
			p.log.Warn("dead-lettering invalid input",
				zap.String("topic", it.msg.Topic), zap.Int("partition", it.msg.Partition),
				zap.Int64("offset", it.msg.Offset), zap.Error(it.invalid))
			records = append(records, topics.DeadLetterRecord(names.DeadLetter, it.msg, it.invalid))
			continue
		}
		d := p.policy.Decide(it.in, streaks[it.obs])
		for _, n := range d.Nudges {
			rec, err := topics.NudgeRecord(names.CoachNudge, n)
			if err != nil {
				return nil, t, fmt.Errorf("encode nudge %s: %w", n.NudgeID, err)
			}
			t.nudges[n.Kind]++
			records = append(records, rec)
		}
		for _, a := range d.Alerts {
			rec, err := topics.AlertRecord(names.ModerationAlert, a)
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
}

// countOutcomes updates the metrics once a batch is committed, so counts are not inflated
// by retries.
func (p *Processor) countOutcomes(items []item, streaks []policy.Streak, t tally) {
	m := p.metrics
	for kind, n := range t.nudges {
		m.Nudges.WithLabelValues(kind).Add(float64(n))
	}
	for severity, n := range t.alerts {
		m.Alerts.WithLabelValues(severity).Add(float64(n))
	}
	for _, it := range items {
		if it.invalid != nil {
			m.EventsConsumed.WithLabelValues(it.msg.Topic, "dead_letter").Inc()
			m.DeadLetters.WithLabelValues(it.msg.Topic).Inc()
			continue
		}
		s := streaks[it.obs]
		m.EventsConsumed.WithLabelValues(it.msg.Topic, s.Status.String()).Inc()
	}
}
