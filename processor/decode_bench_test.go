package processor

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
)

// BenchmarkDecode is the fetch stage's CPU per event of a batch shaped like make bench's
// (mostly messages, a quarter replies, a few labelled), without the text check: what
// decoding and validating costs the processor, beside the checker's own cost.
func BenchmarkDecode(b *testing.B) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	batch := benchBatch(1000, 0)
	p, err := New(Config{Brokers: []string{"127.0.0.1:9092"}}, nopStore{}, policy.Default(), WithClock(func() time.Time { return now }))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	buf := new(buffers) // reused, as the pipeline does
	b.ReportAllocs()
	for b.Loop() {
		items, _, err := p.decode(ctx, buf, batch)
		if err != nil {
			b.Fatal(err)
		}
		for _, it := range items {
			if it.invalid != nil {
				b.Fatal(it.invalid)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/event")
}

// benchBatch is a batch of n records shaped like make bench's (mostly messages, a quarter
// replies, a few labelled), over three partitions. Each round has its own message ids,
// ten minutes after the round before, on the same pairs: their streaks grow from one
// round to the next.
func benchBatch(n, round int) []kafka.Message {
	sentAt := time.Date(2026, 11, 23, 10, 15, 0, 123e6, time.UTC).Add(time.Duration(round) * 10 * time.Minute)
	const layout = "2006-01-02T15:04:05.000Z07:00"
	sent, replied := sentAt.Format(layout), sentAt.Add(time.Minute+127*time.Millisecond).Format(layout)
	batch := make([]kafka.Message, n)
	for i := range batch {
		id := strconv.Itoa(100000 + round*n + i)
		sender, recipient := "u-"+strconv.Itoa(i%97), "u-"+strconv.Itoa(1000+i%89)
		switch {
		case i%4 == 3:
			batch[i] = kafka.Message{Topic: topics.DefaultReply, Value: []byte(`{"message_id":"r-` + id +
				`","sender_id":"` + recipient + `","recipient_id":"` + sender + `","sent_at":"` + replied + `"}`)}
		default:
			extra := ""
			if i%40 == 0 {
				extra = `,"labels":["insult"]`
			}
			batch[i] = kafka.Message{Topic: topics.DefaultMessageSent, Value: []byte(`{"message_id":"m-` + id +
				`","sender_id":"` + sender + `","recipient_id":"` + recipient + `","sent_at":"` + sent + `",` +
				`"conversation_id":"c-` + sender + `-` + recipient + `","text":"salut, tu es dispo ce soir ?","locale":"fr"` + extra + `}`)}
		}
		batch[i].Partition = i % 3
		batch[i].Offset = int64(round*n + i)
		batch[i].HighWaterMark = int64((round + 1) * n)
	}
	return batch
}
