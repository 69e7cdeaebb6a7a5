package processor

import (
	"errors"
	"fmt"
	"time"

	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

// Config configures a Processor. The zero value of each field means its default.
type Config struct {
	// Brokers are the Kafka bootstrap addresses (host:port). Required.
	Brokers []string
	// Security is the TLS and SASL of every connection to the brokers (package connect);
	// the zero value is plaintext without authentication.
	Security connect.KafkaSecurity
	// GroupID is the consumer group shared by all instances. Default "relance".
	GroupID string
	// Topics are the topic names. Empty names take their defaults.
	Topics topics.Names
	// BatchSize is the most input records handled, stored and committed together. Default 1000.
	BatchSize int
	// BatchLinger is how long to wait for more records once a batch has its first one.
	// It bounds the delay a quiet stream adds to a nudge; under load, batches grow anyway
	// while the next stage is busy (records queue in the reader). Default 1ms.
	BatchLinger time.Duration
	// MinBackoff and MaxBackoff bound the exponential backoff between retries of a
	// failed Redis or Kafka call. Defaults 100ms and 10s.
	MinBackoff, MaxBackoff time.Duration
	// ShutdownGrace is how long a cancelled processor, or one whose pipeline stage failed,
	// keeps trying to finish, write and commit the batches it has fetched before giving up
	// on those left (they are then redelivered). Default 30s.
	ShutdownGrace time.Duration
	// CloseTimeout bounds leaving the consumer group once every fetched batch is committed.
	// kafka-go's reader waits for a JoinGroup or SyncGroup in flight, which the coordinator
	// may hold for up to RebalanceTimeout (while a killed member's session runs out, say);
	// past CloseTimeout the processor closes the reader's connections and returns without
	// having left, and the coordinator drops the member when its session expires
	// (SessionTimeout), then rebalances the others. Run returns at most CloseTimeout plus
	// one second after the last commit. Default 3s; at most 1m.
	CloseTimeout time.Duration
	// SessionTimeout is the consumer group session timeout. Default 30s (kafka-go's).
	SessionTimeout time.Duration
	// HeartbeatInterval is the consumer group heartbeat period. Default 3s (kafka-go's).
	HeartbeatInterval time.Duration
	// RebalanceTimeout is how long members get to rejoin during a rebalance. Default 30s.
	RebalanceTimeout time.Duration
	// JoinGroupBackoff is how long to wait before trying again to join the consumer group
	// after a failed attempt (the broker is unreachable, say). Default 5s (kafka-go's).
	JoinGroupBackoff time.Duration
	// DeadLetterPayload is what a dead letter's value holds: record.PayloadRedacted (the
	// default) writes no message text, record.PayloadFull the input's bytes unchanged.
	DeadLetterPayload record.Payload
	// AllowAutoTopicCreation lets the writer create missing output topics. Default false:
	// operators create topics with the partitions and retention they want.
	AllowAutoTopicCreation bool
}

func (c Config) withDefaults() Config {
	if c.GroupID == "" {
		c.GroupID = "relance"
	}
	c.Topics = c.Topics.WithDefaults()
	if c.DeadLetterPayload == "" {
		c.DeadLetterPayload = record.PayloadRedacted
	}
	if c.BatchSize == 0 {
		c.BatchSize = 1000
	}
	if c.BatchLinger == 0 {
		c.BatchLinger = time.Millisecond
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = 100 * time.Millisecond
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 10 * time.Second
	}
	if c.ShutdownGrace == 0 {
		c.ShutdownGrace = 30 * time.Second
	}
	if c.CloseTimeout == 0 {
		c.CloseTimeout = 3 * time.Second
	}
	if c.SessionTimeout == 0 {
		c.SessionTimeout = 30 * time.Second
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = 3 * time.Second
	}
	if c.RebalanceTimeout == 0 {
		c.RebalanceTimeout = 30 * time.Second
	}
	if c.JoinGroupBackoff == 0 {
		c.JoinGroupBackoff = 5 * time.Second
	}
	return c
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	c = c.withDefaults()
	if len(c.Brokers) == 0 {
		return errors.New("processor: no Kafka brokers configured")
	}
	for _, b := range c.Brokers {
		if b == "" {
			return errors.New("processor: empty Kafka broker address")
		}
	}
	if err := c.Topics.Validate(); err != nil {
		return fmt.Errorf("processor: %w", err)
	}
	if err := c.DeadLetterPayload.Validate(); err != nil {
		return fmt.Errorf("processor: %w", err)
	}
	switch {
	case c.BatchSize < 1 || c.BatchSize > 100_000:
		return fmt.Errorf("processor: batch size %d: must be between 1 and 100000", c.BatchSize)
	case c.BatchLinger < 0:
		return fmt.Errorf("processor: batch linger %s: must not be negative", c.BatchLinger)
	case c.MinBackoff < 0 || c.MaxBackoff < c.MinBackoff:
		return fmt.Errorf("processor: backoff %s..%s: need 0 <= min <= max", c.MinBackoff, c.MaxBackoff)
	case c.JoinGroupBackoff < 0:
		return fmt.Errorf("processor: join group backoff %s: must not be negative", c.JoinGroupBackoff)
	case c.ShutdownGrace < 0:
		return fmt.Errorf("processor: shutdown grace %s: must not be negative", c.ShutdownGrace)
	case c.CloseTimeout < 0 || c.CloseTimeout > time.Minute:
		return fmt.Errorf("processor: close timeout %s: must be between 0 (the default, 3s) and 1m", c.CloseTimeout)
	}
	return nil
}
