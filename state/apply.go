package state

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/relance/relance/internal/backoff"
	"github.com/relance/relance/policy"
)

// maxAttempts bounds how often one Apply reads a pair again because another writer
// changed it in between. Between attempts it waits a jittered, doubling delay of up to
// maxBackoff, so that writers that keep colliding fall out of step and a writer that
// keeps losing still gets through: the sixteen attempts span about half a second.
const (
	maxAttempts = 16
	maxBackoff  = 64 * time.Millisecond
)

// Commands per pipelined MGET or script call: big enough to amortise a call, small enough
// that one script does not hold Redis for long.
const keysPerCall = 256

// work is one pair's part of an Apply.
type work struct {
	key, tag string
	low      string // the member id that sorts first: its messages are dirs[0]
	obs      []int  // indexes of the pair's observations, in order
	exists   bool
	read     string // the value read; header its first bytes ("" when there was no key)
	header   string
	value    []byte // to write
}

// Apply records obs and returns one Streak per observation: read every pair the batch
// touches (one pipelined MGET, skipping pairs this store wrote recently), apply the
// observations in order in memory, write every pair back (one script call per
// keysPerCall pairs, each sent while the next chunk is computed). Each pair is written
// only if nobody wrote it since it was read; one that changed is read again and its
// observations redone, so concurrent writers never lose an update.
//
// A server that lost the script (restart, SCRIPT FLUSH) answers NOSCRIPT without running
// anything: the script is loaded again and those writes are sent again, once. Any other
// error fails the whole call; pairs already written recognise the observations as
// redeliveries when the caller retries.
func (r *Redis) Apply(ctx context.Context, obs []policy.Observation) ([]policy.Streak, error) {
	if len(obs) == 0 {
		return nil, nil
	}
	for i, o := range obs {
		if err := checkObservation(o); err != nil {
			return nil, fmt.Errorf("state: apply: observation %d: %w", i, err)
		}
	}
	todo := r.group(obs)
	streaks := make([]policy.Streak, len(obs))
	var unread []*work
	for _, w := range todo {
		if v, ok := r.cache.get(w.key); ok {
			w.setRead(v, true)
		} else {
			unread = append(unread, w)
		}
	}
	for attempt := 1; ; attempt++ {
		if err := r.read(ctx, unread); err != nil {
			return nil, fmt.Errorf("state: apply: read: %w", err)
		}
		changed, err := r.computeAndWrite(ctx, todo, obs, streaks)
		if err != nil {
			for _, w := range todo {
				r.cache.drop(w.key) // written or not: unknown
			}
			return nil, fmt.Errorf("state: apply: %w", err)
		}
		for _, w := range todo {
			r.cache.put(w.key, string(w.value))
		}
		for _, w := range changed {
			r.cache.drop(w.key)
		}
		if len(changed) == 0 {
			return streaks, nil
		}
		if attempt == maxAttempts {
			return nil, fmt.Errorf("state: apply: %d pairs still written by another writer after %d attempts", len(changed), attempt)
		}
		r.log.Debug("pairs written by another writer meanwhile, applying again", zap.Int("pairs", len(changed)))
		if err := backoff.Sleep(ctx, backoff.Jitter(retryDelay(attempt))); err != nil {
			return nil, fmt.Errorf("state: apply: %w", err)
		}
		todo, unread = changed, changed
	}
}

// retryDelay is the most to wait after the given failed attempt: 1 ms, doubled per
// attempt, at most maxBackoff (the wait is jittered over its upper half).
func retryDelay(attempt int) time.Duration {
	return min(time.Millisecond<<min(attempt-1, 16), maxBackoff)
}

// group splits obs by unordered pair, in order of first appearance.
func (r *Redis) group(obs []policy.Observation) []*work {
	type members struct{ low, high string }
	byPair := make(map[members]*work, len(obs))
	var all []*work
	for i, o := range obs {
		m := members{o.SenderID, o.RecipientID}
		if m.high < m.low {
			m.low, m.high = m.high, m.low
		}
		w := byPair[m]
		if w == nil {
			tag := pairTag(m.low, m.high)
			w = &work{
				key: r.cfg.KeyPrefix + ":{" + tag + "}:p:" + strconv.Itoa(len(m.low)) + ":" + m.low + m.high,
				tag: tag,
				low: m.low,
			}
			byPair[m] = w
			all = append(all, w)
		}
		w.obs = append(w.obs, i)
	}
	return all
}

// setRead records the value read (ok false: there was no key).
func (w *work) setRead(v string, ok bool) {
	w.exists, w.read, w.header = ok, v, ""
	if ok {
		w.header = v[:min(len(v), headerLen)]
	}
}

