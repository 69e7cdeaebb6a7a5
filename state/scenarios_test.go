package state_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/relance/relance/policy"
	"github.com/relance/relance/state"
)

// followUps is alice sending n messages to bob an hour apart: each an attempt, the count
// and the peak grow together, and NudgedAt is the fourth message's time from then on; the
// fifth fixes the nudge's outcome: continued.
func followUps(n int) []step {
	return oneWay(n, hour, func(count int) int { return count }, 4)
}

// flood is alice sending n messages to bob a second apart: one attempt, and NudgedAt at
// the tenth message, the default policy's nudge on messages.
func flood(n int) []step {
	return oneWay(n, time.Second, func(int) int { return 1 }, 10)
}

// oneWay is alice sending n messages to bob gap apart, attempts(count) attempts after the
// count-th, NudgedAt the time of the nudgeAt-th message from then on.
func oneWay(n int, gap time.Duration, attempts func(count int) int, nudgeAt int) []step {
	steps := make([]step, n)
	var sent []string
	for i := range n {
		id := fmt.Sprintf("m%d", i+1)
		sent = append(sent, id)
		want := policy.Streak{
			Status: policy.StatusCounted, Count: i + 1, PrevPeak: i, Peak: i + 1,
			Attempts: attempts(i + 1), PeakAttempts: attempts(i + 1), StartID: "m1",
			FirstUnansweredAt: at(0), LastMessageAt: at(time.Duration(i) * gap),
			MessageIDs: append([]string(nil), sent...),
		}
		if i > 0 {
			want.PrevPeakAttempts = attempts(i)
		}
		if i+1 >= nudgeAt {
			want.NudgedAt = at(time.Duration(nudgeAt-1) * gap)
		}
		if i == nudgeAt { // the first message after the nudge
			want.NudgeOutcome = policy.OutcomeContinued
		}
		steps[i] = step{msg(id, "alice", "bob", time.Duration(i)*gap), want}
	}
	return steps
}

func defaultPolicy(testing.TB) *policy.Policy { return policy.Default() }

