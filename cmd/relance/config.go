package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/relance/relance/content"
	"github.com/relance/relance/topics"
)

// config is everything relance reads from its environment and flags.
type config struct {
	brokers    []string
	redisAddrs []string
	groupID    string
	topics     topics.Names
	policyFile string
	// contentFile adds and removes entries of the built-in text check's word lists.
	contentFile string
	// contentRemote is a remote classifier's URL; the built-in check is its fallback.
	contentRemote  string
	contentTimeout time.Duration
	// contentConcurrency is how many remote classifier calls a batch makes at once.
	contentConcurrency int
	// sessionTimeout is the consumer group session timeout (heartbeats every tenth of it).
	sessionTimeout time.Duration
	// cachePairs is how many pairs' last written values the store keeps in memory; 0 none.
	cachePairs int
	httpAddr   string
	logLevel   string
	demo       bool
	demoExit   bool
	demoPace   time.Duration
}

// The store's pair cache: 100,000 pairs is some 30 MiB; the bound keeps a typo from asking
// for tens of gigabytes.
const (
	defaultCachePairs = 100_000
	maxCachePairs     = 10_000_000
)

// setting is one option: a flag, the environment variable that sets its default, and the
// built-in default.
type setting struct {
	flag, env, def, usage string
	dst                   *string
}

