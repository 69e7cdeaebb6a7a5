// Package deploy holds the deployment files of relance — Prometheus configuration and alert
// rules (prometheus/), the Grafana dashboard (grafana/) — and the tests that keep them, the
// repository's docker-compose.yml, Dockerfile and docs/OPERATIONS.md in step with the code:
// the services and topic names of the compose file, and the metric names the documents use.
// It has no Go API.
package deploy
