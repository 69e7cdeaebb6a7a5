package coach

import "github.com/relance/relance/topics"

// wording is one text with placeholders: {coach} the coach's name, {followups} the number
// of follow-ups (attempts - 1) as a count of times ("deux fois", "twice", "5 times"; see
// followUps), {messages} the unanswered messages with their noun ("12 messages"), {url}
// the help site, and {streak} and {these}, which say what the sender did: their
// followUps form, or their flood form when the streak reached its level by the number of
// messages before the follow-ups got there (Message.Flood).
type wording struct {
	title, body   string
	streak, these variant
}

// variant is a phrase in its two forms.
type variant struct{ followUps, flood string }

func (v variant) of(m Message) string {
	if m.Flood {
		return v.flood
	}
	return v.followUps
}

var (
	pestering = key{topics.KindCheckIn, ReasonPestering}
	offensive = key{topics.KindCheckIn, ReasonOffensive}
)

// texts holds every text by language, then by kind and reason. The platform's rules, in
// the coach's words:
//  1. wait for the other person to answer, or not: that is their choice;
//  2. following up once is fine, twice tolerable, three times too much;
//  3. respect in every circumstance: no insults, no denigration, no unsolicited
//     inappropriate pictures.
//
// Sender nudges remind the rule at stake: the follow-up reminder gently, before the limit,
// the follow-up limit once it is reached; check-ins ask how the recipient is, offer report
// and block, and point to the help site. None of them may describe a message or name
// anyone but the coach.
var texts = map[string]map[key]wording{
	"fr": {
		{kind: topics.KindFollowUpLimit}: {
			title: "Laisse-lui le temps de répondre",
			body: "Bonjour, ici {coach}.\n\n" +
				"{streak} " +
				"Je sais que l'attente peut être difficile, mais chacun répond à son rythme, " +
				"ou choisit de ne pas répondre : c'est son droit.\n\n" +
				"Chez nous, la règle est simple : relancer une fois, c'est bien ; deux fois, ça passe ; " +
				"trois fois, c'est trop. Je te propose donc de faire une pause et de laisser " +
				"cette personne revenir vers toi si elle le souhaite.\n\n" +
				"Merci de ta compréhension,\n{coach}",
			streak: variant{
				followUps: "Tu as relancé cette personne {followups} sans avoir encore de réponse.",
				flood:     "Tu as envoyé {messages} à cette personne en peu de temps, sans avoir encore de réponse.",
			},
		},
		{kind: topics.KindFollowUpReminder}: {
			title: "Un peu de patience",
			body: "Bonjour, ici {coach}.\n\n" +
				"Tu as déjà relancé cette personne {followups} sans avoir encore de réponse. " +
				"Je préfère te le dire dès maintenant : une prochaine relance serait " +
				"de trop. Laisse-lui le temps de répondre, ou de ne pas répondre : c'est " +
				"son choix.\n\n" +
				"Pour rappel, chez nous : relancer une fois, c'est bien ; deux fois, ça passe ; " +
				"trois fois, c'est trop.\n\n" +
				"Merci de ta patience,\n{coach}",
		},
		{kind: topics.KindRespectfulLanguage}: {
			title: "Le respect, toujours",
			body: "Bonjour, ici {coach}.\n\n" +
				"Je tiens à te rappeler une règle essentielle chez nous : on respecte l'autre " +
				"en toutes circonstances. Pas d'insultes, pas de propos dénigrants, discriminatoires " +
				"ou menaçants, et pas de photos intimes ou déplacées que personne n'a demandées.\n\n" +
				"Un de tes derniers messages ne semble pas respecter cette règle. Une belle rencontre " +
				"commence par des échanges respectueux : je compte sur toi pour la suite.\n\n" +
				"À bientôt,\n{coach}",
		},
		pestering: {
			title: "Tout va bien ?",
			body: "Bonjour, ici {coach}.\n\n" +
				"{streak} " +
				"Tu n'as aucune obligation de répondre : c'est ton choix, et il se respecte.\n\n" +
				"Si {these} te dérangent ou te mettent mal à l'aise, tu peux signaler cette " +
				"personne ou la bloquer à tout moment. Notre équipe de modération examine chaque signalement.\n\n" +
				"Si tu as besoin d'aide ou d'en parler, tu trouveras des informations et des contacts " +
				"sur le site du gouvernement : {url}\n\n" +
				"Je suis là si tu as besoin,\n{coach}",
			streak: variant{
				followUps: "Je vois que la même personne revient vers toi encore et encore : elle a relancé {followups} sans réponse de ta part.",
				flood:     "Je vois que la même personne t'a envoyé {messages} en peu de temps, sans réponse de ta part.",
			},
			these: variant{followUps: "ces relances", flood: "ces messages"},
		},
		offensive: {
			title: "Tout va bien ?",
			body: "Bonjour, ici {coach}.\n\n" +
				"Tu as reçu un message qui ne semble pas respecter nos règles. Chez nous, le respect " +
				"s'impose en toutes circonstances : pas d'insultes, pas de propos dénigrants ou " +
				"menaçants, pas d'images déplacées non sollicitées. Si cela te blesse ou te choque, " +
				"sache que tu n'y es pour rien.\n\n" +
				"Tu peux signaler cette personne ou la bloquer à tout moment. Notre équipe de " +
				"modération examine chaque signalement.\n\n" +
				"Si tu as besoin d'aide ou d'en parler, tu trouveras des informations et des contacts " +
				"sur le site du gouvernement : {url}\n\n" +
				"Je suis là si tu as besoin,\n{coach}",
		},
	},
	"en": {
		{kind: topics.KindFollowUpLimit}: {
			title: "Give them time to answer",
			body: "Hi, it's {coach} here.\n\n" +
				"{streak} " +
				"I know waiting can be hard, but everyone answers in their own time, " +
				"or chooses not to: that's their right.\n\n" +
				"Our rule of thumb: following up once is fine, twice is tolerable, three times is " +
				"too much. So let's take a break here and leave them room to come back to you " +
				"if they want to.\n\n" +
				"Thanks for understanding,\n{coach}",
			streak: variant{
				followUps: "You've followed up with this person {followups} and haven't had a reply yet.",
				flood:     "You've sent this person {messages} in a short time and haven't had a reply yet.",
			},
		},
		{kind: topics.KindFollowUpReminder}: {
			title: "A little patience",
			body: "Hi, it's {coach} here.\n\n" +
				"You've already followed up with this person {followups} and haven't had a reply " +
				"yet. I'd rather tell you now: one more follow-up would be too much. Give them " +
				"time to answer, or not to: that's their choice.\n\n" +
				"As a reminder, our rule of thumb: following up once is fine, twice is tolerable, " +
				"three times is too much.\n\n" +
				"Thanks for your patience,\n{coach}",
		},
		{kind: topics.KindRespectfulLanguage}: {
			title: "Respect, always",
			body: "Hi, it's {coach} here.\n\n" +
				"I'd like to remind you of a rule that matters a lot here: we respect each other " +
				"in every circumstance. No insults, no putting people down, no discrimination or " +
				"threats, and no intimate or inappropriate pictures nobody asked for.\n\n" +
				"One of your recent messages doesn't seem to follow this rule. Good connections " +
				"start with respectful conversations, and I'm counting on you from here on.\n\n" +
				"Take care,\n{coach}",
		},
		pestering: {
			title: "Is everything alright?",
			body: "Hi, it's {coach} here.\n\n" +
				"{streak} " +
				"You don't owe anyone an answer: replying or not is your choice, and it deserves respect.\n\n" +
				"If {these} bother you or make you uncomfortable, you can report or block " +
				"this person at any time. Our moderation team reviews every report.\n\n" +
				"If you need help or someone to talk to, the French government's site has " +
				"information and contacts: {url}\n\n" +
				"I'm here if you need me,\n{coach}",
			streak: variant{
				followUps: "I noticed the same person keeps writing to you again and again: they've followed up {followups} without an answer from you.",
				flood:     "I noticed the same person has sent you {messages} in a short time without an answer from you.",
			},
			these: variant{followUps: "these follow-ups", flood: "these messages"},
		},
		offensive: {
			title: "Is everything alright?",
			body: "Hi, it's {coach} here.\n\n" +
				"You've received a message that doesn't seem to follow our rules. Here, respect " +
				"comes first in every circumstance: no insults, no putting people down or " +
				"threatening them, no unsolicited inappropriate pictures. If it hurt or upset you, " +
				"please know it's not your fault.\n\n" +
				"You can report or block this person at any time. Our moderation team reviews " +
				"every report.\n\n" +
				"If you need help or someone to talk to, the French government's site has " +
				"information and contacts: {url}\n\n" +
				"I'm here if you need me,\n{coach}",
		},
	},
}
