package state

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"

	"go.uber.org/zap"

	"github.com/relance/relance/metrics"
	"github.com/relance/relance/offender"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/streak"
)

// kind is one kind of record the store keeps, each under a key of its own (and, on a
// Cluster, in the hash slot of its tag). A store runs the same loop for every kind: read
// the records a batch touches, apply the batch's observations to them in memory, write them
// back with a compare-and-set. There are two kinds, applied in this order: the pair
// (pairs below) and the sender record (senders), which the pairs' results feed.
type kind interface {
	// group splits the observations not marked skip into one work per record they touch,
	// in order of first appearance. results hold what the kinds before this one set.
	group(obs []policy.Observation, skip []bool, results []policy.Result) []*work
	// apply applies w's observations, in order, to the record read (exists false: there
	// was none), sets their results, and appends the value to write back to s.buf[:0]. An
	// error wrapping streak.ErrUnreadable means the value read cannot be decoded.
	apply(s *scratch, w *work, read string, exists bool, obs []policy.Observation, results []policy.Result) ([]byte, error)
}

// scratch is memory that a run of compute calls, one after the other, reuses: the buffer
// values are encoded into and the pair they are decoded into. Nothing a kind returns or
// keeps refers to it.
type scratch struct {
	buf  []byte
	pair *streak.Pair // allocated by the first pair read
}

// work is one record's part of an Apply.
type work struct {
	key, tag string
	// subject is what the kind needs to place observations in the record: for a pair,
	// the member that sorts first.
	subject string
	obs     []int // indexes of the record's observations, in order
	exists  bool
	read    string // the value read; header its first bytes ("" when there was no key)
	header  string
	value   string // to write
	// guessed is true while the record is taken as absent without having been read
	// (absentGuess): written with NX, and read if it turns out to exist.
	guessed bool
	// cached is the record's entry in the store's cache when it was found there.
	cached *cached
	// one holds obs's first index: most records have one observation in a batch.
	one [1]int
}

// setRead records the value read (ok false: there was no key).
func (w *work) setRead(v string, ok bool) {
	w.exists, w.read, w.header = ok, v, ""
	if ok {
		w.header = v[:min(len(v), streak.HeaderLen)]
	}
}

// core is what every store shares: the kinds of record, and what it does with a value it
// cannot read.
type core struct {
	kinds   []kind
	log     *zap.Logger
	metrics *metrics.Metrics
}

// An Option configures an optional collaborator of a store.
type Option func(*core)

// WithLogger makes the store log what it recovers from (an unreadable value, a record
// written by someone else meanwhile, a reloaded script). Default: none.
func WithLogger(log *zap.Logger) Option {
	return func(c *core) {
		if log != nil {
			c.log = log.Named("state")
		}
	}
}

// WithMetrics makes the store count unreadable values and compare-and-set conflicts.
func WithMetrics(m *metrics.Metrics) Option { return func(c *core) { c.metrics = m } }

func newCore(pol *policy.Policy, cfg Config, opts []Option) (core, Config, error) {
	if pol == nil {
		return core{}, cfg, errors.New("state: a policy is required")
	}
	if err := cfg.Validate(); err != nil {
		return core{}, cfg, err
	}
	cfg = cfg.withDefaults()
	limits := streak.LimitsFor(pol)
	limits.MaxUnanswered, limits.MaxEvidence = cfg.MaxUnanswered, cfg.MaxEvidence
	if err := limits.Validate(); err != nil {
		return core{}, cfg, fmt.Errorf("state: %w", err)
	}
	senderLimits := offender.Limits{Window: pol.Window()}
	for k, levels := range pol.SenderLevels() {
		senderLimits.Levels[k] = levels
	}
	c := core{kinds: []kind{
		&pairs{prefix: cfg.KeyPrefix, limits: limits},
		&senders{prefix: cfg.KeyPrefix, limits: senderLimits, nudge: pol.Nudge()},
	}, log: zap.NewNop()}
	for _, o := range opts {
		o(&c)
	}
	return c, cfg, nil
}

// validate sets the Invalid result of each observation the store cannot record, and
// returns which to skip (nil when none).
func validate(obs []policy.Observation, results []policy.Result) []bool {
	var skip []bool
	for i, o := range obs {
		if err := o.Validate(); err != nil {
			if skip == nil {
				skip = make([]bool, len(obs))
			}
			skip[i] = true
			results[i].Invalid = err
		}
	}
	return skip
}

// compute applies w's observations to the value read and sets the value to write. A value
// that cannot be read is counted, logged and replaced by an empty record: one pair loses
// its history rather than every partition stalling on it. The compare-and-set still
// checks the header read, so a concurrent writer's value is never overwritten unseen.
//
// s is kept between calls: the value written is a string (what the cache keeps and the
// script call sends), one allocation.
func (c *core) compute(k kind, w *work, obs []policy.Observation, results []policy.Result, s *scratch) error {
	value, err := k.apply(s, w, w.read, w.exists, obs, results)
	if errors.Is(err, streak.ErrUnreadable) {
		if c.metrics != nil {
			c.metrics.StateUnreadable.Inc()
		}
		c.log.Error("unreadable stored value replaced by an empty record", zap.String("key", w.key), zap.Error(err))
		value, err = k.apply(s, w, "", false, obs, results)
	}
	if err != nil {
		return fmt.Errorf("key %s: %w", w.key, err)
	}
	w.value = string(value)
	s.buf = value[:0]
	return nil
}

