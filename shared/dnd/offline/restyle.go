package offline

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// lexicon is one set of substitutions: a genre's vocabulary, a tone's
// register or a style's phrasing.
type lexicon struct {
	name     string
	kind     string
	mood     string
	words    map[string][]string // lower-case phrase → replacements
	maxWords int                 // longest phrase, in words
}

// restyler rewrites text by phrase substitution. It is rule-based: it knows
// the words in its lexicons and nothing else.
type restyler struct {
	lexicons map[string]*lexicon
	aliases  map[string][]string
}

func newRestyler(d restyleTables) (*restyler, error) {
	rs := &restyler{lexicons: map[string]*lexicon{}, aliases: d.Aliases}
	for name, ld := range d.Lexicons {
		switch ld.Kind {
		case "genre", "tone", "style":
		default:
			return nil, fmt.Errorf("lexicon %s: kind %q", name, ld.Kind)
		}
		lx := &lexicon{name: name, kind: ld.Kind, mood: ld.Mood, words: map[string][]string{}}
		for k, v := range ld.Words {
			var alts []string
			switch v := v.(type) {
			case string:
				alts = []string{v}
			case []any:
				for _, a := range v {
					s, ok := a.(string)
					if !ok {
						return nil, fmt.Errorf("lexicon %s: %q has a non-string replacement", name, k)
					}
					alts = append(alts, s)
				}
			default:
				return nil, fmt.Errorf("lexicon %s: %q must map to a string or a list", name, k)
			}
			if k != strings.ToLower(k) || len(alts) == 0 || slices.Contains(alts, k) {
				return nil, fmt.Errorf("lexicon %s: bad entry %q", name, k)
			}
			lx.words[k] = alts
			lx.maxWords = max(lx.maxWords, len(strings.Fields(k)))
		}
		rs.lexicons[name] = lx
	}
	for alias, targets := range d.Aliases {
		for _, t := range targets {
			if _, ok := rs.lexicons[t]; !ok {
				return nil, fmt.Errorf("alias %q names unknown lexicon %q", alias, t)
			}
		}
	}
	return rs, nil
}

// resolve finds the lexicons a theme asks for, genre first, then tone, then
// style. Each field is matched as a whole ("dark fantasy"), then word by
// word ("cosmic horror" → horror). Unknown words are ignored.
func (rs *restyler) resolve(t dnd.Theme) []*lexicon {
	var out []*lexicon
	add := func(names ...string) {
		for _, n := range names {
			if lx := rs.lexicons[n]; lx != nil && !slices.Contains(out, lx) {
				out = append(out, lx)
			}
		}
	}
	for _, field := range []string{t.Genre, t.Tone, t.Style} {
		key := strings.Join(strings.FieldsFunc(strings.ToLower(field), func(r rune) bool {
			return unicode.IsSpace(r) || r == '_' || r == '/' || r == ','
		}), " ")
		if key == "" {
			continue
		}
		if _, ok := rs.lexicons[key]; ok {
			add(key)
			continue
		}
		if a, ok := rs.aliases[key]; ok {
			add(a...)
			continue
		}
		words := strings.Fields(key)
		for i := 0; i < len(words); i++ {
			if i+1 < len(words) {
				pair := words[i] + " " + words[i+1]
				if a, ok := rs.aliases[pair]; ok {
					add(a...)
					i++
					continue
				}
			}
			if _, ok := rs.lexicons[words[i]]; ok {
				add(words[i])
			} else if a, ok := rs.aliases[words[i]]; ok {
				add(a...)
			}
		}
	}
	return out
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
	proper   bool // a name: keep when preserving key elements
	startSen bool // first word of a sentence
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
	// Mark sentence starts, numbers and proper nouns.
	start := true
	for i := range toks {
		t := &toks[i]
		if !t.word {
			if strings.ContainsAny(t.text, ".!?\n…") {
				start = true
			}
			continue
		}
		t.startSen = start
		start = false
		t.number = strings.IndexFunc(t.text, unicode.IsDigit) >= 0
		first, _ := utf8.DecodeRuneInString(t.text)
		if unicode.IsUpper(first) && !t.startSen && !isPronounI(t.text) {
			t.proper = true
		}
	}
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

// apply restyles text with the lexicons. strength is the fraction of
// possible substitutions made (rounded); numbers are never changed and,
// when preserve is set, neither are names. It returns the new text and the
// key elements (names and numbers) that came through unchanged.
func (rs *restyler) apply(r *rand.Rand, text string, lexs []*lexicon, strength float64, preserve bool) (string, []string) {
	toks := tokenize(text)
	maxWords := 1
	for _, lx := range lexs {
		maxWords = max(maxWords, lx.maxWords)
	}
	var sites []site
	for i := 0; i < len(toks); i++ {
		if !toks[i].word {
			continue
		}
		if s, ok := matchAt(toks, i, lexs, maxWords, preserve); ok {
			sites = append(sites, s)
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
		if t.number || (preserve && t.proper) {
			break
		}
		words = append(words, strings.ToLower(strings.ReplaceAll(t.text, "’", "'")))
	}
	for n := len(words); n >= 1; n-- {
		phrase := strings.Join(words[:n], " ")
		end := wordIndex(toks, i, n)
		for _, lx := range lexs {
			if alts, ok := lx.words[phrase]; ok {
				return site{first: i, last: end, alts: alts}, true
			}
		}
		if n == 1 {
			for _, sing := range singulars(phrase) {
				for _, lx := range lexs {
					if alts, ok := lx.words[sing]; ok && !slices.Contains(alts, "") {
						return site{first: i, last: end, alts: alts, plural: true}, true
					}
				}
			}
		}
	}
	return site{}, false
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
			addOut(t.text)
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
