package setup

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/internal/errclass"
)

// checkSentinels asks each Sentinel of opts for the master's address, with the
// credentials and TLS the failover client uses, when the store cannot connect. The
// failover client reports a Sentinel refusing its password as if the server had (so
// redisSetting would name RELANCE_REDIS_PASSWORD), and a master name no Sentinel knows as
// Sentinels that cannot be reached (retried forever). checkSentinels returns the error to
// stop on, naming the setting, or nil: no Sentinel configured, one knows the master (the
// error is the master's own), or none answers (they may not be up yet).
func checkSentinels(ctx context.Context, opts *redis.UniversalOptions) error {
	if opts.MasterName == "" {
		return nil
	}
	replies := make([]error, len(opts.Addrs))
	var wg sync.WaitGroup
	for i, addr := range opts.Addrs {
		// Concurrently: a Sentinel that does not answer costs a dial timeout.
		wg.Go(func() { replies[i] = askSentinel(ctx, opts, addr) })
	}
	wg.Wait()
	return sentinelVerdict(opts.Addrs, replies, opts.MasterName)
}

// askSentinel asks the Sentinel at addr for the master's address, once.
func askSentinel(ctx context.Context, opts *redis.UniversalOptions, addr string) error {
	c := redis.NewSentinelClient(&redis.Options{
		Addr:            addr,
		Username:        opts.SentinelUsername,
		Password:        opts.SentinelPassword,
		TLSConfig:       opts.TLSConfig,
		DialTimeout:     opts.DialTimeout,
		ReadTimeout:     opts.ReadTimeout,
		WriteTimeout:    opts.WriteTimeout,
		DisableIdentity: opts.DisableIdentity,
		MaxRetries:      -1, // connectStore retries, with backoff
		DialerRetries:   1,
		PoolSize:        1,
	})
	defer c.Close()
	return c.GetMasterAddrByName(ctx, opts.MasterName).Err()
}

// sentinelVerdict is checkSentinels' decision from each Sentinel's reply (nil: it gave
// the master's address): nil if one gave it or none refused, else the first refusal
// (credentials, TLS, not a Sentinel), else the unknown master name.
func sentinelVerdict(addrs []string, replies []error, master string) error {
	var refused, unknown error
	for i, err := range replies {
		switch {
		case err == nil:
			return nil
		case errors.Is(err, redis.Nil):
			if unknown == nil {
				unknown = fmt.Errorf("redis sentinel %s: RELANCE_REDIS_SENTINEL_MASTER %q: this Sentinel watches no such master", addrs[i], master)
			}
		case refused == nil && errclass.Permanent(err):
			refused = fmt.Errorf("redis sentinel %s: %s%w", addrs[i], sentinelSetting(err), err)
		}
	}
	if refused != nil {
		return refused
	}
	return unknown
}

// sentinelSetting names the setting to fix for a Sentinel's permanent error, as
// "SETTING: ", or is empty: the Sentinels' own credentials, RELANCE_REDIS_ADDR for a
// server that is no Sentinel, and the TLS settings, which the Sentinels share with Redis.
func sentinelSetting(err error) string {
	if s := credentialSetting(err, "RELANCE_REDIS_SENTINEL_USERNAME", "RELANCE_REDIS_SENTINEL_PASSWORD"); s != "" {
		return s
	}
	if reply, ok := errors.AsType[redis.Error](err); ok && strings.HasPrefix(reply.Error(), "ERR unknown command") {
		return "RELANCE_REDIS_ADDR lists a server that is not a Sentinel: "
	}
	return tlsSetting(err)
}
