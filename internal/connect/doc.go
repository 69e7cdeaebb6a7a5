// Package connect turns relance's connection settings into clients: the TLS configuration
// and SASL mechanism of every Kafka connection (the processor's group reader and writer,
// readiness checks, admin and replay clients), and the go-redis options of a single Redis,
// a Cluster or a Sentinel-managed Redis, with ACL credentials and TLS. Nothing else builds
// a dialer, a transport or Redis options, so a setting reaches every connection at once.
//
// Secrets are of type Secret, which prints as "[redacted]" whatever verb formats it, so a
// password cannot reach a log line, an error or a panic by accident. Errors name the
// setting at fault by its environment variable (RELANCE_KAFKA_TLS_CA_FILE: …), never a
// secret's value.
package connect
