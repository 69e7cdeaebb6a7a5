package state

import (
	"fmt"
	"strings"
	"time"

	"github.com/relance/relance/streak"
)

// Config configures a store. The policy's numbers (window, levels) come from the policy the
// store is built with; these are the store's own. The zero value of each field means its
// default.
type Config struct {
	// TTLMargin is how much longer than the policy's window a key lives after its last
	// write, so a replay of past events finds the state live traffic would have. Default 24h.
	TTLMargin time.Duration
	// MaxUnanswered caps the unanswered messages tracked per direction of a pair; the
	// oldest are dropped beyond it. Default 1000.
	MaxUnanswered int
	// MaxEvidence caps Streak.MessageIDs (the oldest are kept). Default 50.
	MaxEvidence int
	// CachePairs is how many pairs' last written values a Redis store keeps in memory, so
	// a batch need not read back a pair it wrote recently (a value written by someone else
	// meanwhile is detected on write and read again). -1 keeps none. Default 100,000
	// (some 30 MiB).
	CachePairs int
	// KeyPrefix starts every key. It must not contain '{' or '}', which would move the
	// hash tag. Default "relance".
	KeyPrefix string
	// ExpireInEventTime makes a Memory store expire a key the policy's window plus
	// TTLMargin after its last write, as Redis does, with time read off the events (the
	// newest event time the store has applied) instead of a clock: a replay of a long
	// stretch of traffic holds what Redis would, not every pair of the stretch. Redis
	// stores ignore it.
	ExpireInEventTime bool
}

func (c Config) withDefaults() Config {
	if c.TTLMargin == 0 {
		c.TTLMargin = 24 * time.Hour
	}
	if c.MaxUnanswered == 0 {
		c.MaxUnanswered = streak.DefaultMaxUnanswered
	}
	if c.MaxEvidence == 0 {
		c.MaxEvidence = streak.DefaultMaxEvidence
	}
	if c.KeyPrefix == "" {
		c.KeyPrefix = "relance"
	}
	if c.CachePairs == 0 {
		c.CachePairs = 100_000
	}
	return c
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.TTLMargin < 0:
		return fmt.Errorf("state: TTL margin %s: must not be negative", c.TTLMargin)
	case c.MaxUnanswered < 1 || c.MaxUnanswered > 1_000_000:
		return fmt.Errorf("state: max unanswered %d: must be between 1 and 1000000", c.MaxUnanswered)
	case c.MaxEvidence < 1 || c.MaxEvidence > 10_000:
		return fmt.Errorf("state: max evidence %d: must be between 1 and 10000", c.MaxEvidence)
	case c.CachePairs < -1:
		return fmt.Errorf("state: cache pairs %d: must be -1 (none) or more", c.CachePairs)
	case strings.ContainsAny(c.KeyPrefix, "{}"):
		return fmt.Errorf("state: key prefix %q: must not contain '{' or '}'", c.KeyPrefix)
	}
	return nil
}
