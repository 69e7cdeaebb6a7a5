package state_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// TestMemoryExpiresInEventTime: with ExpireInEventTime, a Memory store forgets a pair the
// window plus the margin after its last write, counting time by the events it applies, as
// Redis forgets it in real time: a streak left alone that long starts afresh, one written
// meanwhile stays. And a long stretch of traffic holds only what that span holds.
func TestMemoryExpiresInEventTime(t *testing.T) {
	pol := policy.Default()
	ttl := pol.Window() + 24*time.Hour
	s, err := state.NewMemory(pol, state.Config{ExpireInEventTime: true})
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s, msg("a1", "ana", "ben", 0), msg("c1", "cleo", "dan", 0))
	apply(t, s, msg("c2", "cleo", "dan", ttl-time.Minute)) // cleo→dan written again
	if n := s.Len(); n != 2 {
		t.Fatalf("before the TTL: %d keys, want 2", n)
	}
	apply(t, s, msg("e1", "eve", "fay", ttl+time.Minute)) // the clock passes ana→ben's TTL
	if n := s.Len(); n != 2 {
		t.Fatalf("a TTL after ana→ben's last write: %d keys, want 2 (cleo→dan, eve→fay)", n)
	}
	// cleo→dan kept its ids; ana→ben forgot them, as on Redis after expiry.
	if got := apply(t, s, msg("c2", "cleo", "dan", ttl-time.Minute)); got[0].Status == policy.StatusCounted {
		t.Errorf("cleo's message again: %+v, want recognised", got[0])
	}
	if got := apply(t, s, msg("a1", "ana", "ben", 0)); got[0].Status != policy.StatusCounted || got[0].Count != 1 {
		t.Errorf("ana's forgotten message again: %+v, want counted afresh", got[0])
	}

	// Many pairs over a long stretch: the store holds the pairs of a TTL, not of the stretch.
	s, err = state.NewMemory(pol, state.Config{ExpireInEventTime: true})
	if err != nil {
		t.Fatal(err)
	}
	perDay := 100
	for day := range 60 {
		var obs []policy.Observation
		for i := range perDay {
			obs = append(obs, msg(fmt.Sprintf("m-%d-%d", day, i), fmt.Sprintf("u-%d-%d", day, i), "v", time.Duration(day)*24*time.Hour+time.Duration(i)*time.Minute))
		}
		apply(t, s, obs...)
	}
	days := int(ttl/(24*time.Hour)) + 1
	if n, most := s.Len(), (days+1)*perDay; n > most {
		t.Errorf("after 60 days of 100 new pairs a day: %d keys, want at most %d (%d days' pairs)", n, most, days+1)
	}

	// Without the setting, nothing expires.
	s, err = state.NewMemory(pol, state.Config{})
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s, msg("a1", "ana", "ben", 0))
	apply(t, s, msg("e1", "eve", "fay", 10*ttl))
	if n := s.Len(); n != 2 {
		t.Errorf("without expiry: %d keys, want 2", n)
	}
}
