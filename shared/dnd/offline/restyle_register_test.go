package offline

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// Texts the generators write and a game master restyles: a backstory, a
// plot summary, an appearance, a scene with speech and coins, a location,
// and rules text with dice.
var registerSamples = []string{
	"Pip grew up on the docks of Fairholm, where the tide set the hours and the sea took its share. Pip carries the customs of a river barge community wherever he goes. For a time Pip sailed as a pirate, and he still walks the deck of any ship like a captain.\n\nDarvin, a fence with a long memory, taught Pip to pick locks, read marks and disappear in a crowd. Pip made his name as a thief, climbing where others could not and opening what others could not.\n\nIn the hungry winter, a fallen paladin came to Fairholm; by morning the town was ash and Pip was one of a handful of survivors.\n\nPip has taken a handful of jobs so far, and learned to ask about the pay before the danger. Pip adventures to find the survivors, and the ones responsible.",
	"In Marshby, goblins have burned two homesteads outside the town and carried off the livestock. The trail leads to the Howling Deep, where Rixrot Mudhider, a goblin warlord, is searching for a war-horn that rallies the goblin tribes and means to take Marshby's walls for their own warren. Written for a party of 4 level-1 adventurers; theme: a frontier town beset by goblins.",
	"Ashscale is marked by years of legend, yet as sharp as ever, tall, broad and heavily built, with a proud draconic head crowned with short horns. She wears Plate Armor +3 over well-cut clothes bearing a family crest and carries a warhammer and a shield. She has the straight back and steady gaze of someone sworn to something.",
	"Thorin Ironfist strode into the tavern at Millbrook, his axe on his back, and ordered an ale for everyone. The barkeep, a nervous halfling named Tobble, counted 12 silver pieces twice before he poured.",
	"A long drive leads to a house with too many windows, and a single light burns on the top floor. Fog lies heavy on black water and drowned trees.",
	"The guard captain paid 250 gold pieces and a gold piece for the map. The pit is 30 feet deep: a creature that falls in takes 3d6 bludgeoning damage, and a DC 13 Dexterity saving throw halves it. The old priest waited by the gate for 2 days.",
}

// firstPersonNarration finds a narrator's I, me, my, we, us or our.
var firstPersonNarration = regexp.MustCompile(`(^|[^\p{L}'’])(I|I'm|I've|I'd|I'll|[Mm]e|[Mm]y|[Mm]ine|[Ww]e|[Uu]s|[Oo]ur)([^\p{L}'’]|$)`)

// withoutQuotes drops quoted speech, where a speaker may say "I".
func withoutQuotes(s string) string {
	return regexp.MustCompile(`"[^"]*"|“[^”]*”`).ReplaceAllString(s, "")
}

// doubledOpener finds an opener stacked on a capitalised opening phrase:
// "In the failing light, In Marshby".
var doubledOpener = regexp.MustCompile(`, (In|On|At|By|For|From|With|The|A|An|As|After|Before|When|While|Since|During|Under|Across|Through|Into|Over|It|This|That|There) `)

// measureWords are a number's units, which must survive with it.
const measureWords = `(?: (?:gold|silver|copper|platinum|electrum|pieces?|coins?|gp|sp|feet|ft|days?|hours?|rounds?|bludgeoning|piercing|slashing|fire|damage))*`

var numberWithUnit = regexp.MustCompile(`[+-]?\d[\dd+]*` + measureWords)

// testVerbs are verbs and auxiliaries: in these forms, with -s or -es,
// or in -ed or -eth, a word makes a sentence of a clause.
var testVerbs = setOf(strings.Fields(`is are was were be am been has have had do does did will would shall should can
	could may might must cannot tis twas hath doth art wot go went come came take took give gave tell told sing sang
	lie lay remain shine shone creep crept stay keep kept know knew see saw say said make made get got find found want
	seem feel felt look walk run ran stand stood sit sat wait hold held bring brought turn fall fell rise rose grow
	grew live die burn march triumph settle fade begin began end sell sold buy bought pay paid call cry laugh smile
	watch guard hope fear mark sleep slept wake woke speak spoke spake swear swore break broke fly flew ride rode
	hunt search carry follow leave left lead led meet met win won lose lost open close wish rest survive change
	figure care happen await fancy strike struck fight fought flee fled send sent put think thought teach taught
	learn set lead strode stride pour count order carries gutter gutters offer inform assist help wear wore beheld
	behold mean rally rallies bear bore cross idle halve halves spell sing record mind locate adventure enquire
	obtain commence conclude purchase regard observe state dispatch engage retreat proceed discover require wish`))