// parseConfig reads flags, falling back on the environment, then on the defaults.
func parseConfig(args []string, getenv func(string) string, usageOut io.Writer) (config, error) {
	var c config
	var brokers, redisAddrs string
	settings := []setting{
		{"kafka-brokers", "RELANCE_KAFKA_BROKERS", "", "comma-separated Kafka brokers host:port; empty starts an embedded development broker", &brokers},
		{"redis-addr", "RELANCE_REDIS_ADDR", "", "Redis host:port, several comma-separated for Redis Cluster; empty starts an embedded development Redis", &redisAddrs},
		{"group-id", "RELANCE_GROUP_ID", "relance", "Kafka consumer group", &c.groupID},
		{"topic-message-sent", "RELANCE_TOPIC_MESSAGE_SENT", topics.DefaultMessageSent, "input topic of MessageSent events", &c.topics.MessageSent},
		{"topic-reply", "RELANCE_TOPIC_REPLY", topics.DefaultReply, "input topic of Reply events", &c.topics.Reply},
		{"topic-coach-nudge", "RELANCE_TOPIC_COACH_NUDGE", topics.DefaultCoachNudge, "output topic of CoachNudge events", &c.topics.CoachNudge},
		{"topic-moderation-alert", "RELANCE_TOPIC_MODERATION_ALERT", topics.DefaultModerationAlert, "output topic of ModerationAlert events", &c.topics.ModerationAlert},
		{"topic-dead-letter", "RELANCE_TOPIC_DEAD_LETTER", topics.DefaultDeadLetter, "output topic of invalid input", &c.topics.DeadLetter},
		{"policy-file", "RELANCE_POLICY_FILE", "", "YAML policy file; empty uses the built-in default policy", &c.policyFile},
		{"content-words-file", "RELANCE_CONTENT_WORDS_FILE", "", "YAML or TSV file of entries added to or removed from the built-in text check's word lists", &c.contentFile},
		{"content-remote-url", "RELANCE_CONTENT_REMOTE_URL", "", "URL of a remote text classifier (POST); the built-in check answers when it fails or is slow", &c.contentRemote},
		{"http-addr", "RELANCE_HTTP_ADDR", ":8080", "address of /healthz, /readyz and /metrics", &c.httpAddr},
		{"log-level", "RELANCE_LOG_LEVEL", "info", "log level: debug, info, warn, error", &c.logLevel},
	}
	fs := flag.NewFlagSet("relance", flag.ContinueOnError)
	fs.SetOutput(usageOut)
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		fs.StringVar(s.dst, s.flag, def, fmt.Sprintf("%s (env %s, default %q)", s.usage, s.env, s.def))
	}
	fs.BoolVar(&c.demo, "demo", false, "play the built-in demo scenario on the embedded broker and show a timeline")
	fs.BoolVar(&c.demoExit, "demo-exit", false, "with -demo: exit 0 once the scenario has played and its outputs were seen")
	durations := []struct {
		flag, env string
		def       time.Duration
		usage     string
		dst       *time.Duration
	}{
		{"content-remote-timeout", "RELANCE_CONTENT_REMOTE_TIMEOUT", 200 * time.Millisecond, "timeout of one remote classifier call", &c.contentTimeout},
		{"kafka-session-timeout", "RELANCE_KAFKA_SESSION_TIMEOUT", 30 * time.Second, "consumer group session timeout: how long a crashed instance keeps its partitions", &c.sessionTimeout},
	}
	for _, d := range durations {
		def := d.def
		if v := getenv(d.env); v != "" {
			parsed, err := time.ParseDuration(v)
			if err != nil {
				return c, fmt.Errorf("%s: %w", d.env, err)
			}
			def = parsed
		}
		fs.DurationVar(d.dst, d.flag, def, fmt.Sprintf("%s (env %s, default %q)", d.usage, d.env, d.def))
	}
	cachePairs := defaultCachePairs
	if v := getenv("RELANCE_STATE_CACHE_PAIRS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return c, fmt.Errorf("RELANCE_STATE_CACHE_PAIRS: %q is not a whole number", v)
		}
		cachePairs = n
	}
	concurrency := content.DefaultRemoteConcurrency
	if v := getenv("RELANCE_CONTENT_REMOTE_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return c, fmt.Errorf("RELANCE_CONTENT_REMOTE_CONCURRENCY: %q is not a whole number", v)
		}
		concurrency = n
	}
	fs.IntVar(&c.contentConcurrency, "content-remote-concurrency", concurrency, fmt.Sprintf("remote classifier calls a batch makes at once, and connections kept to it (env RELANCE_CONTENT_REMOTE_CONCURRENCY, default %d)", content.DefaultRemoteConcurrency))
	fs.IntVar(&c.cachePairs, "state-cache-pairs", cachePairs, fmt.Sprintf("pairs whose last written value is kept in memory, about 300 bytes each, so a batch need not read them back from Redis; 0 keeps none (env RELANCE_STATE_CACHE_PAIRS, default %d)", defaultCachePairs))
	fs.DurationVar(&c.demoPace, "demo-pace", 700*time.Millisecond, "with -demo: real time between two scripted events (negative: as fast as possible)")
	fs.Usage = func() {
		fmt.Fprintf(usageOut, "Usage: relance [flags]\n\nrelance reads %s and %s and publishes coach nudges and moderation alerts.\nEvery flag can also be set by the environment variable named in its description.\n\nFlags:\n",
			topics.DefaultMessageSent, topics.DefaultReply)
		fs.PrintDefaults()
		fmt.Fprintf(usageOut, "\n%s", commandsUsage)
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (see relance -help)", fs.Arg(0))
	}
	c.brokers = splitList(brokers)
	c.redisAddrs = splitList(redisAddrs)
	if c.demoExit && !c.demo {
		return c, fmt.Errorf("-demo-exit needs -demo")
	}
	if c.demo && len(c.brokers) > 0 {
		return c, fmt.Errorf("-demo writes simulated members' messages, so it only runs on the embedded broker: unset RELANCE_KAFKA_BROKERS")
	}
	if c.cachePairs < 0 || c.cachePairs > maxCachePairs {
		return c, fmt.Errorf("state cache pairs %d (RELANCE_STATE_CACHE_PAIRS): must be from 0 to %d", c.cachePairs, maxCachePairs)
	}
	if c.contentConcurrency < 1 || c.contentConcurrency > content.MaxRemoteConcurrency {
		return c, fmt.Errorf("remote classifier concurrency %d (RELANCE_CONTENT_REMOTE_CONCURRENCY): must be from 1 to %d", c.contentConcurrency, content.MaxRemoteConcurrency)
	}
	if c.groupID == "" {
		return c, fmt.Errorf("empty consumer group (RELANCE_GROUP_ID)")
	}
	return c, c.topics.Validate()
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
