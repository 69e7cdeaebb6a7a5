package metrics

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "relance"

// Label values known in advance. Their series are created at zero by New.
var (
	nudgeKinds      = []string{"follow_up_limit", "respectful_language", "check_in"}
	alertSeverities = []string{"low", "medium", "high"}
	kafkaOps        = []string{"fetch", "write", "commit"}
	// Stages are a batch's steps through the processor, in order (see Stage).
	Stages = []string{"arrival", "linger", "decode", "wait_apply", "store", "outputs", "wait_publish", "write", "commit"}
)

// callBuckets cover Redis and Kafka calls from 0.1 ms (a pipelined Redis round trip on
// localhost) to 10 s (a broker or Redis timing out), on a 1-2.5-5 scale.
var callBuckets = []float64{
	0.0001, 0.00025, 0.0005,
	0.001, 0.0025, 0.005,
	0.01, 0.025, 0.05,
	0.1, 0.25, 0.5,
	1, 2.5, 5, 10,
}

// stageBuckets cover a batch's stages from 0.1 ms to 10 s, finer than callBuckets between
// 1 and 50 ms, where a nudge's latency is decided: a quantile read from them (as Prometheus's
// histogram_quantile does) is off by at most a few milliseconds there.
var stageBuckets = []float64{
	0.0001, 0.00025, 0.0005,
	0.001, 0.002, 0.003, 0.004, 0.005, 0.0075,
	0.01, 0.0125, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075,
	0.1, 0.25, 0.5,
	1, 2.5, 5, 10,
}

// batchBuckets cover batch sizes from 1 to 10000 records on a 1-2-5 scale (exponential
// per decade, with whole-number bounds).
var batchBuckets = []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000}

// Metrics is relance's set of metrics, registered in its own registry. Its methods and
// the collectors it holds are safe for concurrent use.
type Metrics struct {
	// EventsConsumed counts input records once their batch is committed, by topic and by
	// what became of them: counted, replayed, duplicate, late, stale, answer or dead_letter.
	EventsConsumed *prometheus.CounterVec
	// Nudges counts published coach nudges by kind.
	Nudges *prometheus.CounterVec
	// Alerts counts published moderation alerts by severity.
	Alerts *prometheus.CounterVec
	// NudgeOutcomes counts how nudged streaks (their follow_up_limit fired) went on, by the
	// policy version deciding and the outcome the first event after the nudge fixed:
	// answered, blocked, reported, dismissed, continued or stopped (policy.Outcomes). Each
	// streak counts once, when its batch is committed. The processor creates its policy
	// version's series at zero.
	NudgeOutcomes *prometheus.CounterVec
	// ShadowNudges and ShadowAlerts count what the shadow policy (RELANCE_SHADOW_POLICY_FILE)
	// decided and did not publish: nudges by policy version and kind, alerts by policy
	// version and severity, counted like Nudges and Alerts once the batch is committed. The
	// candidate is decided on the streaks the store keeps for the live policy: see the help
	// texts and the README's "Shadow policy" for where that differs from running it live.
	ShadowNudges *prometheus.CounterVec
	ShadowAlerts *prometheus.CounterVec
	// DeadLetters counts input records sent to the dead-letter topic, by source topic.
	DeadLetters *prometheus.CounterVec
	// RedisSeconds observes the duration of Redis calls, by operation.
	RedisSeconds *prometheus.HistogramVec
	// KafkaSeconds observes the duration of Kafka calls: fetch, write, commit.
	KafkaSeconds *prometheus.HistogramVec
	// Stage observes, once per committed batch, how long it spent in each of its stages
	// (Stages): arrival, from the Kafka timestamp of the batch's first record to relance
	// fetching it (the producer's linger, the broker, the fetch wait, and any backlog);
	// linger, gathering the rest of the batch; decode (the text check included);
	// wait_apply, waiting for the store stage to finish the batch before; store
	// (Store.Apply, retries included); outputs, deciding and building the records;
	// wait_publish; write (the outputs are readable once it ends); commit. Their sum is
	// the batch's first record's time from its producer to its commit.
	Stage *prometheus.HistogramVec
	// BatchSize observes how many input records each batch holds.
	BatchSize prometheus.Histogram
	// ConsumerLag is, per input partition, how many records lie between the last one
	// fetched and the partition's high watermark.
	ConsumerLag *prometheus.GaugeVec
	// Retries counts failed Redis or Kafka calls that were retried, by operation.
	Retries *prometheus.CounterVec
	// StateUnreadable counts stored values the store could not decode and replaced by an
	// empty record; StateConflicts the records another writer changed between the store's
	// read and its write (they are read again and redone).
	StateUnreadable prometheus.Counter
	StateConflicts  prometheus.Counter
	// Ready is 1 while every readiness check passes, 0 otherwise.
	Ready prometheus.Gauge
	// RemoteFallbacks counts the messages the built-in text check answered for the remote
	// classifier, RemoteBreakerOpen is 1 while its circuit breaker is open: registered by
	// WatchRemoteClassifier, read from the classifier at each scrape.
	RemoteFallbacks   prometheus.CounterFunc
	RemoteBreakerOpen prometheus.GaugeFunc
	remote            RemoteClassifier

	registry *prometheus.Registry
	handler  http.Handler
}

