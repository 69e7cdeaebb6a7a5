// Package testenv holds test helpers that start real servers (redis-server, a Kafka-protocol
// broker) for the store and end-to-end tests, each on a free port and stopped in t.Cleanup.
package testenv
