package embedded

import (
	"context"
	"errors"
	"fmt"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/zap"
)

// Kafka is a running embedded Kafka-protocol broker.
type Kafka struct {
	cluster *kfake.Cluster
	addrs   []string
	log     *zap.Logger
}

// KafkaOption configures StartKafka.
type KafkaOption func(*kafkaConfig)

type kafkaConfig struct {
	port int
}

// WithPort makes the broker listen on 127.0.0.1:port (default 0: any free port), so that
// tools outside the process can be pointed at a known address.
func WithPort(port int) KafkaOption {
	return func(c *kafkaConfig) { c.port = port }
}

// StartKafka starts a one-broker Kafka-protocol cluster on 127.0.0.1 with topics created
// with the given number of partitions; other topics are created on first use with as
// many partitions. It returns once the broker answers a metadata request for topics, or
// with ctx's error; ctx bounds only the start, Close stops the broker. A nil log logs
// nothing.
func StartKafka(ctx context.Context, topics []string, partitions int, log *zap.Logger, opts ...KafkaOption) (*Kafka, error) {
	if partitions < 1 {
		return nil, fmt.Errorf("embedded kafka: %d partitions, want at least 1", partitions)
	}
	for _, t := range topics {
		if t == "" {
			return nil, errors.New("embedded kafka: empty topic name")
		}
	}
	var cfg kafkaConfig
	for _, o := range opts {
		o(&cfg)
	}
	if log == nil {
		log = zap.NewNop()
	}
	log = log.Named("embedded-kafka")

	cluster, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.Ports(cfg.port),
		kfake.SeedTopics(int32(partitions), topics...),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(partitions),
		kfake.WithLogger(kfakeLogger{log}),
	)
	if err != nil {
		return nil, fmt.Errorf("embedded kafka: %w", err)
	}
	k := &Kafka{cluster: cluster, addrs: cluster.ListenAddrs(), log: log}
	if err := k.probe(ctx, topics, partitions); err != nil {
		k.cluster.Close()
		return nil, fmt.Errorf("embedded kafka: %w", err)
	}
	log.Warn("EMBEDDED KAFKA BROKER: development only, data is in memory and lost at exit; configure real brokers (RELANCE_KAFKA_BROKERS) for anything else",
		zap.Strings("addrs", k.addrs), zap.Strings("topics", topics), zap.Int("partitions", partitions))
	return k, nil
}

// probe checks that the broker answers and has the seeded topics.
func (k *Kafka) probe(ctx context.Context, topics []string, partitions int) error {
	conn, err := kafka.DialContext(ctx, "tcp", k.addrs[0])
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			return fmt.Errorf("set deadline: %w", err)
		}
	}
	if len(topics) == 0 {
		_, err := conn.Brokers()
		return err
	}
	parts, err := conn.ReadPartitions(topics...)
	if err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	count := make(map[string]int, len(topics))
	for _, p := range parts {
		count[p.Topic]++
	}
	for _, t := range topics {
		if count[t] != partitions {
			return fmt.Errorf("topic %s has %d partitions, want %d", t, count[t], partitions)
		}
	}
	return nil
}

// Addrs returns the broker's address (host:port), to use as bootstrap brokers.
func (k *Kafka) Addrs() []string { return append([]string(nil), k.addrs...) }

// Close stops the broker and drops its data. Clients should be closed first. It is safe
// to call more than once.
func (k *Kafka) Close() {
	k.cluster.Close()
}

// kfakeLogger sends kfake's logs to zap: its errors and warnings as such, its per-request
// info lines at debug, its debug lines nowhere.
type kfakeLogger struct{ log *zap.Logger }

func (l kfakeLogger) Logf(level kfake.LogLevel, format string, args ...any) {
	var zl func(string, ...zap.Field)
	switch level {
	case kfake.LogLevelError:
		zl = l.log.Error
	case kfake.LogLevelWarn:
		zl = l.log.Warn
	case kfake.LogLevelInfo:
		if !l.log.Core().Enabled(zap.DebugLevel) {
			return
		}
		zl = l.log.Debug
	default:
		return
	}
	zl(fmt.Sprintf(format, args...))
}
