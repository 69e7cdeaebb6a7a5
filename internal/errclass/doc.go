// Package errclass tells errors that will not go away by retrying (a refused credential or
// permission, a certificate that does not verify, a request the server rejects as such)
// from the transient ones (network, timeouts, a Redis loading or failing over, a script it
// lost, a Kafka broker or coordinator unavailable, a rebalance). Callers retry the
// transient ones with backoff and stop on the others with an error that says what failed.
//
// An error it does not know is transient: retrying it holds the batch (nothing is
// committed), where stopping on it would turn a passing failure into an outage.
package errclass
