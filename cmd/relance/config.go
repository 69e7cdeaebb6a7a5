package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/relance/relance/content"
	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

// config is everything relance reads from its environment and flags.
type config struct {
	brokers []string
	// kafka is the brokers' TLS and SASL.
	kafka      connect.Kafka
	redisAddrs []string
	// redis is Redis's credentials, database, TLS and Sentinel; its Addrs are redisAddrs.
	redis      connect.Redis
	groupID    string
	topics     topics.Names
	policyFile string
	// shadowPolicyFile is a candidate policy decided beside the live one, counted, never published.
	shadowPolicyFile string
	// contentFile adds and removes entries of the built-in text check's word lists.
	contentFile string
	// contentRemote is a remote classifier's URL; the built-in check is its fallback.
	contentRemote  string
	contentTimeout time.Duration
	// contentConcurrency is how many remote classifier calls a batch makes at once.
	contentConcurrency int
	// sessionTimeout is the consumer group session timeout (heartbeats every tenth of it).
	sessionTimeout time.Duration
	// closeTimeout bounds leaving the group on shutdown (processor.Config.CloseTimeout).
	closeTimeout time.Duration
	// cachePairs is how many pairs' last written values the store keeps in memory; 0 none.
	cachePairs int
	httpAddr   string
	logLevel   string
	demo       bool
	demoExit   bool
	demoPace   time.Duration

	// deadLetterPayload is what a dead letter's value holds: redacted or full.
	deadLetterPayload string
}

// The store's pair cache: 100,000 pairs is some 30 MiB; the bound keeps a typo from asking
// for tens of gigabytes.
const (
	defaultCachePairs = 100_000
	maxCachePairs     = 10_000_000
)

