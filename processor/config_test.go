package processor_test

import (
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/processor"
	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

func TestConfigValidateNamesTheBadSetting(t *testing.T) {
	ok := processor.Config{Brokers: []string{"k1:9092"}}
	for _, tt := range []struct {
		name string
		edit func(*processor.Config)
		want string // "" for valid
	}{
		{"defaults", func(*processor.Config) {}, ""},
		{"no brokers", func(c *processor.Config) { c.Brokers = nil }, "no Kafka brokers"},
		{"empty broker", func(c *processor.Config) { c.Brokers = []string{"k1:9092", ""} }, "empty Kafka broker"},
		{"bad topic", func(c *processor.Config) { c.Topics = topics.Names{Reply: "a reply"} }, "a reply"},
		{"batch too small", func(c *processor.Config) { c.BatchSize = -1 }, "batch size -1"},
		{"batch too large", func(c *processor.Config) { c.BatchSize = 100_001 }, "batch size 100001"},
		{"negative linger", func(c *processor.Config) { c.BatchLinger = -time.Millisecond }, "batch linger"},
		{"backoff min over max", func(c *processor.Config) { c.MinBackoff, c.MaxBackoff = time.Second, time.Millisecond }, "backoff"},
		{"negative join group backoff", func(c *processor.Config) { c.JoinGroupBackoff = -time.Second }, "join group backoff"},
		{"negative shutdown grace", func(c *processor.Config) { c.ShutdownGrace = -time.Second }, "shutdown grace"},
		{"negative close timeout", func(c *processor.Config) { c.CloseTimeout = -time.Second }, "close timeout"},
		{"close timeout over a minute", func(c *processor.Config) { c.CloseTimeout = 2 * time.Minute }, "close timeout"},
		{"dead-letter payload full", func(c *processor.Config) { c.DeadLetterPayload = record.PayloadFull }, ""},
		{"dead-letter payload unknown", func(c *processor.Config) { c.DeadLetterPayload = "none" }, `dead-letter payload "none"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Validate() = %v, want an error naming %q", err, tt.want)
			}
		})
	}
}
