package streak

import (
	"strings"
	"time"

	"github.com/relance/relance/policy"
)

// Direction is what a pair holds about one of its directions, for people to read (relance
// inspect): the decoded state as the algorithm sees it, without its bookkeeping. Zero times
// mean none.
type Direction struct {
	// Newest is the newest event time of a counted message: the window ends there.
	Newest time.Time
	// Answered, Blocked: the recipient's latest answer and block. Dismissed: when the
	// recipient said all is fine during the current streak.
	Answered, Blocked, Dismissed time.Time
	// StartID is the message that started the current streak; Peak and PeakAttempts its
	// highest unanswered count and attempts, Offensive its offensive messages.
	StartID                       string
	Peak, PeakAttempts, Offensive int
	// Nudged is when the current streak reached the nudge level; Outcome, once nudged,
	// what followed (one of policy.Outcomes, "" until decided).
	Nudged  time.Time
	Outcome string
	// Unanswered are the unanswered messages, oldest first, each with its attempt.
	Unanswered []Unanswered
	// Kept are the messages and member actions whose decision the pair keeps for a
	// redelivery (a level was crossed, the content rules fired, a report), oldest first.
	Kept []Kept
	// Seen is how many message and action ids the direction remembers for redelivery.
	Seen int
}

// Unanswered is one unanswered message.
type Unanswered struct {
	ID     string
	SentAt time.Time
	// Attempt is the attempt the message belongs to, from 1 (policy.Threshold).
	Attempt int
}

// Kept is a message or member action whose decision the pair keeps.
type Kept struct {
	ID     string
	SentAt time.Time
	// Action: ID is a member action's (a report's), not a message's.
	Action bool
	// Streak is what the observation got when first recorded, which a redelivery gets
	// back: the policy decides it again to the same nudges and alerts (policy.Decide).
	Streak policy.Streak
}

// Directions are p's two directions as people read them: [0] from the member that sorts
// first in byte order to the other, [1] back. burst is the policy's (policy.Burst): the
// attempts are numbered with it, by the rule that counts them.
func (p *Pair) Directions(burst time.Duration) [2]Direction {
	var out [2]Direction
	for i := range p.dirs {
		out[i] = p.dirs[i].view(burst.Milliseconds())
	}
	return out
}

func (d *direction) view(burst int64) Direction {
	v := Direction{
		Newest: msTime(d.newest), Answered: msTime(d.answered), Blocked: msTime(d.blocked), Dismissed: msTime(d.dismissed),
		StartID: d.start, Peak: d.peak, PeakAttempts: d.peakAtt, Offensive: d.off,
		Nudged: msTime(d.nudged), Outcome: d.outcome,
	}
	// Number the attempts as countAttempts counts them, with extend on a scratch direction.
	attempts := direction{burst: burst}
	for i := range d.recs {
		r := &d.recs[i]
		if r.seen {
			v.Seen++
		}
		if r.unanswered {
			attempts.extend(r.t)
			v.Unanswered = append(v.Unanswered, Unanswered{ID: r.id, SentAt: msTime(r.t), Attempt: attempts.atts})
		}
		if kv := r.keptView(); kv != nil {
			id, action := strings.CutPrefix(r.id, actionID(""))
			v.Kept = append(v.Kept, Kept{ID: id, SentAt: msTime(r.t), Action: action, Streak: *kv})
		}
	}
	return v
}
