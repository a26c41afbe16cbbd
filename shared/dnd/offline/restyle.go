package offline

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lexicon is one set of rewrites: a genre's vocabulary, a tone's register
// or a style's phrasing, as word and phrase substitutions plus sentence
// openers and closers (see restyle_sentence.go).
type lexicon struct {
	name     string
	kind     string
	mood     string
	words    map[string]entry // lower-case phrase → replacements
	maxWords int              // longest phrase, in words
	openers  []string         // phrases that can open a sentence: "Lo,"
	closers  []string         // phrases that can end one, after a comma: "like a half-remembered song"
	epithets []string         // adjectives for a thing or place: "rusted"
	adverbs  []string         // adverbs for a verb: "grimly"
	asides   []string         // short sentences to follow one: "Not a good sign."
	split    bool             // split sentences at ", and" before a new clause
}

// entry is what a phrase becomes, and when.
type entry struct {
	alts   []string
	guard  byte // 0, guardAlone or guardBefore
	speech bool // a dialect form ("be" for "is"): only inside quoted speech
}

// Guards end a lexicon key.
const (
	// guardAlone ("gold$") matches a word that no noun follows: "the
	// gold." and "gold and silver", not "a gold ring".
	guardAlone = '$'
	// guardBefore ("old+") matches a word that a noun follows: "the old
	// tower", not "the tower was old".
	guardBefore = '+'
)

// restyler rewrites text by phrase substitution and sentence openers and
// closers. It is rule-based: it knows the words in its lexicons and
// nothing else.
type restyler struct {
	lexicons map[string]*lexicon
	aliases  map[string][]string // other spellings of known words, read silently
	closest  map[string][]string // related words, read as known ones with a warning
	keys     []string            // lexicon names, aliases and related words, sorted
}

func newRestyler(d restyleTables) (*restyler, error) {
	rs := &restyler{lexicons: map[string]*lexicon{}, aliases: d.Aliases, closest: d.Closest}
	for name, ld := range d.Lexicons {
		lx, err := newLexicon(name, ld)
		if err != nil {
			return nil, fmt.Errorf("lexicon %s: %w", name, err)
		}
		rs.lexicons[name] = lx
	}
	for _, table := range []map[string][]string{d.Aliases, d.Closest} {
		for word, targets := range table {
			if _, ok := rs.lexicons[word]; ok || len(targets) == 0 || word != normalWord(word) {
				return nil, fmt.Errorf("%q: a lexicon's own name, not lower case, or no target", word)
			}
			for _, t := range targets {
				if _, ok := rs.lexicons[t]; !ok {
					return nil, fmt.Errorf("%q names unknown lexicon %q", word, t)
				}
			}
		}
	}
	for w := range d.Closest {
		if _, ok := d.Aliases[w]; ok {
			return nil, fmt.Errorf("%q is both an alias and a related word", w)
		}
	}
	rs.keys = slices.Sorted(maps.Keys(rs.lexicons))
	rs.keys = append(rs.keys, slices.Sorted(maps.Keys(rs.aliases))...)
	rs.keys = append(rs.keys, slices.Sorted(maps.Keys(rs.closest))...)
	return rs, nil
}

