package embedded

import (
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"go.uber.org/zap"
)

// Redis is a running embedded in-memory Redis (miniredis).
type Redis struct {
	server *miniredis.Miniredis
}

// StartRedis starts an in-memory Redis on a free port of 127.0.0.1. Keys expire with the
// wall clock, as on a real server. A nil log logs nothing.
func StartRedis(log *zap.Logger) (*Redis, error) {
	if log == nil {
		log = zap.NewNop()
	}
	s, err := miniredis.Run()
	if err != nil {
		return nil, fmt.Errorf("embedded redis: %w", err)
	}
	// By default miniredis only expires keys on FastForward; relance's bounded memory
	// relies on TTLs, so let them run with the clock.
	s.ClockTTL(true)
	log.Named("embedded-redis").Warn("EMBEDDED REDIS: in-memory, development only, state is lost at exit; configure a real Redis (RELANCE_REDIS_ADDR) for anything else",
		zap.String("addr", s.Addr()))
	return &Redis{server: s}, nil
}

// Addr returns the server's host:port.
func (r *Redis) Addr() string { return r.server.Addr() }

// Close stops the server and drops its data. It is safe to call more than once.
func (r *Redis) Close() { r.server.Close() }
