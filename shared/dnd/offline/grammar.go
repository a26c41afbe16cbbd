package offline

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// grammar maps a symbol to its alternatives. An alternative may reference
// other symbols as {name}, with optional modifiers: {name.cap} capitalises
// the first letter, {name.a} prefixes "a" or "an", {name.lc} lower-cases.
// A symbol may have mood variants named "symbol@mood" (dark, light, epic).
type grammar map[string][]string

// expander fills templates from a grammar. Variables win over symbols and
// are inserted literally, never expanded, so caller text cannot inject
// template syntax.
type expander struct {
	g    grammar
	r    *rand.Rand
	vars map[string]string
	mood string
	// used holds, for each symbol that must not repeat (noRepeat), the
	// alternatives already chosen.
	used map[string]map[string]bool
}

func newExpander(g grammar, r *rand.Rand, mood string) *expander {
	return &expander{g: g, r: r, vars: map[string]string{}, mood: mood}
}

// set binds variables; pairs are name, value.
func (e *expander) set(pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		e.vars[pairs[i]] = pairs[i+1]
	}
}

// noRepeat makes the symbols draw each alternative once before any
// repeats, so two people in one document are never "a round-faced
// veteran smelling faintly of smoke" alike.
func (e *expander) noRepeat(symbols ...string) {
	if e.used == nil {
		e.used = map[string]map[string]bool{}
	}
	for _, s := range symbols {
		e.used[s] = map[string]bool{}
	}
}

// choose draws one of a symbol's alternatives: any, or for a symbol that
// must not repeat, one not drawn yet while any is left.
func (e *expander) choose(symbol string, alts []string) string {
	used, ok := e.used[symbol]
	if !ok {
		return alts[e.r.IntN(len(alts))]
	}
	var left []string
	for _, a := range alts {
		if !used[a] {
			left = append(left, a)
		}
	}
	if len(left) == 0 {
		clear(used)
		left = alts
	}
	a := left[e.r.IntN(len(left))]
	used[a] = true
	return a
}

const maxDepth = 12

// expand fills a template.
func (e *expander) expand(tmpl string) (string, error) {
	return e.expandDepth(tmpl, 0)
}

// must expands a template known to be valid into a finished sentence or
// field (first letter capitalised). An error is a data bug that the
// generator's tests catch, so it panics and the generator recovers.
func (e *expander) must(tmpl string) string {
	s, err := e.expand(tmpl)
	if err != nil {
		panic(dataError{err})
	}
	return tidy(s, true)
}

// frag expands a template into a fragment for use inside other text: the
// first letter keeps its case.
func (e *expander) frag(tmpl string) string {
	s, err := e.expand(tmpl)
	if err != nil {
		panic(dataError{err})
	}
	return tidy(s, false)
}

// pick chooses one alternative of symbol (mood-aware) and expands it.
func (e *expander) pick(symbol string) string { return capitalize(e.pickFrag(symbol)) }

// pickFrag is pick for a fragment.
func (e *expander) pickFrag(symbol string) string {
	alts, err := e.alternatives(symbol)
	if err != nil {
		panic(dataError{err})
	}
	return e.frag(e.choose(symbol, alts))
}

// oneFrag expands a random template from list as a fragment.
func (e *expander) oneFrag(list []string) string {
	if len(list) == 0 {
		panic(dataError{fmt.Errorf("empty template list")})
	}
	return e.frag(list[e.r.IntN(len(list))])
}

// one expands a random template from list.
func (e *expander) one(list []string) string {
	if len(list) == 0 {
		panic(dataError{fmt.Errorf("empty template list")})
	}
	return e.must(list[e.r.IntN(len(list))])
}

// some expands n distinct random templates from list (fewer if short).
func (e *expander) some(list []string, n int) []string {
	out := make([]string, 0, n)
	for _, i := range e.r.Perm(len(list)) {
		if len(out) == n {
			break
		}
		out = append(out, e.must(list[i]))
	}
	return out
}