func newLexicon(name string, ld lexiconData) (*lexicon, error) {
	switch ld.Kind {
	case "genre", "tone", "style":
	default:
		return nil, fmt.Errorf("kind %q", ld.Kind)
	}
	lx := &lexicon{name: name, kind: ld.Kind, mood: ld.Mood, words: map[string]entry{},
		openers: ld.Openers, closers: ld.Closers, epithets: ld.Epithets, adverbs: ld.Adverbs, asides: ld.Asides, split: ld.SplitAnd}
	for _, table := range []struct {
		words  map[string]any
		speech bool
	}{{ld.Words, false}, {ld.Speech, true}} {
		for k, v := range table.words {
			if err := lx.add(k, v, table.speech); err != nil {
				return nil, err
			}
		}
	}
	for _, p := range slices.Concat(ld.Openers, ld.Closers, ld.Epithets, ld.Adverbs) {
		if strings.TrimSpace(p) != p || p == "" || strings.ContainsAny(p, ".!?\"") {
			return nil, fmt.Errorf("opener or closer %q: trim it, and no sentence end or quote", p)
		}
	}
	for _, o := range slices.Concat(ld.Openers, ld.Asides) {
		if r, _ := utf8.DecodeRuneInString(o); !unicode.IsUpper(r) {
			return nil, fmt.Errorf("opener or aside %q must start with a capital", o)
		}
	}
	for _, a := range ld.Asides {
		body := strings.TrimRight(a, ".!?")
		if body == a || strings.TrimSpace(a) != a || strings.ContainsAny(body, ".!?\"") {
			return nil, fmt.Errorf("aside %q: one sentence ending in . ! or ?", a)
		}
		if !hasVerb(tokenize(body)) {
			return nil, fmt.Errorf("aside %q: a sentence needs a verb", a)
		}
	}
	return lx, nil
}

// add reads one word entry: a phrase, its guard, and what it becomes.
func (lx *lexicon) add(k string, v any, speech bool) error {
	var alts []string
	switch v := v.(type) {
	case string:
		alts = []string{v}
	case []any:
		for _, a := range v {
			s, ok := a.(string)
			if !ok {
				return fmt.Errorf("%q has a non-string replacement", k)
			}
			alts = append(alts, s)
		}
	default:
		return fmt.Errorf("%q must map to a string or a list", k)
	}
	e := entry{speech: speech}
	if n := len(k); n > 1 && (k[n-1] == guardAlone || k[n-1] == guardBefore) {
		k, e.guard = k[:n-1], k[n-1]
	}
	if k != strings.ToLower(k) || len(alts) == 0 || slices.Contains(alts, k) {
		return fmt.Errorf("bad entry %q", k)
	}
	if _, dup := lx.words[k]; dup {
		return fmt.Errorf("entry %q twice", k)
	}
	e.alts = alts
	lx.words[k] = e
	lx.maxWords = max(lx.maxWords, len(strings.Fields(k)))
	return nil
}

// mood is the first tone mood among lexicons ("dark", "light", "epic"), or "".
func mood(lexs []*lexicon) string {
	for _, lx := range lexs {
		if lx.mood != "" {
			return lx.mood
		}
	}
	return ""
}

// token is a word or the text between words.
type token struct {
	text     string
	word     bool
	number   bool // contains a digit
	unit     bool // a unit or coin after a number, or a coin denomination: "12 silver pieces", "a gold piece"
	proper   bool // a name: keep when preserving key elements
	fixed    bool // a monster's name, an idiom or a phrase the caller keeps: never changed
	startSen bool // first word of a sentence
	quoted   bool // inside quotation marks: speech
}

func tokenize(s string) []token {
	var toks []token
	isWordRune := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	for len(s) > 0 {
		r, _ := utf8.DecodeRuneInString(s)
		word := isWordRune(r)
		end := len(s)
		for i, r := range s {
			if i == 0 {
				continue
			}
			if word {
				// Apostrophes and hyphens join letters: don't, half-ruined.
				if isWordRune(r) {
					continue
				}
				if r == '\'' || r == '’' || r == '-' {
					next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
					if isWordRune(next) {
						continue
					}
				}
				end = i
				break
			}
			if isWordRune(r) {
				end = i
				break
			}
		}
		toks = append(toks, token{text: s[:end], word: word})
		s = s[end:]
	}
	// Mark sentence starts, speech, numbers and proper nouns.
	start, quoted := true, false
	for i := range toks {
		t := &toks[i]
		if !t.word {
			for _, r := range t.text {
				switch r {
				case '"':
					quoted = !quoted
				case '“':
					quoted = true
				case '”':
					quoted = false
				}
			}
			if strings.ContainsAny(t.text, ".!?\n…") {
				start = true
			}
			continue
		}
		t.startSen, t.quoted = start, quoted
		start = false
		t.number = strings.IndexFunc(t.text, unicode.IsDigit) >= 0
		first, _ := utf8.DecodeRuneInString(t.text)
		if unicode.IsUpper(first) && !t.startSen && !isPronounI(t.text) {
			t.proper = true
		}
	}
	markUnits(toks)
	// A capitalised sentence opener followed by a name is part of it
	// ("Castle Vey stood..."), so keep it too.
	for i := range toks {
		t := &toks[i]
		if !t.word || !t.startSen || isPronounI(t.text) {
			continue
		}
		first, _ := utf8.DecodeRuneInString(t.text)
		if unicode.IsUpper(first) && i+2 < len(toks) && toks[i+1].text == " " && toks[i+2].proper {
			t.proper = true
		}
	}
	return toks
}

