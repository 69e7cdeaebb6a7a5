package processor_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/relance/relance/content"
	"github.com/relance/relance/processor"
	"github.com/relance/relance/topics"
)

// startWithContentCheck runs a processor over the env like env.start does, with relance's
// own content check and the given logger.
func (e *env) startWithContentCheck(log *zap.Logger) *running {
	e.t.Helper()
	return e.startWith(nil, []processor.Option{processor.WithLogger(log), processor.WithTextChecker(content.Default())})
}

// textMsg is a MessageSent with the given text and no upstream label.
func textMsg(id, from, to string, minutes int, text, locale string) topics.MessageSent {
	m := msg(id, from, to, minutes)
	m.Text, m.Locale = text, locale
	return m
}

func TestContentCheckFindsAnInsultInTheText(t *testing.T) {
	e := newEnv(t)
	e.startWithContentCheck(zaptest.NewLogger(t))
	e.send(textMsg("m-1", "ana", "ben", 0, "t'es vraiment qu'un c0nnard", "fr"))
	nudges, alerts, dead := e.outputs()

	if len(dead) != 0 {
		t.Errorf("dead letters: %d", len(dead))
	}
	var got []string
	for _, n := range nudges {
		got = append(got, nudgeDecision(n))
	}
	want := []string{"respectful_language ana m-1", "check_in ben m-1"}
	if !slices.Equal(got, want) {
		t.Errorf("nudges = %q, want %q", got, want)
	}
	if len(alerts) != 1 {
		t.Fatalf("alerts: %d, want 1", len(alerts))
	}
	a := alerts[0]
	if a.Severity != topics.SeverityMedium || !slices.Equal(a.ContentLabels, []string{"insult"}) ||
		!slices.Contains(a.Reasons, topics.ReasonOffensiveContent) || a.TriggeredBy != "m-1" {
		t.Errorf("alert: severity %s, labels %v, reasons %v, triggered by %s; want medium, [insult], offensive_content, m-1",
			a.Severity, a.ContentLabels, a.Reasons, a.TriggeredBy)
	}
}

func TestContentCheckFindsAThreatInTheText(t *testing.T) {
	e := newEnv(t)
	e.startWithContentCheck(zaptest.NewLogger(t))
	e.send(textMsg("m-1", "ana", "ben", 0, "I know where you live", "en"))
	_, alerts, _ := e.outputs()

	if len(alerts) != 1 {
		t.Fatalf("alerts: %d, want 1", len(alerts))
	}
	a := alerts[0]
	if a.Severity != topics.SeverityHigh || !slices.Equal(a.ContentLabels, []string{"threat"}) || !slices.Contains(a.Reasons, topics.ReasonThreat) {
		t.Errorf("alert: severity %s, labels %v, reasons %v; want high, [threat], threat", a.Severity, a.ContentLabels, a.Reasons)
	}
}

func TestContentCheckFindsUnsolicitedSexualText(t *testing.T) {
	e := newEnv(t)
	e.startWithContentCheck(zaptest.NewLogger(t))
	// Ben never answered Ana.
	e.send(msg("m-1", "ana", "ben", 0), textMsg("m-2", "ana", "ben", 1, "envoie des nuuudes", ""))
	_, alerts, _ := e.outputs()

	if len(alerts) != 1 {
		t.Fatalf("alerts: %d, want 1", len(alerts))
	}
	a := alerts[0]
	if a.Severity != topics.SeverityHigh || !slices.Equal(a.ContentLabels, []string{"sexual"}) ||
		!slices.Contains(a.Reasons, topics.ReasonUnsolicitedSexualContent) || a.TriggeredBy != "m-2" {
		t.Errorf("alert: severity %s, labels %v, reasons %v, triggered by %s; want high, [sexual], unsolicited_sexual_content, m-2",
			a.Severity, a.ContentLabels, a.Reasons, a.TriggeredBy)
	}
}

func TestContentCheckLeavesOrdinaryTextAlone(t *testing.T) {
	e := newEnv(t)
	e.startWithContentCheck(zaptest.NewLogger(t))
	e.send(
		textMsg("m-1", "ana", "ben", 0, "ravie de faire ta connaissance, je viens de Concarneau", "fr"),
		textMsg("m-2", "ben", "ana", 1, "you look hot in that photo", "en"),
	)
	nudges, alerts, _ := e.outputs()
	if len(nudges) != 0 || len(alerts) != 0 {
		t.Errorf("got %d nudges and %d alerts for ordinary messages, want none", len(nudges), len(alerts))
	}
}

// secret is the distinctive text of TestMessageTextGoesNowhere.
const secret = "ZORGLUB-SECRET"

