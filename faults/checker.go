package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relance/relance/internal/testenv"
	"github.com/relance/relance/topics"
	"github.com/relance/relance/topics/record"
)

// Report is what the checker found for one scenario run.
type Report struct {
	Scenario string
	// Events is the number of records produced; BadSent the bad ones among them.
	Events, BadSent int
	// Expected outputs (ledger), Present (expected ids found with the expected
	// decision), Missing (expected ids never found with the expected decision), Unexpected
	// (ids found that are not expected, or found with another decision than the ledger's).
	Expected, Present, Missing, Unexpected int
	// Records is the number of output records read; Duplicates how many of them repeat an
	// id already read (allowed: consumers drop duplicates by id).
	Records, Duplicates int
	// DeadLettered is the number of distinct inputs dead-lettered (by key: every bad
	// input sent is unique); DeadUnexpected those that are not bad inputs sent.
	DeadLettered, DeadUnexpected int
	// Restarts of relance processes; Recoveries the times from each fault's end to the
	// processor's next progress (or to drained, for the last one).
	Restarts   int
	Recoveries []time.Duration
	// Keys in Redis and how many of them have no TTL.
	Keys, KeysWithoutTTL int
	// Elapsed is the scenario's duration.
	Elapsed time.Duration
	// Examples lists a few missing and unexpected outputs, for diagnosis.
	Examples []string
}

// String prints the report: expected, seen, missing and unexpected outputs, by kind.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s (%s)\n", r.Scenario, r.Elapsed.Round(100*time.Millisecond))
	fmt.Fprintf(&b, "  events produced      %d (bad %d)\n", r.Events, r.BadSent)
	fmt.Fprintf(&b, "  outputs expected     %d\n", r.Expected)
	fmt.Fprintf(&b, "  outputs present      %d\n", r.Present)
	fmt.Fprintf(&b, "  outputs missing      %d\n", r.Missing)
	fmt.Fprintf(&b, "  outputs unexpected   %d\n", r.Unexpected)
	fmt.Fprintf(&b, "  duplicates by id     %d (of %d output records)\n", r.Duplicates, r.Records)
	fmt.Fprintf(&b, "  dead-lettered        %d / bad inputs sent %d (unexpected dead letters %d)\n", r.DeadLettered, r.BadSent, r.DeadUnexpected)
	fmt.Fprintf(&b, "  processor restarts   %d\n", r.Restarts)
	fmt.Fprintf(&b, "  time to recover      %s\n", formatRecoveries(r.Recoveries))
	fmt.Fprintf(&b, "  redis keys with TTL  %d / %d (without TTL: %d)\n", r.Keys-r.KeysWithoutTTL, r.Keys, r.KeysWithoutTTL)
	for _, e := range r.Examples {
		fmt.Fprintf(&b, "  - %s\n", e)
	}
	return b.String()
}

func formatRecoveries(ds []time.Duration) string {
	if len(ds) == 0 {
		return "n/a"
	}
	var sum, worst time.Duration
	for _, d := range ds {
		sum += d
		worst = max(worst, d)
	}
	return fmt.Sprintf("mean %s, max %s over %d faults", (sum / time.Duration(len(ds))).Round(10*time.Millisecond), worst.Round(10*time.Millisecond), len(ds))
}

// Err says what is wrong with the run, nil when it kept every promise.
func (r Report) Err() error {
	var errs []error
	if r.Missing > 0 {
		errs = append(errs, fmt.Errorf("%d outputs missing", r.Missing))
	}
	if r.Unexpected > 0 {
		errs = append(errs, fmt.Errorf("%d outputs unexpected", r.Unexpected))
	}
	if r.DeadLettered != r.BadSent || r.DeadUnexpected > 0 {
		errs = append(errs, fmt.Errorf("%d inputs dead-lettered (%d not bad), %d bad inputs sent", r.DeadLettered, r.DeadUnexpected, r.BadSent))
	}
	if r.KeysWithoutTTL > 0 {
		errs = append(errs, fmt.Errorf("%d redis keys without a TTL", r.KeysWithoutTTL))
	}
	return errors.Join(errs...)
}

