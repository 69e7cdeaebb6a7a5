// Package content is relance's own check of a message's text for offensive content, for
// platforms whose classifier does not label messages (rule 3 of the README). A Checker finds,
// in French and English, the categories of package policy:
//
//   - insult: insults, name-calling and denigration of the person ("espèce de connard",
//     "t'es moche", "you're pathetic", "fdp", "stfu");
//   - hate: slurs and attacks on people for their origin, religion, sex, sexual orientation,
//     gender identity or disability ("sale arabe", "retourne dans ton pays", "go back to
//     your country", "les femmes sont toutes des …", "t'es mongol ou quoi");
//   - sexual: explicit sexual content and solicitation ("envoie des nudes", "suce-moi",
//     "show me your tits", "dtf?");
//   - threat: threats of violence or rape, death wishes and incitement to suicide ("va
//     crever", "kys"), stalking ("je sais où tu habites") and threats to leak pictures.
//
// Check implements policy.TextChecker; Find also gives each category's highest severity.
// Neither ever returns the words that matched, and nothing keeps the text.
//
// # How it reads a message
//
// The text is normalised into words in a reusable buffer: case and accents are folded
// ("ENCULÉ" → encule), ligatures expanded, invisible characters (zero-width spaces, soft
// hyphens, combining accents) dropped, look-alike letters of other alphabets and styled
// Unicode letters ("сonnard" in Cyrillic, "𝐜𝐨𝐧") read as Latin, and leetspeak inside a word
// read as letters (0→o, 1→i or l, 3→e, 4→a, 5→s, 6 and 9→g, 7→t, 8→b, @→a, $→s, €→e, "!"
// inside a word → i). A number on its own stays a number ("j'ai 30 ans"). An unlisted word
// that starts with "j" and a consonant is "je" elided without its apostrophe: "jsais où tu
// habites" reads as "je sais où tu habites".
//
// Each word is looked up as written, then with its repeated letters written once
// ("connnnard", "saaalope": three or more repeats find any listed word, a doubled letter
// only a word that is an entry on its own, so "salle" is not read as "sale"), then, when
// letters are masked ("c*nnard"), as the one listed word of that length that agrees with
// the letters shown (at least two). Runs of single letters joined by separators
// ("c.o.n.n.a.r.d", "c o n n a r d", "s-a-l-o-p-e") are read as the word they spell when
// that word is listed, with at most one real one-letter word trimmed at either end; two
// letters ("p.d") only when joined by one non-space character or standing alone. Ordinary
// words are never glued together: "il y a" stays three words, and a word is matched whole,
// never as a part of a longer one ("Concarneau", "Scunthorpe", "cocktail", "therapist",
// "bitcoin", "assistant", "classe", "analyse" are clean).
//
// The words then run through an automaton compiled from the lists: single words, phrases
// ("fils de pute", "ta gueule", "go back to your country"), classes of alternatives (verbs
// of violence, the media of an exposure threat, groups, places of worship…), up to four
// filler words ("t'es vraiment qu'un pauvre con", "you're a fucking idiot"), up to eight
// words of any kind inside the sentence ("I'll [come round tonight and] stab you", "tes
// nudes [vont être] sur tous les forums"), any one word, and sentence anchors. Words that
// insult only when aimed at someone ("con", "idiot", "moche", "stupid") count only after
// "t'es", "espèce de", "you're", "you …": "c'est con", "je suis trop bête" and "I'm such an
// idiot" are clean. Allow entries clear what they overlap, some for one category only
// (a promise not to: "I'm not going to send your pics", "je te ferais jamais de mal" clears
// a threat, not an insult), some to the end of the sentence: reported and quoted speech
// ("he told me to kill myself", "un mec m'a écrit « envoie des nudes »"), insults at things
// and absent people ("my boss is a dickhead", "l'arbitre était un vrai connard", "my cat,
// the little bastard"), some to the whole sentence: the pictures named in an exposure
// threat are not sexual content ("your nudes … or your dad gets them"), a pickup is not a
// threat ("I'll be outside your building at 7, text me when you're ready"), banter is not
// an insult ("you're such a dork, I love it").
//
// Then a small model finds some of what the lists miss: a logistic regression per category
// over the message's words, pairs and triples of words and the lists' classes of its words,
// hashed into 2^16 buckets per language (weights in 16-bit fixed point), trained when the
// lists are compiled on the labelled messages that ship with the package: the corpora,
// clean messages written for it (testdata/train_<lang>.tsv: identities mentioned neutrally,
// strong words in ordinary senses) and the evaluation batches already scored, never the
// newest. A category is found when the lists find it, or when the model's probability
// passes 0.4 for a threat or an insult, 0.6 for hate or sexual content, in a message of four
// words or more (low severity), unless the lists cleared that category (an allow entry
// for the whole sentence, a promise not to, reported speech). A threat it finds in a
// message in the future tense ("ll", "gonna", "vais", "vas": the lists' @future) that holds
// no word of harm, exposure or stalking ("stab", "hospital", "nudes", "every": @harmful)
// needs 0.97: to the model such a sentence aimed at the member reads as a threat ("I'll
// teach you to surf", "je vais t'apprendre à surfer"). The model does not see the words an
// operator's file removes.
//
// The built-in lists are compiled and their model trained once per process (about a
// fifth of a second on a shared 2-core Xeon, 27 MiB allocated once): every Checker
// without an operator's file shares them, so a New after the first costs microseconds.
// A Checker with an operator's file compiles and trains its own. The automaton is
// compiled minimal, a node for each way an entry may go on (6,060 for the quarter of a
// million nodes of the trie of every sequence the entries expand to; `RELANCE_MEASURE=1
// go test -run TestMeasureMemory -v ./content/` prints them): once compiled, the lists hold
// about 1.1 MiB, two thirds of it the tables of words, and the models 1 MiB.
//
// The locale selects the lists: "fr", "fr-FR", "en_GB"… check that language, plus another
// whose common words clearly dominate the text (a French member writing in English); an
// empty or unknown locale checks the languages the text seems written in, or all of them.
// So "I won't bite" is not read as French, nor "désolée du retard" as English.
//
// A check allocates nothing in steady state and takes about 1.2–1.9 µs for a short message
// on one core, 540,000–820,000 messages per second of CPU time (BenchmarkCheck, msgs/cpu-s,
// on 2-core Intel Xeons: 804,000–818,000 on a quiet one on 2026-12-01 after the twenty-first
// pass, 767,000–856,000 after the twenty-second and 807,000–898,000 just before it, in runs
// alternated the same day on a shared one; the lower figures on one shared with other work; 2.2–2.9 µs before round 2, with a fifth
// fewer entries, on the same machine): about a third each in reading the words and in the
// automaton, a sixth in the
// model. Its cost grows linearly with the text.
//
// # Judgement calls
//
//   - Compliments and romantic or flirty messages are clean, even forward ones: "tu es très
//     belle", "t'es sexy", "j'ai envie de te voir", "j'ai envie de toi", "you look hot in that
//     photo", "I want to kiss you", "un baiser". Sexual means explicit: sex acts, genitals in
//     a sexual sense, nudes, "plan cul", propositions to have sex ("coucher avec toi", "sleep
//     with me", "have sex"). Saying what one is not looking for is clean ("I'm not looking
//     for sex", "je cherche pas de plan cul", "pas de sexe au premier rendez-vous").
//   - Anatomical words are clean on their own ("pénis", "penis", "vagin", "seins" in "cancer
//     du sein"): they count only inside explicit requests ("montre-moi ton pénis").
//     "chatte" and "queue" count only in explicit phrases ("lécher ta chatte", "ma queue"),
//     since they are also a cat and a queue; "photo de ta chatte" is still read sexually.
//   - Swearing as an interjection is clean ("putain de train", "merde", "shit", "fuck this
//     traffic", "wtf"); "fuck you", "fuck off", "ta gueule" are insults.
//   - Reported speech is cleared when it is explicit: "il m'a traitée de salope", "my ex
//     called me a bitch".
//   - Threats are read literally: "je vais te tuer mdr" and "I'll kill you if you spoil it"
//     are threats; idioms are not ("je vais tuer le temps", "tu me tues", "I'd kill for a
//     pizza", "you're killing me", "je suis morte de rire").
//   - Slurs are hate whoever they target; a slur that is also another word counts only
//     when aimed at someone ("t'es une tapette", not "une tapette à mouches"). A slur aimed
//     at the member is an insult too: right after a target of the lists, filler words
//     aside ("you", "you're a", "t'es qu'un", "espèce de", a greeting or a retort: "nice
//     try tranny", "ferme-la le négro"), or alone in its clause, the words between commas
//     or sentence ends, with only targets after it ("sale gouine", "dégage de mon profil,
//     bougnoule", "p.é.d.é va"). About an absent person or a group it is hate alone ("my
//     neighbour is a paki", "les gouines c'est …"); a plural whose singular is listed
//     names a group ("fucking pakis", "every one of you queers").
//
// # Where it stops
//
// It matches words and phrases and weighs words; it does not understand sentences. On the
// latest batch written after its lists and model (batch 28, by a hand new to the package
// that read only the categories above and batch 27's first lines; ordinary traffic, two
// clean messages in three, with follow-ups, mock threats between people who like each
// other and place names that look offensive; near-copies of earlier files rewritten before
// its score; written after the twenty-third pass and the model's training on batches 1 to
// 27, scored before any change), it finds 0.84 of the offensive messages in English and
// 0.85 in French, with precision 0.92 and 0.91 (per category, precision/recall: threats
// 0.84/0.82 and 0.78/0.90, insults 0.92/0.85 and 0.94/0.80, sexual content 0.89/0.86 and
// 0.96/0.82, hate 1.00/0.88 and 1.00/0.85; two labels per language corrected to the
// convention its header states before any tuning, see its header: insult precision read
// 0.87 and 0.89 first). So "any offensive" recall is at its target (0.85) in French and
// just under in English, every category's 0.80 is met, and precision (0.95) is not, threats'
// least. Its false threats are mock threats with a laughing emoji ("say that again and I'm
// pushing you in the duck pond 😂", "je vais te tuer, t'as montré la vidéo du karaoké à ma
// mère 😂 je t'aime bien quand même"), which the lists cannot read (an emoji is no word, and
// a laughing word after a threat also ends "kill urself lol"), and ordinary sentences the
// model alone finds ("crevé, je me couche, bonne nuit", "je bosse de nuit à l'hosto"); its
// misses are stalking by details ("blue door, number 14, ginger cat on the windowsill.
// shall I knock?"), waiting for the member at a place and time ("je serai devant ta
// pharmacie à 19h quand tu fermes, sors seule"), contempt for a job, an age or looks
// ("fat, bald and a traffic warden. the hat trick, mate"), emoji and slang propositions
// ("👅🍑 after your shift?", "on ken ce soir ou quoi") and gendered or ableist contempt
// without a slur ("autistic people are like broken robots").
//
// On batch 27 (by a hand new to the package
// that read only the categories above and batch 26's first lines; ordinary traffic, about
// two clean messages in three, in new situations rather than stock phrasings; its
// near-copies of earlier files, at a similarity of 0.9 or more, rewritten before its
// score; written after the twenty-second pass and the model's training on batches 1 to
// 26, scored before any change), it finds 0.87 of the offensive messages in English and
// 0.92 in French, with precision 0.93 and 0.91 (per category, precision/recall: threats
// 0.83/0.89 and 0.75/0.88, insults 0.94/0.77 and 0.90/0.92, sexual content 0.86/0.89 and
// 0.92/0.86, hate 1.00/0.93 and 1.00/0.93). The lists and model of batch 26's score (before
// the twenty-second pass) found 0.87 and 0.91 of it at precision 0.90 and 0.91 (insults
// 0.72 and 0.77): with the pass (its slur rule above all) 2 and 7 more insults were found, and
// 4 fewer false findings in English. So recall meets its target (0.85) in both languages and every
// category's 0.80 is met but English insults (0.77); precision (0.95) is not met, threats'
// least (0.83 and 0.75). The false threats are plans and jokes aimed at the member ("I'll be
// waiting at your door at 8 with flowers, don't laugh", "je serai devant ton taf à 17h30,
// prête pour les tacos 🌮", "tu vas me le payer... en m'offrant le prochain verre 😂") and
// the member's own address talk ("je sais où t'habites maintenant ! t'as dit Belleville");
// the misses are stalking by details ("your flatmate leaves at 8, so you're on your own
// after that aren't you", "jolie la robe jaune aujourd'hui au marché de Plainpalais"),
// contempt for a job, an age or looks in ordinary words ("lmao a bin man on hinge, aim
// lower next time", "your teeth look like a multi-car pile-up"), emoji propositions ("🍑👅💦
// tonight?") and hate without a slur ("the Roma are vermin, lock up your bikes", "les gens
// en fauteuil devraient être stérilisés"). After that score the model was found to read
// "pourquoi tu ne réponds pas ?" as a threat (since its retraining on batches 1 to 25 and
// its threat threshold of 0.4): the very follow-up relance counts. Twenty-five follow-ups
// per language joined its training (testdata/train_<lang>.tsv: "tu m'ignores ?", "why
// won't you reply"); batch 27 then scores 0.93/0.87 and 0.91/0.93, one English threat less
// found and one false more ("get a life you sad sack, 40 messages in a row and I haven't
// answered one", an insult).
//
// On batch 26 (by a hand new to the package
// that read this documentation and batch 25's first lines, not the lists; ordinary
// traffic, two clean messages in three; its near-copies of earlier files, at a similarity
// of 0.9 or more, rewritten before its score; the first batch after the model was
// retrained on batches 1 to 25 with its thresholds chosen on batches 18 to 25, see below),
// it finds 0.86 of the offensive messages in English and 0.90 in French, with precision
// 0.91 and 0.92 (per category, precision/recall: threats 0.82/0.88 and 0.84/0.86, insults
// 0.87/0.68 and 0.89/0.74, sexual content 0.90/0.69 and 1.00/0.88, hate 1.00/1.00 and
// 0.96/0.92). The models before the retraining, with their thresholds, scored it
// 0.86/0.83 and 0.89/0.88: the retraining found 4 and 3 more offensive messages and 5 and
// 3 fewer false ones. So "any offensive" recall meets the target (0.85) in both languages,
// precision (0.95) is missed in both, and each category's 0.80 is missed by insults in both
// languages and sexual content in English. Half of the insult misses are slurs aimed at
// the member, labelled hate and insult and found as hate alone ("go back to the jungle you
// n1gger", "sale gouine"); the others are contempt in ordinary words ("I've had more
// interesting chats with my microwave than with you", "t'as autant de charisme qu'un
// bulot") and regional insults ("dikkenek va"). The sexual misses are slang, numbers and
// emoji ("69 tonight?", "wet yet? 😏", "nsfw pics? I'll send mine first 🍆💦") and paid sex
// ("£150 for the night, I'll get the hotel"); the threats missed are stalking by details
// ("saw you in Lidl earlier in the grey hoodie. didn't say hi. yet") and violence against a
// group without a verb the lists know ("les gitans du camp derrière chez toi, un bidon
// d'essence et c'est réglé"). Its 10 and 10 false findings are banter ("you're an idiot and
// I mean that in the nicest possible way", "t'es un boulet, mais un boulet mignon"),
// innocent plans and idioms read as threats ("je vais te mettre la misère au Trivial
// Pursuit", "you're dead right about that"), a place name (Bell End) and insults quoted as
// received ("ma sœur s'est fait traiter de sale arabe au Carrefour").
//
// On batch 25 (meant as ordinary traffic, as
// batch 24 was: two clean messages in three, mostly first messages, plans, small talk and
// flirting; the first written after the twenty-first pass; scored before any change, see
// below), it finds 0.83 of the offensive messages in English and 0.78 in French, with
// precision 0.90 in both (precision/recall per category: threats 0.84/0.89 and 0.80/0.78,
// insults 0.90/0.79 and 0.91/0.64, sexual content 0.94/0.68 and 1.00/0.76, hate 0.86/0.75
// and 0.94/0.94); the lists alone 1.00/0.61 and 0.95/0.49. So the recall targeted (0.85)
// is missed in both languages again, each category's 0.80 is met only by threats in
// English and hate in French, and the precision targeted (0.95) is missed by less than on
// batch 24 (0.86 and 0.87). Its misses are of batch 24's kinds: stalking by details and
// veiled threats ("you're on Ashford Street, the house with the green door", "enjoy your
// last weekend of freedom", "il t'allait bien le manteau rouge à l'arrêt de bus ce
// matin", "je vais trouver où t'habites, c'est pas compliqué"), exposure without a word of
// it ("ta coloc serait curieuse de savoir ce que tu fais, j'ai des preuves"), sexual slang
// and paid solicitation ("bet you swallow", "show me your feet, I'll Venmo you", "je te
// donne 200 balles pour venir à mon hôtel"), insults without an insulting word and
// regional ones ("you dress like your nan picks your clothes", "typique des Marseillais,
// que de la tchatche et rien derrière") and hate without a slur ("you people can't even
// speak proper English"). Of its 10 and 10 false findings (clean messages found
// offensive), all 10 in English and 7 in French are the model's alone (low severity): 6
// and 7 threats, of which 2 and 1 in the future tense with a word of harm in an innocent
// sense ("what's your address for the taxi? I'll send one so you don't have to walk", "je
// vais te suivre sur Spotify"), 2 and 1 in the future tense without one but above 0.97
// ("I'm going to make you a playlist and you're going to listen to it"), 2 and 5 not in
// the future tense as the guard reads it ("you were at the Crown on Friday? I was there
// too!", "je viendrai voir ton groupe jouer le mois prochain"), and in English 3 insults
// and 1 sexual ("shut up, you did not 😂", "let me know when you're free and I'll book a
// table"); 3 in French are the lists' ("je te ferai visiter Marseille si tu passes", "j'ai
// une gueule de bois terrible"). Batch 25 was checked against every earlier labelled file
// and only its exact and near-exact copies rewritten (32 and 35, 14 and 13 of them
// offensive, at a similarity ratio of 0.93 or more); the 55 and 46 messages between 0.8
// and 0.93, which batch 24's check would have rewritten, were kept, so it is closer than
// batch 24 to the batches the lists were tuned on. Its English and French halves say
// mostly the same things. By batch 16's
// convention ("shut up u mong" is hate too) its "keep talking you mong" should have been
// labelled hate as well: so labelled, English hate would read 0.93/0.76. On batch 24 (the
// same kind of traffic; the twenty-first pass was tuned on it afterwards, see below) it
// found, before that pass, 0.83 in English and 0.79 in French at precision 0.86 and 0.87
// (threats 0.69/0.85 and 0.70/0.83, insults 0.81/0.64 and 0.96/0.76, sexual content
// 0.91/0.84 and 0.88/0.60, hate 1.00/0.68 and 0.88/0.79; the lists alone 0.96/0.58 and
// 0.90/0.54), 15 and 13 of its 16 and 14 false findings threats; its 109 and 105 messages
// close to an earlier file or to the lists' terms were rewritten before its score, so it
// holds fewer of the phrasings the lists know than members' text would. On batch 23 (two
// clean messages in three,
// heavy in innocent sentences in the future tense), before the guard, it found 0.93 of the
// offensive messages in English and 0.90 in French, with precision 0.71 and 0.73; threats
// 0.53/0.95 and 0.53/0.89, sexual content 0.95/0.79 and 0.96/0.96, insults 0.93/0.82 in
// both. Batch 23 holds more innocent sentences in the future tense aimed at the member
// than any batch before (about ninety of its 210 clean messages in English, eighty in
// French: plans, banter, and idioms with a verb of harm, "I'll drown you in compliments",
// "je vais t'ensevelir sous les boules de neige"), and 38 and 34 of its 41 and 36 false
// findings are threats, so it says how the check fares on such sentences more than on
// ordinary traffic. On batch 22, closer to ordinary traffic, it found 0.96 in English and
// 0.91 in French, with precision 0.91 and 0.95 (0.949); threats 0.84/0.86 and 0.88/0.86,
// insults 0.88/0.94 and 0.90/0.84. On batch 21, everyday chat with more innocent
// look-alikes of threats, it found 0.91 in both at precision 0.81: threats 0.70/0.86 and
// 0.76/0.84, sexual content 0.83/0.76 and 0.85/0.88. So the recall targeted (0.85) was met
// on every batch from 18 to 23, each category's 0.80 on most (not threats in French on
// batch 20, 0.78, nor sexual content in English on batches 21 and 23, 0.76 and 0.79), and
// the precision targeted (0.95) on none of 18 to 25 but French batch 19 (0.950), nearly on
// French batch 22.
// Batches 18 to 22 were written by one hand, each before a pass
// of entries tuned for precision on the one before: their pre-tuning precision went 0.90,
// 0.87, 0.81, 0.81, 0.91 in English and 0.93, 0.95, 0.86, 0.81, 0.95 in French, which seems
// to follow how many innocent look-alikes of threats a batch holds more than the passes
// (batches 20 and 21 have about forty each). Each pass clears the innocent
// look-alikes it was shown and the next batch brings new ones, since an innocent sentence
// differs from a threat by words no list holds ("I'll floor you with my dance moves", "I'll
// cut the grass tomorrow", "je vais te trouver un bon livre pour les vacances", "tu vas
// adorer mes lasagnes"). Half of batch 21's false findings, and 23 and 22 of batch 23's 41
// and 36, were the model's alone (low severity): to it a sentence in the future tense
// aimed at the member is a threat. Raising its threat threshold from 0.5 to 0.8 would have
// lifted batch 21's precision only to 0.83, with recall 0.89 in both languages, and
// training it on batches 17 to 20 as well would have left it at 0.81 and 0.82 (measured on
// a copy of the code). Since batch 23 such a threat needs 0.97 unless the message holds a
// word of harm, exposure or stalking (see above): of the model's own threats in messages in
// the future tense without one on batches 17 to 23, 35 of the 51 false and 4 of the 21
// true ones go, and none on the batches it was trained on (requiring the word outright
// would have cleared all 51, and lost 21 true threats of batches 17 to 23 and 80 of the
// earlier ones: "I'll be at the end of your road tonight", "I'll have you sleeping with
// the fishes"). The guard and a pass of allow entries were tuned on batch 23, which then
// scores 0.89/0.94 and 0.88/0.90 (not evidence); the guard lifted batch 22 to 0.93 and 0.97
// at the same recall, but its words were chosen reading batches 17 to 23, so that is not
// evidence either: the next batch will say what it generalises. Each innocent idiom with a
// verb of harm aimed at the member ("I'll drown you in compliments", "je vais te mettre une
// raclée au ping-pong") still needs its allow entry, and an innocent plan with a word of
// harm, or that the model scores above 0.97, is still a threat to it ("I'll hold your hand
// the whole film", "je vais te suivre sur Insta" before its entry). The lists alone find
// about half of a new batch's threats (0.39–0.71 on batches 18 to 22), the model most of
// the rest; the batches were written by hands that knew the lists, so text written by
// members will score lower still. Every batch brings threats said in new ordinary words
// ("imma pop you", "t'as pensé à disparaître pour de bon ?") and stalking by details nobody
// can list ("your new boyfriend drives a black BMW", "les petits avaient l'air contents au
// parc cet après-midi"). Reported speech is cleared only with a reporting verb the lists
// know, and "!", "?" and emoji end a sentence for the entries that clear one, so "I was
// right behind you in the queue at Pret! small world" is a threat and "you're a muppet 😂 I
// love it" an insult. Its figures depend on how close a text is to what it was tuned and
// trained on: on batch 16, in lower-case text-speak, it found 0.79 and 0.83 at precision
// 0.87 and 0.94, its allow entries and most of the model's training being written out in
// full. It also misses irony and sarcasm, insults without insulting words that are not set
// phrases ("tu sers vraiment à quelque chose, toi ?"), unlisted slang, other languages and
// text in images. Its target and negation rules are phrases: "je ne suis pas une pute" is
// flagged, and an absent third party's sentence clears what follows in it ("my boss is a
// dickhead and you're a cunt" is clean). The model errs on words it associates with a
// category in an innocent message ("les femmes sont des reines" is hate to it, at low
// severity). Names that are also slurs ("Dick Van Dyke") are flagged. The labels of
// batches 10 to 22 are not always consistent with one another (a slur aimed at the member
// is hate and insult in some, hate alone in others; "homos should be shot" is hate in some,
// hate and threat in others; "nobody likes you" in an incitement to suicide is threat
// alone), which costs the precision of insults and threats a few points; the slurs aimed
// at the member labelled hate alone were labelled hate and insult by the twenty-second
// pass (see below).
//
// # Evaluation batches
//
// testdata/eval_<lang>_<n>.tsv are labelled messages written after the lists, in the corpus
// format, each scored once before any tuning on it: that first score is the evidence, the
// later ones are not (go test -run TestMeasureEval -v ./content/). Batch 1 was written
// for the misses of issue 15 (threats without a violent verb, suicide incitement, exposure,
// stalking, paid and slang solicitation, hate without slurs, regional insults, insults
// without swear words, multi-label) and their false-positive traps, so it is harder than
// everyday traffic (two labels of eval_en_1 were corrected after its first score, before
// any tuning: a "you slag" that is an insult too). Precision / recall, locale set, before
// tuning:
//
//	batch          messages  hate       insult     sexual     threat     any offensive
//	eval_en_1 pre  385 (228) 0.80/0.53  0.82/0.36  0.89/0.34  0.87/0.16  0.84/0.31
//	eval_fr_1 pre  369 (217) 0.94/0.47  0.85/0.32  0.83/0.42  0.88/0.09  0.90/0.30
//	eval_en_2 pre  216 (134) 0.95/0.72  1.00/0.65  0.95/0.56  0.88/0.30  0.96/0.53
//	eval_fr_2 pre  214 (132) 1.00/0.60  1.00/0.62  1.00/0.53  0.92/0.25  0.98/0.47
//	eval_en_3 pre  189 (115) 0.94/0.68  0.96/0.77  0.78/0.69  0.76/0.39  0.93/0.64
//	eval_fr_3 pre  192 (115) 1.00/0.55  0.95/0.54  0.87/0.77  0.87/0.32  0.97/0.57
//	eval_en_4 pre  163  (96) 0.93/0.70  0.90/0.67  0.87/0.59  0.82/0.26  0.96/0.56
//	eval_fr_4 pre  163  (96) 1.00/0.65  0.89/0.59  0.90/0.41  1.00/0.29  0.96/0.50
//	eval_en_5 pre  165  (93) 0.94/0.84  0.85/0.92  0.86/0.82  0.92/0.63  0.96/0.83
//	eval_fr_5 pre  165  (93) 1.00/0.79  0.90/0.72  0.94/0.77  0.86/0.51  0.94/0.71
//	eval_en_6 pre  163  (93) 0.94/0.89  0.91/0.80  0.94/0.73  0.86/0.71  0.95/0.82
//	eval_fr_6 pre  163  (93) 1.00/1.00  0.90/0.76  0.89/0.77  0.84/0.60  0.96/0.77
//	eval_en_7 pre  162  (93) 1.00/1.00  0.88/0.88  0.85/0.77  0.97/0.80  0.99/0.89
//	eval_fr_7 pre  162  (93) 1.00/1.00  0.91/0.80  0.89/0.73  0.96/0.71  0.99/0.83
//	eval_en_8 pre  162  (93) 1.00/1.00  0.92/0.96  0.91/0.91  0.96/0.63  0.99/0.86
//	eval_fr_8 pre  162  (93) 1.00/0.95  0.92/0.92  0.95/0.91  0.95/0.54  0.99/0.83
//	eval_en_9 pre  162  (93) 1.00/0.84  0.89/1.00  0.96/1.00  0.96/0.66  0.98/0.87
//	eval_fr_9 pre  162  (93) 1.00/0.95  0.93/1.00  0.95/0.86  0.96/0.63  1.00/0.86
//	eval_en_10 pre 181 (108) 0.94/0.89  0.88/0.92  0.82/0.90  0.89/0.74  0.90/0.83
//	eval_fr_10 pre 181 (108) 1.00/0.94  0.95/0.88  0.78/0.70  0.93/0.72  0.95/0.80
//	eval_en_11 pre 179 (107) 1.00/0.94  0.92/1.00  0.90/0.95  0.94/0.85  0.95/0.93
//	eval_fr_11 pre 179 (107) 1.00/0.83  0.87/0.83  0.85/0.85  0.97/0.66  0.95/0.77
//	eval_en_12 pre 176 (106) 1.00/0.89  0.85/0.92  0.86/0.90  0.93/0.79  0.92/0.86
//	eval_fr_12 pre 176 (106) 1.00/0.83  0.88/0.92  0.76/0.80  0.95/0.71  0.92/0.81
//	eval_en_13 pre 176 (106) 1.00/0.83  0.88/0.88  0.79/0.95  0.95/0.75  0.94/0.83
//	eval_fr_13 pre 176 (106) 1.00/0.94  0.91/0.83  0.89/0.80  0.94/0.65  0.98/0.78
//	eval_en_14 pre 178 (106) 1.00/0.89  0.92/0.92  0.90/0.95  0.88/0.73  0.96/0.82
//	eval_fr_14 pre 178 (106) 1.00/1.00  0.88/0.92  0.85/0.85  0.86/0.69  0.95/0.81
//	eval_en_15 pre 178 (106) 1.00/1.00  0.92/0.96  0.95/0.95  0.90/0.85  0.95/0.91
//	eval_fr_15 pre 178 (106) 1.00/1.00  1.00/0.96  1.00/1.00  0.93/0.83  0.98/0.91
//	eval_en_16 pre 177 (106) 0.89/0.89  0.73/0.79  0.82/0.70  0.86/0.73  0.87/0.79
//	eval_fr_16 pre 177 (106) 1.00/0.84  0.85/0.96  0.95/0.90  0.91/0.75  0.94/0.83
//	eval_en_17 pre 180 (106) 1.00/0.94  0.88/0.96  0.94/0.85  0.85/0.79  0.93/0.86
//	eval_fr_17 pre 179 (106) 1.00/0.94  0.96/1.00  1.00/0.90  0.85/0.85  0.92/0.91
//	eval_en_18 pre 303 (129) 1.00/0.96  0.91/0.91  0.88/1.00  0.85/0.91  0.90/0.97
//	eval_fr_18 pre 320 (132) 1.00/0.96  0.97/0.92  0.97/1.00  0.86/0.93  0.93/0.96
//	eval_en_19 pre 305 (125) 1.00/0.86  0.91/0.91  0.80/0.96  0.81/0.93  0.87/0.94
//	eval_fr_19 pre 302 (127) 1.00/0.86  0.91/0.83  0.92/0.92  0.93/0.88  0.95/0.89
//	eval_en_20 pre 313 (121) 0.90/0.95  0.87/0.87  0.89/0.92  0.71/0.81  0.81/0.91
//	eval_fr_20 pre 313 (121) 1.00/0.95  0.84/0.87  0.92/0.85  0.74/0.78  0.86/0.87
//	eval_en_21 pre 324 (117) 0.95/1.00  0.87/0.90  0.83/0.76  0.70/0.86  0.81/0.91
//	eval_fr_21 pre 323 (117) 0.90/1.00  0.82/0.93  0.85/0.88  0.76/0.84  0.81/0.91
//	eval_en_22 pre 318 (102) 1.00/1.00  0.88/0.94  0.96/1.00  0.84/0.86  0.91/0.96
//	eval_fr_22 pre 317 (102) 1.00/1.00  0.90/0.84  0.95/0.91  0.88/0.86  0.95/0.91
//	eval_en_23 pre 317 (107) 0.94/0.89  0.93/0.82  0.95/0.79  0.53/0.95  0.71/0.93
//	eval_fr_23 pre 317 (107) 0.94/0.89  0.93/0.82  0.96/0.96  0.53/0.89  0.73/0.90
//	eval_en_24 pre 342 (115) 1.00/0.68  0.81/0.64  0.91/0.84  0.69/0.85  0.86/0.83
//	eval_fr_24 pre 342 (115) 0.88/0.79  0.96/0.76  0.88/0.60  0.70/0.83  0.87/0.79
//	eval_en_25 pre 320 (110) 0.86/0.75  0.90/0.79  0.94/0.68  0.84/0.89  0.90/0.83
//	eval_fr_25 pre 320 (110) 0.94/0.94  0.91/0.64  1.00/0.76  0.80/0.78  0.90/0.78
//
// Batches 1 to 4 were scored with the lists alone, batch 5 with the lists and the model
// (trained on batches 1 to 4; the lists were last changed before batch 4 was written),
// batch 6 after a fourth pass of entries tuned on batches 4 and 5 and a model trained on
// batches 1 to 5, batch 7 after a fifth pass tuned on batch 6 and a model trained on
// batches 1 to 6, batch 8 after a sixth pass tuned on batch 7 and a model trained on
// batches 1 to 7, batch 9 after a seventh pass tuned on batch 8 and a model trained on
// batches 1 to 8, batch 10 (written by another hand than batches 1 to 9, with more
// look-alike clean messages: a pickup at the station, "be careful walking home", a
// meatball, a grandmother's "daft cow") after an eighth pass tuned on batch 9 and a model
// trained on batches 1 to 9, batch 11 (by the same hand as batch 10) after a ninth pass
// tuned on batch 10 and a model trained on batches 1 to 10, batch 12 after a tenth pass
// tuned on batch 11 and a model trained on batches 1 to 11, batch 13 after an eleventh
// pass tuned on batch 12 and a model trained on batches 1 to 12, batch 14 after a twelfth
// pass tuned on batch 13, a model trained on batches 1 to 13 and its thresholds for
// threats and insults lowered to 0.5 (at 0.8, batch 14 would have scored threat
// 0.92/0.67 in English and 0.89/0.63 in French), batch 15 after a thirteenth pass tuned on
// batch 14 and a model trained on batches 1 to 14, batch 16 (in looser chat: lower case,
// text-speak, typos, emoji) after a fourteenth pass tuned on batch 15 and a model trained
// on batches 1 to 15 (two of its labels were corrected after its first score, before any
// tuning: "shut up u mong" and "ta gueule le mongol" are hate too, as "t'es mongol ou
// quoi" is; the first score read hate 0.84/0.89 and 0.94/0.83, the rest unchanged), batch
// 17 (half plain, half chat spellings, with many innocent look-alikes of its threats)
// after a fifteenth pass tuned on batch 16, the reading of "jsais" as "je sais" and a model
// trained on batches 1 to 16, batch 18 (by another hand, after reading batch 17 and
// its score, so in batch 17's kinds and closer to what the lists know: the lists alone
// found 0.87 and 0.81 of it, against 0.64 and 0.66 of batch 17; a larger share of
// innocent look-alikes, 174 and 188 of 303 and 320) with the lists and model of batch 17,
// nothing changed in between, batch 19 (by the same hand, after it wrote the sixteenth
// pass, so by a hand that knew the lists) after that pass, tuned for precision on the false
// findings of batches 1 to 18, and a model trained on batches 1 to 16 with more clean
// look-alikes. After the sixteenth pass, batches 17 and 18 score 1.00/0.94 and 1.00/0.98
// in English, 1.00/0.96 and 0.99/0.98 in French (tuned on: not evidence); batch 19, written
// after it, says what it generalised: French precision rose to 0.95 (0.92–0.93 on batches
// 17 and 18), English precision fell to 0.87 (0.90–0.93), the model finding threats and
// sexual content in innocent messages the pass had no allow entry for ("I'll jump on the
// train and see you in 20", "let me see your holiday photos"). Batch 20 (by the same hand,
// more text-speak and longer messages, 40 innocent look-alikes of its threats per
// language) after a seventeenth pass tuned on batch 19's false findings, a model trained
// on batches 1 to 16 with more clean sentences in the future tense: precision fell again,
// to 0.81 and 0.86, threat precision to 0.71 and 0.74, each innocent sentence new
// in its words ("I'll floor you with my dance moves", "je vais t'achever avec mes pas de
// danse", "I'll put the kettle on", "ta mère va mieux ?"). Batch 21 (by the same hand,
// everyday topics, the offensive messages inside conversations) after an eighteenth pass
// tuned on batch 20's false findings, the model's training unchanged: 0.81 in both.
// Batch 22 (by the same hand, closer to ordinary traffic: two clean messages in three,
// first messages, plans and small talk, fewer look-alikes of threats; two of its French
// messages turned out, after its score, to repeat earlier batches') after a nineteenth
// pass tuned on batch 21's false findings (28 more clean sentences in the future tense for
// the model were tried and dropped: batch 21's precision did not move, and seven messages
// of other batches were lost). After the passes tuned on them, batches 19, 20 and 21 score
// 0.98/0.95, 0.98/0.97 and 0.89/0.91 in English, 1.00/0.90, 0.99/0.94 and 0.88/0.91 in
// French (not evidence). Batch 23 (by another hand, new to the package, which had read
// this documentation and batch 22 but not the lists; about ninety innocent sentences in the
// future tense aimed at the member per language, see above) with the lists and model of
// batch 22, nothing changed in between. After the guard of the model's threats in the
// future tense (tuned on batches 17 to 23) and a twentieth pass (tuned on batch 23's
// false findings and a few of its misses), batches 21, 22 and 23 score 0.91/0.91,
// 0.93/0.96 and 0.89/0.94 in English, 0.91/0.91, 0.97/0.91 and 0.88/0.90 in French (not
// evidence); no batch's recall fell by more than 0.01, its threat recall by up to 0.03
// (French batches 21 and 23). Batch 24 (by another hand, new to the package, which had
// read this documentation but not the lists nor the earlier batches' messages; meant as
// ordinary traffic, as batch 22 was; near-duplicates of earlier files and of the lists'
// terms rewritten before its score, see above) with the lists and model of batch 23 after
// the guard and the twentieth pass, nothing changed in between. After a twenty-first pass
// (tuned on batch 24's false findings and misses; entries only, no class, so the model is
// the same), batch 24 scores 0.98/0.98 in English and 1.00/0.96 in French (not evidence),
// batch 23 0.90/0.95 and 0.88/0.90, batches 18 to 22 as before. Batch 25 (by another hand,
// new to the package, which had read this documentation and the first lines of batch 24
// but not the lists; ordinary traffic, as batch 24; only its exact and near-exact copies
// of earlier files rewritten before its score) with the lists and model of batch 24
// after the twenty-first pass, nothing changed in between: its precision is 0.90 in both
// languages, against batch 24's 0.86 and 0.87 before the pass, and its recall 0.83 and
// 0.78, against 0.83 and 0.79 (one batch of the same kind, with fewer messages rewritten
// away from earlier batches' phrasings, see above: it cannot say how much of the
// difference is the pass). Then the model was retrained on every batch scored, 1 to 25
// (their scores since are on trained text), with thresholds chosen on batches 18 to 25,
// each scored with models trained on the batches before it (TestMeasureThresholds):
// threats and insults 0.4 instead of 0.5, hate and sexual content 0.6 instead of 0.8, the
// guard's 0.97 kept, the highest recall over those batches whose precision is at least
// the old models' (0.955/0.931 against 0.952/0.926, summed over both languages); "verra"
// and "verras" joined the French @future ("jsais pas trop, on verra" read as a threat
// by the retrained model). Then a twenty-second pass tuned on batch 26, whose labels
// state the convention that a slur aimed at the member is hate and insult: the rule of
// the judgement calls above (a hate entry of one word, or flagged slur, aimed at the
// member by a target entry's match or alone in its clause, also finds an insult, of the
// slur's severity; commas now end a clause), entries written as kinds (banter that clears
// an insult, "dead right", "la misère au …", contempt in ordinary words, regional
// insults, "69 tonight"), and the model trained on batches 1 to 26, its thresholds kept.
// On the labels as they were, the rule raised insult recall summed over batches 1 to 26
// from 0.963 to 0.985 in English and 0.967 to 0.981 in French, and lowered insult
// precision from 0.971 to 0.946 and 0.976 to 0.949: it fell on English batches 1 to 13,
// 15 and 18 and French 1 to 8 and 10 to 17, every new false insult a slur aimed at the
// member labelled hate alone ("n!gger" alone, "you're such a n1gg3r", "sale bicot", "I'll
// burn your mosque down with you in it, towelhead"); "any offensive" did not move. Those
// labels (128 lines: 81 of the corpora, 47 of batches 1 to 25) were then labelled hate and
// insult. After the pass batch 26 scores 0.98/1.00 in English and 0.96/0.99 in French
// (tuned and trained on: not evidence; with the model trained on 1 to 25 and the lists
// of the pass, 0.95/0.92 and 0.95/0.90, the lists tuned on it: not evidence either).
// Then a twenty-third pass tuned on batch 27, for precision: markers that clear a threat
// aimed at the member, as allow entries for the sentence written as classes of phrases (so
// they take no class bit): a gift or a treat in the plan ("with flowers", "avec des
// fleurs", "prête pour les tacos"), a mock threat paid off in a treat ("pay for that… by
// buying the next round", "me le payer... en m'offrant"), an invitation ("drop me a pin",
// "je te raconte demain"), a thing stolen in jest ("stealing your hoodie"),
// the best … of the member's life, a prophecy of loneliness ("you'll end up alone", "tu
// finiras toute seule": an insult, as "die alone" was), one's own address ("avant de
// donner mon adresse"), legs that shake; and insults scratched on one's things ("someone
// keyed my car", "a rayé ma voiture"), harassment received from a stranger, a third person
// called names by another, the Belgian "grosse baise", "ça me fait rire" after banter, a
// seat ("sit on my right"), the Québécois plotte in a sex act. Summed over batches 1 to
// 27, with the model trained on 1 to 26, they lowered the false threats from 24 to 17 in
// English and 34 to 25 in French (threat precision 0.982 to 0.987 and 0.974 to 0.981)
// and lost no true threat on any batch (recall 0.995 and 0.992); one of them cleared on
// batch 26, the rest on 27. A laughing word after a mock threat ("haha", "lol", "mdr") was
// measured and dropped: it cleared no false threat the others left and lost 6 true ones
// ("kill urself lol", "tue-toi mdr"), as the judgement calls above say; an emoji is not a
// word the lists can match. Then the model was trained on batches 1 to 27, its thresholds
// kept, and "je vais te trouver" ending its sentence became a threat (batch 4's "espèce
// de pute, je vais te trouver", which that model no longer found): summed over 1 to 27,
// threats 0.989/0.997 in English and 0.983/0.995 in French (15 and 22 false, 4 and 7
// missed). After the pass, batch 27 scores 1.00/0.98 in English and 1.00/0.98 in French
// (threats 1.00/0.95 and 1.00/0.98; tuned and trained on: not evidence; with the model
// trained on 1 to 26 and the pass's markers, 0.99/0.87 and 0.98/0.93, threats
// 0.94/0.87 and 0.92/0.90, the lists tuned on it: not evidence either). The check stays
// allocation-free. A marker of the place the member gave ("I know where you live now! you
// said Clapham", "je sais où t'habites, t'as dit Belleville") was written and dropped
// before the merge: it cleared the sentence, so "I know where you live, you said too much"
// and "je sais où t'habites, t'as dit que t'irais voir les flics" were clean; a stalking
// threat is worth an innocent finding (TestStalkingStaysAThreat). BenchmarkCheck read 723,000–737,000 msgs/cpu-s after the pass and
// 726,000–750,000 before it, in runs alternated on a shared 2-core Xeon on 2026-12-01.
// What the model adds, on text the lists were not tuned on and it was not trained on:
//
//	eval_en_4  lists 0.96/0.56, lists and a model trained without it 0.94/0.71
//	eval_fr_4  lists 0.96/0.50, lists and a model trained without it 0.97/0.70
//	eval_en_5  lists 0.97/0.73, lists and model 0.96/0.83
//	eval_fr_5  lists 0.97/0.61, lists and model 0.94/0.71
//	eval_en_6  lists 0.95/0.63, lists and model 0.95/0.82
//	eval_fr_6  lists 0.94/0.55, lists and model 0.96/0.77
//	eval_en_7  lists 0.98/0.70, lists and model 0.99/0.89
//	eval_fr_7  lists 0.98/0.63, lists and model 0.99/0.83
//	eval_en_8  lists 1.00/0.71, lists and model 0.99/0.86
//	eval_fr_8  lists 1.00/0.67, lists and model 0.99/0.83
//	eval_en_9  lists 0.97/0.77, lists and model 0.98/0.87
//	eval_fr_9  lists 1.00/0.70, lists and model 1.00/0.86
//	eval_en_10 lists 0.92/0.71, lists and model 0.90/0.83
//	eval_fr_10 lists 0.94/0.70, lists and model 0.95/0.80
//	eval_en_11 lists 0.99/0.77, lists and model 0.95/0.93
//	eval_fr_11 lists 0.96/0.60, lists and model 0.95/0.77
//	eval_en_12 lists 0.93/0.74, lists and model 0.92/0.86
//	eval_fr_12 lists 0.95/0.70, lists and model 0.92/0.81
//	eval_en_13 lists 0.94/0.75, lists and model 0.94/0.83
//	eval_fr_13 lists 0.97/0.65, lists and model 0.98/0.78
//	eval_en_14 lists 0.97/0.60, lists and model 0.96/0.82
//	eval_fr_14 lists 0.99/0.64, lists and model 0.95/0.81
//	eval_en_15 lists 0.97/0.71, lists and model 0.95/0.91
//	eval_fr_15 lists 1.00/0.72, lists and model 0.98/0.91
//	eval_en_16 lists 0.89/0.60, lists and model 0.87/0.79
//	eval_fr_16 lists 0.96/0.63, lists and model 0.94/0.83
//	eval_en_17 lists 0.93/0.64, lists and model 0.93/0.86
//	eval_fr_17 lists 0.95/0.66, lists and model 0.92/0.91
//	eval_en_18 lists 0.93/0.87, lists and model 0.90/0.97
//	eval_fr_18 lists 0.97/0.81, lists and model 0.93/0.96
//	eval_en_19 lists 0.93/0.74, lists and model 0.87/0.94
//	eval_fr_19 lists 0.97/0.61, lists and model 0.95/0.89
//	eval_en_20 lists 0.85/0.70, lists and model 0.81/0.91
//	eval_fr_20 lists 0.91/0.69, lists and model 0.86/0.87
//	eval_en_21 lists 0.89/0.73, lists and model 0.81/0.91
//	eval_fr_21 lists 0.86/0.63, lists and model 0.81/0.91
//	eval_en_22 lists 0.94/0.77, lists and model 0.91/0.96
//	eval_fr_22 lists 0.97/0.70, lists and model 0.95/0.91
//	eval_en_23 lists 0.83/0.80, lists and model 0.71/0.93
//	eval_fr_23 lists 0.85/0.73, lists and model 0.73/0.90
//	eval_en_24 lists 0.96/0.58, lists and model 0.86/0.83
//	eval_fr_24 lists 0.90/0.54, lists and model 0.87/0.79
//	eval_en_25 lists 1.00/0.61, lists and model 0.90/0.83
//	eval_fr_25 lists 0.95/0.49, lists and model 0.90/0.78
//
// (RELANCE_MEASURE=1 go test -run 'TestMeasureHeldOut|TestMeasureListsOnly' -v
// ./content/; TestMeasureListsOnly scores every batch from the fourth on.)
// Batches 1 to 9 were written by the hand that wrote the lists until then, batches 10 to 14
// by the hand that wrote the passes after (each after the pass before it, never looked at
// while tuning): both knew the lists, and the later batches are shorter and plainer than
// batch 1 (which was written around the hardest misses). Text written by members who
// never saw the lists will score lower.
//
// Batch 2 was written after the lists were tuned on batch 1 (which then scored 0.99/0.99
// any-offensive in both languages: not evidence), batch 3 after they were tuned on batch 2
// (then 1.00/0.96 in English, 1.00/0.97 in French: not evidence either), batch 4 after
// they were tuned on batch 3 (then 1.00/0.98 in both); each was scored before any further
// change. The honest figure is the latest batch's pre-tuning line.
//
// # Word lists
//
// The lists are data files compiled into the binary, one per language (lists/fr.tsv,
// lists/en.tsv), with tab-separated columns:
//
//	# comment
//	@class <TAB> alternative | alternative | …
//	term <TAB> category <TAB> severity [<TAB> flags]
//
// A term is a word or a phrase. In terms and classes, a word ending in "+" is inflected
// (French: masculine, feminine, singular, plural — connard+ gives connard, connarde,
// connards, connardes; English: plural). A word may be a number of two digits or more
// ("69"). A term may also use @classes (any of their alternatives), "~" (up to four filler
// words of the language's @filler class), "~~" (up to eight words of any kind, inside the
// sentence), "*" (any one word), "^" first (the match starts the message or a sentence),
// "$" last (it ends one) and "..." last (the match runs on to the end of the sentence).
// Categories are insult, hate, sexual, threat, allow and target. A target entry flags
// nothing: it aims what follows its match at the member ("@you", "@tues", "ferme la"), so
// that a slur right after it, filler words aside, is an insult too (see the judgement
// calls). An allow entry clears every match
// it overlaps ("pain bâtard", "homo sapiens", "me traitait de *"), or, when its flags name
// categories, the matches of those categories only ("@notwill ...: allow, threat").
// Severities are low, medium and high ("-" for allow and target). Flags, comma-separated:
// inflect (inflect a one-word term), slur (a hate entry that names a person, "sale @grp",
// "@dirty @grp": aimed at the member, an insult too, as every hate entry of one word
// is), whole (words inside the match do not count on their own:
// "tête de bite" is an insult, not sexual content), exact (no repeated-letter or
// masked-letter matching), and for an allow entry the categories it clears and sentence
// (it clears what its whole sentence matches, before it too: the nudes named in an
// exposure threat are not sexual content, "your nudes … or your dad gets them"). The reserved
// classes @stop (common words that tell the language), @filler (words a gap may skip),
// @future (words that put a sentence in the future tense) and @harmful (words of harm,
// exposure and stalking, which let the model's threats in the future tense count at its
// usual threshold) hold single words; terms cannot use them.
//
// # An operator's file
//
// Config.ExtraFile adds and removes entries; New validates it and fails with the file and
// line of the first error (unknown category or severity, empty term, unknown class, a
// removal that removes nothing…). In YAML (.yaml, .yml):
//
//	add:
//	  - {lang: fr, term: "gros naze", category: insult, severity: medium}
//	  - {lang: "*", term: zorglub, category: hate, severity: high, flags: [inflect]}
//	remove:
//	  - {lang: fr, term: bite}                  # every category
//	  - {lang: en, term: nudes, category: sexual}
//
// or in TSV (.tsv):
//
//	add	fr	gros naze	insult	medium
//	remove	en	nudes	sexual
//
// lang is a language code ("*": every built-in language; a new code adds a language whose
// locale then selects it). Added terms use the list syntax and the language's classes. A
// removal names a term as the lists write it (without "+"): it drops that entry with all
// its forms, or one concrete sequence the entries expand to. To clear one phrase that a
// class-based entry matches, add an allow entry for it.
//
// # Remote classifier
//
// Remote implements policy.TextChecker with a platform's own classification service. For
// each message it sends
//
//	POST <RemoteConfig.URL>
//	Content-Type: application/json
//
//	{"text": "…", "locale": "fr"}
//
// and expects, with status 200 and within RemoteConfig.Timeout (default 200 ms, connection
// included),
//
//	{"categories": ["insult", "threat"]}
//
// where categories lists any of insult, hate, sexual and threat ([] when clean); other
// fields are ignored. Any other answer — a timeout, a connection error, another status, a
// body over RemoteConfig.MaxResponseBytes (default 16 KiB), something that is not that JSON,
// a missing "categories", an unknown category — is a failure: Check then returns the
// fallback's answer (the built-in Checker by default), counts it (Fallbacks), and logs the
// error (a warning when the service starts failing, debug while it goes on, info when it
// answers again), never the text. When the caller's ctx ends first, Check returns ctx's
// error and no answer. The service receives the text: run it inside the platform, over
// TLS, and keep no copy there either.
//
// Remote is a policy.ConcurrentChecker: policy.CheckTexts makes up to
// RemoteConfig.Concurrency calls at once (default 32), so a batch waits about one call's
// time per Concurrency messages rather than one per message. After
// RemoteConfig.BreakerFailures failures in a row (default 5) a circuit breaker opens: for
// RemoteConfig.BreakerCooldown (default 5 s) the fallback answers at once, without calling
// the service; then one trial call goes through, whose answer closes the breaker and whose
// failure opens it for another cooldown. The breaker's opening is logged as a warning, its
// closing at info level; BreakerOpen tells whether it is open.
package content
