package dnd

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The acts of a plot, as its duration gives them.
const (
	MaxActs     = 8 // the most acts a plot gets ("8 sessions")
	DefaultActs = 2 // acts when the duration is missing or not understood
)

var (
	sessionsRE = regexp.MustCompile(`^(?:a |an )?(\w+)[ -]sessions?$`)
	oneShotRE  = regexp.MustCompile(`^(?:a |an )?(?:one[ -]?shot|single session|one session|1 session)$`)
	numberWord = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
		"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "single": 1}
)

// ActCount reads a duration as a number of plot acts: "one-shot" or "one
// session" 1; "N sessions" (digits or words) N, at most 8; "a short arc" 3;
// "a long campaign" 6. A missing duration gives 2 acts; anything else gives
// 2 acts and a warning, as does a session count above 8 (capped at 8).
// Both providers plan a plot's acts by it: the offline generator writes
// that many, and a model is told to and refused otherwise.
func ActCount(duration string) (int, string) {
	d := strings.Join(strings.Fields(strings.ToLower(strings.Trim(duration, " .!"))), " ")
	switch {
	case d == "":
		return DefaultActs, ""
	case oneShotRE.MatchString(d):
		return 1, ""
	case d == "a short arc" || d == "short arc":
		return 3, ""
	case d == "a long campaign" || d == "long campaign":
		return 6, ""
	}
	if m := sessionsRE.FindStringSubmatch(d); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			n = numberWord[m[1]]
		}
		switch {
		case n >= 1 && n <= MaxActs:
			return n, ""
		case n > MaxActs:
			return MaxActs, fmt.Sprintf("duration %q: at most %d sessions are planned as acts; the plot has %d", duration, MaxActs, MaxActs)
		}
	}
	return DefaultActs, fmt.Sprintf(`duration %q was not understood (use "one-shot", "one session", "N sessions" up to %d, "a short arc" or "a long campaign"); the plot has %d acts`,
		duration, MaxActs, DefaultActs)
}
