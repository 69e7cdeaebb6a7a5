package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/sync/errgroup"

	"github.com/relance/relance/admin"
	"github.com/relance/relance/demo"
	"github.com/relance/relance/embedded"
	"github.com/relance/relance/internal/gctune"
	"github.com/relance/relance/internal/setup"
)

// run starts relance and blocks until ctx is cancelled (or, in demo-exit mode, the demo
// ends), then shuts down in order: stop fetching and commit, close Kafka, close Redis,
// stop the HTTP server.
func run(ctx context.Context, args []string, getenv func(string) string) error {
	cfg, err := parseConfig(args, getenv, os.Stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.logLevel)
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck // nothing useful to do if stderr is gone
	log.Info("garbage collector pace", zap.Int("gogc", gctune.Default(getenv)))
	opts, shadow, err := cfg.options()
	if err != nil {
		return err
	}

	if len(cfg.brokers) == 0 {
		k, err := embedded.StartKafka(ctx, cfg.topics.WithDefaults().All(), 3, log)
		if err != nil {
			return fmt.Errorf("embedded kafka: %w", err)
		}
		defer k.Close()
		cfg.brokers = k.Addrs()
	}
	if len(cfg.redisAddrs) == 0 {
		r, err := embedded.StartRedis(log)
		if err != nil {
			return fmt.Errorf("embedded redis: %w", err)
		}
		defer r.Close()
		cfg.redisAddrs = []string{r.Addr()}
	}

	rel, err := setup.New(ctx, cfg.setup(), append(opts, setup.WithLogger(log))...)
	if err != nil {
		return err
	}
	defer rel.Close()
	log.Info("policy loaded", zap.String("policy_version", rel.Policy.Version()), zap.String("file", cfg.policyFile))
	if shadow != nil {
		log.Info("shadow policy loaded: counted in relance_shadow_*, never published",
			zap.String("policy_version", shadow.Version()), zap.String("file", cfg.shadowPolicyFile))
	}
	proc := rel.Processor

	srv := admin.New(cfg.httpAddr, rel.Metrics, map[string]admin.Check{
		"kafka": proc.Ready,
		"redis": rel.Store.Ping,
	}, admin.WithLogger(log))
	if err := srv.Start(); err != nil {
		return fmt.Errorf("http: %w", err)
	}
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			log.Warn("http shutdown", zap.Error(err))
		}
	}()
	log.Info("admin endpoints listening", zap.String("addr", srv.Addr()))

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(runCtx)
	g.Go(func() error { return proc.Run(gctx) })
	if cfg.demo {
		g.Go(func() error {
			err := demo.Run(gctx, demo.Config{Brokers: cfg.brokers, Topics: cfg.topics, Exit: cfg.demoExit, Pace: cfg.demoPace}, os.Stdout)
			if cfg.demoExit {
				cancel() // the scenario has played: stop relance too
			}
			return err
		})
	}
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	log.Info("stopped cleanly")
	return nil
}

// newLogger is zap's production JSON logger at the given level.
func newLogger(level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("log level: %w", err)
	}
	zc := zap.NewProductionConfig()
	zc.Level = zap.NewAtomicLevelAt(lvl)
	zc.EncoderConfig.TimeKey = "time"
	zc.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	log, err := zc.Build()
	if err != nil {
		return nil, fmt.Errorf("logger: %w", err)
	}
	return log.Named("relance"), nil
}
