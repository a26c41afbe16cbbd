package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// restyleSamples are the kind of prose a game master restyles: narration
// with speech, a dungeon, a merchant, a battle, a second-person opening
// and a voyage.
var restyleSamples = []string{
	"The old wizard walked into the tavern and said that the road to the castle was closed. A dragon had burned the village, and the king's knights had fled into the forest. \"We need brave heroes,\" he said, and he put a bag of 50 gold pieces on the table.",
	"Beneath the ruined temple lies a dark cave where the dead do not rest. Torches gutter in the cold wind, and the priest who guards the gate will not speak of what he saw. The party must find the lost sword before the night is over.",
	"Mira the merchant sells potions, maps and rope from a small cart in the market. She is friendly, but she is afraid of the guards, who take a coin from every stall. If the party helps her, she tells them about a secret door in the old tower.",
	"The goblins attacked at dawn. They came over the wall with spears and fire, and the soldiers fought them in the street until the sun was high. When it was over, the captain counted the dead and sent a messenger to the city for help.",
	"You find yourselves in a small village at the edge of the forest. The people here are tired and hungry, and they look at strangers with fear. An old woman by the well tells you that children have gone missing, and that the mayor does nothing.",
	"The ship sailed north for three days through storm and fog. On the fourth morning the sailors saw an island with a tall black tower, and the captain ordered the crew to drop anchor in the bay. Nobody wanted to go ashore.",
}

// grammarSample holds what broke before: coin units, a hearth, gold as a
// material, an adjective with its preposition, a verb after "who".
const grammarSample = "The captain of the Salt Maiden owed 250 gold pieces to the guild. His crew sits by the fire in the Gilded Eel and drinks ale every night. A gold ring, 3 silver pieces and a gold coin lie on the table. She is afraid of the guards, and the priest who guards the gate has fled."

func restyled(t testing.TB, g *Generator, text string, th dnd.Theme, strength float64, seed int64) (dnd.ThemeResult, []string) {
	t.Helper()
	out, err := g.Theme(context.Background(), dnd.ThemeRequest{
		Content: text, Theme: th, Parameters: dnd.ThemeParams{Strength: &strength}, Seed: &seed,
	})
	if err != nil {
		t.Fatalf("Theme(%+v) error: %v", th, err)
	}
	var res dnd.ThemeResult
	if err := json.Unmarshal(out.Content, &res); err != nil {
		t.Fatal(err)
	}
	return res, out.Warnings
}

// knownThemes lists every known genre, tone and style as a theme of its
// own.
func knownThemes() []dnd.Theme {
	var out []dnd.Theme
	for _, g := range dnd.KnownGenres() {
		out = append(out, dnd.Theme{Genre: g})
	}
	for _, tone := range dnd.KnownTones() {
		out = append(out, dnd.Theme{Tone: tone})
	}
	for _, s := range dnd.KnownStyles() {
		out = append(out, dnd.Theme{Genre: "fantasy", Style: s})
	}
	return out
}

func TestKnownThemeWordsAreTheLexicons(t *testing.T) {
	t.Parallel()
	tb, _ := loadTables()
	byKind := map[string][]string{}
	for name, lx := range tb.restyle.lexicons {
		byKind[lx.kind] = append(byKind[lx.kind], name)
	}
	for kind, want := range map[string][]string{"genre": dnd.KnownGenres(), "tone": dnd.KnownTones(), "style": dnd.KnownStyles()} {
		got := slices.Sorted(slices.Values(byKind[kind]))
		if !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Errorf("%s lexicons = %v, want the documented %v", kind, got, want)
		}
		for _, w := range want {
			lexs, warnings := tb.restyle.resolveTheme(dnd.Theme{Genre: w})
			if len(lexs) != 1 || lexs[0].name != w || len(warnings) > 0 {
				t.Errorf("resolveTheme(%q) = %d lexicons, warnings %q; want its own lexicon, no warning", w, len(lexs), warnings)
			}
		}
	}
}

// TestRestyleChangesEveryKnownValue restyles each sample text with each
// known genre, tone and style alone (a style with fantasy) at the default
// strength: the words of every one must move measurably away from the
// original, on average to a similarity of 0.9 at most and no sample above
// 0.93.
func TestRestyleChangesEveryKnownValue(t *testing.T) {
	t.Parallel()
	g := New()
	for _, th := range knownThemes() {
		var sum, most float64
		for i, text := range restyleSamples {
			res, warnings := restyled(t, g, text, th, dnd.DefaultStrength, int64(i+1))
			if len(warnings) > 0 {
				t.Errorf("Theme(%+v) warnings = %q, want none for a known word", th, warnings)
			}
			sum += res.SimilarityScore
			most = max(most, res.SimilarityScore)
		}
		if mean := sum / float64(len(restyleSamples)); mean > 0.9 || most > 0.93 {
			t.Errorf("Theme(%+v) similarity mean %.3f, max %.3f over %d samples; want at most 0.9 and 0.93", th, mean, most, len(restyleSamples))
		}
	}
}