func (e *expander) alternatives(symbol string) ([]string, error) {
	base, ok := e.g[symbol]
	variant := e.g[symbol+"@"+e.mood]
	if e.mood != "" && len(variant) > 0 && (!ok || e.r.IntN(10) < 6) {
		return variant, nil
	}
	if !ok || len(base) == 0 {
		return nil, fmt.Errorf("unknown grammar symbol %q", symbol)
	}
	return base, nil
}

func (e *expander) expandDepth(tmpl string, depth int) (string, error) {
	if depth > maxDepth {
		return "", fmt.Errorf("grammar recursion too deep at %q", tmpl)
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String(), nil
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("unclosed { in %q", tmpl)
		}
		b.WriteString(tmpl[:i])
		ref := tmpl[i+1 : i+j]
		tmpl = tmpl[i+j+1:]
		name, mod, _ := strings.Cut(ref, ".")
		var val string
		if v, ok := e.vars[name]; ok {
			val = v
		} else {
			alts, err := e.alternatives(name)
			if err != nil {
				return "", err
			}
			if val, err = e.expandDepth(e.choose(name, alts), depth+1); err != nil {
				return "", err
			}
		}
		switch mod {
		case "":
		case "cap":
			val = capitalize(val)
		case "a":
			val = article(val) + " " + val
		case "lc":
			val = strings.ToLower(val)
		default:
			return "", fmt.Errorf("unknown modifier %q in {%s}", mod, ref)
		}
		b.WriteString(val)
	}
}

// dataError marks a panic caused by bad embedded data, so the generator can
// turn it into an error instead of crashing the worker.
type dataError struct{ err error }

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// article returns "a" or "an" for the word that follows it.
func article(s string) string {
	w := strings.ToLower(strings.TrimLeft(s, "\"'("))
	for _, p := range []string{"uni", "use", "one", "eu", "ewe", "once", "ufo"} {
		if strings.HasPrefix(w, p) {
			return "a"
		}
	}
	for _, p := range []string{"hour", "honest", "honour", "honor", "heir"} {
		if strings.HasPrefix(w, p) {
			return "an"
		}
	}
	if w != "" && strings.ContainsRune("aeiou", rune(w[0])) {
		return "an"
	}
	// Numbers read aloud: "an 8th-level spell", "an 80-foot drop", "an
	// 11th-level spell", "an 18-foot pole"; "a 1st-level spell".
	if strings.HasPrefix(w, "8") {
		return "an"
	}
	for _, p := range []string{"11", "18"} {
		if strings.HasPrefix(w, p) && (len(w) == len(p) || w[len(p)] < '0' || w[len(p)] > '9') {
			return "an"
		}
	}
	return "a"
}

// tidy fixes spacing left by empty expansions and capitalises sentences
// (and the first letter when capFirst is set).
func tidy(s string, capFirst bool) string {
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	// An ellipsis is set aside first: the space before one ("Hush! ...Fine")
	// is the writer's.
	for _, p := range [][2]string{{"...", "\x00"}, {" ,", ","}, {" .", "."}, {" ;", ";"}, {" !", "!"}, {" ?", "?"}, {"..", "."}, {"\x00", "..."}} {
		s = strings.ReplaceAll(s, p[0], p[1])
	}
	s = strings.TrimSpace(s)
	var b strings.Builder
	start := capFirst
	prev := rune(0)
	for _, r := range s {
		if start && unicode.IsLetter(r) {
			r = unicode.ToUpper(r)
			start = false
		} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
			start = false
		}
		b.WriteRune(r)
		switch {
		case r == '.' && prev == '.':
			start = false // an ellipsis trails off mid-sentence
		case r == '.' || r == '!' || r == '?' || r == '\n':
			start = true
		}
		prev = r
	}
	return b.String()
}