// verbForm reports whether a lower-case word is a verb by testVerbs, with
// or without -s or -es, in -ed or -eth, or a pronoun with "is" or "has"
// contracted onto it.
func verbForm(w string) bool {
	w = strings.TrimPrefix(strings.ReplaceAll(w, "’", "'"), "'")
	if base, ok := strings.CutSuffix(w, "'s"); ok {
		return setOf(strings.Fields("it that there here what who he she nothing everything something"))[base]
	}
	return testVerbs[w] || testVerbs[strings.TrimSuffix(w, "s")] || testVerbs[strings.TrimSuffix(w, "es")] ||
		strings.HasSuffix(w, "n't") || strings.HasSuffix(w, "'re") || strings.HasSuffix(w, "'ll") ||
		strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "eth")
}

// fragments counts the sentences with no verb form.
func fragments(text string) (int, []string) {
	var out []string
	for _, s := range regexp.MustCompile(`[^.!?]+[.!?]*`).FindAllString(withoutQuotes(text), -1) {
		words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !('a' <= r && r <= 'z' || r == '\'' || r == '’') })
		if len(words) > 0 && !slices.ContainsFunc(words, verbForm) {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return len(out), out
}

// registerProblems lists what a restyle of in must not do to it: change
// its grammatical person, stack an opener on an opening phrase, add a
// sentence without a verb, or change a number, its unit or a die.
func registerProblems(in, out string) []string {
	var p []string
	if !firstPersonNarration.MatchString(withoutQuotes(in)) {
		if m := firstPersonNarration.FindString(withoutQuotes(out)); m != "" {
			p = append(p, fmt.Sprintf("first person %q in a third-person text", strings.TrimSpace(m)))
		}
	}
	if m := doubledOpener.FindString(out); m != "" && !strings.Contains(in, m) {
		p = append(p, fmt.Sprintf("a doubled opener %q", m))
	}
	if nIn, _ := fragments(in); true {
		if nOut, frags := fragments(out); nOut > nIn {
			p = append(p, fmt.Sprintf("%d sentences without a verb, the original %d: %q", nOut, nIn, frags))
		}
	}
	for _, n := range numberWithUnit.FindAllString(in, -1) {
		if !strings.Contains(out, n) {
			p = append(p, fmt.Sprintf("%q is not kept verbatim", n))
		}
	}
	return p
}

// TestRegisterProblemsFindsDefects checks the checker on what restyles
// once wrote.
func TestRegisterProblemsFindsDefects(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, out string }{
		{"Darvin taught Pip to pick locks.", "Darvin taught Pip to pick locks, and I didn't like the look of it."},
		{"In Marshby, goblins have burned two homesteads.", "In the failing light, In Marshby, goblins have burned two homesteads."},
		{"Pip adventures to find the survivors, and the ones responsible.", "Pip adventures to find survivors. Ones responsible."},
		{"Thorin ordered an ale.", "Thorin ordered an ale. Classic."},
		{"Tobble counted 12 silver pieces twice.", "Tobble counted 12 pieces of eight twice."},
		{"It deals 2d6 fire damage.", "It deals 2d6 plasma damage."},
	}
	for _, tc := range tests {
		if p := registerProblems(tc.in, tc.out); len(p) == 0 {
			t.Errorf("registerProblems(%q, %q) = none, want one", tc.in, tc.out)
		}
	}
	for _, s := range append(slices.Clone(registerSamples), restyleSamples...) {
		if p := registerProblems(s, s); len(p) > 0 {
			t.Errorf("registerProblems(a text, itself) = %q, want none: %q", p, s)
		}
	}
}

// registerThemes are every known value alone, genres with tones and
// styles, and the words a game master may send for them.
func registerThemes() []dnd.Theme {
	themes := knownThemes()
	for _, genre := range dnd.KnownGenres() {
		for _, tone := range dnd.KnownTones() {
			themes = append(themes, dnd.Theme{Genre: genre, Tone: tone})
		}
		for _, style := range dnd.KnownStyles() {
			themes = append(themes, dnd.Theme{Genre: genre, Tone: "gritty", Style: style})
		}
	}
	return append(themes, dnd.Theme{Genre: "solarpunk"}, dnd.Theme{Tone: "mysterious", Style: "shakespearean"},
		dnd.Theme{Genre: "pirate", Tone: "lighthearted", Style: "casual"}, dnd.Theme{Genre: "noir", Tone: "gritty"})
}

// TestRestyleKeepsTheRegister restyles texts of every kind the generators
// write with every known value and many combinations: the person, the
// openings, whole sentences, and numbers with their units and dice come
// through.
func TestRestyleKeepsTheRegister(t *testing.T) {
	t.Parallel()
	g := New()
	texts := append(slices.Clone(registerSamples), restyleSamples...)
	for _, th := range registerThemes() {
		for i, text := range texts {
			for _, strength := range []float64{0.5, dnd.DefaultStrength, 1} {
				res, _ := restyled(t, g, text, th, strength, int64(600+i))
				for _, p := range registerProblems(text, res.Content) {
					t.Errorf("Theme(%+v, strength %v) of text %d: %s in %q", th, strength, i, p, res.Content)
				}
			}
		}
	}
}