// TestRestyleWhimsicalPoetic is the case that once changed nothing.
func TestRestyleWhimsicalPoetic(t *testing.T) {
	t.Parallel()
	g := New()
	var sum float64
	for i, text := range restyleSamples {
		res, _ := restyled(t, g, text, dnd.Theme{Tone: "whimsical", Style: "poetic"}, dnd.DefaultStrength, int64(i))
		sum += res.SimilarityScore
		if res.SimilarityScore > 0.95 {
			t.Errorf("whimsical poetic restyle of sample %d has similarity %v, want at most 0.95: %q", i, res.SimilarityScore, res.Content)
		}
	}
	if mean := sum / float64(len(restyleSamples)); mean > 0.9 {
		t.Errorf("whimsical poetic restyles have mean similarity %.3f, want at most 0.9", mean)
	}
}

// TestRestyleGrammar restyles the samples with every known value alone
// and in combinations, and checks the English of the result.
func TestRestyleGrammar(t *testing.T) {
	t.Parallel()
	g := New()
	themes := knownThemes()
	for _, genre := range dnd.KnownGenres() {
		for _, tone := range []string{"dark", "whimsical", "epic"} {
			for _, style := range []string{"", "poetic", "terse", "archaic"} {
				themes = append(themes, dnd.Theme{Genre: genre, Tone: tone, Style: style})
			}
		}
	}
	texts := append(slices.Clone(restyleSamples), grammarSample)
	for _, th := range themes {
		for i, text := range texts {
			for _, strength := range []float64{0.5, dnd.DefaultStrength, 1} {
				res, _ := restyled(t, g, text, th, strength, int64(7*i+1))
				for _, p := range grammarProblems(res.Content) {
					t.Errorf("Theme(%+v, strength %v) of text %d: %s in %q", th, strength, i, p, res.Content)
				}
			}
		}
	}
}

var (
	pluralPieces  = regexp.MustCompile(`(?i)\b\w+s pieces?\b`)
	articleBefore = regexp.MustCompile(`(?i)\b(a|an) ([a-z][\w'-]*)`)
	badSpacing    = regexp.MustCompile(`,,|\s[,.;:!?]|[,;:][^\s"'’”)]|  |\.\.[^.]|, \.`)
)

// grammarProblems finds what the restyler must never write: a word twice
// in a row, a coin unit after a plural currency ("50 credits pieces"),
// a or an before the wrong sound, a sentence that does not start with a
// capital, broken spacing or punctuation, and a hearth turned to plasma.
func grammarProblems(text string) []string {
	var out []string
	ws := strings.Fields(text)
	for i := 1; i < len(ws); i++ {
		prev := strings.TrimRight(ws[i-1], ",;:")
		if strings.EqualFold(ws[i], prev) && ws[i-1] == prev && unicode.IsLetter([]rune(ws[i])[0]) {
			out = append(out, fmt.Sprintf("the word %q twice", ws[i]))
		}
	}
	if m := pluralPieces.FindString(text); m != "" {
		out = append(out, fmt.Sprintf("a currency with a unit after it (%q)", m))
	}
	for _, m := range articleBefore.FindAllStringSubmatch(text, -1) {
		if want := article(strings.ToLower(m[2])); !strings.EqualFold(m[1], want) {
			out = append(out, fmt.Sprintf("%q, want %q", m[0], want+" "+m[2]))
		}
	}
	if m := badSpacing.FindString(text); m != "" {
		out = append(out, fmt.Sprintf("broken punctuation %q", m))
	}
	if strings.Contains(text, "by the plasma") {
		out = append(out, "a hearth of plasma")
	}
	for _, s := range regexp.MustCompile(`[.!?]["”]? +(\S)`).FindAllStringSubmatch(text, -1) {
		if r := []rune(s[1])[0]; unicode.IsLower(r) {
			out = append(out, fmt.Sprintf("a sentence starting in lower case (%q)", s[0]))
		}
	}
	return out
}