// read fetches the current value of every pair: header and value are set, value nil for a
// pair with no key.
func (r *Redis) read(ctx context.Context, ws []*work) error {
	if len(ws) == 0 {
		return nil
	}
	pipe := r.client.Pipeline()
	var mgets []*redis.SliceCmd
	var gets []*redis.StringCmd
	if r.oneServer {
		for chunk := range slices.Chunk(ws, keysPerCall) {
			keys := make([]string, len(chunk))
			for i, w := range chunk {
				keys[i] = w.key
			}
			mgets = append(mgets, pipe.MGet(ctx, keys...))
		}
	} else {
		for _, w := range ws {
			gets = append(gets, pipe.Get(ctx, w.key))
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	for i, c := range mgets {
		for j, v := range c.Val() {
			s, ok := v.(string)
			ws[i*keysPerCall+j].setRead(s, ok)
		}
	}
	for i, c := range gets {
		v, err := c.Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		ws[i].setRead(v, err == nil)
	}
	return nil
}

// computeAndWrite computes the pairs of ws, keysPerCall at a time, and writes each such
// chunk while computing the next: Redis runs a chunk's writes while Go computes the next
// one. It returns the pairs someone else wrote since they were read.
func (r *Redis) computeAndWrite(ctx context.Context, ws []*work, obs []policy.Observation, streaks []policy.Streak) ([]*work, error) {
	type written struct {
		changed []*work
		err     error
	}
	var pending []chan written
	var err error
	for chunk := range slices.Chunk(ws, keysPerCall) {
		for _, w := range chunk {
			if err = r.compute(w, obs, streaks); err != nil {
				break
			}
		}
		if err != nil {
			break
		}
		done := make(chan written, 1)
		pending = append(pending, done)
		go func() {
			changed, err := r.write(ctx, chunk)
			done <- written{changed, err}
		}()
	}
	var changed []*work
	for _, done := range pending { // every write ends before Apply returns
		res := <-done
		changed = append(changed, res.changed...)
		if err == nil && res.err != nil {
			err = fmt.Errorf("write: %w", res.err)
		}
	}
	if err != nil {
		return nil, err
	}
	return changed, nil
}

// compute applies w's observations to the pair read, sets their streaks and the value to
// write back.
func (r *Redis) compute(w *work, obs []policy.Observation, streaks []policy.Streak) error {
	p := &pair{}
	if w.exists {
		var err error
		if p, err = decodePair(w.read); err != nil {
			return fmt.Errorf("key %s: %w", w.key, err)
		}
	}
	for _, i := range w.obs {
		streaks[i] = r.limits.applyTo(p, w.low, obs[i])
	}
	w.value = p.encode(make([]byte, 0, len(w.read)+64), rand.Uint64())
	return nil
}

// write stores every pair whose key still holds the header read, and returns the others.
// Pairs go to the script in calls of up to keysPerCall on one server; on a Cluster (or
// Ring), a call holds the pairs of one hash tag.
func (r *Redis) write(ctx context.Context, ws []*work) ([]*work, error) {
	var calls [][]*work
	if r.oneServer {
		for chunk := range slices.Chunk(ws, keysPerCall) {
			calls = append(calls, chunk)
		}
	} else {
		byTag := make(map[string]int)
		for _, w := range ws {
			i, ok := byTag[w.tag]
			if !ok {
				i = len(calls)
				byTag[w.tag] = i
				calls = append(calls, nil)
			}
			calls[i] = append(calls[i], w)
		}
	}
	results := make([]*redis.Cmd, len(calls))
	all := make([]int, len(calls))
	for i := range all {
		all[i] = i
	}
	missing, err := r.exec(ctx, calls, results, all)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		r.log.Info("script missing on the server, loading it again", zap.Int("calls", len(missing)))
		if err := r.load(ctx); err != nil {
			return nil, fmt.Errorf("reload script: %w", err)
		}
		if missing, err = r.exec(ctx, calls, results, missing); err != nil {
			return nil, err
		}
		if len(missing) > 0 {
			return nil, results[missing[0]].Err()
		}
	}
	var changed []*work
	for i, c := range results {
		idx, err := c.Int64Slice()
		if err != nil {
			return nil, fmt.Errorf("unexpected script reply: %w", err)
		}
		for _, k := range idx {
			if k < 1 || int(k) > len(calls[i]) {
				return nil, fmt.Errorf("unexpected script reply: index %d of %d keys", k, len(calls[i]))
			}
			changed = append(changed, calls[i][k-1])
		}
	}
	return changed, nil
}

// exec pipelines the script calls calls[idx...] into results and returns the indexes
// that failed with NOSCRIPT. Any other failure is returned as the error.
func (r *Redis) exec(ctx context.Context, calls [][]*work, results []*redis.Cmd, idx []int) ([]int, error) {
	pipe := r.client.Pipeline()
	for _, i := range idx {
		keys := make([]string, len(calls[i]))
		args := make([]any, 1, 1+2*len(calls[i]))
		args[0] = r.ttl
		for j, w := range calls[i] {
			keys[j] = w.key
			args = append(args, w.header, w.value)
		}
		results[i] = r.script.EvalSha(ctx, pipe, keys, args...)
	}
	_, execErr := pipe.Exec(ctx)
	var missing []int
	for _, i := range idx {
		err := results[i].Err()
		switch {
		case err == nil:
		case redis.HasErrorPrefix(err, "NOSCRIPT"):
			missing = append(missing, i)
		default:
			return nil, err
		}
	}
	if execErr != nil && len(missing) == 0 {
		return nil, execErr
	}
	return missing, nil
}