// TestRestyleKeepsFirstPerson checks that a first-person text may get a
// narrator's aside, and a third-person one never.
func TestRestyleKeepsFirstPerson(t *testing.T) {
	t.Parallel()
	g := New()
	first := "I walked into the tavern at dusk. My contact sat by the door, and I ordered a drink. We talked until the candles burned low."
	seen := false
	for seed := range int64(40) {
		res, _ := restyled(t, g, first, dnd.Theme{Genre: "noir", Tone: "gritty"}, 1, seed)
		if !strings.HasPrefix(res.Content, "I ") && !firstPersonNarration.MatchString(res.Content) {
			t.Fatalf("Theme(first-person text) = %q, which lost its narrator", res.Content)
		}
		seen = seen || strings.Contains(res.Content, "The way folks tell it") || strings.Contains(res.Content, "nobody liked")
	}
	if !seen {
		t.Errorf("no restyle of a noir first-person text over 40 seeds used a noir phrase, want the lexicon in use")
	}
}

// terseStyles are the styles that ask for shorter text.
var terseStyles = []string{"terse", "concise", "minimal", "minimalist", "telegraphic", "sparse", "blunt", "punchy"}

// TestTerseShortens checks that a style asking for brevity takes words
// away, whatever genre and tone come with it.
func TestTerseShortens(t *testing.T) {
	t.Parallel()
	g := New()
	texts := append(slices.Clone(registerSamples), restyleSamples...)
	for _, style := range terseStyles {
		for _, genre := range dnd.KnownGenres() {
			for _, tone := range []string{"", "dark", "whimsical", "epic", "hopeful"} {
				th := dnd.Theme{Genre: genre, Tone: tone, Style: style}
				for i, text := range texts {
					res, _ := restyled(t, g, text, th, dnd.DefaultStrength, int64(i+11))
					if in, out := len(strings.Fields(text)), len(strings.Fields(res.Content)); out >= in {
						t.Errorf("Theme(%+v) of text %d: %d words from %d, want fewer: %q", th, i, out, in, res.Content)
					}
				}
			}
		}
	}
}

// TestReviewRestyles replays eleven restyles a game master found wanting,
// with their seeds: each must read as written.
func TestReviewRestyles(t *testing.T) {
	t.Parallel()
	g := New()
	pip, plot, look, tavern, house := registerSamples[0], registerSamples[1], registerSamples[2], registerSamples[3], registerSamples[4]
	tests := []struct {
		text   string
		theme  dnd.Theme
		seed   int64
		absent []string
	}{
		{pip, dnd.Theme{Genre: "noir", Tone: "gritty"}, 600, []string{"I didn't"}},
		{plot, dnd.Theme{Genre: "horror", Tone: "dark"}, 601, []string{", In Marshby"}},
		{look, dnd.Theme{Genre: "sci-fi", Tone: "epic", Style: "formal"}, 602, []string{"klaxon"}},
		{tavern, dnd.Theme{Genre: "solarpunk"}, 603, nil},
		{house, dnd.Theme{Genre: "steampunk", Tone: "whimsical"}, 604, nil},
		{tavern, dnd.Theme{Genre: "pirate", Tone: "lighthearted", Style: "casual"}, 605, []string{"told", "pieces of eight", "Classic."}},
		{pip, dnd.Theme{Genre: "western", Style: "terse"}, 606, []string{"Ones responsible", "frontier", "I reckon"}},
		{plot, dnd.Theme{Genre: "cyberpunk", Tone: "grim"}, 607, []string{", In Marshby"}},
		{look, dnd.Theme{Genre: "fantasy", Style: "archaic"}, 608, []string{"somewhat"}},
		{tavern, dnd.Theme{Genre: "post-apocalyptic", Tone: "hopeful", Style: "poetic"}, 609, []string{"bottle caps"}},
		{house, dnd.Theme{Tone: "mysterious", Style: "shakespearean"}, 610, nil},
	}
	for _, tc := range tests {
		res, _ := restyled(t, g, tc.text, tc.theme, dnd.DefaultStrength, tc.seed)
		problems := append(registerProblems(tc.text, res.Content), grammarProblems(res.Content)...)
		for _, a := range tc.absent {
			if strings.Contains(res.Content, a) {
				problems = append(problems, fmt.Sprintf("holds %q", a))
			}
		}
		if res.SimilarityScore > 0.97 {
			problems = append(problems, fmt.Sprintf("similarity %v, want a visible restyle", res.SimilarityScore))
		}
		for _, p := range problems {
			t.Errorf("Theme(%+v, seed %d): %s in %q", tc.theme, tc.seed, p, res.Content)
		}
	}
}
