package processor

import (
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"
)

// newReader is one consumer group member over both input topics. Offsets are committed
// explicitly (CommitInterval 0 makes CommitMessages synchronous) after a batch's outputs
// are acknowledged.
//
// MaxWait costs no latency (MinBytes 1: the broker answers as soon as a record arrives)
// but sets the read deadline of a fetch: kafka-go asks the broker to wait MaxWait minus
// min(1 s, MaxWait/4) and gives up at MaxWait. At 250 ms that left a busy broker 62 ms of
// slack; past it the reader logged "i/o timeout", reconnected and backed off at least
// 100 ms, which made make bench's p99 latency 650 ms. 2 s leaves a second.
//
// Its connections are in conns, so that closeReader can cut them.
func (p *Processor) newReader(conns *connSet) *kafka.Reader {
	cfg := ReaderConfig(p.cfg, p.log.Named("kafka"))
	cfg.Dialer = conns.dialer(cfg.Dialer)
	return kafka.NewReader(cfg)
}

// ReaderConfig is the consumer group reader of a processor with cfg, logging to log (nil:
// nowhere). make bench's I/O floor reads with it too.
func ReaderConfig(cfg Config, log *zap.Logger) kafka.ReaderConfig {
	cfg = cfg.withDefaults()
	debug, warn := kafkaLoggers(log)
	return kafka.ReaderConfig{
		Brokers:               cfg.Brokers,
		GroupID:               cfg.GroupID,
		GroupTopics:           cfg.Topics.Inputs(),
		StartOffset:           kafka.FirstOffset,
		CommitInterval:        0,
		QueueCapacity:         cfg.BatchSize,
		MinBytes:              1,
		MaxBytes:              10 << 20,
		MaxWait:               2 * time.Second,
		SessionTimeout:        cfg.SessionTimeout,
		HeartbeatInterval:     cfg.HeartbeatInterval,
		RebalanceTimeout:      cfg.RebalanceTimeout,
		JoinGroupBackoff:      cfg.JoinGroupBackoff,
		WatchPartitionChanges: true,
		Dialer:                cfg.Security.Dialer(),
		Logger:                debug,
		ErrorLogger:           warn,
	}
}

// newWriter writes every output of a batch in one synchronous call, acknowledged by all
// in-sync replicas. The small BatchTimeout matters: a call's records are all handed over
// at once, so waiting longer gathers nothing more and only delays the batch (kafka-go's
// 1 s default would cap a synchronous writer at about one call per second; 2 ms cost
// relance about a fifth of its throughput in make bench).
func (p *Processor) newWriter() *kafka.Writer {
	return NewWriter(p.cfg, p.transport, p.log.Named("kafka"))
}

// NewWriter is the output writer of a processor with cfg, over transport, logging to log
// (nil: nowhere). make bench's I/O floor writes with it too.
func NewWriter(cfg Config, transport *kafka.Transport, log *zap.Logger) *kafka.Writer {
	debug, warn := kafkaLoggers(log)
	return &kafka.Writer{
		Addr:         kafka.TCP(cfg.Brokers...),
		Transport:    transport,
		Balancer:     &kafka.Murmur2Balancer{}, // same partition for a key as Java clients
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 500 * time.Microsecond,
		// Records per partition batch, not per call: kafka-go splits a larger call. It also
		// preallocates this many slots per batch, so a large value costs allocation, not speed.
		BatchSize:              100,
		AllowAutoTopicCreation: cfg.AllowAutoTopicCreation,
		Logger:                 debug,
		ErrorLogger:            warn,
	}
}

// kafkaLoggers bridge kafka-go's logs to log: its chatter at debug, its errors at warn.
func kafkaLoggers(log *zap.Logger) (debug, warn kafka.Logger) {
	if log == nil {
		log = zap.NewNop()
	}
	return kafka.LoggerFunc(func(msg string, args ...any) { log.Debug(fmt.Sprintf(msg, args...)) }),
		kafka.LoggerFunc(func(msg string, args ...any) { log.Warn(fmt.Sprintf(msg, args...)) })
}
