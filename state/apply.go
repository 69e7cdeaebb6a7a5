package state

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/relance/relance/internal/backoff"
	"github.com/relance/relance/policy"
)

// Between attempts at writing records that another writer changed meanwhile, Apply waits a
// jittered delay, doubled per attempt up to maxBackoff, so that writers that keep colliding
// fall out of step. It never gives up on them while ctx lasts: each round writes every
// record that did not change, so some writer always gets through, and failing the batch
// would only redo the records already written.
const maxBackoff = 64 * time.Millisecond

// Commands per pipelined MGET or script call: big enough to amortise a call, small enough
// that one script does not hold Redis for long.
const keysPerCall = 256

// Apply records obs and returns one Result per observation: for each kind of record, read
// every record the batch touches (one pipelined MGET, skipping those this store wrote
// recently), apply the observations in order in memory, write every record back (one
// script call per keysPerCall records, each sent while the next chunk is computed). Each
// record is written only if nobody wrote it since it was read; one that changed is read
// again and its observations redone, so concurrent writers never lose an update.
//
// An invalid observation (policy.Observation.Validate) changes nothing and gets a Result
// whose Invalid says why. A value that cannot be decoded is replaced by an empty record
// (counted and logged). A server that lost the script (restart, SCRIPT FLUSH) answers
// NOSCRIPT without running anything: the script is loaded again and those writes are sent
// again, once. Any other error fails the whole call; records already written recognise the
// observations as redeliveries when the caller retries.
func (r *Redis) Apply(ctx context.Context, obs []policy.Observation) ([]policy.Result, error) {
	if len(obs) == 0 {
		return nil, nil
	}
	results := make([]policy.Result, len(obs))
	skip := validate(obs, results)
	var early map[string]*work
	for i := range r.kinds {
		var err error
		if early, err = r.applyKind(ctx, i, early, obs, skip, results); err != nil {
			return nil, fmt.Errorf("state: apply: %w", err)
		}
	}
	return results, nil
}

// applyKind reads, computes and writes the records of the i-th kind until every one is
// written. early holds records of this kind read ahead by the kind before. While this
// kind's writes are in flight, applyKind reads ahead the records of the next kind that its
// results call for, and returns them: a batch whose pairs signal something about their
// senders reads the senders' records in parallel with the pairs' write instead of after
// it. A record read ahead may be stale (its pair was redone after a conflict, or another
// writer came in between): the compare-and-set catches that like any other. Records the
// cache misses are not read at all while they are expected to be new (absentGuess).
func (r *Redis) applyKind(ctx context.Context, i int, early map[string]*work, obs []policy.Observation, skip []bool, results []policy.Result) (map[string]*work, error) {
	k := r.kinds[i]
	todo := k.group(obs, skip, results)
	unread := r.guessAbsent(i, r.fromCache(todo, early))
	var ahead map[string]*work
	readAhead := func() error {
		if i+1 == len(r.kinds) {
			return nil
		}
		ws := r.kinds[i+1].group(obs, skip, results)
		if len(ws) == 0 {
			return nil
		}
		unread := r.fromCache(ws, nil)
		if r.guesses[i+1].worthIt(len(unread)) {
			return nil // the next kind guesses them absent itself
		}
		if err := r.read(ctx, i+1, unread); err != nil {
			return err
		}
		ahead = make(map[string]*work, len(ws))
		for _, w := range ws {
			ahead[w.key] = w
		}
		return nil
	}
	for attempt := 1; ; {
		if err := r.read(ctx, i, unread); err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
		changed, err := r.computeAndWrite(ctx, k, todo, obs, results, readAhead)
		readAhead = nil // once: a redo's records are read when the next kind runs
		if err != nil {
			r.cache.forget(todo) // written or not: unknown
			return nil, err
		}
		r.cache.forget(changed)
		r.cache.keep(written(todo, changed))
		conflicts := r.countGuesses(i, todo, changed)
		if len(changed) == 0 {
			return ahead, nil
		}
		todo, unread = changed, changed
		if conflicts == 0 {
			continue // only records guessed absent exist: read them, no one to wait for
		}
		r.conflicts(conflicts)
		r.log.Debug("records written by another writer meanwhile, applying again",
			zap.Int("records", conflicts), zap.Int("attempt", attempt))
		if err := backoff.Sleep(ctx, backoff.Jitter(retryDelay(attempt))); err != nil {
			return nil, fmt.Errorf("%d records still written by another writer after %d attempts: %w", conflicts, attempt, err)
		}
		attempt++
	}
}

