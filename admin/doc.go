// Package admin is relance's operations HTTP server, on its own mux (never
// net/http's default mux):
//
//   - /healthz answers 200 "ok" while the process runs (liveness);
//   - /readyz runs every Check concurrently with a short timeout and answers 200 with one
//     "name: ok" line per check when all pass, or 503 with one "name: error" line per
//     failure (readiness); it also sets the relance_ready gauge;
//   - /metrics serves the private Prometheus registry of a metrics.Metrics.
//
// Start listens at once, so a port in use is an error of Start, and serves in a goroutine
// the Server owns until Shutdown.
package admin
