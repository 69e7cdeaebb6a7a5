package main

import (
	"github.com/relance/relance/content"
	"github.com/relance/relance/internal/setup"
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
