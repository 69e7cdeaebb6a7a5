package main

import (
	"fmt"

	"github.com/relance/relance/content"
	"github.com/relance/relance/internal/setup"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/state"
	"github.com/relance/relance/topics/record"
)

// setup is the configuration relance is built from (package setup).
func (c config) setup() setup.Config {
	cachePairs := c.cachePairs
	if cachePairs == 0 {
		cachePairs = -1 // state.Config's "none"; its 0 means the default
	}
	redis := c.redis
	redis.Addrs = c.redisAddrs
	return setup.Config{
		Processor: processor.Config{
			Brokers:           c.brokers,
			GroupID:           c.groupID,
			Topics:            c.topics,
			SessionTimeout:    c.sessionTimeout,
			HeartbeatInterval: c.sessionTimeout / 10,
			CloseTimeout:      c.closeTimeout,
			DeadLetterPayload: record.Payload(c.deadLetterPayload),
		},
		Kafka:            c.kafka,
		Redis:            redis,
		State:            state.Config{CachePairs: cachePairs},
		PolicyFile:       c.policyFile,
		ContentWordsFile: c.contentFile,
		ContentRemote:    content.RemoteConfig{URL: c.contentRemote, Timeout: c.contentTimeout, Concurrency: c.contentConcurrency},
	}
}

// options are the collaborators the configuration adds to setup's: the shadow policy, read
// and validated before anything starts. The processor checks it against the live policy.
func (c config) options() ([]setup.Option, *policy.Policy, error) {
	if c.shadowPolicyFile == "" {
		return nil, nil, nil
	}
	shadow, err := policy.Load(c.shadowPolicyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("shadow policy (RELANCE_SHADOW_POLICY_FILE): %w", err)
	}
	return []setup.Option{setup.WithProcessorOptions(processor.WithShadowPolicy(shadow))}, shadow, nil
}
