// Package policy is relance's decision logic: what an unanswered streak and a message's
// content labels mean under the platform's rules. Decide is a pure function from a
// message and its pair's Streak to coach nudges and moderation alerts; it does no I/O, so a
// replay decides exactly as the first run did.
package policy
