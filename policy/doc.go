// Package policy is relance's decision logic: what an unanswered streak and a message's
// content labels mean under the platform's rules. Decide is a pure function from a
// message and its pair's Streak to coach nudges and moderation alerts; it does no I/O, so a
// replay decides exactly as the first run did.
//
// # Policy file
//
// Every number is configuration. Default returns the README's default policy; Parse and Load read a
// YAML file in which every key is optional (left out, it keeps its default) and unknown
// keys are errors:
//
//	version: relance-default-1      # policy_version of every output; a file without one
//	                                # is named "sha256:" + 12 hex digits of its hash
//	window: 168h                    # sliding window: a Go duration or days ("7d"), at most 90 days
//	coach:
//	  name: Lara                    # at most 64 bytes
//	  resource_url: https://www.arretonslesviolences.gouv.fr
//	  default_locale: fr            # language of messages whose locale has no texts
//	follow_up:
//	  nudge_at: 4                   # nudge the sender (follow_up_limit), check in with the recipient
//	  alerts:                       # moderation alerts, strictly increasing; once per streak each
//	    - at: 7
//	      severity: medium
//	    - at: 12
//	      severity: high
//	content:                        # rule 3: alert severity of each category
//	  insult: medium
//	  hate: high
//	  threat: high
//	  sexual: medium                # sexual content the recipient has answered
//	  sexual_unanswered: high       # sexual content or pictures the recipient has not answered
//
// Severities are low, medium or high. An empty alerts list (alerts: []) raises no streak
// alerts.
//
// # Output ids
//
// Nudge and alert ids hash what the decision is about, not when it was taken: the streak
// (its first message) and the level or kind for streak decisions, the message for content
// alerts. A redelivered or replayed message yields the same ids; a new streak new ones.
package policy
