package dnd

import (
	"math"
	"strings"
	"unicode"
)

// Similarity scores how alike two texts are in wording, from 0 (no word in
// common) to 1 (the same words, equally often). It is the cosine of the
// texts' word-frequency vectors, case-insensitive, ignoring punctuation, and
// rounded to four decimal places. Two empty texts are identical (1).
func Similarity(a, b string) float64 {
	ta, tb := termCounts(a), termCounts(b)
	if len(ta) == 0 && len(tb) == 0 {
		return 1
	}
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	var dot, na, nb int64 // integers keep the result independent of map order
	for w, n := range ta {
		na += n * n
		dot += n * tb[w]
	}
	for _, n := range tb {
		nb += n * n
	}
	s := float64(dot) / (math.Sqrt(float64(na)) * math.Sqrt(float64(nb)))
	return min(1, max(0, math.Round(s*10000)/10000))
}

func termCounts(s string) map[string]int64 {
	counts := map[string]int64{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		counts[w]++
	}
	return counts
}
