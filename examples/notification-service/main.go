// Command notification-service is an example consumer of relance's coach-nudge topic: it
// shows each coach nudge to its member once, dropping the duplicates that at-least-once
// delivery brings (same nudge_id).
//
// It also plays the member's answer to a check-in, as the platform's app would send it
// when the member taps one of the check-in's buttons: with -tap dismiss ("all is fine"),
// block or report, every check-in is answered with a MemberAction on the member-action
// topic (nudge_id the check-in's, at now); -tap vary picks one of the three from the
// check-in's nudge_id, the same one every time. The default, -tap none, only shows nudges.
//
//	go run ./examples/notification-service -brokers localhost:9094
//	go run ./examples/notification-service -brokers localhost:9094 -tap report
package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/examples"
	"github.com/relance/relance/examples/dedup"
	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

func main() {
	brokers := flag.String("brokers", "localhost:9094", "comma-separated Kafka brokers")
	topic := flag.String("topic", topics.DefaultCoachNudge, "coach-nudge topic")
	actionTopic := flag.String("action-topic", topics.DefaultMemberAction, "member-action topic the members' answers go to")
	group := flag.String("group", "notification-service", "consumer group")
	tapFlag := flag.String("tap", "none", "what a member taps on a check-in: none, dismiss, block, report, or vary (chosen from the nudge id)")
	flag.Parse()
	tap, err := tapper(*tapFlag)
	if err != nil {
		fmt.Fprintln(os.Stderr, "notification-service:", err)
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	addrs := strings.Split(*brokers, ",")
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, GroupID: *group, Topic: *topic})
	send := func(a topics.MemberAction) error { return sendAction(ctx, w, *actionTopic, a) }
	err = examples.Consume(ctx, r, dedup.New(100_000), handler(os.Stdout, tap, send, time.Now))
	stop()
	r.Close()
	w.Close()
	if !errors.Is(err, context.Canceled) { // Consume only returns on an error
		fmt.Fprintln(os.Stderr, "notification-service:", err)
		os.Exit(1)
	}
}

// taps are the check-in's buttons and the MemberAction each one sends.
var taps = []string{topics.MemberActionDismiss, topics.MemberActionBlock, topics.MemberActionReport}

// tapper returns what the simulated member taps on a check-in for a -tap value: a
// MemberAction action, or "" for no answer.
func tapper(choice string) (func(topics.CoachNudge) string, error) {
	switch choice {
	case "none", "":
		return func(topics.CoachNudge) string { return "" }, nil
	case topics.MemberActionDismiss, topics.MemberActionBlock, topics.MemberActionReport:
		return func(topics.CoachNudge) string { return choice }, nil
	case "vary":
		return func(n topics.CoachNudge) string {
			sum := sha256.Sum256([]byte(n.NudgeID))
			return taps[binary.BigEndian.Uint32(sum[:4])%uint32(len(taps))]
		}, nil
	}
	return nil, fmt.Errorf("-tap %q: want none, dismiss, block, report or vary", choice)
}

// answer is the MemberAction of the check-in's member tapping action at now: about the
// member the check-in is about, answering the check-in. Its action_id is new for each
// check-in and action but the same when a redelivered check-in is shown again after a
// crash, so relance counts the tap once.
func answer(n topics.CoachNudge, action string, now time.Time) topics.MemberAction {
	sum := sha256.Sum256([]byte(n.NudgeID + "\x00" + action))
	return topics.MemberAction{
		ActionID:      "tap-" + hex.EncodeToString(sum[:12]),
		MemberID:      n.UserID,
		OtherMemberID: n.OtherUserID,
		Action:        action,
		At:            now.UTC(),
		NudgeID:       n.NudgeID,
	}
}

// sendAction writes a MemberAction to topic, keyed by the member who acted, with the
// event-type and event-version headers relance reads.
func sendAction(ctx context.Context, w *kafka.Writer, topic string, a topics.MemberAction) error {
	value, err := topics.Encode(a)
	if err != nil {
		return fmt.Errorf("encode member-action: %w", err)
	}
	err = w.WriteMessages(ctx, kafka.Message{
		Topic: topic,
		Key:   []byte(a.MemberID),
		Value: value,
		Headers: []kafka.Header{
			{Key: record.HeaderEventType, Value: []byte(topics.TypeMemberAction)},
			{Key: record.HeaderEventVersion, Value: []byte(topics.EventVersion)},
		},
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", topic, err)
	}
	return nil
}

// handler decodes a coach nudge; its work is to show it (here: print it to w) and, for a
// check-in the member answers (tap), to send the answer.
func handler(w io.Writer, tap func(topics.CoachNudge) string, send func(topics.MemberAction) error, now func() time.Time) func(kafka.Message) (string, func() error, error) {
	return func(m kafka.Message) (string, func() error, error) {
		var n topics.CoachNudge
		if err := json.Unmarshal(m.Value, &n); err != nil {
			return "", nil, fmt.Errorf("decode coach-nudge: %w", err)
		}
		if n.NudgeID == "" {
			return "", nil, errors.New("decode coach-nudge: no nudge_id")
		}
		return n.NudgeID, func() error {
			if _, err := fmt.Fprintf(w, "to %s [%s] %s: %s — %s\n", n.UserID, n.Kind, n.Coach, n.Title, n.Body); err != nil {
				return err
			}
			if n.Kind != topics.KindCheckIn || n.OtherUserID == "" {
				return nil
			}
			action := tap(n)
			if action == "" {
				return nil
			}
			a := answer(n, action, now())
			if err := send(a); err != nil {
				return err
			}
			_, err := fmt.Fprintf(w, "%s taps %s about %s (action %s)\n", a.MemberID, a.Action, a.OtherMemberID, a.ActionID)
			return err
		}, nil
	}
}