// markUnits marks the words of a measure after a number ("12 silver
// pieces", "30 feet", "2d6 fire damage") and coin denominations ("a gold
// piece"): game facts no lexicon may change.
func markUnits(toks []token) {
	for i := range toks {
		t := &toks[i]
		if !t.word {
			continue
		}
		lw := strings.ToLower(t.text)
		if denominations[lw] && i >= 2 && toks[i-1].text == " " && metals[strings.ToLower(toks[i-2].text)] {
			t.unit, toks[i-2].unit = true, true
		}
		if !t.number {
			continue
		}
		for j, n := i+2, 0; j < len(toks) && n < 2 && toks[j-1].text == " " && toks[j].word; j, n = j+2, n+1 {
			if !unitWords[strings.ToLower(toks[j].text)] {
				break
			}
			toks[j].unit = true
		}
	}
}

var (
	metals        = setOf(strings.Fields("gold silver copper platinum electrum"))
	denominations = setOf(strings.Fields("piece pieces gp sp cp ep pp"))
	// unitWords follow a number as its measure.
	unitWords = setOf(strings.Fields(`gold silver copper platinum electrum piece pieces coin coins gp sp cp ep pp
		foot feet ft mile miles yard yards inch inches pound pounds lb lbs hour hours minute minutes round rounds
		turn turns day days week weeks month months year years hit points hp xp damage acid bludgeoning cold fire
		force lightning necrotic piercing poison psychic radiant slashing thunder dollar dollars credit credits buck
		bucks cred creds eddies shilling shillings sovereign sovereigns doubloon doubloons cap caps`))
)

func isPronounI(w string) bool {
	switch strings.ReplaceAll(w, "’", "'") {
	case "I", "I'm", "I'll", "I've", "I'd":
		return true
	}
	return false
}

// site is a phrase the lexicons can replace.
type site struct {
	first, last int // token indexes of the first and last word
	alts        []string
	plural      bool // matched through the singular; pluralise the replacement
}

// Shares of the sentences that can take one which get an opener or a
// closer, at strength 1: all of a restyled text's, and a few of a
// generated document's (restyleDoc), whose fields are short and many.
const (
	textSentenceShare = 1.25
	docSentenceShare  = 0.2
)

// apply restyles text with the lexicons: their words and phrases, then
// their sentence rewrites (restyle_sentence.go). strength is the fraction
// of possible substitutions made (rounded), and scales the share of
// sentences rewritten; numbers are never changed and, when preserve is
// set, neither are names. It returns the new text and the key elements
// (names and numbers) that came through unchanged.
func (rs *restyler) apply(r *rand.Rand, text string, lexs []*lexicon, strength float64, preserve bool) (string, []string) {
	return rs.restyle(r, text, lexs, strength, preserve, textSentenceShare)
}

// restyle is apply with the share of sentences rewritten at strength 1.
// A share under textSentenceShare is a generated document's field, which
// gets no aside: a hook or a line of dialogue with "Not a good sign."
// after it reads as a non sequitur.
func (rs *restyler) restyle(r *rand.Rand, text string, lexs []*lexicon, strength float64, preserve bool, share float64, keep ...string) (string, []string) {
	out, kept := rs.words(r, text, lexs, strength, preserve, keep...)
	return rewriteSentences(r, out, lexs, min(max(strength, 0)*share, 1), share >= textSentenceShare, keep...), kept
}

