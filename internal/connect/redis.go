package connect

import (
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Redis is how relance reaches Redis: one server, a Cluster (several addresses), or a
// Sentinel-managed master (SentinelMaster set: Addrs are then the Sentinels).
type Redis struct {
	Addrs []string
	// Username and Password are the ACL user (AUTH); a password alone is the default user.
	Username string
	Password Secret
	// DB is the database number, on a single server or under Sentinel only.
	DB  int
	TLS TLS
	// SentinelMaster names the master the Sentinels watch.
	SentinelMaster string
	// SentinelUsername and SentinelPassword are the Sentinels' own credentials.
	SentinelUsername string
	SentinelPassword Secret
}

// Options checks r and builds go-redis's options for redis.NewUniversalClient: a failover
// client under Sentinel, a Cluster client for several addresses, a plain client otherwise.
// Errors name the setting at fault.
func (r Redis) Options() (*redis.UniversalOptions, error) {
	if len(r.Addrs) == 0 {
		return nil, errors.New("RELANCE_REDIS_ADDR: no address")
	}
	tlsCfg, err := r.TLS.Config("RELANCE_REDIS_TLS")
	if err != nil {
		return nil, err
	}
	switch {
	case r.DB < 0:
		return nil, fmt.Errorf("RELANCE_REDIS_DB %d: must not be negative", r.DB)
	case r.DB != 0 && r.SentinelMaster == "" && len(r.Addrs) > 1:
		return nil, fmt.Errorf("RELANCE_REDIS_DB %d: a Redis Cluster has only database 0", r.DB)
	case r.Username != "" && r.Password == "":
		return nil, errors.New("RELANCE_REDIS_USERNAME set without RELANCE_REDIS_PASSWORD")
	case r.SentinelMaster == "" && (r.SentinelUsername != "" || r.SentinelPassword != ""):
		return nil, errors.New("RELANCE_REDIS_SENTINEL_USERNAME or _PASSWORD set without RELANCE_REDIS_SENTINEL_MASTER")
	}
	return &redis.UniversalOptions{
		Addrs:            r.Addrs,
		Username:         r.Username,
		Password:         r.Password.Reveal(),
		DB:               r.DB,
		TLSConfig:        tlsCfg,
		MasterName:       r.SentinelMaster,
		SentinelUsername: r.SentinelUsername,
		SentinelPassword: r.SentinelPassword.Reveal(),
	}, nil
}
