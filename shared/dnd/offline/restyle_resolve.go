package offline

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/editdist"
)

// resolve finds the lexicons a theme asks for (resolveTheme) without the
// warnings.
func (rs *restyler) resolve(t dnd.Theme) []*lexicon {
	lexs, _ := rs.resolveTheme(t)
	return lexs
}

// resolveTheme finds the lexicons a theme asks for, genre first, then
// tone, then style, and says what it could not read as asked. Each field
// is read as a whole ("dark fantasy"), then word by word ("steampunk
// western"); a word is a lexicon's name, an alias (another spelling, read
// silently) or a related word ("solarpunk" is read as sci-fi and hopeful,
// with a warning). A field none of whose words is any of these is read as
// the nearest known word by edit distance ("horor" as horror, "opera" as
// the nearest genre), with a warning: a theme always restyles.
func (rs *restyler) resolveTheme(t dnd.Theme) ([]*lexicon, []string) {
	var out []*lexicon
	var warnings []string
	add := func(names []string) {
		for _, n := range names {
			if lx := rs.lexicons[n]; lx != nil && !slices.Contains(out, lx) {
				out = append(out, lx)
			}
		}
	}
	for _, f := range []struct{ kind, value string }{{"genre", t.Genre}, {"tone", t.Tone}, {"style", t.Style}} {
		key := normalWord(f.value)
		if key == "" {
			continue
		}
		field := "theme." + f.kind
		if names, exact := rs.known(key); names != nil {
			add(names)
			if !exact {
				warnings = append(warnings, closestWarning(field, f.value, f.kind, names))
			}
			continue
		}
		names, approx, unknown := wordByWord(rs, key)
		if names == nil {
			names = rs.nearest(key, f.kind)
			warnings = append(warnings, closestWarning(field, f.value, f.kind, names))
			add(names)
			continue
		}
		add(names)
		for _, a := range approx {
			warnings = append(warnings, closestWarning(field, a.word, f.kind, a.names))
		}
		if len(unknown) > 0 {
			warnings = append(warnings, fmt.Sprintf("%s %q: %s %s not known to the offline restyler and %s ignored",
				field, f.value, joinAnd(quoteAll(unknown)), plural(len(unknown), "is", "are"), plural(len(unknown), "was", "were")))
		}
	}
	return out, warnings
}

// known reads a whole word or phrase: a lexicon's name or an alias
// (exact), or a related word, or the stem of either ("noirish",
// "pirate-y"), which are not exact.
func (rs *restyler) known(w string) (names []string, exact bool) {
	if _, ok := rs.lexicons[w]; ok {
		return []string{w}, true
	}
	if a, ok := rs.aliases[w]; ok {
		return a, true
	}
	if c, ok := rs.closest[w]; ok {
		return c, false
	}
	for _, suffix := range []string{"-esque", "esque", "-ish", "ish", "-like", "-style", "-y", "y", "ic", "al", "s"} {
		stem, ok := strings.CutSuffix(w, suffix)
		if !ok || len(stem) < 4 {
			continue
		}
		if names, _ := rs.known(stem); names != nil && stem != w {
			return names, false
		}
	}
	return nil, false
}

// reading is a word read as the known words nearest it.
type reading struct {
	word  string
	names []string
}

// wordByWord reads a phrase a pair of words or a word at a time, and the
// parts of hyphenated words ("über-gothic" as gothic). It returns the
// lexicons named, the words read only approximately (related words,
// stems and hyphenated words), and the words it could not read.
func wordByWord(rs *restyler, key string) (names []string, approx []reading, unknown []string) {
	words := strings.Fields(key)
	take := func(w string) bool {
		got, exact := rs.known(w)
		if got == nil {
			return false
		}
		names = append(names, got...)
		if !exact {
			approx = append(approx, reading{w, got})
		}
		return true
	}
	for i := 0; i < len(words); i++ {
		if i+1 < len(words) && take(words[i]+" "+words[i+1]) {
			i++
			continue
		}
		if take(words[i]) {
			continue
		}
		var got []string
		for _, p := range strings.Split(words[i], "-") {
			if part, _ := rs.known(p); part != nil && p != words[i] {
				got = append(got, part...)
			}
		}
		if got == nil {
			unknown = append(unknown, words[i])
			continue
		}
		names = append(names, got...)
		approx = append(approx, reading{words[i], got})
	}
	return names, approx, unknown
}

// nearest is the known word (lexicon name, alias or related word) nearest
// to key or to one of its words by edit distance relative to length,
// preferring words of the field's kind; ties go to the first in sorted
// order.
func (rs *restyler) nearest(key, kind string) []string {
	targets := func(k string) []string {
		if _, ok := rs.lexicons[k]; ok {
			return []string{k}
		}
		if a, ok := rs.aliases[k]; ok {
			return a
		}
		return rs.closest[k]
	}
	var best []string
	bestScore := 2.0
	for _, w := range append([]string{key}, strings.Fields(key)...) {
		for _, k := range rs.keys {
			t := targets(k)
			score := float64(editdist.Distance(w, k)) / float64(max(len([]rune(w)), len([]rune(k))))
			if rs.lexicons[t[0]].kind != kind {
				score += 0.25 // another kind only for a near miss ("horor" as a tone is horror)
			}
			if score < bestScore {
				best, bestScore = t, score
			}
		}
	}
	return best
}

// normalWord lower-cases a theme word and folds its separators to single
// spaces.
func normalWord(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return unicode.IsSpace(r) || r == '_' || r == '/' || r == ','
	}), " ")
}

func closestWarning(field, value, kind string, names []string) string {
	return fmt.Sprintf("%s %q is not a %s the offline restyler knows; it used the closest it knows: %s",
		field, value, kind, strings.Join(names, " and "))
}

func quoteAll(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = fmt.Sprintf("%q", w)
	}
	return out
}
