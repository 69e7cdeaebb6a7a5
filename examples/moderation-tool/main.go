// Command moderation-tool is an example consumer of relance's moderation-alert topic: it
// files each alert once in the moderators' queue, dropping the duplicates that
// at-least-once delivery brings (same alert_id). Alerts carry message ids, never text:
// moderators open the messages in their own tools.
//
// A member's report (an alert with an action_id) is filed as a report, with the member who
// reported and the report's id; a sender-level alert lists the members it concerns
// (member_ids), whatever its reasons.
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
			_, err := fmt.Fprintln(w, queueLine(a))
			return err
		}, nil
	}
}

// queueLine is the moderators' queue line of an alert, e.g.
//
//	[medium] u-1 -> u-2: unanswered_streak; evidence m-1 m-2
//	[high] REPORT a-4 by u-2 about u-1: reported, unanswered_streak; evidence m-1 m-2
//	[medium] u-1 -> 3 members u-2 u-3 u-4: repeated_pestering; evidence none
func queueLine(a topics.ModerationAlert) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] ", a.Severity)
	switch {
	case a.ActionID != "":
		fmt.Fprintf(&b, "REPORT %s by %s about %s", a.ActionID, a.RecipientID, a.SenderID)
	case a.RecipientID != "":
		fmt.Fprintf(&b, "%s -> %s", a.SenderID, a.RecipientID)
	default:
		b.WriteString(a.SenderID)
	}
	if len(a.MemberIDs) > 0 {
		if a.ActionID == "" && a.RecipientID == "" {
			b.WriteString(" ->")
		} else {
			b.WriteString(",")
		}
		noun := "members"
		if len(a.MemberIDs) == 1 {
			noun = "member"
		}
		fmt.Fprintf(&b, " %d %s %s", len(a.MemberIDs), noun, strings.Join(a.MemberIDs, " "))
	}
	fmt.Fprintf(&b, ": %s; evidence ", strings.Join(a.Reasons, ", "))
	if len(a.MessageIDs) == 0 {
		b.WriteString("none")
	} else {
		b.WriteString(strings.Join(a.MessageIDs, " "))
	}
	return b.String()
}