// TestMessageTextGoesNowhere sends messages whose text holds a distinctive word, offensive
// and ordinary ones, and looks for it everywhere relance writes: every Redis key and value,
// every record of the output topics, and every log entry at debug level.
func TestMessageTextGoesNowhere(t *testing.T) {
	e := newEnv(t)
	core, logs := observer.New(zapcore.DebugLevel)
	log := zap.New(zapcore.NewTee(core, zaptest.NewLogger(t, zaptest.Level(zapcore.DebugLevel)).Core()))
	e.startWithContentCheck(log)

	var events []any
	for i := range 7 { // enough for a nudge and an alert of the follow-up rule too
		events = append(events, textMsg(fmt.Sprintf("m-%d", i+1), "ana", "ben", i,
			fmt.Sprintf("%s numéro %d, espèce de connard", secret, i+1), "fr"))
	}
	events = append(events,
		textMsg("c-1", "cleo", "ben", 1, secret+" show me your tits", "en"),
		textMsg("b-1", "ben", "cleo", 2, "salut "+secret+" comment ça va ?", ""),
		reply("r-1", "ben", "ana", 10),
		// Bad input is dead-lettered, redacted by default: a valid-looking message to
		// oneself, whose text member goes, ...
		textMsg("s-1", "dan", "dan", 3, secret+" note à moi-même", "fr"),
	)
	e.send(events...)
	// ... and bytes that are not JSON, written empty.
	e.sendRaw(e.names.MessageSent, []byte(`{"message_id":"n-1","text":"`+secret+` pas fini`))
	nudges, alerts, dead := e.outputs()
	if len(nudges) == 0 || len(alerts) == 0 || len(dead) != 2 {
		t.Fatalf("got %d nudges, %d alerts, %d dead letters: want decisions to look into and 2 dead letters", len(nudges), len(alerts), len(dead))
	}

	leaks := func(s string) bool { return strings.Contains(strings.ToLower(s), "zorglub") }

	// Redis: every key, and every value read as its type.
	values := dumpRedis(t, e)
	if len(values) == 0 {
		t.Fatal("Redis is empty: nothing to look into")
	}
	for key, vs := range values {
		if leaks(key) {
			t.Errorf("Redis key %q holds the text", key)
		}
		for _, v := range vs {
			if leaks(v) {
				t.Errorf("Redis key %q holds the text: %.80q", key, v)
			}
		}
	}

	// Control: the same search finds the text where it is on purpose.
	if err := e.rdb.Set(context.Background(), "control", "x "+secret, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(dumpRedis(t, e)["control"], leaks) {
		t.Fatal("control: the Redis dump does not see a value holding the text")
	}
	if !slices.ContainsFunc(e.readAll(e.names.MessageSent), func(m kafka.Message) bool { return leaks(string(m.Value)) }) {
		t.Fatal("control: the topic search does not see the input records holding the text")
	}

	// Output topics: keys, values and headers of every record.
	for _, topic := range []string{e.names.CoachNudge, e.names.ModerationAlert, e.names.DeadLetter} {
		for _, m := range e.readAll(topic) {
			if leaks(string(m.Key)) || leaks(string(m.Value)) || slices.ContainsFunc(m.Headers, func(h kafka.Header) bool {
				return leaks(h.Key) || leaks(string(h.Value))
			}) {
				t.Errorf("%s record at offset %d holds the text: %.120q", topic, m.Offset, m.Value)
			}
		}
	}

	// Logs, as they would be written, at debug level.
	if logs.Len() == 0 {
		t.Fatal("no log entry to look into")
	}
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	ctlCore, ctlLogs := observer.New(zapcore.DebugLevel)
	zap.New(ctlCore).Named("processor").Debug("control", zap.String("text", secret))
	control, err := enc.EncodeEntry(ctlLogs.All()[0].Entry, ctlLogs.All()[0].Context)
	if err != nil || !leaks(control.String()) {
		t.Fatalf("control: the log search does not see an entry holding the text (%v)", err)
	}
	for _, entry := range logs.All() {
		buf, err := enc.EncodeEntry(entry.Entry, entry.Context)
		if err != nil {
			t.Fatal(err)
		}
		if leaks(buf.String()) {
			t.Errorf("log entry holds the text: %s", buf.String())
		}
		buf.Free()
	}
}

// dumpRedis returns every key of the test's Redis with its values, read with the command
// of its type.
func dumpRedis(t *testing.T, e *env) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	iter := e.rdb.Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		typ, err := e.rdb.Type(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		var vs []string
		switch typ {
		case "string":
			v, err := e.rdb.Get(ctx, key).Result()
			if err != nil {
				t.Fatal(err)
			}
			vs = []string{v}
		case "hash":
			m, err := e.rdb.HGetAll(ctx, key).Result()
			if err != nil {
				t.Fatal(err)
			}
			for f, v := range m {
				vs = append(vs, f, v)
			}
		case "list":
			vs, err = e.rdb.LRange(ctx, key, 0, -1).Result()
		case "set":
			vs, err = e.rdb.SMembers(ctx, key).Result()
		case "zset":
			var zs []string
			zs, err = e.rdb.ZRange(ctx, key, 0, -1).Result()
			vs = zs
		case "stream":
			msgs, serr := e.rdb.XRange(ctx, key, "-", "+").Result()
			err = serr
			for _, m := range msgs {
				vs = append(vs, fmt.Sprint(m.ID, m.Values))
			}
		default:
			t.Errorf("Redis key %q has type %q, which this test cannot read", key, typ)
		}
		if err != nil {
			t.Fatalf("read %s %q: %v", typ, key, err)
		}
		out[key] = vs
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
