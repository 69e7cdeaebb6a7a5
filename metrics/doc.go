// Package metrics holds relance's Prometheus metrics in a private registry.
//
// New creates the registry, the Go and process collectors and every relance_ metric, so
// that two processors (or two tests) in one binary never collide and nothing touches
// prometheus.DefaultRegisterer. The processor updates the exported fields; the admin
// server serves Handler on /metrics.
//
// Series whose label values form a closed set (nudge kinds, alert severities, Kafka call
// kinds) start at zero, so rate() and absent() work from the first scrape. Series
// labelled by topic or partition appear when the processor first touches them.
package metrics
