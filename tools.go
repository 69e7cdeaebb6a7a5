//go:build tools

// Package tools pins modules the project has chosen before its code imports them:
// testcontainers-go is for the integration tests against real Kafka and Redis images on
// machines with Docker.
package tools

import (
	_ "github.com/testcontainers/testcontainers-go"
)