// words makes the lexicons' word and phrase substitutions.
func (rs *restyler) words(r *rand.Rand, text string, lexs []*lexicon, strength float64, preserve bool, keep ...string) (string, []string) {
	toks := tokenize(text)
	markFixed(toks, keep)
	maxWords := 1
	for _, lx := range lexs {
		maxWords = max(maxWords, lx.maxWords)
	}
	shorten := shortens(lexs)
	var sites []site
	for i := 0; i < len(toks); i++ {
		if !toks[i].word {
			continue
		}
		if s, ok := matchAt(toks, i, lexs, maxWords, preserve); ok {
			if shorten {
				// A shortening style takes no longer replacement ("town" →
				// "frontier town").
				s.alts = slices.DeleteFunc(slices.Clone(s.alts), func(a string) bool {
					return len(strings.Fields(a)) > wordCount(toks[s.first:s.last+1])
				})
			}
			if len(s.alts) > 0 {
				sites = append(sites, s)
			}
			i = s.last
		}
	}
	strength = min(max(strength, 0), 1)
	n := int(math.Round(strength * float64(len(sites))))
	chosen := map[int]site{}
	for _, k := range r.Perm(len(sites))[:n] {
		chosen[sites[k].first] = sites[k]
	}

	var out []token
	capNext, articleNext := false, false
	changed := map[int]bool{}
	for i := 0; i < len(toks); i++ {
		s, ok := chosen[i]
		if !ok {
			t := toks[i]
			if t.word {
				if capNext {
					t.text = capitalize(t.text)
					capNext = false
				}
				if articleNext {
					fixArticle(out, t.text)
					articleNext = false
				}
			}
			out = append(out, t)
			continue
		}
		orig := toks[s.first].text
		rep := s.alts[r.IntN(len(s.alts))]
		if s.plural {
			rep = pluralize(rep)
		}
		for k := s.first; k <= s.last; k++ {
			changed[k] = true
		}
		i = s.last
		if rep == "" {
			// Drop the phrase and one neighbouring space.
			if len(out) > 0 && out[len(out)-1].text == " " {
				out = out[:len(out)-1]
			} else if i+1 < len(toks) && strings.HasPrefix(toks[i+1].text, " ") {
				toks[i+1].text = toks[i+1].text[1:]
			}
			capNext = capNext || toks[s.first].startSen
			articleNext = true
			continue
		}
		rep = matchCase(orig, rep)
		fixArticle(out, rep)
		out = append(out, token{text: rep, word: true})
	}
	var b strings.Builder
	for _, t := range out {
		b.WriteString(t.text)
	}
	return b.String(), keyElements(toks, changed)
}

// matchAt finds the longest phrase starting at word token i that a lexicon
// knows, trying lexicons in order for each length.
func matchAt(toks []token, i int, lexs []*lexicon, maxWords int, preserve bool) (site, bool) {
	var words []string
	for j := i; j < len(toks) && len(words) < maxWords; j++ {
		t := toks[j]
		if !t.word {
			if t.text != " " {
				break
			}
			continue
		}
		if t.number || t.unit || t.fixed || (preserve && t.proper) {
			break
		}
		words = append(words, strings.ToLower(strings.ReplaceAll(t.text, "’", "'")))
	}
	verbSlot := false
	if i >= 2 && toks[i-1].text == " " && toks[i-2].word {
		prev := strings.ToLower(toks[i-2].text)
		verbSlot = verbSubjects[prev] || strings.HasSuffix(prev, "ly") && len(prev) > 3
	}
	for n := len(words); n >= 1; n-- {
		phrase := strings.Join(words[:n], " ")
		if n == 1 && verbSlot && strings.HasSuffix(phrase, "s") {
			break // a verb: "the priest who guards the gate"
		}
		end := wordIndex(toks, i, n)
		for _, lx := range lexs {
			if e, ok := lx.words[phrase]; ok && e.allows(toks, i, end) {
				if alts := e.fitting(toks, i, end, phrase); len(alts) > 0 {
					return site{first: i, last: end, alts: alts}, true
				}
			}
		}
		if n == 1 {
			for _, sing := range singulars(phrase) {
				for _, lx := range lexs {
					if e, ok := lx.words[sing]; ok && !slices.Contains(e.alts, "") && e.allows(toks, i, end) {
						if alts := e.fitting(toks, i, end, sing); len(alts) > 0 {
							return site{first: i, last: end, alts: alts, plural: true}, true
						}
					}
				}
			}
		}
	}
	return site{}, false
}

