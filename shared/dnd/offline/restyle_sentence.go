package offline

import (
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentence-level rewrites: a word list changes vocabulary, but a register
// shows in how sentences open and close ("Lo, ...", "..., of all things.")
// and in their length (terse splits "X, and Y" in two). These rewrites
// touch only plain statements of narration: a sentence with a quotation
// mark, game rules, a question or an exclamation is left as it is, so
// speech and rules text ("DC 13 Dexterity saving throw") keep their
// shape.

// sentence is a run of tokens ending in a full stop, question or
// exclamation mark, or line break.
type sentence struct {
	first, last int // token indexes of the first and last word
	end         int // index of the token after the last word, or len(toks)
	words       int
	plain       bool // a statement of at least four words, no quote or digit
	rules       bool // game rules: dice, a DC, a saving throw ("DC 13 Dexterity saving throw; 2d10 damage")
}

const minRewriteWords = 4

// gameRules finds the game text of a sentence, which rewrites leave alone.
var gameRules = regexp.MustCompile(`(?i)\b\d+d\d+\b|\b(?:DC|AC) ?\d|saving throw|hit points?\b|[+-]\d+ to hit|\bCR \d`)

// quoteRunes mark speech or titles a rewrite must not cut into.
const quoteRunes = "\"“”‘’«»'()[]"

// sentencesOf splits toks into sentences.
func sentencesOf(toks []token) []sentence {
	var out []sentence
	cur := sentence{first: -1}
	flush := func(end int) {
		if cur.first >= 0 {
			cur.end = end
			cur.rules = gameRules.MatchString(joinTokens(toks[cur.first:end]))
			cur.plain = cur.plain && !cur.rules && cur.words >= minRewriteWords && endsStatement(toks, end)
			out = append(out, cur)
		}
		cur = sentence{first: -1}
	}
	for i, t := range toks {
		if t.word {
			if cur.first < 0 {
				cur = sentence{first: i, plain: i == 0 || !strings.ContainsAny(toks[i-1].text, quoteRunes)}
			}
			cur.last = i
			cur.words++
			continue
		}
		if cur.first < 0 {
			continue
		}
		if strings.ContainsAny(t.text, ".!?…\n") {
			flush(i)
			continue
		}
		if strings.ContainsAny(t.text, quoteRunes+";:") {
			cur.plain = false
		}
	}
	flush(len(toks))
	return out
}

// endsStatement reports whether the token at end closes a statement with a
// single full stop, no quotation mark closing with it.
func endsStatement(toks []token, end int) bool {
	if end >= len(toks) {
		return false
	}
	head, _, _ := strings.Cut(strings.ReplaceAll(toks[end].text, "\n", " "), " ")
	return head == "."
}

// Shares of the sentences whose nouns take an epithet, or whose verb an
// adverb, relative to the share of sentences rewritten.
const (
	epithetShare = 0.6
	adverbShare  = 0.5
)

// rewriteSentences splits sentences for lexicons that ask for it, gives
// some nouns an epithet and some verbs an adverb, then gives a share of
// the plain sentences an opener or a closer from the lexicons, never the
// same phrase twice while another is unused.
//
// A style that shortens (terse) adds nothing: it splits and trims, and
// the text comes out shorter. No rewrite brings in a first-person phrase
// ("and I didn't like the look of it") unless the text already speaks in
// the first person outside its quotations.
func rewriteSentences(r *rand.Rand, text string, lexs []*lexicon, share float64, asides bool, keep ...string) string {
	if share <= 0 || len(lexs) == 0 {
		return text
	}
	toks := tokenize(text)
	markFixed(toks, keep)
	if shortens(lexs) {
		return joinTokens(terseSentences(r, toks, share))
	}
	phrases := newPhraseBag(r, lexs, speaksFirstPerson(text))
	toks = insertWords(r, toks, phrases, epithet, share*epithetShare, keep)
	toks = insertWords(r, toks, phrases, adverb, share*adverbShare, keep)
	if !asides {
		phrases.lists[aside] = nil
	}
	return decorate(r, toks, phrases, share)
}

// Shares of the decorated sentences that take both an opener and a
// closer, and of the plain sentences followed by an aside, relative to
// the share of sentences rewritten.
const (
	bothShare  = 0.5
	asideShare = 0.45
)

// decorate gives a share of the plain sentences an opener or a closer, some
// both, and follows some with an aside, never two asides in a row.
func decorate(r *rand.Rand, toks []token, phrases *phraseBag, share float64) string {
	sents := sentencesOf(toks)
	var plain []int
	for i, s := range sents {
		if s.plain {
			plain = append(plain, i)
		}
	}
	lower := lowerWords(toks)
	opens := map[int]string{}  // token index of a sentence's first word → opener
	closes := map[int]string{} // token index of a sentence's end → closer
	asides := map[int]string{} // token index of a sentence's end → aside
	for _, k := range r.Perm(len(plain))[:int(math.Round(share*float64(len(plain))))] {
		s := sents[plain[k]]
		canOpen := opensWith(toks[s.first], lower) != "" && !introduced(toks, s) && phrases.has(opener)
		both := r.Float64() < share*bothShare
		if canOpen && (both || !phrases.has(closer) || r.IntN(2) == 0) {
			opens[s.first] = phrases.next(opener)
		}
		if phrases.has(closer) && (both || opens[s.first] == "") {
			closes[s.end] = phrases.next(closer)
		}
	}
	for _, k := range plain {
		s := sents[k]
		if phrases.has(aside) && asides[sents[max(k-1, 0)].end] == "" && r.Float64() < share*asideShare {
			asides[s.end] = phrases.next(aside)
		}
	}
	var b strings.Builder
	for i, t := range toks {
		if o, ok := opens[i]; ok {
			b.WriteString(o + " " + opensWith(t, lower))
			continue
		}
		if c, ok := closes[i]; ok {
			b.WriteString(", " + c)
		}
		if a, ok := asides[i]; ok {
			// The full stop, the aside, then the space or line break.
			b.WriteString(". " + a + strings.TrimPrefix(t.text, "."))
			continue
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// insertWords puts an epithet before a noun that stands alone after a
// determiner ("the gate." → "the rusted gate."), or an adverb before a
// verb in the past tense after its subject ("the goblins attacked" → "the
// goblins savagely attacked"), in a share of the sentences, at most one a
// sentence and never in one with a number.
func insertWords(r *rand.Rand, toks []token, phrases *phraseBag, kind phraseKind, share float64, keep []string) []token {
	if !phrases.has(kind) {
		return toks
	}
	fits := bareNoun
	if kind == adverb {
		fits = pastVerb
	}
	out := slices.Clone(toks)
	for _, s := range sentencesOf(toks) {
		if s.rules || r.Float64() >= share {
			continue
		}
		var at []int
		for i := s.first + 2; i <= s.last; i++ {
			if fits(toks, i) && !toks[i].fixed {
				at = append(at, i)
			}
		}
		if len(at) == 0 {
			continue
		}
		i := at[r.IntN(len(at))]
		noun := strings.ToLower(toks[i].text)
		var w string
		for range 8 {
			if kind == epithet && naturalPlaces[strings.TrimSuffix(noun, "s")] {
				w = phrases.nextOf(kind, "genre", false) // a tone's: no "chrome" forest
			} else {
				w = phrases.next(kind)
			}
			if kind != epithet || epithetFits(w, noun) {
				break
			}
			w = ""
		}
		if w == "" {
			continue
		}
		if d := strings.ToLower(out[i-2].text); kind == epithet && (d == "a" || d == "an") {
			out[i-2].text = matchCase(out[i-2].text, article(w))
		}
		out[i].text = w + " " + out[i].text
	}
	toks = tokenize(joinTokens(out))
	markFixed(toks, keep)
	return toks
}

// pastVerb reports whether word token i is a verb in the simple past right
// after its subject: a pronoun, or a noun after a determiner ("they came",
// "the captain counted").
func pastVerb(toks []token, i int) bool {
	t := toks[i]
	lw := strings.ToLower(t.text)
	if !t.word || t.number || toks[i-1].text != " " || !toks[i-2].word {
		return false
	}
	if !irregularPast[lw] && !(strings.HasSuffix(lw, "ed") && len(lw) >= 5 && !notVerbs[lw]) {
		return false
	}
	if nounFollows(toks, i) {
		return false // an adjective: "a guarded door"
	}
	if i+2 < len(toks) && toks[i+1].text == " " && participleNext[strings.ToLower(toks[i+2].text)] {
		return false // a participle: "a crypt sealed with iron"
	}
	subj := strings.ToLower(toks[i-2].text)
	if t.quoted || speakers[subj] || inanimate[subj] || isPlaceOrThing(subj) {
		return false // a speaker's own act, or a subject that does not act
	}
	if subjectPronouns[subj] {
		return true
	}
	return !functionWords[subj] && !strings.HasSuffix(subj, "ly") && i >= 4 && toks[i-3].text == " " && determiners[strings.ToLower(toks[i-4].text)] &&
		strings.ToLower(toks[i-4].text) != "that"
}

var (
	participleNext  = setOf(strings.Fields("with by from for"))
	subjectPronouns = setOf(strings.Fields("he she they we it i you"))
	irregularPast   = setOf(strings.Fields(`came went fought fled sent found told took gave stood sat ran rode brought
		caught held kept left led met paid sold spoke stole struck swore threw wrote fell drew flew broke rose`))
	// notVerbs end in -ed but are not past verbs.
	notVerbs = setOf(strings.Fields(`hundred sacred wicked naked crooked rugged ragged beloved learned aged blessed
		cursed jagged hatred kindred shred sled bed red wed fed led bred need seed speed breed deed weed steed creed`))
)

// bareNoun reports whether word token i is a place or a made thing no
// other word modifies: a determiner before it, and after it the end of a
// clause or a function word ("the gate.", "a tower with").
func bareNoun(toks []token, i int) bool {
	t := toks[i]
	if !t.word || t.proper || toks[i-1].text != " " || !toks[i-2].word {
		return false
	}
	if d := strings.ToLower(toks[i-2].text); !determiners[d] || d == "that" {
		return false
	}
	lw := strings.ToLower(t.text)
	if !placesAndThings[lw] && !(strings.HasSuffix(lw, "s") && placesAndThings[strings.TrimSuffix(lw, "s")]) {
		return false
	}
	if i+1 >= len(toks) {
		return true
	}
	if next := toks[i+1].text; next != " " {
		return !strings.ContainsAny(next[:1], "'’-")
	}
	return i+2 < len(toks) && functionWords[strings.ToLower(toks[i+2].text)]
}

// naturalPlaces are the places no one built: a genre's epithets
// ("prefab", "riveted") do not fit them, a tone's ("shadowed") do.
var naturalPlaces = setOf(strings.Fields(`forest wood woods cave cavern river lake sea bay island isle mountain hill valley
	field shore beach cliff canyon desert swamp marsh bog fen ridge pass peak glade grove clearing ford garden`))

// placesAndThings take an epithet: the places, buildings, landscapes and
// made things of adventure prose, whose epithets (rusted, neon-lit,
// moss-grown) fit them all.
var placesAndThings = setOf(strings.Fields(`tavern inn castle tower gate door wall road path street lane alley market
	village town city forest wood woods cave cavern temple shrine chapel church hall room cellar bridge river lake sea
	bay harbour harbor ship boat island isle mountain hill valley field farm mill well keep fortress ruin ruins crypt
	tomb camp cart wagon table chest map book sword shield lantern torch stall shop house cottage hut palace throne
	garden graveyard mine tunnel sewer dock docks pier library vault stair stairs window courtyard barracks
	stable altar statue arch archway bell chamber corridor den hideout lair manor mansion monastery outpost port
	quay shore beach cliff canyon desert swamp marsh bog fen dungeon prison jail cell fountain plaza warehouse
	workshop forge smithy wharf lighthouse ridge pass peak glade grove clearing ford wreck hull deck`))

// opensWith is word t as it reads after an opener: lower-cased unless it
// is a name or "I", or "" when it cannot follow one (an unknown
// capitalised word may be a name; a connective already opens the
// sentence; shouting stays as it is).
func opensWith(t token, lower map[string]bool) string {
	w := t.text
	lw := strings.ToLower(w)
	switch {
	case connectives[lw] || (utf8.RuneCountInString(w) > 1 && w == strings.ToUpper(w)):
		return ""
	case isPronounI(w):
		return w
	case functionWords[lw]:
		return lowerFirst(w) // "The Salt Maiden" after an opener is "the Salt Maiden"
	case t.proper:
		return w
	case lower[lw]:
		return lowerFirst(w)
	}
	return ""
}

// connectives already open a sentence; another opener would stack on them.
var connectives = setOf(strings.Fields("and but so then yet or oh lo still however meanwhile"))

// introduced reports whether sentence s already opens with an
// introductory phrase, which an opener would stack on ("In the failing
// light, in Marshby, ..."): a preposition or subordinating word, a
// participle ("Written for ..."), or a comma within its first three
// words.
func introduced(toks []token, s sentence) bool {
	first := strings.ToLower(toks[s.first].text)
	if introWords[first] || len(first) > 4 && (strings.HasSuffix(first, "ing") || strings.HasSuffix(first, "ed")) {
		return true
	}
	words := 0
	for i := s.first; i < s.end && words < 3; i++ {
		if toks[i].word {
			words++
		} else if strings.Contains(toks[i].text, ",") {
			return true
		}
	}
	return false
}

// introWords open an introductory phrase or clause.
var introWords = setOf(strings.Fields(`in on at by for from with without after before during since when whenever while
	as if although though because once under beneath below above across through into over until unless where
	wherever among along around behind beyond near upon within outside inside against despite`))

// lowerWords lists the words written in lower case somewhere in toks: a
// capitalised sentence opener among them is a common word, not a name.
func lowerWords(toks []token) map[string]bool {
	out := map[string]bool{}
	for _, t := range toks {
		if r, _ := utf8.DecodeRuneInString(t.text); t.word && unicode.IsLower(r) {
			out[t.text] = true
		}
	}
	return out
}

// lowerFirst lowers the first letter of s.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// clauseStarters open an independent clause after ", and": "..., and the
// knights fled" splits; "maps, and rope" does not.
var clauseStarters = setOf(strings.Fields("the a an he she they it we you i his her their its our my there this these those then nobody no everyone someone"))

// articles are dropped by note form.
var articles = setOf([]string{"the", "a", "an"})

// terseSentences shortens a share of the plain sentences by splitting
// them at ", and" where a new clause starts ("The dragon burned the
// village, and the knights fled." → "The dragon burned the village. The
// knights fled."). From half strength on, every plain sentence is put in
// note form, the way a game master jots a scene down: without articles
// ("Dragon burned village.").
func terseSentences(r *rand.Rand, toks []token, share float64) []token {
	out := slices.Clone(toks)
	notes := share >= noteForm
	for _, s := range sentencesOf(toks) {
		if !s.plain {
			continue
		}
		from := s.first
		for i := s.first + 1; i+2 < s.last; i++ {
			if out[i].text == ", " && strings.EqualFold(out[i+1].text, "and") && out[i+2].text == " " &&
				clauseStarters[strings.ToLower(out[i+3].text)] && hasVerb(toks[from:i]) && hasVerb(clauseAt(toks, i+3)) &&
				r.Float64() < share {
				out[i].text, out[i+1].text, out[i+2].text = ".", "", " "
				from = i + 3
			}
		}
		for i := s.first; notes && i < s.last; i++ {
			if out[i].word && articles[strings.ToLower(out[i].text)] && out[i+1].text == " " && out[i+2].word &&
				!out[i+2].number && !out[i+2].proper && !(i >= 2 && out[i-2].proper) && // "Mira the merchant", "the Salt Maiden"
				!keepsArticle[strings.ToLower(out[i+2].text)] {
				out[i].text, out[i+1].text = "", ""
			}
		}
	}
	out = tokenize(joinTokens(out))
	for _, s := range sentencesOf(out) {
		if !isPronounI(out[s.first].text) {
			out[s.first].text = capitalize(out[s.first].text)
		}
	}
	return out
}

// noteForm is the share of sentences rewritten from which terse puts
// sentences in note form.
const noteForm = 0.5

// keepsArticle are the words whose article note form keeps, since the two
// make one phrase: "for a time", "a handful of", "the ones responsible".
var keepsArticle = setOf(strings.Fields("handful few little lot bit time while ones one same rest other others couple moment dozen"))

// clauseAt is the clause that starts at token i: its tokens up to the next
// punctuation.
func clauseAt(toks []token, i int) []token {
	j := i
	for j < len(toks) && (toks[j].word || toks[j].text == " ") {
		j++
	}
	return toks[i:j]
}

// hasVerb reports, by a simple test, whether tokens hold a finite verb: an
// auxiliary or a contraction of one, a verb in the past ("-ed" or an
// irregular one), a common verb, or a word in "-s" right after a pronoun
// or a determiner and its noun ("she walks", "the priest guards"). A
// clause without one ("the ones responsible") is a fragment, not a
// sentence.
func hasVerb(toks []token) bool {
	var words []string
	for _, t := range toks {
		if t.word {
			words = append(words, strings.ToLower(strings.ReplaceAll(t.text, "’", "'")))
		}
	}
	for k, w := range words {
		switch {
		case auxiliaries[w] || irregularPast[w] || otherPast[w] || commonVerb(w):
			return true
		case strings.HasSuffix(w, "n't") || isContracted[w] || strings.HasSuffix(w, "'re") ||
			strings.HasSuffix(w, "'ll") || strings.HasSuffix(w, "'ve") || strings.HasSuffix(w, "'d"):
			return true
		case strings.HasSuffix(w, "ed") && len(w) >= 5 && !notVerbs[w]:
			return true
		case strings.HasSuffix(w, "s") && len(w) > 3 && k > 0 &&
			(subjectPronouns[words[k-1]] || verbSubjects[words[k-1]] || indefinites[words[k-1]] || k > 1 && determiners[words[k-2]] && !functionWords[words[k-1]]):
			return true
		}
	}
	return false
}

// commonVerb reports whether w is a common verb, plain or with "-s".
func commonVerb(w string) bool {
	for _, stem := range []string{w, strings.TrimSuffix(w, "s"), strings.TrimSuffix(w, "es"), strings.TrimSuffix(w, "ies") + "y"} {
		if commonVerbs[stem] {
			return true
		}
	}
	return false
}

var (
	auxiliaries = setOf(strings.Fields(`is are was were be been am has have had do does did will would shall should can
		could may might must cannot tis twas hath doth art wilt canst`))
	// otherPast are more irregular verbs in the past, for hasVerb.
	otherPast = setOf(strings.Fields(`saw knew grew began became made said heard felt thought got bought taught
		won lost sang slept woke wore bore shone hid bit lay spoke rang sank`))
	indefinites = setOf(strings.Fields("nobody everyone someone everybody somebody anyone nothing everything something one"))
	// isContracted are words with "is" or "has" contracted onto them ("it's"),
	// not possessives ("the king's").
	isContracted = setOf(strings.Fields(`it's that's there's here's what's who's he's she's nothing's everything's
		something's`))
	// commonVerbs are verbs in their plain form (an "-s" on them also counts).
	commonVerbs = setOf(strings.Fields(`go come take give tell sing lie lay remain shine creep stay keep know see say make
		get find want need seem feel look walk run stand sit wait hold bring turn fall rise grow live die burn march
		triumph settle fade begin end spell sell buy pay call cry laugh smile watch guard hope fear mark sleep wake
		speak swear break fly ride hunt search carry follow leave lead meet win lose open close wish rest survive
		change figure care happen await fancy`))
)

func joinTokens(toks []token) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.text)
	}
	return b.String()
}

// Kinds of phrase a lexicon offers a sentence.
type phraseKind int

const (
	opener phraseKind = iota
	closer
	epithet
	adverb
	aside
	phraseKinds // the number of kinds
)

// phraseBag deals a lexicon's phrases in a shuffled order, the lexicons
// in turn, so a text repeats none until all of a kind are used.
type phraseBag struct {
	lists [phraseKinds][][]string // per kind, per lexicon, shuffled
	from  [phraseKinds][]string   // per kind, the kind of lexicon (genre, tone, style) of each list
	turn  [phraseKinds]int
}

// newPhraseBag deals the lexicons' phrases; a text that does not speak
// in the first person (first false) gets none that does.
func newPhraseBag(r *rand.Rand, lexs []*lexicon, first bool) *phraseBag {
	b := &phraseBag{}
	for _, lx := range lexs {
		for k, list := range [phraseKinds][]string{lx.openers, lx.closers, lx.epithets, lx.adverbs, lx.asides} {
			if !first {
				list = slices.DeleteFunc(slices.Clone(list), speaksFirstPerson)
			}
			if len(list) > 0 {
				b.lists[k] = append(b.lists[k], shuffled(r, list))
				b.from[k] = append(b.from[k], lx.kind)
			}
		}
	}
	return b
}

// firstPersonWord finds a first-person pronoun.
var firstPersonWord = regexp.MustCompile(`\bI\b|\bI['’]|(?i:\b(?:me|my|mine|myself|we|us|our|ours|ourselves)\b)`)

// quoted finds quotations, where a speaker's "I" is not the narrator's.
var quoted = regexp.MustCompile(`"[^"]*"|“[^”]*”`)

// speaksFirstPerson reports whether text speaks in the first person outside its
// quotations.
func speaksFirstPerson(text string) bool {
	return firstPersonWord.MatchString(quoted.ReplaceAllString(text, ""))
}

// shortens reports whether a lexicon shortens text (terse): then nothing
// is added to it and no phrase gets a longer replacement.
func shortens(lexs []*lexicon) bool {
	return slices.ContainsFunc(lexs, func(lx *lexicon) bool { return lx.split })
}

func shuffled(r *rand.Rand, xs []string) []string {
	out := slices.Clone(xs)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func (b *phraseBag) has(k phraseKind) bool { return len(b.lists[k]) > 0 }

// next deals the next phrase of kind k from the next lexicon in turn; a
// lexicon whose phrases are all dealt starts over.
func (b *phraseBag) next(k phraseKind) string {
	lists := b.lists[k]
	b.turn[k]++
	i := b.turn[k] % len(lists)
	p := lists[i][0]
	lists[i] = append(lists[i][1:], p)
	return p
}

// nextOf deals the next phrase of kind k from a lexicon that is (when is
// is true) or is not of the lexicon kind lk, or "" when there is none.
func (b *phraseBag) nextOf(k phraseKind, lk string, is bool) string {
	for i, list := range b.lists[k] {
		if (b.from[k][i] == lk) == is {
			p := list[0]
			b.lists[k][i] = append(list[1:], p)
			return p
		}
	}
	return ""
}

// closeLastSentence gives the last sentence that ends in a full stop, and
// has no quotation, a closer from the lexicons, whatever its length or
// numbers: the rewrite of last resort for a text no other rule changed.
func closeLastSentence(r *rand.Rand, text string, lexs []*lexicon) string {
	phrases := newPhraseBag(r, lexs, speaksFirstPerson(text))
	if shortens(lexs) || !phrases.has(closer) {
		return text
	}
	toks := tokenize(text)
	sents := sentencesOf(toks)
	for i := len(sents) - 1; i >= 0; i-- {
		s := sents[i]
		if !endsStatement(toks, s.end) || slices.ContainsFunc(toks[s.first:s.end], func(t token) bool {
			return !t.word && strings.ContainsAny(t.text, quoteRunes)
		}) {
			continue
		}
		var b strings.Builder
		for j, t := range toks {
			if j == s.end {
				b.WriteString(", " + phrases.next(closer))
			}
			b.WriteString(t.text)
		}
		return b.String()
	}
	return text
}
