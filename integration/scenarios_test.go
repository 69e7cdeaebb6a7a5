package integration_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"go.uber.org/zap/zaptest"

	"github.com/relance/relance/internal/connect"
	"github.com/relance/relance/internal/setup"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/topics"
)

// base is the event time of each scenario's first message (in the past, within limits).
var base = time.Now().UTC().Truncate(time.Hour).Add(-30 * 24 * time.Hour)

func msg(id, from, to string, minutes int) topics.MessageSent {
	return topics.MessageSent{MessageID: id, SenderID: from, RecipientID: to,
		SentAt: base.Add(time.Duration(minutes) * time.Minute), Locale: "fr"}
}

func reply(id, from, to string, minutes int) topics.Reply {
	return topics.Reply{MessageID: id, SenderID: from, RecipientID: to, SentAt: base.Add(time.Duration(minutes) * time.Minute)}
}

func streak(from, to string, first, last int) []any {
	var out []any
	for i := first; i <= last; i++ {
		out = append(out, msg(fmt.Sprintf("%s-%s-%d", from, to, i), from, to, i))
	}
	return out
}

// TestScenarios plays the end-to-end scenarios of processor/e2e_test.go against the real
// images: each scenario on its own topics, group and Redis keys.
func TestScenarios(t *testing.T) {
	skipWithoutDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	broker := startKafka(ctx, t)
	redisAddr := startRedis(ctx, t)

	tests := []struct {
		name       string
		events     []any
		raw        int // undecodable records sent to message-sent
		wantNudges map[string]int
		wantAlerts map[string]int
		wantDead   int
	}{
		{name: "three follow-ups are too much", events: streak("ana", "ben", 1, 4),
			wantNudges: map[string]int{topics.KindFollowUpLimit: 1, topics.KindCheckIn: 1}},
		{name: "three messages are tolerable", events: streak("ana", "ben", 1, 3)},
		{name: "kept going after the coach", events: streak("ana", "ben", 1, 7),
			wantNudges: map[string]int{topics.KindFollowUpLimit: 1, topics.KindCheckIn: 1},
			wantAlerts: map[string]int{topics.SeverityMedium: 1}},
		{name: "persistent", events: streak("ana", "ben", 1, 12),
			wantNudges: map[string]int{topics.KindFollowUpLimit: 1, topics.KindCheckIn: 1},
			wantAlerts: map[string]int{topics.SeverityMedium: 1, topics.SeverityHigh: 1}},
		{name: "an answer ends the streak",
			events: append(append(streak("ana", "ben", 1, 3), reply("r-1", "ben", "ana", 10)), streak("ana", "ben", 11, 13)...)},
		{name: "a message back counts as an answer",
			events: append(append(streak("ana", "ben", 1, 3), msg("back", "ben", "ana", 10)), streak("ana", "ben", 11, 13)...)},
		{name: "pairs are independent",
			events: append(append(streak("ana", "ben", 1, 3), streak("ana", "cleo", 4, 6)...), streak("dan", "ben", 7, 9)...)},
		{name: "redelivery changes nothing", events: append(streak("ana", "ben", 1, 4), streak("ana", "ben", 1, 4)...),
			wantNudges: map[string]int{topics.KindFollowUpLimit: 1, topics.KindCheckIn: 1}},
		{name: "bad input goes to the dead-letter topic", raw: 2, events: streak("ana", "ben", 1, 4),
			wantNudges: map[string]int{topics.KindFollowUpLimit: 1, topics.KindCheckIn: 1}, wantDead: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := regexp.MustCompile(`[^a-zA-Z0-9]+`).ReplaceAllString(t.Name(), "-") + "."
			names := topics.Names{
				MessageSent: prefix + topics.DefaultMessageSent, Reply: prefix + topics.DefaultReply,
				CoachNudge: prefix + topics.DefaultCoachNudge, ModerationAlert: prefix + topics.DefaultModerationAlert,
				DeadLetter: prefix + topics.DefaultDeadLetter,
			}
			createTopics(ctx, t, broker, names.All()...)

			rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
			defer rdb.Close()
			if err := rdb.FlushDB(ctx).Err(); err != nil { // scenarios share users' ids
				t.Fatal(err)
			}
			rel, err := setup.New(ctx, setup.Config{
				Processor: processor.Config{Brokers: []string{broker}, GroupID: prefix + "group", Topics: names},
				Redis:     connect.Redis{Addrs: []string{redisAddr}},
			}, setup.WithLogger(zaptest.NewLogger(t)))
			if err != nil {
				t.Fatal(err)
			}
			defer rel.Close()
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- rel.Processor.Run(runCtx) }()
			defer func() {
				stop()
				if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
					t.Errorf("processor: %v", err)
				}
			}()

			w := &kafka.Writer{Addr: kafka.TCP(broker), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
			defer w.Close()
			for range tt.raw {
				if err := w.WriteMessages(ctx, kafka.Message{Topic: names.MessageSent, Key: []byte("raw"), Value: []byte("not json")}); err != nil {
					t.Fatal(err)
				}
			}
			for _, ev := range tt.events {
				value, _ := json.Marshal(ev)
				m := kafka.Message{Topic: names.MessageSent, Value: value}
				switch ev := ev.(type) {
				case topics.MessageSent:
					m.Key = []byte(ev.SenderID)
				case topics.Reply:
					m.Topic, m.Key = names.Reply, []byte(ev.SenderID)
				}
				if err := w.WriteMessages(ctx, m); err != nil {
					t.Fatal(err)
				}
			}

			nudges := read(ctx, t, broker, names.CoachNudge, total(tt.wantNudges))
			alerts := read(ctx, t, broker, names.ModerationAlert, total(tt.wantAlerts))
			dead := read(ctx, t, broker, names.DeadLetter, tt.wantDead)
			gotNudges, gotAlerts := map[string]int{}, map[string]int{}
			nudgeIDs := map[string]bool{}
			for _, m := range nudges {
				var n topics.CoachNudge
				if err := json.Unmarshal(m.Value, &n); err != nil {
					t.Fatal(err)
				}
				if !nudgeIDs[n.NudgeID] { // redeliveries may republish the same ids
					gotNudges[n.Kind]++
				}
				nudgeIDs[n.NudgeID] = true
			}
			alertIDs := map[string]bool{}
			for _, m := range alerts {
				var a topics.ModerationAlert
				if err := json.Unmarshal(m.Value, &a); err != nil {
					t.Fatal(err)
				}
				if !alertIDs[a.AlertID] {
					gotAlerts[a.Severity]++
				}
				alertIDs[a.AlertID] = true
			}
			if !sameCounts(gotNudges, tt.wantNudges) || !sameCounts(gotAlerts, tt.wantAlerts) || len(dead) != tt.wantDead {
				t.Errorf("nudges %v, alerts %v, dead letters %d; want %v, %v, %d",
					gotNudges, gotAlerts, len(dead), tt.wantNudges, tt.wantAlerts, tt.wantDead)
			}
		})
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func sameCounts(got, want map[string]int) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// read returns the topic's records once it has at least want of them, after a quiet
// period that lets unexpected extra records show up; it gives up after a minute.
func read(ctx context.Context, t *testing.T, broker, topic string, want int) []kafka.Message {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{broker}, Topic: topic,
		GroupID: topic + ".reader-" + fmt.Sprint(time.Now().UnixNano()), StartOffset: kafka.FirstOffset, MaxWait: 200 * time.Millisecond})
	defer r.Close()
	var out []kafka.Message
	deadline := time.Now().Add(time.Minute)
	quiet := 3 * time.Second
	for time.Now().Before(deadline) {
		fetchCtx, cancel := context.WithTimeout(ctx, quiet)
		m, err := r.FetchMessage(fetchCtx)
		cancel()
		if err != nil {
			if len(out) >= want {
				return out
			}
			continue
		}
		out = append(out, m)
	}
	t.Errorf("%s: %d records within a minute, want %d", topic, len(out), want)
	return out
}
