// Package policy is relance's decision logic: what an unanswered streak and a message's
// content labels mean under the platform's rules. Decide is a pure function from a
// message and its pair's Streak to coach nudges and moderation alerts; it does no I/O, so a
// replay decides exactly as the first run did.
//
// Rule 2 counts attempts, not bubbles: a sender's quick messages ("Salut !", "Je
// m'appelle Noah", "😊") are one attempt, and each level fires on its number of attempts
// or of unanswered messages, whichever comes first (Threshold), once per streak.
//
// # Policy file
//
// Every number is configuration. Default returns the README's default policy; Parse and Load read a
// YAML file in which every key is optional (left out, it keeps its default) and unknown
// keys are errors:
//
//	version: relance-default-2      # policy_version of every output; a file without one
//	                                # is named "sha256:" + 12 hex digits of its hash
//	window: 168h                    # sliding window: a Go duration or days ("7d"), at most 90 days
//	coach:
//	  name: Lara                    # at most 64 bytes
//	  resource_url: https://www.arretonslesviolences.gouv.fr
//	  default_locale: fr            # language of messages whose locale has no texts
//	follow_up:
//	  burst: 5m                     # a message and the sender's later ones less than this after it
//	                                # are one attempt; 0: every message is one; at most 24h
//	  reminder_at: 0                # optional follow_up_reminder to the sender at this many
//	                                # attempts, before the limit (0: off; below nudge_at)
//	  nudge_at: 4                   # attempts: nudge the sender (follow_up_limit), check in with the recipient
//	  nudge_at_messages: 10         # ...or this many unanswered messages, whichever first (0: attempts only;
//	                                # else at least nudge_at)
//	  alerts:                       # moderation alerts, at strictly increasing attempts; once per streak each
//	    - at: 7
//	      messages: 20              # or unanswered messages (left out or 0: attempts only)
//	      severity: medium
//	    - at: 12
//	      messages: 40
//	      severity: high
//	report:                         # the alert a member's report raises (member-action)
//	  severity: medium              # about a streak neither nudged nor offensive
//	  nudged_or_offensive: high     # about a streak that was nudged or carried offensive content
//	repeat_offenders:               # sender-level alerts by distinct members over the window;
//	  pestered:                     # levels strictly increasing, each at most 100
//	    - {at: 3, severity: medium}
//	    - {at: 5, severity: high}
//	  blocked_by: [{at: 3, severity: medium}]
//	  reported_by: [{at: 2, severity: high}]
//	content:                        # rule 3: alert severity of each category
//	  insult: medium
//	  hate: high
//	  threat: high
//	  sexual: medium                # sexual content the recipient has answered
//	  sexual_unanswered: high       # sexual content or pictures the recipient has not answered
//
// Severities are low, medium or high. An empty alerts list (alerts: []) raises no streak
// alerts. A level's message count, when set, is at least its attempts (attempts never
// outnumber messages) and the alerts' counts increase like their attempts. A level's id
// names it by its attempts, whichever count fired it; relance-default-1 was this policy
// with every message an attempt (burst 0).
//
// # Output ids
//
// Nudge and alert ids hash what the decision is about, not when it was taken: the streak
// (its first message) and the level or kind for streak decisions, the message for content
// alerts. A redelivered or replayed message yields the same ids; a new streak new ones.
package policy
