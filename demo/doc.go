// Package demo is relance's built-in demonstration, shown by `make run` and `make demo`.
//
// The demo plays the platform: a few simulated members (Camille, Sam, Noah, Inès, Jordan)
// write to each other through the message-sent and reply topics, and answer a check-in
// through member-action, on a fixed script with
// simulated times, while relance runs in the same process against the embedded broker. The
// demo reads relance's coach nudges and moderation alerts and prints everything as one
// readable timeline:
//
//   - Camille and Sam have an ordinary conversation, answered both ways: nothing happens;
//   - Jordan says hello to Sam in four quick bubbles within half a minute: one attempt, left
//     alone (Sam answers later);
//   - Noah writes Inès a burst of three bubbles, then follows up every few minutes without an
//     answer: at his 4th attempt (his 6th message) the coach nudges Noah (follow_up_limit)
//     and checks in with Inès (check_in), at the 7th a medium moderation alert is raised,
//     at the 12th a high one;
//   - after Noah's 7th attempt Inès reports him (a MemberAction report answering her
//     check-in): a high alert at once, reasons reported, unanswered_streak and
//     continued_after_nudge. relance reads member-action apart from the messages, so the
//     report is written only once the outputs of every earlier event have been seen (the
//     streak is then nudged whatever the topics' order), and the event after it waits for
//     the report's alert, which the timeline shows right under the report;
//   - Jordan sends Camille one insult: a respectful_language nudge for Jordan, a check_in for
//     Camille, and a medium alert.
//
// Each event's note on the timeline says what relance makes of it ("3 messages in one
// attempt: no follow-up yet", "attempt 4 (3 follow-ups), 6 unanswered"). The demo has no
// rules of its own: it derives the notes and the outputs it waits for by deciding each
// scripted event as relance does under the default policy of the README (the built-in text
// check, the streak algorithm in memory, policy.Decide), and matches outputs by kind,
// severity and members, never by nudge or alert id. Every member and message id carries a
// random run token ("demo-<run>-noah", "demo-<run>-m-5"), so runs against the same broker
// never mix.
//
// With Config.Exit (make demo) Run returns once every expected output has arrived, or fails
// after a timeout; without it (make run) it keeps showing outputs, including those of events
// added by hand with kcat as the header explains, until its context is cancelled.
package demo