// settings are every option of c, each bound to its field and holding its default. A new
// option is one line here.
func (c *config) settings() []setting {
	return []setting{
		{"kafka-brokers", "RELANCE_KAFKA_BROKERS", "comma-separated Kafka brokers host:port; empty starts an embedded development broker", listVar(&c.brokers)},
		{"redis-addr", "RELANCE_REDIS_ADDR", "Redis host:port, several comma-separated for Redis Cluster; empty starts an embedded development Redis", listVar(&c.redisAddrs)},
		{"kafka-tls", "RELANCE_KAFKA_TLS", "TLS to the brokers, verified against the system roots unless a CA file is given", boolVar(&c.kafka.TLS.Enabled, false)},
		{"kafka-tls-ca-file", "RELANCE_KAFKA_TLS_CA_FILE", "PEM file of the authorities that sign the brokers' certificates", stringVar(&c.kafka.TLS.CAFile, "")},
		{"kafka-tls-cert-file", "RELANCE_KAFKA_TLS_CERT_FILE", "PEM client certificate, for mutual TLS (with -kafka-tls-key-file)", stringVar(&c.kafka.TLS.CertFile, "")},
		{"kafka-tls-key-file", "RELANCE_KAFKA_TLS_KEY_FILE", "PEM key of the client certificate", stringVar(&c.kafka.TLS.KeyFile, "")},
		{"kafka-tls-server-name", "RELANCE_KAFKA_TLS_SERVER_NAME", "name to verify the brokers' certificates for; empty: the host dialled", stringVar(&c.kafka.TLS.ServerName, "")},
		{"kafka-sasl-mechanism", "RELANCE_KAFKA_SASL_MECHANISM", "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; empty: none", stringVar(&c.kafka.SASLMechanism, "")},
		{"kafka-sasl-username", "RELANCE_KAFKA_SASL_USERNAME", "SASL user", stringVar(&c.kafka.SASLUsername, "")},
		{"", "RELANCE_KAFKA_SASL_PASSWORD", "SASL password", secretVar(&c.kafka.SASLPassword)},
		{"redis-username", "RELANCE_REDIS_USERNAME", "Redis ACL user (AUTH); empty: the default user", stringVar(&c.redis.Username, "")},
		{"", "RELANCE_REDIS_PASSWORD", "Redis password (AUTH)", secretVar(&c.redis.Password)},
		{"redis-db", "RELANCE_REDIS_DB", "Redis database number (single server or Sentinel only)", intVar(&c.redis.DB, 0)},
		{"redis-tls", "RELANCE_REDIS_TLS", "TLS to Redis and to the Sentinels, verified against the system roots unless a CA file is given", boolVar(&c.redis.TLS.Enabled, false)},
		{"redis-tls-ca-file", "RELANCE_REDIS_TLS_CA_FILE", "PEM file of the authorities that sign Redis's certificates", stringVar(&c.redis.TLS.CAFile, "")},
		{"redis-tls-cert-file", "RELANCE_REDIS_TLS_CERT_FILE", "PEM client certificate, for mutual TLS (with -redis-tls-key-file)", stringVar(&c.redis.TLS.CertFile, "")},
		{"redis-tls-key-file", "RELANCE_REDIS_TLS_KEY_FILE", "PEM key of the client certificate", stringVar(&c.redis.TLS.KeyFile, "")},
		{"redis-tls-server-name", "RELANCE_REDIS_TLS_SERVER_NAME", "name to verify Redis's certificate for; empty: the host dialled", stringVar(&c.redis.TLS.ServerName, "")},
		{"redis-sentinel-master", "RELANCE_REDIS_SENTINEL_MASTER", "Sentinel master name; RELANCE_REDIS_ADDR then lists the Sentinels", stringVar(&c.redis.SentinelMaster, "")},
		{"redis-sentinel-username", "RELANCE_REDIS_SENTINEL_USERNAME", "the Sentinels' own ACL user", stringVar(&c.redis.SentinelUsername, "")},
		{"", "RELANCE_REDIS_SENTINEL_PASSWORD", "the Sentinels' own password", secretVar(&c.redis.SentinelPassword)},
		{"group-id", "RELANCE_GROUP_ID", "Kafka consumer group", stringVar(&c.groupID, "relance")},
		{"topic-message-sent", "RELANCE_TOPIC_MESSAGE_SENT", "input topic of MessageSent events", stringVar(&c.topics.MessageSent, topics.DefaultMessageSent)},
		{"topic-reply", "RELANCE_TOPIC_REPLY", "input topic of Reply events", stringVar(&c.topics.Reply, topics.DefaultReply)},
		{"topic-member-action", "RELANCE_TOPIC_MEMBER_ACTION", "input topic of MemberAction events", stringVar(&c.topics.MemberAction, topics.DefaultMemberAction)},
		{"topic-coach-nudge", "RELANCE_TOPIC_COACH_NUDGE", "output topic of CoachNudge events", stringVar(&c.topics.CoachNudge, topics.DefaultCoachNudge)},
		{"topic-moderation-alert", "RELANCE_TOPIC_MODERATION_ALERT", "output topic of ModerationAlert events", stringVar(&c.topics.ModerationAlert, topics.DefaultModerationAlert)},
		{"topic-dead-letter", "RELANCE_TOPIC_DEAD_LETTER", "output topic of invalid input", stringVar(&c.topics.DeadLetter, topics.DefaultDeadLetter)},
		{"policy-file", "RELANCE_POLICY_FILE", "YAML policy file; empty uses the built-in default policy", stringVar(&c.policyFile, "")},
		{"shadow-policy-file", "RELANCE_SHADOW_POLICY_FILE", "YAML candidate policy decided on the same streaks beside the live one (same window and burst), counted in relance_shadow_* metrics, never published; empty: none", stringVar(&c.shadowPolicyFile, "")},
		{"content-words-file", "RELANCE_CONTENT_WORDS_FILE", "YAML or TSV file of entries added to or removed from the built-in text check's word lists", stringVar(&c.contentFile, "")},
		{"content-remote-url", "RELANCE_CONTENT_REMOTE_URL", "URL of a remote text classifier (POST); the built-in check answers when it fails or is slow", stringVar(&c.contentRemote, "")},
		{"content-remote-timeout", "RELANCE_CONTENT_REMOTE_TIMEOUT", "timeout of one remote classifier call", durationVar(&c.contentTimeout, 200*time.Millisecond)},
		{"content-remote-concurrency", "RELANCE_CONTENT_REMOTE_CONCURRENCY", "remote classifier calls a batch makes at once, and connections kept to it", intVar(&c.contentConcurrency, content.DefaultRemoteConcurrency)},
		{"kafka-session-timeout", "RELANCE_KAFKA_SESSION_TIMEOUT", "consumer group session timeout: how long a crashed instance keeps its partitions", durationVar(&c.sessionTimeout, 30*time.Second)},
		{"kafka-close-timeout", "RELANCE_KAFKA_CLOSE_TIMEOUT", "on shutdown, once every fetched batch is committed, how long leaving the consumer group may take (past it, the partitions move after the session timeout)", durationVar(&c.closeTimeout, 3*time.Second)},
		{"state-cache-pairs", "RELANCE_STATE_CACHE_PAIRS", "pairs whose last written value is kept in memory, about 300 bytes each, so a batch need not read them back from Redis; 0 keeps none", intVar(&c.cachePairs, defaultCachePairs)},
		{"dead-letter-payload", "RELANCE_DEAD_LETTER_PAYLOAD", "what a dead letter's value holds: redacted (no message text) or full (the input's bytes unchanged)", stringVar(&c.deadLetterPayload, string(record.PayloadRedacted))},
		{"http-addr", "RELANCE_HTTP_ADDR", "address of /healthz, /readyz and /metrics", stringVar(&c.httpAddr, ":8080")},
		{"log-level", "RELANCE_LOG_LEVEL", "log level: debug, info, warn, error", stringVar(&c.logLevel, "info")},
		{"demo", "RELANCE_DEMO", "play the built-in demo scenario on the embedded broker and show a timeline", boolVar(&c.demo, false)},
		{"demo-exit", "RELANCE_DEMO_EXIT", "with -demo: exit 0 once the scenario has played and its outputs were seen", boolVar(&c.demoExit, false)},
		{"demo-pace", "RELANCE_DEMO_PACE", "with -demo: real time between two scripted events (negative: as fast as possible)", durationVar(&c.demoPace, 700*time.Millisecond)},
	}
}

