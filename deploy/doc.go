// Package deploy holds the deployment files of relance — Prometheus configuration and alert
// rules (prometheus/), the Grafana dashboard (grafana/), the Kubernetes base (kubernetes/,
// rendered with kustomize and strict-decoded into the k8s.io/api types), the secured compose
// stack's certificate script (compose/) — and the tests that keep them, the repository's
// docker-compose.yml, docker-compose.secure.yml, Dockerfile and docs/OPERATIONS.md in step
// with the code: the services, settings and topic names of the compose files, and the
// metric names the documents use.
// It has no Go API.
package deploy
