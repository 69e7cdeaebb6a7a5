// Command notification-service is an example consumer of relance's coach-nudge topic: it
// shows each coach nudge to its member once, dropping the duplicates that at-least-once
// delivery brings (same nudge_id).
//
//	go run ./examples/notification-service -brokers localhost:9094
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/examples"
	"github.com/relance/relance/examples/dedup"
	"github.com/relance/relance/topics"
)

func main() {
	brokers := flag.String("brokers", "localhost:9094", "comma-separated Kafka brokers")
	topic := flag.String("topic", topics.DefaultCoachNudge, "coach-nudge topic")
	group := flag.String("group", "notification-service", "consumer group")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: strings.Split(*brokers, ","), GroupID: *group, Topic: *topic})
	err := examples.Consume(ctx, r, dedup.New(100_000), handler(os.Stdout))
	stop()
	r.Close()
	if !errors.Is(err, context.Canceled) { // Consume only returns on an error
		fmt.Fprintln(os.Stderr, "notification-service:", err)
		os.Exit(1)
	}
}

// handler decodes a coach nudge; its work is to show it (here: print it to w).
func handler(w io.Writer) func(kafka.Message) (string, func() error, error) {
	return func(m kafka.Message) (string, func() error, error) {
		var n topics.CoachNudge
		if err := json.Unmarshal(m.Value, &n); err != nil {
			return "", nil, fmt.Errorf("decode coach-nudge: %w", err)
		}
		if n.NudgeID == "" {
			return "", nil, errors.New("decode coach-nudge: no nudge_id")
		}
		return n.NudgeID, func() error {
			_, err := fmt.Fprintf(w, "to %s [%s] %s: %s — %s\n", n.UserID, n.Kind, n.Coach, n.Title, n.Body)
			return err
		}, nil
	}
}