// parseConfig reads flags, falling back on the environment, then on the defaults.
func parseConfig(args []string, getenv func(string) string, usageOut io.Writer) (config, error) {
	var c config
	settings := c.settings()
	fs := flag.NewFlagSet("relance", flag.ContinueOnError)
	fs.SetOutput(usageOut)
	fs.Usage = func() {
		fmt.Fprintf(usageOut, "Usage: relance [flags]\n\nrelance reads %s, %s and %s and publishes coach nudges and moderation alerts.\nEvery flag can also be set by the environment variable named in its description; the flag wins.\n\nFlags:\n",
			topics.DefaultMessageSent, topics.DefaultReply, topics.DefaultMemberAction)
		printSettings(usageOut, settings)
		fmt.Fprintf(usageOut, "\n%s", commandsUsage)
	}
	if err := parseSettings(fs, settings, args, getenv); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (see relance -help)", fs.Arg(0))
	}
	if c.demoExit && !c.demo {
		return c, errors.New("-demo-exit (RELANCE_DEMO_EXIT) needs -demo (RELANCE_DEMO)")
	}
	if len(c.brokers) == 0 && (c.kafka.TLS.Enabled || c.kafka.SASLMechanism != "") {
		return c, errors.New("RELANCE_KAFKA_TLS and RELANCE_KAFKA_SASL_MECHANISM are for RELANCE_KAFKA_BROKERS: the embedded broker has neither")
	}
	if len(c.redisAddrs) == 0 && (c.redis.TLS.Enabled || c.redis.Password != "" || c.redis.SentinelMaster != "") {
		return c, errors.New("RELANCE_REDIS_TLS, RELANCE_REDIS_PASSWORD and RELANCE_REDIS_SENTINEL_MASTER are for RELANCE_REDIS_ADDR: the embedded Redis has none of them")
	}
	if c.demo && len(c.brokers) > 0 {
		return c, fmt.Errorf("-demo writes simulated members' messages, so it only runs on the embedded broker: unset RELANCE_KAFKA_BROKERS")
	}
	if c.contentConcurrency < 1 || c.contentConcurrency > content.MaxRemoteConcurrency {
		return c, fmt.Errorf("remote classifier concurrency %d (RELANCE_CONTENT_REMOTE_CONCURRENCY): must be from 1 to %d", c.contentConcurrency, content.MaxRemoteConcurrency)
	}
	if c.cachePairs < 0 || c.cachePairs > maxCachePairs {
		return c, fmt.Errorf("state cache pairs %d (RELANCE_STATE_CACHE_PAIRS): must be from 0 to %d", c.cachePairs, maxCachePairs)
	}
	if c.closeTimeout <= 0 || c.closeTimeout > time.Minute {
		return c, fmt.Errorf("close timeout %s (RELANCE_KAFKA_CLOSE_TIMEOUT): must be more than 0 and at most 1m", c.closeTimeout)
	}
	if c.groupID == "" {
		return c, errors.New("empty consumer group (RELANCE_GROUP_ID)")
	}
	if p := record.Payload(c.deadLetterPayload); p == "" || p.Validate() != nil {
		return c, fmt.Errorf("dead-letter payload %q (RELANCE_DEAD_LETTER_PAYLOAD): want %s or %s", c.deadLetterPayload, record.PayloadRedacted, record.PayloadFull)
	}
	return c, c.topics.Validate()
}
