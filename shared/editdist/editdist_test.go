package editdist

import "testing"

func TestDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"horor", "horror", 1}, {"noir", "nior", 1},
		{"steampunk", "solarpunk", 3}, {"kitten", "sitting", 3}, {"ключ", "ключи", 1}, {"crwon", "crown", 1},
	}
	for _, tc := range tests {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
