package processor

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/topics"
)

// gatheringChecker answers only once want checks are in flight together (or gives up at
// its deadline): a batch's checks must overlap for the batch to be decoded in time.
type gatheringChecker struct {
	want     int32
	inFlight atomic.Int32
	all      chan struct{}
	deadline time.Duration
}

func (c *gatheringChecker) Concurrency() int { return int(c.want) }

func (c *gatheringChecker) Check(ctx context.Context, text, _ string) ([]policy.Category, error) {
	if c.inFlight.Add(1) == c.want {
		close(c.all)
	}
	select {
	case <-c.all:
	case <-time.After(c.deadline):
		return nil, fmt.Errorf("only %d of %d checks in flight together", c.inFlight.Load(), c.want)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if text == "menace" {
		return []policy.Category{policy.CategoryThreat}, nil
	}
	return nil, nil
}

func messageRecord(t *testing.T, topic, id, text string) kafka.Message {
	t.Helper()
	v, err := json.Marshal(topics.MessageSent{MessageID: id, SenderID: "ana", RecipientID: "ben",
		SentAt: time.Now().Add(-time.Hour).UTC(), Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return kafka.Message{Topic: topic, Value: v}
}

// A batch's texts are checked concurrently, up to the checker's concurrency, and what each
// check finds lands on its own message.
func TestDecodeChecksABatchsTextsConcurrently(t *testing.T) {
	const n = 8
	checker := &gatheringChecker{want: n, all: make(chan struct{}), deadline: 10 * time.Second}
	p := &Processor{cfg: Config{}.withDefaults(), texts: checker, now: time.Now, decoders: Decoders(topics.Names{})}
	var batch []kafka.Message
	for i := range n {
		text := "bonjour"
		if i == 5 {
			text = "menace"
		}
		batch = append(batch, messageRecord(t, p.cfg.Topics.MessageSent, fmt.Sprintf("m-%d", i), text))
	}
	batch = append(batch, messageRecord(t, p.cfg.Topics.MessageSent, "no-text", ""))
	items, obs, err := p.decode(context.Background(), new(buffers), batch)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(obs) != n+1 {
		t.Fatalf("%d observations, want %d", len(obs), n+1)
	}
	for i, it := range items {
		want := 0
		if i == 5 {
			want = 1
		}
		if in := it.input(obs); len(in.Observation.Categories) != want {
			t.Errorf("%s: categories %v, want %d", in.Observation.MessageID, in.Observation.Categories, want)
		}
	}
}

// A text check that cannot answer before ctx ends leaves the batch undecided: it is not
// dead-lettered, and not decided as if the text were clean.
func TestDecodeWithoutATextAnswerDecidesNothing(t *testing.T) {
	checker := &gatheringChecker{want: 2, all: make(chan struct{}), deadline: time.Minute}
	p := &Processor{cfg: Config{}.withDefaults(), texts: checker, now: time.Now, decoders: Decoders(topics.Names{})}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	items, obs, err := p.decode(ctx, new(buffers), []kafka.Message{messageRecord(t, p.cfg.Topics.MessageSent, "m-1", "menace")})
	if err == nil || items != nil || obs != nil {
		t.Fatalf("decode = %d items, %d observations, %v; want the ctx error and nothing", len(items), len(obs), err)
	}
}

// A batch decoded into buffers reused from a longer batch decodes as into new ones: none of
// the earlier batch's categories or invalid records carries over, and its items and
// observations take the earlier batch's memory.
func TestDecodeIntoReusedBuffers(t *testing.T) {
	p := &Processor{cfg: Config{}.withDefaults(), texts: threatChecker{}, now: time.Now, decoders: Decoders(topics.Names{})}
	topic := p.cfg.Topics.MessageSent
	ctx := context.Background()
	buf := new(buffers)
	longer := []kafka.Message{
		messageRecord(t, topic, "m-1", "menace"),
		{Topic: topic, Value: []byte(`{}`)},
		messageRecord(t, topic, "m-3", "menace"),
	}
	items1, obs1, err := p.decode(ctx, buf, longer)
	if err != nil || len(items1) != 3 || len(obs1) != 2 {
		t.Fatalf("first batch: %d items, %d observations, %v; want 3, 2, nil", len(items1), len(obs1), err)
	}
	batch := []kafka.Message{messageRecord(t, topic, "m-4", "bonjour"), messageRecord(t, topic, "m-5", "")}
	items, obs, err := p.decode(ctx, buf, batch)
	if err != nil {
		t.Fatal(err)
	}
	wantItems, wantObs, err := p.decode(ctx, new(buffers), batch)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := decodedOf(items, obs), decodedOf(wantItems, wantObs); !reflect.DeepEqual(got, want) {
		t.Errorf("decoded into reused buffers:\n%+v\nwant, as into new ones:\n%+v", got, want)
	}
	if &items[0] != &items1[0] || &obs[0] != &obs1[0] {
		t.Error("the batch's items or observations are not in the buffers' memory")
	}
}

// threatChecker finds a threat in "menace", nothing in any other text.
type threatChecker struct{}

func (threatChecker) Check(_ context.Context, text, _ string) ([]policy.Category, error) {
	if text == "menace" {
		return []policy.Category{policy.CategoryThreat}, nil
	}
	return nil, nil
}