// guessAbsent takes the records of the i-th kind in unread as absent, without reading
// them, when absentGuess says it is worth it, and returns those still to be read.
func (r *Redis) guessAbsent(i int, unread []*work) []*work {
	if len(unread) == 0 || !r.guesses[i].worthIt(len(unread)) {
		return unread
	}
	for _, w := range unread {
		w.setRead("", false)
		w.guessed = true
	}
	return nil
}

// countGuesses tells the i-th kind's absentGuess what the records of todo guessed absent
// turned out to be (those in changed existed), clears their guess, and returns how many
// records of changed were not guessed: real conflicts.
func (r *Redis) countGuesses(i int, todo, changed []*work) (conflicts int) {
	existed := 0
	for _, w := range changed {
		if w.guessed {
			existed++
		} else {
			conflicts++
		}
	}
	guessed := 0
	for _, w := range todo {
		if w.guessed {
			guessed++
			w.guessed = false
		}
	}
	r.guesses[i].saw(guessed, existed)
	return conflicts
}

// written is todo without the records of changed.
func written(todo, changed []*work) []*work {
	if len(changed) == 0 {
		return todo
	}
	skip := make(map[*work]bool, len(changed))
	for _, w := range changed {
		skip[w] = true
	}
	out := make([]*work, 0, len(todo)-len(changed))
	for _, w := range todo {
		if !skip[w] {
			out = append(out, w)
		}
	}
	return out
}

// fromCache sets the value read of each record found in the cache or in early (read
// ahead), and returns the others, which are still to be read.
func (r *Redis) fromCache(ws []*work, early map[string]*work) []*work {
	var unread []*work
	for _, w := range r.cache.read(ws) {
		if e, ok := early[w.key]; ok {
			w.setRead(e.read, e.exists)
		} else {
			unread = append(unread, w)
		}
	}
	return unread
}

// retryDelay is the most to wait after the given failed attempt: 1 ms, doubled per
// attempt, at most maxBackoff (the wait is jittered over its upper half).
func retryDelay(attempt int) time.Duration {
	return min(time.Millisecond<<min(attempt-1, 16), maxBackoff)
}

// read fetches the current value of every record of ws, of the kind r.kinds[ofKind]: header and value
// are set, value nil for a record with no key. What it finds feeds the kind's absentGuess.
func (r *Redis) read(ctx context.Context, ofKind int, ws []*work) error {
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
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) && !redis.HasErrorPrefix(err, "WRONGTYPE") {
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
		if err != nil && !errors.Is(err, redis.Nil) && !redis.HasErrorPrefix(err, "WRONGTYPE") {
			return err
		}
		ws[i].setRead(v, err == nil) // not a string: absent, as MGET reads it (write.lua)
	}
	found := 0
	for _, w := range ws {
		if w.exists {
			found++
		}
	}
	r.guesses[ofKind].saw(len(ws), found)
	return nil
}

// computeAndWrite computes the records of ws, keysPerCall at a time, and writes each such
// chunk while computing the next: Redis runs a chunk's writes while Go computes the next
// one. Once every record is computed, it calls meanwhile (when not nil) while the writes
// are in flight. It returns the records someone else wrote since they were read.
func (r *Redis) computeAndWrite(ctx context.Context, k kind, ws []*work, obs []policy.Observation, results []policy.Result, meanwhile func() error) ([]*work, error) {
	type written struct {
		changed []*work
		err     error
	}
	var pending []chan written
	var err error
	var s *scratch // allocated for the first chunk: a kind with no records costs nothing
	for chunk := range slices.Chunk(ws, keysPerCall) {
		if s == nil {
			s = new(scratch)
		}
		for _, w := range chunk {
			if err = r.compute(k, w, obs, results, s); err != nil {
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
	if err == nil && meanwhile != nil {
		if err = meanwhile(); err != nil {
			err = fmt.Errorf("read ahead: %w", err)
		}
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
