// Command kfake-broker runs franz-go's kfake, a Kafka-protocol broker, as a process of
// its own, so that fault tests can pause, kill and restart the broker independently of
// the processes that use it. It is a test tool: one broker on 127.0.0.1, no replication.
//
//	kfake-broker -port 9092 -partitions 3 -topics message-sent,reply -data-dir /tmp/kfake
//
// Once the broker answers it prints one line, "listening 127.0.0.1:PORT", on stdout, and
// runs until SIGTERM or SIGINT. With -data-dir the broker keeps its topics, records and
// committed offsets on disk, so a restart on the same port picks up where it stopped;
// without it everything lives in memory and is lost at exit.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kfake-broker:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("kfake-broker", flag.ContinueOnError)
	port := fs.Int("port", 0, "port to listen on, on 127.0.0.1 (0: any free port)")
	partitions := fs.Int("partitions", 3, "partitions of the seeded topics and of auto-created ones")
	topicList := fs.String("topics", "", "comma-separated topics to create at start")
	dataDir := fs.String("data-dir", "", "directory to persist data in (empty: memory only)")
	minSession := fs.Duration("group-min-session-timeout", 100*time.Millisecond, "smallest consumer group session timeout accepted")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *partitions < 1 {
		return fmt.Errorf("-partitions %d: want at least 1", *partitions)
	}
	var topics []string
	for _, t := range strings.Split(*topicList, ",") {
		if t = strings.TrimSpace(t); t != "" {
			topics = append(topics, t)
		}
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(*port),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(*partitions),
		kfake.GroupMinSessionTimeout(*minSession),
	}
	if len(topics) > 0 {
		opts = append(opts, kfake.SeedTopics(int32(*partitions), topics...))
	}
	if *dataDir != "" {
		opts = append(opts, kfake.DataDir(*dataDir), kfake.SyncWrites())
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Printf("listening %s\n", c.ListenAddrs()[0])
	<-ctx.Done()
	return nil
}