// TestRestyleGrammarCases pins the rewrites that went wrong once.
func TestRestyleGrammarCases(t *testing.T) {
	t.Parallel()
	g := New()
	tests := []struct {
		name   string
		theme  dnd.Theme
		text   string
		absent []string
	}{
		{"coins keep their unit", dnd.Theme{Genre: "sci-fi"}, "He paid 50 gold pieces.", []string{"credits", "50 credits"}},
		{"sovereigns are not pieces", dnd.Theme{Genre: "steampunk"}, "He paid 50 gold pieces and a gold piece.", []string{"sovereigns pieces", "sovereign piece", "sovereign"}},
		{"pieces of eight are not silver pieces", dnd.Theme{Genre: "pirate", Tone: "lighthearted", Style: "casual"}, "The barkeep counted 12 silver pieces twice.", []string{"pieces of eight", "doubloons"}},
		{"caps are not silver pieces", dnd.Theme{Genre: "post-apocalyptic"}, "The barkeep counted 12 silver pieces twice.", []string{"bottle caps"}},
		{"ordering an ale is not telling one", dnd.Theme{Genre: "pirate", Tone: "lighthearted", Style: "casual"}, "Thorin ordered an ale for everyone.", []string{"told"}},
		{"something is not somewhat", dnd.Theme{Genre: "fantasy", Style: "archaic"}, "She has the gaze of someone sworn to something.", []string{"somewhat"}},
		{"horns on a head are not klaxons", dnd.Theme{Genre: "sci-fi", Tone: "epic", Style: "formal"}, "She has a proud draconic head crowned with short horns.", []string{"klaxon"}},
		{"a hearth is not plasma", dnd.Theme{Genre: "sci-fi"}, "The crew sits by the fire.", []string{"plasma"}},
		{"gold as a material stays gold", dnd.Theme{Genre: "sci-fi"}, "She wore a gold ring.", []string{"credits ring"}},
		{"verbs after who are not nouns", dnd.Theme{Genre: "pirate"}, "The priest who guards the gate is old.", []string{"deckhands the"}},
		{"afraid keeps its preposition", dnd.Theme{Tone: "lighthearted"}, "She is afraid of the guards.", []string{"jittery of"}},
		{"no epithet on an epithet", dnd.Theme{Tone: "dark"}, "Torches gutter in the cold wind.", []string{"bitter bitter"}},
		{"participles stay participles", dnd.Theme{Genre: "fantasy", Style: "formal"}, "The knights had fled into the forest.", []string{"had withdrew"}},
		{"a mountain of coins is a heap", dnd.Theme{Genre: "western"}, "The dragon sleeps on a mountain of coins in the cave.", []string{"mesa of"}},
		{"no as a determiner stays no", dnd.Theme{Style: "archaic", Genre: "fantasy"}, "No guards challenge you at the gate.", []string{"Nay guards"}},
		{"a forest takes no genre's epithet", dnd.Theme{Genre: "sci-fi"}, "They walked into the woods. They searched the cave with care. They crossed the river at night.",
			[]string{"chrome", "pressurised", "prefab", "sealed woods", "powered"}},
		{"an epithet needs its article", dnd.Theme{Genre: "horror"}, "She arrived in town last spring and never left town again.", []string{"in dying town", "left dying town"}},
		{"coin as money", dnd.Theme{Genre: "sci-fi"}, "The dragon coils around a heap of stolen coin.", []string{"stolen credit chip"}},
		{"names keep their capitals after an opener", dnd.Theme{Tone: "epic"}, "Mira sells potions from a small cart in the market. Mira is friendly and kind to everyone.", []string{"mira"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for seed := range int64(20) {
				res, _ := restyled(t, g, tc.text, tc.theme, 1, seed)
				for _, a := range tc.absent {
					if strings.Contains(res.Content, a) {
						t.Errorf("Theme(%q, %+v, seed %d) = %q, which holds %q", tc.text, tc.theme, seed, res.Content, a)
					}
				}
				for _, p := range grammarProblems(res.Content) {
					t.Errorf("Theme(%q, %+v, seed %d): %s in %q", tc.text, tc.theme, seed, p, res.Content)
				}
			}
		})
	}
}

// TestRestyleLeavesSpeechAndNumbers checks that sentence rewrites never
// cut into quoted speech or game numbers.
func TestRestyleLeavesSpeechAndNumbers(t *testing.T) {
	t.Parallel()
	g := New()
	speech := `"We need brave heroes," he said.`
	rules := "DC 13 Dexterity saving throw; 2d10 piercing damage on a failure."
	text := speech + " The old wizard walked into the tavern and sat down by the door. " + rules
	for _, th := range knownThemes() {
		res, _ := restyled(t, g, text, th, 1, 3)
		for _, keep := range []string{"DC 13", "2d10", "saving throw; 2d10"} {
			if !strings.Contains(res.Content, keep) {
				t.Errorf("Theme(%+v) = %q, lost %q", th, res.Content, keep)
			}
		}
		if !strings.Contains(res.Content, `," he`) {
			t.Errorf("Theme(%+v) = %q, rewrote around the quotation", th, res.Content)
		}
	}
}

// TestGrammarProblemsFindsDefects checks the checker on the defects it is
// for.
func TestGrammarProblemsFindsDefects(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		"He paid 50 credits pieces.", "The sovereigns pieces shone.", "They sat by the plasma.",
		"The bitter bitter wind.", "It was a old map.", "It was an map.", "Hello , there.", "Fine. then it ended.",
	} {
		if len(grammarProblems(bad)) == 0 {
			t.Errorf("grammarProblems(%q) = none, want one", bad)
		}
	}
	for _, good := range restyleSamples {
		if p := grammarProblems(good); len(p) > 0 {
			t.Errorf("grammarProblems(sample) = %q, want none in %q", p, good)
		}
	}
}
