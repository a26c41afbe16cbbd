package offline

import (
	"strings"
	"sync"

	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

// fixedPhrases are idioms a word-for-word rewrite turns into nonsense:
// "for good" is not "for grim", a wedding night is not a "wedding
// darkness", old friends are not "decaying friends".
var fixedPhrases = []string{
	"for good", "good luck", "good night", "wedding night", "the night everything", "night and day", "day and night",
	"all night", "last night", "tonight", "old friend", "old friends", "old times", "old habits", "of old",
	"good as new", "in good faith", "the good of", "no good", "make good", "made good", "so long", "long ago",
	"at last", "at least", "at once", "all the same",
	"goes cold", "went cold", "gone cold", "run cold", "runs cold", "ran cold", "in cold blood",
	"a night", "one night", "each night", "every night", "at night", "that night", "by night", "for the night", "the night before",
	"to guard", "to watch", "to hunt", "on guard", "keep watch",
	"in town", "of town", "into town", "out of town", "to town", "from town",
}

// monsterPhrases are the SRD monster names of two words or more, singular
// and plural, as lower-case word lists: "night hag", "bandit captains".
var monsterPhrases = sync.OnceValue(func() [][]string {
	var out [][]string
	for _, m := range encounter.Monsters() {
		for _, n := range []string{m.Name, m.PluralName()} {
			if ws := strings.Fields(strings.ToLower(n)); len(ws) > 1 {
				out = append(out, ws)
			}
		}
	}
	for _, p := range fixedPhrases {
		out = append(out, strings.Fields(p))
	}
	return out
})

// markFixed marks the word tokens no lexicon may change: SRD monster
// names ("a night hag" is never "a darkness hag"), idioms, and each of
// keep, such as the request's own words echoed in the text.
func markFixed(toks []token, keep []string) {
	var idx []int // token index of each word
	var words []string
	for i, t := range toks {
		if t.word {
			idx = append(idx, i)
			words = append(words, strings.ToLower(strings.ReplaceAll(t.text, "’", "'")))
		}
	}
	phrases := monsterPhrases()
	for _, k := range keep {
		if ws := strings.Fields(strings.ToLower(strings.Join(tokenWords(k), " "))); len(ws) > 0 {
			phrases = append(phrases[:len(phrases):len(phrases)], ws)
		}
	}
	for _, p := range phrases {
		for i := 0; i+len(p) <= len(words); i++ {
			if words[i] != p[0] || !equalWords(words[i:i+len(p)], p) {
				continue
			}
			for j := i; j < i+len(p); j++ {
				toks[idx[j]].fixed = true
			}
		}
	}
}

// tokenWords lists the words of s as the tokenizer reads them.
func tokenWords(s string) []string {
	var out []string
	for _, t := range tokenize(s) {
		if t.word {
			out = append(out, t.text)
		}
	}
	return out
}

func equalWords(a, b []string) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