// conflicts counts records that another writer changed between read and write.
func (c *core) conflicts(n int) {
	if c.metrics != nil && n > 0 {
		c.metrics.StateConflicts.Add(float64(n))
	}
}

// pairs is the pair record: everything about one unordered pair of members, both
// directions (package streak).
type pairs struct {
	prefix string
	limits streak.Limits
}

func (k *pairs) group(obs []policy.Observation, skip []bool, _ []policy.Result) []*work {
	type members struct{ low, high string }
	byPair := make(map[members]*work, len(obs))
	var all []*work
	works := make([]work, 0, len(obs)) // never grows: one allocation for every record
	for i, o := range obs {
		if skip != nil && skip[i] {
			continue
		}
		m := members{o.SenderID, o.RecipientID}
		if m.high < m.low {
			m.low, m.high = m.high, m.low
		}
		w := byPair[m]
		if w == nil {
			key, tag := pairKeyTag(k.prefix, m.low, m.high)
			works = append(works, work{key: key, tag: tag, subject: m.low})
			w = &works[len(works)-1]
			w.obs = w.one[:0]
			byPair[m] = w
			all = append(all, w)
		}
		w.obs = append(w.obs, i)
	}
	return all
}

func (k *pairs) apply(s *scratch, w *work, read string, exists bool, obs []policy.Observation, results []policy.Result) ([]byte, error) {
	p := &streak.Pair{} // for a pair read absent (it stays on the stack)
	if exists {
		if s.pair == nil {
			s.pair = &streak.Pair{}
		}
		p = s.pair
		if err := p.Decode(read); err != nil {
			return nil, err
		}
	}
	for _, i := range w.obs {
		results[i].Streak = k.limits.Apply(p, w.subject, obs[i])
	}
	return p.Encode(s.buf[:0], rand.Uint64()), nil
}

// senders is the sender record: per sender, the members whose signals count toward the
// repeat-offender levels (package offender). A batch writes one only for a sender with a
// signal: most batches touch none, and cost no round trip for it.
type senders struct {
	prefix string
	limits offender.Limits
	nudge  policy.Threshold
}

// signal is what observation o, with its pair's result r, says about its sender, if
// anything: a streak that reached the nudge level (and was not dismissed), a block or a
// report. Redeliveries signal again, and the record recognises them.
func (k *senders) signal(o policy.Observation, r policy.Result) (offender.Signal, bool) {
	s := r.Streak
	kind := offender.Kinds
	switch o.Action {
	case policy.ActionMessage:
		if (s.Status == policy.StatusCounted || s.Status == policy.StatusReplayed) && !s.Dismissed && k.nudge.Crossed(s) {
			kind = offender.Pestered
		}
	case policy.ActionBlock:
		if s.Status == policy.StatusAction || s.Status == policy.StatusDuplicate {
			kind = offender.BlockedBy
		}
	case policy.ActionReport:
		if s.Status == policy.StatusAction || s.Status == policy.StatusReplayed {
			kind = offender.ReportedBy
		}
	}
	return offender.Signal{Kind: kind, Member: o.RecipientID, At: o.SentAt}, kind != offender.Kinds
}

func (k *senders) group(obs []policy.Observation, skip []bool, results []policy.Result) []*work {
	var bySender map[string]*work
	var all []*work
	for i, o := range obs {
		if skip != nil && skip[i] {
			continue
		}
		if _, ok := k.signal(o, results[i]); !ok {
			continue
		}
		w := bySender[o.SenderID]
		if w == nil {
			if bySender == nil {
				bySender = map[string]*work{}
			}
			tag := senderTag(o.SenderID)
			w = &work{
				key:     k.prefix + ":{" + tag + "}:s:" + strconv.Itoa(len(o.SenderID)) + ":" + o.SenderID,
				tag:     tag,
				subject: o.SenderID,
			}
			bySender[o.SenderID] = w
			all = append(all, w)
		}
		w.obs = append(w.obs, i)
	}
	return all
}

func (k *senders) apply(s *scratch, w *work, read string, exists bool, obs []policy.Observation, results []policy.Result) ([]byte, error) {
	r := &offender.Record{}
	if exists {
		var err error
		if r, err = offender.Decode(read); err != nil {
			return nil, fmt.Errorf("%w: %w", streak.ErrUnreadable, err)
		}
	}
	for _, i := range w.obs {
		sig, _ := k.signal(obs[i], results[i])
		results[i].Senders = nil // a redo after a conflict starts again
		for _, c := range k.limits.Apply(r, sig) {
			results[i].Senders = append(results[i].Senders, policy.SenderCrossing{
				Kind: int(c.Kind), Level: c.Level, Member: sig.Member, At: sig.At.UTC(), Members: c.Members,
			})
		}
	}
	return r.Encode(s.buf[:0], rand.Uint64()), nil
}