// allows reports whether the entry's guard lets it replace a phrase from
// token first to token end: a dialect form only in quoted speech, a verb
// of going only where someone goes.
func (e entry) allows(toks []token, first, end int) bool {
	if e.speech && !toks[first].quoted {
		return false
	}
	if first == end && goingVerbs[strings.ToLower(toks[first].text)] && !goesHere(toks, first, end) {
		return false
	}
	switch e.guard {
	case guardAlone:
		return !nounFollows(toks, end)
	case guardBefore:
		return nounFollows(toks, end)
	}
	return true
}

// fitting are the replacements of the phrase from token i to token end
// that read well there: one that only adds a word before the phrase
// ("wizard" → "befuddled wizard") fits only right after a determiner ("the
// wizard", not "the old wizard", "the king's knights" or "out of town")
// and not inside a compound ("the town crier"); an adjective with a sense
// of its own only before a noun it suits (adjectiveFitsAt).
func (e entry) fitting(toks []token, i, end int, phrase string) []string {
	addFits := determinerBefore(toks, i) && !modifierBefore(toks, i) && !compoundFollows(toks, end)
	var out []string
	for _, a := range e.alts {
		if (addFits || !strings.HasSuffix(a, " "+phrase)) && adjectiveFitsAt(toks, end, a) {
			out = append(out, a)
		}
	}
	return out
}

// determinerBefore reports whether the word before token i, across one
// space, is a determiner, a quantity or a number: what an added epithet
// needs before it.
func determinerBefore(toks []token, i int) bool {
	if i < 2 || toks[i-1].text != " " || !toks[i-2].word {
		return false
	}
	w := strings.ToLower(toks[i-2].text)
	return determiners[w] || quantities[w] || toks[i-2].number
}

// quantities count a noun: "three towers", "many roads".
var quantities = setOf(strings.Fields("many few several some all both two three four five six seven eight nine ten dozen hundred"))

// modifierBefore reports whether the word before token i, across one
// space, modifies it: a possessive ("the king's"), or a word between a
// determiner and it ("the old").
func modifierBefore(toks []token, i int) bool {
	if i < 2 || toks[i-1].text != " " || !toks[i-2].word {
		return false
	}
	prev := strings.ToLower(strings.ReplaceAll(toks[i-2].text, "’", "'"))
	if strings.HasSuffix(prev, "'s") {
		return true
	}
	if functionWords[prev] || i < 4 || toks[i-3].text != " " {
		return false
	}
	return determiners[strings.ToLower(toks[i-4].text)]
}

// determiners open a noun phrase.
var determiners = setOf(strings.Fields("a an the this that these those his her their its our your my every each no some any"))

// nounFollows reports whether the word after token end, across one space,
// can be a noun: a word that is not a number nor a function word.
func nounFollows(toks []token, end int) bool {
	if end+2 >= len(toks) || toks[end+1].text != " " {
		return false
	}
	next := toks[end+2]
	return next.word && !next.number && !functionWords[strings.ToLower(next.text)]
}

// verbSubjects come before a verb, never a plural noun: after them, or an
// adverb in -ly, a word ending in -s is a verb in the present ("who
// guards", "she sells", "still guards", "quietly waits").
var verbSubjects = setOf(strings.Fields("who which he she it still always never often also now usually sometimes rarely"))