// scenarios covers every status and rule of the store; they run on redis-server, on
// Redis Cluster, on miniredis and in memory, and must give the same Streaks on all four.
func scenarios() []scenario {
	counted := policy.StatusCounted
	return []scenario{
		{
			name: "first message starts a streak",
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
			},
		},
		{
			name:  "reply is an answer",
			steps: []step{{reply("bob", "alice", 0), answer}},
		},
		{
			name:  "count grows from 1 to 12 with the peak",
			steps: followUps(12),
		},
		{
			name: "message older than the window is stale",
			steps: []step{
				{msg("m1", "alice", "bob", 8*day), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(8 * day), LastMessageAt: at(8 * day), MessageIDs: ids("m1")}},
				{msg("m0", "alice", "bob", 0), stale},
				{msg("edge", "alice", "bob", day), stale},
				{msg("inside", "alice", "bob", day+time.Millisecond), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2,
					StartID: "m1", FirstUnansweredAt: at(day + time.Millisecond), LastMessageAt: at(8 * day),
					MessageIDs: ids("inside", "m1")}},
			},
		},
		{
			name: "message sent before the answer is late and not counted",
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{reply("bob", "alice", 2*hour), answer},
				{msg("m2", "alice", "bob", hour), late(2 * hour)},
				{msg("m3", "alice", "bob", 3*hour), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m3",
					FirstUnansweredAt: at(3 * hour), LastMessageAt: at(3 * hour), AnsweredAt: at(2 * hour), MessageIDs: ids("m3")}},
			},
		},
		{
			name: "reply ends the streak",
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{msg("m2", "alice", "bob", hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(hour), MessageIDs: ids("m1", "m2")}},
				{reply("bob", "alice", 2*hour), answer},
				{msg("m3", "alice", "bob", 3*hour), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m3",
					FirstUnansweredAt: at(3 * hour), LastMessageAt: at(3 * hour), AnsweredAt: at(2 * hour), MessageIDs: ids("m3")}},
			},
		},
		{
			name: "message back ends the streak",
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{msg("m2", "alice", "bob", hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(hour), MessageIDs: ids("m1", "m2")}},
				// bob's message answers alice, and starts bob→alice, which alice's
				// messages had already answered up to m2.
				{msg("b1", "bob", "alice", 2*hour), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "b1",
					FirstUnansweredAt: at(2 * hour), LastMessageAt: at(2 * hour), AnsweredAt: at(hour), MessageIDs: ids("b1")}},
				{msg("m3", "alice", "bob", 3*hour), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m3",
					FirstUnansweredAt: at(3 * hour), LastMessageAt: at(3 * hour), AnsweredAt: at(2 * hour), MessageIDs: ids("m3")}},
			},
		},
		{
			name: "answer older than every unanswered message keeps the streak",
			steps: []step{
				{msg("m1", "alice", "bob", hour), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(hour), LastMessageAt: at(hour), MessageIDs: ids("m1")}},
				{msg("m2", "alice", "bob", 2*hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(hour), LastMessageAt: at(2 * hour), MessageIDs: ids("m1", "m2")}},
				{reply("bob", "alice", 30*time.Minute), answer},
				{msg("m3", "alice", "bob", 3*hour), policy.Streak{Status: counted, Count: 3, PrevPeak: 2, Peak: 3, StartID: "m1",
					FirstUnansweredAt: at(hour), LastMessageAt: at(3 * hour), AnsweredAt: at(30 * time.Minute),
					MessageIDs: ids("m1", "m2", "m3")}},
			},
		},
		{
			name: "answer between messages leaves the later ones as a new streak",
			steps: []step{
				{msg("m1", "alice", "bob", hour), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(hour), LastMessageAt: at(hour), MessageIDs: ids("m1")}},
				{msg("m2", "alice", "bob", 3*hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(hour), LastMessageAt: at(3 * hour), MessageIDs: ids("m1", "m2")}},
				{reply("bob", "alice", 2*hour), answer},
				{msg("m3", "alice", "bob", 4*hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m2",
					FirstUnansweredAt: at(3 * hour), LastMessageAt: at(4 * hour), AnsweredAt: at(2 * hour),
					MessageIDs: ids("m2", "m3")}},
			},
		},
		{
			name: "messages slide out of the window and the next one starts a new streak",
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{msg("m2", "alice", "bob", day), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(day), MessageIDs: ids("m1", "m2")}},
				// The window is (newest-7d, newest]: m1, exactly 7 days older, is out.
				{msg("m3", "alice", "bob", 7*day), policy.Streak{Status: counted, Count: 2, PrevPeak: 2, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(day), LastMessageAt: at(7 * day), MessageIDs: ids("m2", "m3")}},
				{msg("m4", "alice", "bob", 15*day), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m4",
					FirstUnansweredAt: at(15 * day), LastMessageAt: at(15 * day), MessageIDs: ids("m4")}},
			},
		},
		{
			name: "levels fire again in a new streak",
			steps: append(followUps(4),
				// The nudged streak slid out of the window with no message after the nudge.
				step{msg("n1", "alice", "bob", 10*day), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "n1",
					FirstUnansweredAt: at(10 * day), LastMessageAt: at(10 * day), MessageIDs: ids("n1"),
					NudgeOutcome: policy.OutcomeStopped}},
				step{msg("n2", "alice", "bob", 10*day+hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "n1",
					FirstUnansweredAt: at(10 * day), LastMessageAt: at(10*day + hour), MessageIDs: ids("n1", "n2")}},
				step{msg("n3", "alice", "bob", 10*day+2*hour), policy.Streak{Status: counted, Count: 3, PrevPeak: 2, Peak: 3, StartID: "n1",
					FirstUnansweredAt: at(10 * day), LastMessageAt: at(10*day + 2*hour), MessageIDs: ids("n1", "n2", "n3")}},
				step{msg("n4", "alice", "bob", 10*day+3*hour), policy.Streak{Status: counted, Count: 4, PrevPeak: 3, Peak: 4, StartID: "n1",
					FirstUnansweredAt: at(10 * day), LastMessageAt: at(10*day + 3*hour), NudgedAt: at(10*day + 3*hour),
					MessageIDs: ids("n1", "n2", "n3", "n4")}},
			),
		},
		{
			name: "the answer to a nudged streak fixes its outcome once",
			steps: append(followUps(4),
				step{reply("bob", "alice", 4*hour), policy.Streak{Status: policy.StatusAnswer, NudgeOutcome: policy.OutcomeAnswered}},
				step{reply("bob", "alice", 4*hour), answer}, // redelivered: nothing left to answer
			),
		},
		{
			name: "count sliding back keeps the peak so levels do not fire again",
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{msg("m2", "alice", "bob", hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(hour), MessageIDs: ids("m1", "m2")}},
				{msg("m3", "alice", "bob", 2*hour), policy.Streak{Status: counted, Count: 3, PrevPeak: 2, Peak: 3, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(2 * hour), MessageIDs: ids("m1", "m2", "m3")}},
				{msg("m4", "alice", "bob", 6*day), policy.Streak{Status: counted, Count: 4, PrevPeak: 3, Peak: 4, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(6 * day), NudgedAt: at(6 * day), MessageIDs: ids("m1", "m2", "m3", "m4")}},
				{msg("m5", "alice", "bob", 7*day+3*hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 4, Peak: 4, StartID: "m1",
					FirstUnansweredAt: at(6 * day), LastMessageAt: at(7*day + 3*hour), NudgedAt: at(6 * day), MessageIDs: ids("m4", "m5"),
					NudgeOutcome: policy.OutcomeContinued}},
				{msg("m6", "alice", "bob", 7*day+4*hour), policy.Streak{Status: counted, Count: 3, PrevPeak: 4, Peak: 4, StartID: "m1",
					FirstUnansweredAt: at(6 * day), LastMessageAt: at(7*day + 4*hour), NudgedAt: at(6 * day), MessageIDs: ids("m4", "m5", "m6")}},
				{msg("m7", "alice", "bob", 7*day+5*hour), policy.Streak{Status: counted, Count: 4, PrevPeak: 4, Peak: 4, StartID: "m1",
					FirstUnansweredAt: at(6 * day), LastMessageAt: at(7*day + 5*hour), NudgedAt: at(6 * day), MessageIDs: ids("m4", "m5", "m6", "m7")}},
				// m7 did not raise the peak: nothing was stored for it.
				{msg("m7", "alice", "bob", 7*day+5*hour), duplicate(4)},
			},
		},
		{
			name: "redelivery of a remembered message replays its first streak",
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{msg("m2", "alice", "bob", hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(hour), MessageIDs: ids("m1", "m2")}},
				{msg("m2", "alice", "bob", hour), replayed(policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(hour), MessageIDs: ids("m1", "m2")})},
				{msg("m3", "alice", "bob", 2*hour), policy.Streak{Status: counted, Count: 3, PrevPeak: 2, Peak: 3, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(2 * hour), MessageIDs: ids("m1", "m2", "m3")}},
				{reply("bob", "alice", 3*hour), answer},
				// Later state does not change what a redelivery replays.
				{msg("m2", "alice", "bob", hour), replayed(policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(hour), MessageIDs: ids("m1", "m2")})},
			},
		},
		{
			name:   "redelivery of a message with nothing remembered is a duplicate",
			policy: func(t testing.TB) *policy.Policy { return levels(t, 4, 1, 2) },
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{msg("m2", "alice", "bob", hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(hour), MessageIDs: ids("m1", "m2")}},
				{msg("m3", "alice", "bob", 2*hour), policy.Streak{Status: counted, Count: 3, PrevPeak: 2, Peak: 3, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(2 * hour), MessageIDs: ids("m1", "m2", "m3")}},
				{msg("m3", "alice", "bob", 2*hour), duplicate(3)},
				{msg("m2", "alice", "bob", hour), replayed(policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(hour), MessageIDs: ids("m1", "m2")})},
			},
		},
		{
			name: "redelivery of a late message is a duplicate",
			steps: []step{
				{reply("bob", "alice", hour), answer},
				{msg("m1", "alice", "bob", 0), late(hour)},
				{msg("m1", "alice", "bob", 0), duplicate(0)},
			},
		},
		{
			name: "redelivery of an offensive late message replays it with its categories",
			steps: []step{
				{reply("bob", "alice", hour), answer},
				{offensive("o1", "alice", "bob", 0), late(hour)},
				{msg("o1", "alice", "bob", 0), replayed(late(hour), policy.CategoryInsult)},
			},
		},
		{
			name:   "offensive messages are counted per streak",
			policy: func(t testing.TB) *policy.Policy { return levels(t, 4, 1) },
			steps: []step{
				{offensive("o1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Peak: 1, Offensive: 1, StartID: "o1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("o1")}},
				{msg("m2", "alice", "bob", hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2,
					PrevOffensive: 1, Offensive: 1, StartID: "o1",
					FirstUnansweredAt: at(0), LastMessageAt: at(hour), MessageIDs: ids("o1", "m2")}},
				{offensive("o3", "alice", "bob", 2*hour), policy.Streak{Status: counted, Count: 3, PrevPeak: 2, Peak: 3,
					PrevOffensive: 1, Offensive: 2, StartID: "o1",
					FirstUnansweredAt: at(0), LastMessageAt: at(2 * hour), MessageIDs: ids("o1", "m2", "o3")}},
				// Offensive messages are remembered whatever the peak.
				{offensive("o3", "alice", "bob", 2*hour), replayed(policy.Streak{Status: counted, Count: 3, PrevPeak: 2, Peak: 3,
					PrevOffensive: 1, Offensive: 2, StartID: "o1",
					FirstUnansweredAt: at(0), LastMessageAt: at(2 * hour), MessageIDs: ids("o1", "m2", "o3")}, policy.CategoryInsult)},
				// Its redelivery is decided with its first categories, whatever it carries now.
				{msg("o3", "alice", "bob", 2*hour), replayed(policy.Streak{Status: counted, Count: 3, PrevPeak: 2, Peak: 3,
					PrevOffensive: 1, Offensive: 2, StartID: "o1",
					FirstUnansweredAt: at(0), LastMessageAt: at(2 * hour), MessageIDs: ids("o1", "m2", "o3")}, policy.CategoryInsult)},
				{msg("m2", "alice", "bob", hour), duplicate(3)},
				{reply("bob", "alice", 3*hour), answer},
				{offensive("o4", "alice", "bob", 4*hour), policy.Streak{Status: counted, Count: 1, Peak: 1, Offensive: 1, StartID: "o4",
					FirstUnansweredAt: at(4 * hour), LastMessageAt: at(4 * hour), AnsweredAt: at(3 * hour), MessageIDs: ids("o4")}},
			},
		},
		{
			name:   "NudgedAt is when the streak first reached NudgeAt",
			policy: func(t testing.TB) *policy.Policy { return levels(t, 2) },
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{msg("m2", "alice", "bob", hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(hour), NudgedAt: at(hour), MessageIDs: ids("m1", "m2")}},
				{msg("m3", "alice", "bob", 2*hour), policy.Streak{Status: counted, Count: 3, PrevPeak: 2, Peak: 3, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(2 * hour), NudgedAt: at(hour), MessageIDs: ids("m1", "m2", "m3"),
					NudgeOutcome: policy.OutcomeContinued}},
				{reply("bob", "alice", 3*hour), answer},
				{msg("m4", "alice", "bob", 4*hour), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m4",
					FirstUnansweredAt: at(4 * hour), LastMessageAt: at(4 * hour), AnsweredAt: at(3 * hour), MessageIDs: ids("m4")}},
			},
		},
		{
			name: "MaxUnanswered drops the oldest and MaxEvidence keeps the oldest ids",
			cfg:  state.Config{MaxUnanswered: 3, MaxEvidence: 2},
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{msg("m2", "alice", "bob", hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(hour), MessageIDs: ids("m1", "m2")}},
				{msg("m3", "alice", "bob", 2*hour), policy.Streak{Status: counted, Count: 3, PrevPeak: 2, Peak: 3, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(2 * hour), MessageIDs: ids("m1", "m2")}},
				{msg("m4", "alice", "bob", 3*hour), policy.Streak{Status: counted, Count: 3, PrevPeak: 3, Peak: 3, StartID: "m1",
					FirstUnansweredAt: at(hour), LastMessageAt: at(3 * hour), MessageIDs: ids("m2", "m3")}},
				{msg("m5", "alice", "bob", 4*hour), policy.Streak{Status: counted, Count: 3, PrevPeak: 3, Peak: 3, StartID: "m1",
					FirstUnansweredAt: at(2 * hour), LastMessageAt: at(4 * hour), MessageIDs: ids("m3", "m4")}},
			},
		},
		{
			name: "alice to bob is independent of alice to carol and carol to bob",
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{msg("c1", "alice", "carol", hour), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "c1",
					FirstUnansweredAt: at(hour), LastMessageAt: at(hour), MessageIDs: ids("c1")}},
				{msg("b1", "carol", "bob", 2*hour), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "b1",
					FirstUnansweredAt: at(2 * hour), LastMessageAt: at(2 * hour), MessageIDs: ids("b1")}},
				{reply("bob", "carol", 3*hour), answer},
				{msg("m2", "alice", "bob", 4*hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(4 * hour), MessageIDs: ids("m1", "m2")}},
				{msg("c2", "alice", "carol", 5*hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "c1",
					FirstUnansweredAt: at(hour), LastMessageAt: at(5 * hour), MessageIDs: ids("c1", "c2")}},
			},
		},
		{
			// Without the length in the key, a→aa and aa→a would both be "aaa".
			name: "ids that concatenate alike or hold key separators stay apart",
			steps: []step{
				{msg("m1", "a", "aa", 0), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{msg("m2", "a", "aa", hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(hour), MessageIDs: ids("m1", "m2")}},
				{msg("n1", "aa", "a", 2*hour), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "n1",
					FirstUnansweredAt: at(2 * hour), LastMessageAt: at(2 * hour), AnsweredAt: at(hour), MessageIDs: ids("n1")}},
				{msg("x:{1}", "u:{1}", "}:2{", 3*hour), policy.Streak{Status: counted, Count: 1, Peak: 1, StartID: "x:{1}",
					FirstUnansweredAt: at(3 * hour), LastMessageAt: at(3 * hour), MessageIDs: ids("x:{1}")}},
				{msg("x:{2}", "u:{1}", "}:2{", 4*hour), policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "x:{1}",
					FirstUnansweredAt: at(3 * hour), LastMessageAt: at(4 * hour), MessageIDs: ids("x:{1}", "x:{2}")}},
				{msg("x:{2}", "u:{1}", "}:2{", 4*hour), replayed(policy.Streak{Status: counted, Count: 2, PrevPeak: 1, Peak: 2, StartID: "x:{1}",
					FirstUnansweredAt: at(3 * hour), LastMessageAt: at(4 * hour), MessageIDs: ids("x:{1}", "x:{2}")})},
			},
		},
		{
			name: "quick bubbles are one attempt", attempts: true, policy: defaultPolicy,
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Attempts: 1, Peak: 1, PeakAttempts: 1,
					StartID: "m1", FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{msg("m2", "alice", "bob", time.Minute), policy.Streak{Status: counted, Count: 2, Attempts: 1, PrevPeak: 1, Peak: 2,
					PrevPeakAttempts: 1, PeakAttempts: 1, StartID: "m1", FirstUnansweredAt: at(0), LastMessageAt: at(time.Minute),
					MessageIDs: ids("m1", "m2")}},
				{msg("m3", "alice", "bob", 4*time.Minute), policy.Streak{Status: counted, Count: 3, Attempts: 1, PrevPeak: 2, Peak: 3,
					PrevPeakAttempts: 1, PeakAttempts: 1, StartID: "m1", FirstUnansweredAt: at(0), LastMessageAt: at(4 * time.Minute),
					MessageIDs: ids("m1", "m2", "m3")}},
				// Five minutes after m1, the attempt's first message: the next attempt.
				{msg("m4", "alice", "bob", 5*time.Minute), policy.Streak{Status: counted, Count: 4, Attempts: 2, PrevPeak: 3, Peak: 4,
					PrevPeakAttempts: 1, PeakAttempts: 2, StartID: "m1", FirstUnansweredAt: at(0), LastMessageAt: at(5 * time.Minute),
					MessageIDs: ids("m1", "m2", "m3", "m4")}},
			},
		},
		{
			name: "a late message re-anchors the attempts", attempts: true, policy: defaultPolicy,
			steps: []step{
				{msg("m1", "alice", "bob", 4*time.Minute), policy.Streak{Status: counted, Count: 1, Attempts: 1, Peak: 1, PeakAttempts: 1,
					StartID: "m1", FirstUnansweredAt: at(4 * time.Minute), LastMessageAt: at(4 * time.Minute), MessageIDs: ids("m1")}},
				{msg("m2", "alice", "bob", 8*time.Minute), policy.Streak{Status: counted, Count: 2, Attempts: 1, PrevPeak: 1, Peak: 2,
					PrevPeakAttempts: 1, PeakAttempts: 1, StartID: "m1", FirstUnansweredAt: at(4 * time.Minute),
					LastMessageAt: at(8 * time.Minute), MessageIDs: ids("m1", "m2")}},
				// m0 was sent first: the attempts are now m0 with m1, then m2.
				{msg("m0", "alice", "bob", 0), policy.Streak{Status: counted, Count: 3, Attempts: 2, PrevPeak: 2, Peak: 3,
					PrevPeakAttempts: 1, PeakAttempts: 2, StartID: "m1", FirstUnansweredAt: at(0),
					LastMessageAt: at(8 * time.Minute), MessageIDs: ids("m0", "m1", "m2")}},
			},
		},
		{
			name: "an answer ends the attempt: the next message is a new streak", attempts: true, policy: defaultPolicy,
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Attempts: 1, Peak: 1, PeakAttempts: 1,
					StartID: "m1", FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{reply("bob", "alice", time.Minute), answer},
				{msg("m2", "alice", "bob", 2*time.Minute), policy.Streak{Status: counted, Count: 1, Attempts: 1, Peak: 1, PeakAttempts: 1,
					StartID: "m2", FirstUnansweredAt: at(2 * time.Minute), LastMessageAt: at(2 * time.Minute),
					AnsweredAt: at(time.Minute), MessageIDs: ids("m2")}},
			},
		},
		{
			name: "messages sliding out of the window take their attempt along", attempts: true, policy: defaultPolicy,
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Attempts: 1, Peak: 1, PeakAttempts: 1,
					StartID: "m1", FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{msg("m2", "alice", "bob", 3*time.Minute), policy.Streak{Status: counted, Count: 2, Attempts: 1, PrevPeak: 1, Peak: 2,
					PrevPeakAttempts: 1, PeakAttempts: 1, StartID: "m1", FirstUnansweredAt: at(0), LastMessageAt: at(3 * time.Minute),
					MessageIDs: ids("m1", "m2")}},
				{msg("m3", "alice", "bob", 6*time.Minute), policy.Streak{Status: counted, Count: 3, Attempts: 2, PrevPeak: 2, Peak: 3,
					PrevPeakAttempts: 1, PeakAttempts: 2, StartID: "m1", FirstUnansweredAt: at(0), LastMessageAt: at(6 * time.Minute),
					MessageIDs: ids("m1", "m2", "m3")}},
				// m1 leaves the window: m2 now anchors an attempt that holds m3, and m4 is
				// the second.
				{msg("m4", "alice", "bob", 7*day+time.Minute), policy.Streak{Status: counted, Count: 3, Attempts: 2, PrevPeak: 3, Peak: 3,
					PrevPeakAttempts: 2, PeakAttempts: 2, StartID: "m1", FirstUnansweredAt: at(3 * time.Minute),
					LastMessageAt: at(7*day + time.Minute), MessageIDs: ids("m2", "m3", "m4")}},
			},
		},
		{
			name: "a flood reaches the nudge at 10 messages in one attempt, and replays it", attempts: true, policy: defaultPolicy,
			steps: append(flood(10),
				step{msg("m10", "alice", "bob", 9*time.Second), replayed(flood(10)[9].want)},
				step{msg("m5", "alice", "bob", 4*time.Second), policy.Streak{Status: policy.StatusDuplicate, Count: 10, Attempts: 1, Redelivered: true}},
			),
		},
		{
			name: "a block ends the streak, a report returns it as it stood, a dismiss marks it", attempts: true, policy: defaultPolicy,
			steps: []step{
				{msg("m1", "alice", "bob", 0), policy.Streak{Status: counted, Count: 1, Attempts: 1, Peak: 1, PeakAttempts: 1,
					StartID: "m1", FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{msg("m2", "alice", "bob", hour), policy.Streak{Status: counted, Count: 2, Attempts: 2, PrevPeak: 1, Peak: 2,
					PrevPeakAttempts: 1, PeakAttempts: 2, StartID: "m1", FirstUnansweredAt: at(0), LastMessageAt: at(hour),
					MessageIDs: ids("m1", "m2")}},
				// bob reports alice at 30 minutes: the streak then held m1 alone.
				{action(policy.ActionReport, "r1", "bob", "alice", 30*time.Minute), policy.Streak{Status: policy.StatusAction,
					Count: 1, Attempts: 1, PrevPeak: 2, Peak: 2, PrevPeakAttempts: 2, PeakAttempts: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1")}},
				{action(policy.ActionDismiss, "d1", "bob", "alice", 2*hour), policy.Streak{Status: policy.StatusAction,
					Count: 2, Attempts: 2, PrevPeak: 2, Peak: 2, PrevPeakAttempts: 2, PeakAttempts: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(hour), MessageIDs: ids("m1", "m2"), Dismissed: true}},
				{msg("m3", "alice", "bob", 3*hour), policy.Streak{Status: counted, Count: 3, Attempts: 3, PrevPeak: 2, Peak: 3,
					PrevPeakAttempts: 2, PeakAttempts: 3, StartID: "m1", FirstUnansweredAt: at(0), LastMessageAt: at(3 * hour),
					MessageIDs: ids("m1", "m2", "m3"), Dismissed: true}},
				{action(policy.ActionBlock, "b1", "bob", "alice", 4*hour), policy.Streak{Status: policy.StatusAction,
					Count: 3, Attempts: 3, PrevPeak: 3, Peak: 3, PrevPeakAttempts: 3, PeakAttempts: 3, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(3 * hour), MessageIDs: ids("m1", "m2", "m3"), Dismissed: true}},
				// Sent before the block: its streak is over.
				{msg("late", "alice", "bob", 3*hour+time.Minute), policy.Streak{Status: policy.StatusLate}},
				{msg("m4", "alice", "bob", 5*hour), policy.Streak{Status: counted, Count: 1, Attempts: 1, Peak: 1, PeakAttempts: 1,
					StartID: "m4", FirstUnansweredAt: at(5 * hour), LastMessageAt: at(5 * hour), MessageIDs: ids("m4")}},
				// The report again: its first streak, replayed.
				{action(policy.ActionReport, "r1", "bob", "alice", 30*time.Minute), policy.Streak{Status: policy.StatusReplayed,
					Count: 1, Attempts: 1, PrevPeak: 2, Peak: 2, PrevPeakAttempts: 2, PeakAttempts: 2, StartID: "m1",
					FirstUnansweredAt: at(0), LastMessageAt: at(0), MessageIDs: ids("m1"), Redelivered: true}},
				{action(policy.ActionBlock, "b1", "bob", "alice", 4*hour), policy.Streak{Status: policy.StatusDuplicate, Redelivered: true}},
			},
		},
	}
}
