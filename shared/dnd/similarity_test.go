package dnd

import "testing"

func TestSimilarity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want float64
	}{
		{"", "", 1},
		{"a", "", 0},
		{"", "...", 1},
		{"The knight rode on.", "the KNIGHT, rode on!", 1},
		{"alpha beta", "gamma delta", 0},
		{"a b", "a c", 0.5},
		{"a a b", "a b b", 0.8},
		{"one two three", "one two three four", 0.866},
	}
	for _, tc := range tests {
		if got := Similarity(tc.a, tc.b); got != tc.want {
			t.Errorf("Similarity(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got, back := Similarity(tc.a, tc.b), Similarity(tc.b, tc.a); got != back {
			t.Errorf("Similarity is not symmetric: %v vs %v", got, back)
		}
	}
}
