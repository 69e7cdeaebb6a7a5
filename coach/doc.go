// Package coach writes what relance's virtual coach says. Render turns a nudge's kind,
// reason and numbers into a ready-to-show title, body and action list in the member's
// language (French and English; French when the language is unknown).
//
// The texts speak in the coach's voice, first person and signed with the coach's name,
// and restate the platform's rules in plain words. They never quote or describe a message
// and never name the other member: the notification service shows who it is about in
// context, and relance keeps no message text anyway.
//
// Rule 2 ("following up once is fine, twice tolerable, three times too much") counts
// follow-ups, not messages: a message and the quick bubbles that follow it are one
// attempt, and the texts speak of attempts - 1 follow-ups ("tu as relancé cette personne
// deux fois", "you've followed up twice"). The sender may get a follow-up reminder before
// the limit and the follow-up limit once it is reached; the recipient a check-in.
package coach