// New creates a private registry holding the Go and process collectors and relance's
// metrics. It never touches the global Prometheus registry, so it can be called any
// number of times.
func New() *Metrics {
	m := &Metrics{
		EventsConsumed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "events_consumed_total",
			Help: "Input records processed and committed, by topic and outcome: counted (new unanswered message), " +
				"replayed (redelivery of a counted message), duplicate, late (already answered), stale (outside the window), " +
				"answer (a reply or a message answering the other direction), dead_letter (invalid input).",
		}, []string{"topic", "outcome"}),
		Nudges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "nudges_total",
			Help:      "Coach nudges published, by kind: follow_up_limit and respectful_language (to the sender), check_in (to the recipient).",
		}, []string{"kind"}),
		Alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "alerts_total",
			Help:      "Moderation alerts published, by severity: low, medium, high.",
		}, []string{"severity"}),
		NudgeOutcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "nudge_outcomes_total",
			Help: "Nudged streaks (follow_up_limit fired) by policy version and by the first event after the nudge: " +
				"answered (the recipient answered), blocked, reported, dismissed (the recipient said all is fine), " +
				"continued (the sender sent another message), stopped (the streak slid out of the window with no message from the sender). Counted once per streak.",
		}, []string{"policy_version", "outcome"}),
		ShadowNudges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "shadow_nudges_total",
			Help: "Coach nudges the shadow policy decided and did not publish, by its policy version and kind, counted once the batch is committed. " +
				"Decided on the live policy's streaks (same window and burst), exact for each event's first pass; " +
				"a redelivered message replays only what the live policy's levels kept for it.",
		}, []string{"policy_version", "kind"}),
		ShadowAlerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "shadow_alerts_total",
			Help: "Moderation alerts the shadow policy decided and did not publish, by its policy version and severity, counted once the batch is committed. " +
				"As for relance_shadow_nudges_total, and: a report's severity follows the live policy's nudge; " +
				"sender-level alerts are the live policy's crossings at the levels the shadow policy also has.",
		}, []string{"policy_version", "severity"}),
		DeadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "dead_letters_total",
			Help:      "Invalid input records written to the dead-letter topic, by the topic they came from.",
		}, []string{"topic"}),
		RedisSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "redis_call_seconds",
			Help:      "Duration of Redis calls in seconds, by operation, failed attempts included.",
			Buckets:   callBuckets,
		}, []string{"op"}),
		KafkaSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "kafka_call_seconds",
			Help:      "Duration of Kafka calls in seconds, by operation: fetch (a whole batch), write (outputs, acknowledged by all in-sync replicas), commit.",
			Buckets:   callBuckets,
		}, []string{"op"}),
		Stage: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "stage_seconds",
			Help:      "Time a committed batch spent in each stage, in seconds: arrival (first record's Kafka timestamp to its fetch), linger, decode, wait_apply, store, outputs, wait_publish, write (outputs readable at its end), commit.",
			Buckets:   stageBuckets,
		}, []string{"stage"}),
		BatchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "batch_size",
			Help:      "Number of input records per fetched batch (each batch is stored, written and committed together).",
			Buckets:   batchBuckets,
		}),
		ConsumerLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace,
			Name:      "consumer_lag",
			Help:      "Records behind the high watermark after the last fetched record, by input topic and partition.",
		}, []string{"topic", "partition"}),
		Retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "retries_total",
			Help:      "Failed Redis or Kafka calls that were retried with backoff, by operation.",
		}, []string{"op"}),
		StateUnreadable: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "state_unreadable_total",
			Help:      "Stored values that could not be decoded (corrupt, or of an unknown format) and were replaced by an empty record: that pair's history is lost. Each is logged with its key.",
		}),
		StateConflicts: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "state_conflicts_total",
			Help:      "Records another writer changed between the store's read and its write; each is read again and its observations redone.",
		}),
		Ready: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace,
			Name:      "ready",
			Help:      "1 when the last readiness check passed (Kafka and Redis reachable, nothing failing), 0 otherwise.",
		}),
		registry: prometheus.NewRegistry(),
	}
	m.RemoteFallbacks = prometheus.NewCounterFunc(prometheus.CounterOpts{
		Namespace: namespace,
		Name:      "content_remote_fallbacks_total",
		Help:      "Messages the built-in text check answered for the remote classifier: its call failed or timed out, or its circuit breaker was open. Only with a remote classifier.",
	}, func() float64 { return float64(m.remote.Fallbacks()) })
	m.RemoteBreakerOpen = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: namespace,
		Name:      "content_remote_breaker_open",
		Help:      "1 while the remote classifier's circuit breaker is open (or half-open, one trial call at a time): the built-in text check answers for it. Only with a remote classifier.",
	}, func() float64 {
		if m.remote.BreakerOpen() {
			return 1
		}
		return 0
	})
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.EventsConsumed, m.Nudges, m.Alerts, m.NudgeOutcomes, m.ShadowNudges, m.ShadowAlerts, m.DeadLetters,
		m.RedisSeconds, m.KafkaSeconds, m.Stage, m.BatchSize,
		m.ConsumerLag, m.Retries, m.StateUnreadable, m.StateConflicts, m.Ready,
	)
	for _, k := range nudgeKinds {
		m.Nudges.WithLabelValues(k)
	}
	for _, s := range alertSeverities {
		m.Alerts.WithLabelValues(s)
	}
	for _, op := range kafkaOps {
		m.KafkaSeconds.WithLabelValues(op)
	}
	for _, s := range Stages {
		m.Stage.WithLabelValues(s)
	}
	m.handler = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		// Counts scrape errors in the same private registry.
		Registry: m.registry,
	})
	return m
}

// Registry returns the private registry holding every metric, for tests and for adding
// collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler { return m.handler }

// RemoteClassifier is what the metrics read of a remote text classifier (content.Remote):
// how many checks its fallback answered, and whether its circuit breaker is open.
type RemoteClassifier interface {
	Fallbacks() uint64
	BreakerOpen() bool
}

// WatchRemoteClassifier exports r's state (RemoteFallbacks, RemoteBreakerOpen), read at
// each scrape: an operator sees there that the built-in check answers in its place (a slow
// or failing service), which the nudges and alerts alone do not tell. Without a remote
// classifier neither metric is exported.
func (m *Metrics) WatchRemoteClassifier(r RemoteClassifier) error {
	if m.remote != nil {
		return errors.New("metrics: a remote classifier is already watched")
	}
	m.remote = r
	for _, c := range []prometheus.Collector{m.RemoteFallbacks, m.RemoteBreakerOpen} {
		if err := m.registry.Register(c); err != nil {
			return fmt.Errorf("metrics: remote classifier: %w", err)
		}
	}
	return nil
}
