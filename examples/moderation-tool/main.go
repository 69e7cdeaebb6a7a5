// Command moderation-tool is an example consumer of relance's moderation-alert topic: it
// files each alert once in the moderators' queue, dropping the duplicates that
// at-least-once delivery brings (same alert_id). Alerts carry message ids, never text:
// moderators open the messages in their own tools.
//
//	go run ./examples/moderation-tool -brokers localhost:9094
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
	topic := flag.String("topic", topics.DefaultModerationAlert, "moderation-alert topic")
	group := flag.String("group", "moderation-tool", "consumer group")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: strings.Split(*brokers, ","), GroupID: *group, Topic: *topic})
	err := examples.Consume(ctx, r, dedup.New(100_000), handler(os.Stdout))
	stop()
	r.Close()
	if !errors.Is(err, context.Canceled) { // Consume only returns on an error
		fmt.Fprintln(os.Stderr, "moderation-tool:", err)
		os.Exit(1)
	}
}

// handler decodes a moderation alert; its work is to file it (here: print a queue line).
func handler(w io.Writer) func(kafka.Message) (string, func() error, error) {
	return func(m kafka.Message) (string, func() error, error) {
		var a topics.ModerationAlert
		if err := json.Unmarshal(m.Value, &a); err != nil {
			return "", nil, fmt.Errorf("decode moderation-alert: %w", err)
		}
		if a.AlertID == "" {
			return "", nil, errors.New("decode moderation-alert: no alert_id")
		}
		return a.AlertID, func() error {
			_, err := fmt.Fprintf(w, "[%s] %s -> %s: %s; evidence %s\n", a.Severity, a.SenderID, a.RecipientID,
				strings.Join(a.Reasons, ", "), strings.Join(a.MessageIDs, " "))
			return err
		}, nil
	}
}