// Check reads the output topics and Redis and compares them with w's ledger. Call it once
// the group has drained (testenv.WaitCaughtUp). rdb may be nil to skip the TTL check.
func Check(ctx context.Context, brokers []string, names topics.Names, w Workload, rdb redis.UniversalClient) (Report, error) {
	names = names.WithDefaults()
	r := Report{Events: w.Ledger.Events, BadSent: w.Ledger.Bad, Expected: len(w.Ledger.Outputs)}

	seen := map[string]bool{}    // ids read
	matched := map[string]bool{} // expected ids read with the expected decision
	wrong := map[string]bool{}   // ids read that are not expected, or with another decision
	observe := func(o Output) {
		r.Records++
		if seen[o.ID] {
			r.Duplicates++
		}
		seen[o.ID] = true
		want, ok := w.Ledger.Outputs[o.ID]
		switch {
		case ok && want.Key() == o.Key():
			matched[o.ID] = true
		case wrong[o.ID]:
		case !ok:
			wrong[o.ID] = true
			r.example("unexpected %s: %s", o.ID, o.Key())
		default:
			wrong[o.ID] = true
			r.example("id %s is %s, want %s", o.ID, o.Key(), want.Key())
		}
	}
	nudges, err := testenv.ReadAll(ctx, brokers, names.CoachNudge)
	if err != nil {
		return r, err
	}
	for _, m := range nudges {
		var n topics.CoachNudge
		if err := json.Unmarshal(m.Value, &n); err != nil {
			return r, fmt.Errorf("nudge at %d/%d: %w", m.Partition, m.Offset, err)
		}
		observe(NudgeOutput(n))
	}
	alerts, err := testenv.ReadAll(ctx, brokers, names.ModerationAlert)
	if err != nil {
		return r, err
	}
	for _, m := range alerts {
		var a topics.ModerationAlert
		if err := json.Unmarshal(m.Value, &a); err != nil {
			return r, fmt.Errorf("alert at %d/%d: %w", m.Partition, m.Offset, err)
		}
		observe(AlertOutput(a))
	}
	r.Present, r.Unexpected = len(matched), len(wrong)
	for id, o := range w.Ledger.Outputs {
		if !matched[id] {
			r.Missing++
			r.example("missing %s: %s", id, o.Key())
		}
	}

	// Every bad input has a key of its own. Its dead letter keeps the key and holds its
	// bytes (RELANCE_DEAD_LETTER_PAYLOAD=full) or their redaction (the default): the text
	// member removed, or nothing for a value that is not a JSON object.
	bad := map[string][2][]byte{}
	for _, rec := range w.Records {
		if rec.Bad != "" {
			redacted, ok := record.Redact(rec.Value)
			if !ok {
				redacted = []byte{}
			}
			bad[string(rec.Key)] = [2][]byte{rec.Value, redacted}
		}
	}
	dead, err := testenv.ReadAll(ctx, brokers, names.DeadLetter)
	if err != nil {
		return r, err
	}
	deadSeen := map[string]bool{}
	for _, m := range dead {
		from := record.HeaderValue(m, record.HeaderSourceTopic) + "/" + record.HeaderValue(m, record.HeaderSourcePartition) + "/" + record.HeaderValue(m, record.HeaderSourceOffset)
		key := string(m.Key)
		if deadSeen[key] {
			continue // dead-lettered again after a redelivery, or produced twice
		}
		deadSeen[key] = true
		r.DeadLettered++
		if v, ok := bad[key]; !ok || !(bytes.Equal(m.Value, v[0]) || bytes.Equal(m.Value, v[1])) {
			r.DeadUnexpected++
			r.example("dead letter from %s is not a bad input sent: %s", from, record.HeaderValue(m, record.HeaderError))
		}
	}

	if rdb != nil {
		r.Keys, r.KeysWithoutTTL, err = CountTTL(ctx, rdb)
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

func (r *Report) example(format string, args ...any) {
	if len(r.Examples) < 10 {
		r.Examples = append(r.Examples, fmt.Sprintf(format, args...))
	}
}

// CountTTL scans every key (every master of a Cluster) and counts those without a TTL.
func CountTTL(ctx context.Context, rdb redis.UniversalClient) (keys, noTTL int, err error) {
	type counts struct{ keys, noTTL int }
	scan := func(ctx context.Context, c *redis.Client) (counts, error) {
		var n counts
		iter := c.Scan(ctx, 0, "*", 1000).Iterator()
		for iter.Next(ctx) {
			n.keys++
			ttl, err := c.PTTL(ctx, iter.Val()).Result()
			if err != nil {
				return n, err
			}
			if ttl == -1 { // go-redis reports "no TTL" as -1 (ns), "no key" as -2
				n.noTTL++
			}
		}
		return n, iter.Err()
	}
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		var total counts
		results := make(chan counts, 16) // at most one per master; a local cluster has three
		err = c.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			n, err := scan(ctx, c)
			results <- n
			return err
		})
		close(results)
		for n := range results {
			total.keys += n.keys
			total.noTTL += n.noTTL
		}
		return total.keys, total.noTTL, err
	case *redis.Client:
		n, err := scan(ctx, c)
		return n.keys, n.noTTL, err
	}
	return 0, 0, fmt.Errorf("count TTLs: unsupported client %T", rdb)
}
