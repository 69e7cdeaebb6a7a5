package state

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/relance/relance/policy"
)

// Config configures a Redis store. The zero value of each field means its default.
type Config struct {
	// Window is the sliding window: a pair's unanswered messages are those sent in
	// (newest - Window, newest], newest being the pair's newest event time. Default 7 days.
	Window time.Duration
	// TTLMargin is how much longer than Window a key lives after its last write, so a
	// replay of past events finds the state live traffic would have. Default 24h.
	TTLMargin time.Duration
	// NudgeAt is the count whose first reach in a streak is recorded as Streak.NudgedAt.
	// Default 4, the policy's nudge level.
	NudgeAt int
	// RememberUpTo bounds the views stored for redelivery: a counted message's Streak is
	// stored when it raised the streak's peak to at most RememberUpTo, or when the message
	// is offensive. Set it to the policy's highest level. Default 12.
	RememberUpTo int
	// Levels, when set, narrow that further to the counts at which the policy fires: a
	// counted message's Streak is stored when it raised the peak to one of them (or is
	// offensive). A redelivery of any other message is then StatusDuplicate rather than
	// StatusReplayed, which decides the same: no level fires. Empty: every count up to
	// RememberUpTo.
	Levels []int
	// MaxUnanswered caps the unanswered messages tracked per pair; the oldest are dropped
	// beyond it. Default 1000.
	MaxUnanswered int
	// MaxEvidence caps Streak.MessageIDs (the oldest are kept). Default 50.
	MaxEvidence int
	// CachePairs is how many pairs' last written values the store keeps in memory, so a
	// batch need not read back a pair it wrote recently (a value written by someone else
	// meanwhile is detected on write and read again). -1 keeps none. Default 100,000
	// (some 30 MiB).
	CachePairs int
	// KeyPrefix starts every key. It must not contain '{' or '}', which would move the
	// hash tag. Default "relance".
	KeyPrefix string
}

func (c Config) withDefaults() Config {
	if c.Window == 0 {
		c.Window = 7 * 24 * time.Hour
	}
	if c.TTLMargin == 0 {
		c.TTLMargin = 24 * time.Hour
	}
	if c.NudgeAt == 0 {
		c.NudgeAt = 4
	}
	if c.RememberUpTo == 0 {
		c.RememberUpTo = 12
	}
	if c.MaxUnanswered == 0 {
		c.MaxUnanswered = 1000
	}
	if c.MaxEvidence == 0 {
		c.MaxEvidence = 50
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
	case c.Window < time.Millisecond:
		return fmt.Errorf("state: window %s: must be at least 1ms", c.Window)
	case c.Window%time.Millisecond != 0:
		return fmt.Errorf("state: window %s: must be a whole number of milliseconds", c.Window)
	case c.TTLMargin < 0:
		return fmt.Errorf("state: TTL margin %s: must not be negative", c.TTLMargin)
	case c.NudgeAt < 1:
		return fmt.Errorf("state: nudge count %d: must be at least 1", c.NudgeAt)
	case c.RememberUpTo < 1:
		return fmt.Errorf("state: remember-up-to count %d: must be at least 1", c.RememberUpTo)
	case c.MaxUnanswered < 1 || c.MaxUnanswered > 1_000_000:
		return fmt.Errorf("state: max unanswered %d: must be between 1 and 1000000", c.MaxUnanswered)
	case c.MaxEvidence < 1 || c.MaxEvidence > 10_000:
		return fmt.Errorf("state: max evidence %d: must be between 1 and 10000", c.MaxEvidence)
	case slices.ContainsFunc(c.Levels, func(l int) bool { return l < 1 }):
		return fmt.Errorf("state: levels %v: must be at least 1", c.Levels)
	case c.CachePairs < -1:
		return fmt.Errorf("state: cache pairs %d: must be -1 (none) or more", c.CachePairs)
	case strings.ContainsAny(c.KeyPrefix, "{}"):
		return fmt.Errorf("state: key prefix %q: must not contain '{' or '}'", c.KeyPrefix)
	}
	return nil
}

// PolicyConfig is the store configuration pol needs: its window, nudge count and levels.
func PolicyConfig(pol *policy.Policy) Config {
	return Config{Window: pol.Window(), NudgeAt: pol.NudgeAt(), RememberUpTo: pol.HighestLevel(), Levels: pol.Levels()}
}

// ttl is how long a key lives after its last write.
func (c Config) ttl() time.Duration { return c.Window + c.TTLMargin }

// ErrInvalidObservation marks an observation the store cannot record (no ids, the same
// sender and recipient, an unknown action, a time not after 1970). The processor validates
// events before they reach the store, so it is a bug upstream, never worth a retry.
var ErrInvalidObservation = errors.New("invalid observation")
