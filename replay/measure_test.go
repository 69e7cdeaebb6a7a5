package replay_test

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/bench"
	"github.com/relance/relance/content"
	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/policy"
	"github.com/relance/relance/replay"
	"github.com/relance/relance/topics"
)

// cpuTime is the CPU time the process has used (user and system): on a machine shared
// with other work, events per CPU second vary less than events per second.
func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestMeasureReplaySpeed is a measurement, not a check: how many events a second replay
// decides from a kcat file and from the topics of a kfake broker on this machine, on the
// benchmark's workload (make bench's: 200,000 events by default, RELANCE_MEASURE_EVENTS to
// change it), under one policy and under two. The CPU time of the topics' figures includes
// the in-process broker's. Run it with
//
//	RELANCE_MEASURE=1 go test -run TestMeasureReplaySpeed -v ./replay/
func TestMeasureReplaySpeed(t *testing.T) {
	if os.Getenv("RELANCE_MEASURE") == "" {
		t.Skip("a measurement: set RELANCE_MEASURE=1 to run it")
	}
	n := 200_000
	if s := os.Getenv("RELANCE_MEASURE_EVENTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			t.Fatalf("RELANCE_MEASURE_EVENTS=%q: not a positive number", s)
		}
	}
	w := bench.NewWorkload(bench.WorkloadConfig{Seed: 1})
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		ev := w.Next()
		msgs[i] = kafka.Message{Topic: ev.Topic, Key: ev.Key, Value: ev.Value}
	}
	msgs = inPartitions(msgs, time.Now().Add(-time.Hour))
	file := writeKcat(t, msgs)
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d events, a file of %.1f MiB", n, float64(st.Size())/(1<<20))
	ctx := context.Background()
	pols := []*policy.Policy{policy.Default(), nudgeAt5(t)}
	measure := func(name string, open func() (replay.Source, error), pols []*policy.Policy) {
		cpu0 := cpuTime(t)
		start := time.Now()
		src, err := open()
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		opened := time.Since(start)
		reports, err := replay.Run(ctx, src, pols, replay.Config{}, replay.WithTextChecker(content.Default()))
		if err != nil {
			t.Fatal(err)
		}
		took, cpu := time.Since(start), cpuTime(t)-cpu0
		if reports[0].Events != int64(n) {
			t.Fatalf("%s: %d events replayed, want %d", name, reports[0].Events, n)
		}
		t.Logf("%s, %d policies: %d events in %s (opening %s): %.0f events/s; %s of CPU: %.0f events per CPU second; %d follow-up limits, %v alerts",
			name, len(pols), n, took.Round(time.Millisecond), opened.Round(time.Millisecond), float64(n)/took.Seconds(),
			cpu.Round(time.Millisecond), float64(n)/cpu.Seconds(), reports[0].Nudges[topics.KindFollowUpLimit], reports[0].Alerts)
	}
	openFile := func() (replay.Source, error) { return replay.OpenFile(file, topics.Names{}) }
	measure("file", openFile, pols[:1])
	measure("file", openFile, pols)

	names := topics.Names{}.WithDefaults()
	brokers := testenv.StartKafka(t, names.All()...)
	byTopic := map[string][]kafka.Message{}
	for _, m := range msgs {
		topic := m.Topic
		m.Topic, m.Partition, m.Offset = "", 0, 0
		byTopic[topic] = append(byTopic[topic], m)
	}
	for topic, ms := range byTopic {
		testenv.Produce(t, brokers, topic, ms...)
	}
	from, to := msgs[0].Time, msgs[len(msgs)-1].Time.Add(time.Millisecond)
	openTopics := func() (replay.Source, error) {
		return replay.OpenTopics(ctx, replay.TopicsConfig{Brokers: brokers, Topics: names, From: from, To: to})
	}
	measure("topics on kfake", openTopics, pols[:1])
	measure("topics on kfake", openTopics, pols)
}
