// Package testenv starts the real servers relance is tested and measured against, and
// reads what they hold: a redis-server process ([RedisServer], alone or in a cluster, with
// TLS, an ACL user or as a replica), a Redis Sentinel ([Sentinel], with a password or an
// ACL user of its own), a Kafka-protocol broker ([Broker]: franz-go's kfake in this
// process, or cmd/kfake-broker as a process of its own), and a topic's end offsets, a
// group's lag and a whole topic ([EndOffsets], [Lag], [WaitCaughtUp], [ReadAll]).
//
// The store and end-to-end tests use its testing.TB helpers ([StartRedis],
// [StartRedisWith], [StartRedisCluster], [StartRedisSentinel], [StartRedisSentinelWith],
// [StartKafka], [Produce], [ReadTopic]): each server on a free port, stopped in
// t.Cleanup, and a test skipped when redis-server is missing (failed with CI set). The
// benchmark (bench, cmd/relance-bench) and the fault rig (faults) use the rest, which
// needs no testing.TB: the rig stops, kills, pauses and restarts servers on their ports.
package testenv
