package integration_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/segmentio/kafka-go"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

const (
	kafkaImage = "apache/kafka:4.1.0" // the image of docker-compose.yml
	redisImage = "redis:7.4-alpine"
	// dockerCheckTimeout bounds the health check of the Docker endpoint, so that a hung one
	// skips the tests instead of hanging the suite.
	dockerCheckTimeout = 10 * time.Second
)

// skipWithoutDocker skips the test unless a Docker engine answers within dockerCheckTimeout.
func skipWithoutDocker(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), dockerCheckTimeout)
	defer cancel()
	healthy := make(chan error, 1) // buffered: a late answer must not block the goroutine
	go func() {
		defer func() {
			if r := recover(); r != nil {
				healthy <- fmt.Errorf("panic: %v", r)
			}
		}()
		p, err := testcontainers.ProviderDefault.GetProvider()
		if err != nil {
			healthy <- err
			return
		}
		defer p.Close()
		healthy <- p.Health(ctx)
	}()
	select {
	case err := <-healthy:
		if err != nil {
			t.Skipf("no Docker engine: %v", err)
		}
	case <-ctx.Done():
		t.Skipf("the Docker endpoint did not answer within %s", dockerCheckTimeout)
	}
	testcontainers.SkipIfProviderIsNotHealthy(t) // healthy: returns at once
}

// freePort is a free TCP port on the host, for Kafka's advertised listener.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startKafka runs one KRaft node advertising localhost:port, bound to that host port.
func startKafka(ctx context.Context, t *testing.T) string {
	t.Helper()
	port := strconv.Itoa(freePort(t))
	ctr, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        kafkaImage,
			ExposedPorts: []string{"9092/tcp"},
			Env: map[string]string{
				"KAFKA_NODE_ID":                                  "1",
				"KAFKA_PROCESS_ROLES":                            "broker,controller",
				"KAFKA_CONTROLLER_QUORUM_VOTERS":                 "1@localhost:9093",
				"KAFKA_LISTENERS":                                "PLAINTEXT://:9092,CONTROLLER://:9093",
				"KAFKA_ADVERTISED_LISTENERS":                     "PLAINTEXT://localhost:" + port,
				"KAFKA_LISTENER_SECURITY_PROTOCOL_MAP":           "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
				"KAFKA_CONTROLLER_LISTENER_NAMES":                "CONTROLLER",
				"KAFKA_INTER_BROKER_LISTENER_NAME":               "PLAINTEXT",
				"KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR":         "1",
				"KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
				"KAFKA_TRANSACTION_STATE_LOG_MIN_ISR":            "1",
				"KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS":         "0",
				"KAFKA_AUTO_CREATE_TOPICS_ENABLE":                "false",
			},
			HostConfigModifier: func(hc *container.HostConfig) {
				hc.PortBindings = network.PortMap{network.MustParsePort("9092/tcp"): {{HostPort: port}}}
			},
			WaitingFor: wait.ForListeningPort("9092/tcp").WithStartupTimeout(2 * time.Minute),
		},
		Started: true,
	})
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatalf("kafka container: %v", err)
	}
	return "localhost:" + port
}

func startRedis(ctx context.Context, t *testing.T) string {
	t.Helper()
	ctr, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        redisImage,
			Cmd:          []string{"redis-server", "--appendonly", "yes"},
			ExposedPorts: []string{"6379/tcp"},
			WaitingFor:   wait.ForLog("Ready to accept connections").WithStartupTimeout(time.Minute),
		},
		Started: true,
	})
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatalf("redis container: %v", err)
	}
	addr, err := ctr.PortEndpoint(ctx, "6379/tcp", "")
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// createTopics creates the topics with 3 partitions each, retrying while the broker's
// controller is still electing itself.
func createTopics(ctx context.Context, t *testing.T, broker string, names ...string) {
	t.Helper()
	var specs []kafka.TopicConfig
	for _, n := range names {
		specs = append(specs, kafka.TopicConfig{Topic: n, NumPartitions: 3, ReplicationFactor: 1})
	}
	client := &kafka.Client{Addr: kafka.TCP(broker), Timeout: 10 * time.Second}
	poll := time.NewTicker(500 * time.Millisecond)
	defer poll.Stop()
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: specs})
		if err == nil {
			for topic, terr := range resp.Errors {
				if terr != nil {
					err = fmt.Errorf("%s: %w", topic, terr)
				}
			}
		}
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("create topics: %v", err)
		}
		<-poll.C // the broker is not ready yet: ask again, until the deadline
	}
}