// functionWords are the articles, pronouns, prepositions, conjunctions,
// auxiliaries and quantifiers: words that are never the noun a guard looks
// for.
var functionWords = setOf(strings.Fields(`a an the and or but nor so yet for of in on at to from by with without
	into onto over under beneath below above across through behind beside between near past around before after
	during until since against among along toward towards upon off out up down is are was were be been being has
	have had do does did will would shall should can could may might must that which who whom whose what when where
	why how this these those it its he she they them their his her him we us our you your i me my not no as than
	then there here if each every all some any many much more most few too very also only just still while`))

func setOf(words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// wordCount is the number of word tokens in toks.
func wordCount(toks []token) int {
	n := 0
	for _, t := range toks {
		if t.word {
			n++
		}
	}
	return n
}

// wordIndex returns the token index of the n-th word counting from i.
func wordIndex(toks []token, i, n int) int {
	seen := 0
	for j := i; j < len(toks); j++ {
		if toks[j].word {
			seen++
			if seen == n {
				return j
			}
		}
	}
	return i
}

// singulars guesses the singular forms of a plural noun.
func singulars(w string) []string {
	switch {
	case strings.HasSuffix(w, "ss"), len(w) < 4:
		return nil
	case strings.HasSuffix(w, "ies"):
		return []string{strings.TrimSuffix(w, "ies") + "y"}
	case strings.HasSuffix(w, "es"):
		return []string{strings.TrimSuffix(w, "es"), strings.TrimSuffix(w, "s")}
	case strings.HasSuffix(w, "s"):
		return []string{strings.TrimSuffix(w, "s")}
	}
	return nil
}

// pluralize makes the last word of a phrase plural.
func pluralize(p string) string {
	i := strings.LastIndexByte(p, ' ')
	head, w := p[:i+1], p[i+1:]
	lw := strings.ToLower(w)
	switch {
	case strings.HasSuffix(lw, "man"):
		return head + w[:len(w)-3] + "men"
	case strings.HasSuffix(lw, "s"), strings.HasSuffix(lw, "x"), strings.HasSuffix(lw, "z"),
		strings.HasSuffix(lw, "ch"), strings.HasSuffix(lw, "sh"):
		return head + w + "es"
	case strings.HasSuffix(lw, "y") && len(lw) > 1 && !strings.ContainsRune("aeiou", rune(lw[len(lw)-2])):
		return head + w[:len(w)-1] + "ies"
	}
	return head + w + "s"
}

// matchCase gives the replacement the original's capitalisation.
func matchCase(orig, rep string) string {
	if utf8.RuneCountInString(orig) > 1 && orig == strings.ToUpper(orig) && orig != strings.ToLower(orig) {
		return strings.ToUpper(rep)
	}
	if r, _ := utf8.DecodeRuneInString(orig); unicode.IsUpper(r) {
		return capitalize(rep)
	}
	return rep
}

// fixArticle corrects "a"/"an" just before a replacement.
func fixArticle(out []token, rep string) {
	if len(out) < 2 || out[len(out)-1].text != " " || !out[len(out)-2].word {
		return
	}
	prev := &out[len(out)-2]
	lower := strings.ToLower(prev.text)
	if lower != "a" && lower != "an" {
		return
	}
	prev.text = matchCase(prev.text, article(rep))
}

// keyElements lists the names and numbers that survived unchanged, in order
// of first appearance.
func keyElements(toks []token, changed map[int]bool) []string {
	var out []string
	seen := map[string]bool{}
	addOut := func(s string) {
		if s != "" && !seen[s] && len(out) < 25 {
			seen[s] = true
			out = append(out, s)
		}
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if !t.word || changed[i] || !(t.proper || t.number) {
			continue
		}
		if t.number {
			phrase := t.text
			for i+2 < len(toks) && toks[i+1].text == " " && toks[i+2].unit {
				phrase += " " + toks[i+2].text
				i += 2
			}
			addOut(phrase)
			continue
		}
		phrase := t.text
		for i+2 < len(toks) && toks[i+1].text == " " && toks[i+2].word && toks[i+2].proper && !changed[i+2] {
			phrase += " " + toks[i+2].text
			i += 2
		}
		addOut(phrase)
	}
	return out
}
