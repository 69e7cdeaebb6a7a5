// Package integration runs relance against the real apache/kafka and redis images with
// testcontainers-go, on machines with a Docker engine (`make test-docker`). Without one, its
// tests skip within seconds; a Docker endpoint that hangs is given up on after
// dockerCheckTimeout.
package integration
