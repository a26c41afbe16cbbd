package offline

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

func lexiconsNamed(t testing.TB, names ...string) []*lexicon {
	t.Helper()
	tb, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	var out []*lexicon
	for _, n := range names {
		lx, ok := tb.restyle.lexicons[n]
		if !ok {
			t.Fatalf("no lexicon %q", n)
		}
		out = append(out, lx)
	}
	return out
}

func TestRestyleRules(t *testing.T) {
	t.Parallel()
	tb, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		lexs     []string
		preserve bool
		in, want string
	}{
		{"word and article", []string{"sci-fi"}, true, "They found an inn by the tavern.", "They found a spaceport hostel by the cantina."},
		{"plural through singular", []string{"sci-fi"}, true, "The torches flickered.", "The glowrods flickered."},
		{"sentence start keeps capital", []string{"sci-fi"}, true, "Tavern doors creaked.", "Cantina bulkheads creaked."},
		{"name mid-sentence kept", []string{"sci-fi"}, true, "They met at the Tavern of Vey.", "They met at the Tavern of Vey."},
		{"name mid-sentence restyled without preserve", []string{"sci-fi"}, false, "They met at the Tavern of Vey.", "They met at the Cantina of Vey."},
		{"sentence-start name kept", []string{"sci-fi"}, true, "Castle Vey stood by the tavern.", "Castle Vey stood by the cantina."},
		{"all caps", []string{"sci-fi"}, false, "BEWARE THE TAVERN", "BEWARE THE CANTINA"},
		{"numbers and their units untouched", []string{"sci-fi"}, false, "Pay 30 gold at tavern 7.", "Pay 30 gold at cantina 7."},
		{"coin denominations untouched", []string{"pirate"}, false, "A gold piece and 12 silver pieces.", "A gold piece and 12 silver pieces."},
		{"loose gold is money", []string{"sci-fi"}, false, "They took the gold.", "They took the credits."},
		{"deletion keeps spacing and article", []string{"terse"}, true, "It was a very old map. Very well, then.", "It was a map. Well, then."},
		{"phrase before word", []string{"casual"}, true, "I do not know, and it is late.", "I don't know, and it's late."},
		{"multi-word key", []string{"archaic"}, true, "You are brave.", "Thou art brave."},
		{"genre before tone", []string{"horror", "dark"}, true, "The old gate creaked.", "The decaying gate creaked."},
		{"curly apostrophe word", []string{"formal"}, true, "We didn’t buy it.", "We did not purchase it."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, _ := tb.restyle.words(rand.New(rand.NewPCG(1, 2)), tc.in, lexiconsNamed(t, tc.lexs...), 1, tc.preserve)
			if got != tc.want {
				t.Errorf("words(%q, %v) = %q, want %q", tc.in, tc.lexs, got, tc.want)
			}
		})
	}
}

func TestRestyleStrengthIsAFraction(t *testing.T) {
	t.Parallel()
	tb, _ := loadTables()
	text := strings.Repeat("The tavern. ", 10)
	for _, tc := range []struct {
		strength float64
		want     int
	}{{0, 0}, {0.3, 3}, {0.5, 5}, {0.84, 8}, {1, 10}} {
		got, _ := tb.restyle.words(rand.New(rand.NewPCG(3, 4)), text, lexiconsNamed(t, "sci-fi"), tc.strength, true)
		if n := strings.Count(got, "cantina"); n != tc.want {
			t.Errorf("strength %v replaced %d of 10, want %d: %q", tc.strength, n, tc.want, got)
		}
	}
}

func TestResolveTheme(t *testing.T) {
	t.Parallel()
	tb, _ := loadTables()
	tests := []struct {
		theme    dnd.Theme
		want     []string
		warnings []string // substrings, one per warning
	}{
		{dnd.Theme{Genre: "Dark Fantasy"}, []string{"fantasy", "dark"}, nil},
		{dnd.Theme{Genre: "cosmic horror"}, []string{"horror", "mysterious"}, nil},
		{dnd.Theme{Genre: "space opera", Tone: "Grim", Style: "terse"}, []string{"sci-fi", "grim", "terse"}, nil},
		{dnd.Theme{Genre: "steampunk western"}, []string{"steampunk", "western"}, nil},
		{dnd.Theme{Style: "noir"}, []string{"noir"}, nil},
		{dnd.Theme{Genre: "sci-fi", Tone: "sci-fi"}, []string{"sci-fi"}, nil},
		{dnd.Theme{Genre: "solarpunk"}, []string{"sci-fi", "hopeful"}, []string{`theme.genre "solarpunk" is not a genre the offline restyler knows; it used the closest it knows: sci-fi and hopeful`}},
		{dnd.Theme{Genre: "horor", Tone: "whimsicle"}, []string{"horror", "whimsical"}, []string{`theme.genre "horor"`, `theme.tone "whimsicle"`}},
		{dnd.Theme{Genre: "noirish"}, []string{"noir"}, []string{`theme.genre "noirish"`}},
		{dnd.Theme{Genre: "western", Tone: "horor"}, []string{"western", "horror"}, []string{`theme.tone "horor"`}},
		{dnd.Theme{Genre: "whatever-punk"}, []string{"cyberpunk"}, []string{`theme.genre "whatever-punk" is not`}},
		{dnd.Theme{Genre: "steampunk opera"}, []string{"steampunk"}, []string{`theme.genre "steampunk opera": "opera" is not known to the offline restyler and was ignored`}},
		{dnd.Theme{Genre: "weird west", Style: "Lyrical"}, []string{"western", "horror", "poetic"}, []string{`theme.genre "weird west"`}},
	}
	for _, tc := range tests {
		lexs, warnings := tb.restyle.resolveTheme(tc.theme)
		var got []string
		for _, lx := range lexs {
			got = append(got, lx.name)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("resolveTheme(%+v) mismatch (-want +got):\n%s", tc.theme, diff)
		}
		if len(warnings) != len(tc.warnings) {
			t.Errorf("resolveTheme(%+v) warnings = %q, want %d", tc.theme, warnings, len(tc.warnings))
			continue
		}
		for i, w := range tc.warnings {
			if !strings.Contains(warnings[i], w) {
				t.Errorf("resolveTheme(%+v) warning %d = %q, want it to contain %q", tc.theme, i, warnings[i], w)
			}
		}
	}
}

// TestResolveThemeAlwaysRestyles checks that any genre, tone or style,
// however far from the known words, gives lexicons of its own kind.
func TestResolveThemeAlwaysRestyles(t *testing.T) {
	t.Parallel()
	tb, _ := loadTables()
	for _, w := range []string{"opera buffa", "xyzzy", "meh", "q", "über-gothic", "ключ", "1920s"} {
		for _, kind := range []string{"genre", "tone", "style"} {
			var th dnd.Theme
			switch kind {
			case "genre":
				th.Genre = w
			case "tone":
				th.Tone = w
			default:
				th.Style = w
			}
			lexs, warnings := tb.restyle.resolveTheme(th)
			if len(lexs) == 0 || len(warnings) != 1 || !strings.Contains(warnings[0], "theme."+kind) {
				t.Errorf("resolveTheme(%s %q) = %d lexicons, warnings %q; want some, with one warning naming theme.%s", kind, w, len(lexs), warnings, kind)
			}
		}
	}
}

var digitsRE = regexp.MustCompile(`[\p{L}\p{N}]*\p{N}[\p{L}\p{N}]*`)

// properNouns lists capitalised words that do not open a sentence, found
// independently of the restyler's tokenizer.
func properNouns(text string) []string {
	var out []string
	for _, sentence := range regexp.MustCompile(`[.!?\n]+`).Split(text, -1) {
		ws := strings.FieldsFunc(sentence, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
		for i, w := range ws {
			if i > 0 && unicode.IsUpper([]rune(w)[0]) && w != "I" {
				out = append(out, w)
			}
		}
	}
	return out
}

func TestThemeKeepsNamesAndNumbers(t *testing.T) {
	t.Parallel()
	g := New()
	texts := []string{
		"Sir Aldric rode 3 days to reach Castle Vey. The old wizard waited by the gate with a sword.",
		"The captain of the Salt Maiden owed 250 gold to the guild. His ship sank near Kethra Isle in 1372.",
		"In the tavern, Mira drew a map of the 4 caves beneath Mount Orrund, where the dragon Vexithar slept.",
		"The knight and the priest walked to the temple of the Lantern Mother on the 3rd day of the month.",
	}
	changed := map[string]bool{}
	genres := []string{"sci-fi", "pirate", "horror", "cyberpunk", "western", "steampunk", "post-apocalyptic", "noir"}
	for _, text := range texts {
		for _, genre := range genres {
			for _, preserve := range []bool{true, false} {
				out, err := g.Theme(context.Background(), dnd.ThemeRequest{
					Content: text, Theme: dnd.Theme{Genre: genre, Tone: "dark"},
					Parameters: dnd.ThemeParams{Strength: ptr(1.0), PreserveKeyElements: ptr(preserve)},
					Seed:       ptr(int64(9)),
				})
				if err != nil {
					t.Fatal(err)
				}
				var res dnd.ThemeResult
				if err := json.Unmarshal(out.Content, &res); err != nil {
					t.Fatal(err)
				}
				for _, n := range digitsRE.FindAllString(text, -1) {
					if !strings.Contains(res.Content, n) {
						t.Errorf("%s (preserve %v): number %q lost: %q", genre, preserve, n, res.Content)
					}
				}
				if preserve {
					for _, p := range properNouns(text) {
						if !strings.Contains(res.Content, p) {
							t.Errorf("%s: name %q lost: %q", genre, p, res.Content)
						}
						if !strings.Contains(strings.Join(res.PreservedElements, "|"), p) {
							t.Errorf("%s: name %q missing from preserved_elements %v", genre, p, res.PreservedElements)
						}
					}
				}
				if res.SimilarityScore != dnd.Similarity(text, res.Content) {
					t.Errorf("similarity_score = %v, want %v", res.SimilarityScore, dnd.Similarity(text, res.Content))
				}
				changed[genre] = changed[genre] || res.Content != text
			}
		}
	}
	for _, genre := range genres {
		if !changed[genre] {
			t.Errorf("%s at full strength changed none of the texts", genre)
		}
	}
}

func TestThemeEdges(t *testing.T) {
	t.Parallel()
	g := New()
	run := func(req dnd.ThemeRequest) dnd.ThemeResult {
		t.Helper()
		req.Seed = ptr(int64(1))
		out, err := g.Theme(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		var res dnd.ThemeResult
		if err := json.Unmarshal(out.Content, &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	text := "The old wizard waited in the tavern with a sword."
	if res := run(dnd.ThemeRequest{Content: text, Theme: dnd.Theme{Genre: "sci-fi"}, Parameters: dnd.ThemeParams{Strength: ptr(0.0)}}); res.Content != text || res.SimilarityScore != 1 {
		t.Errorf("strength 0 = %q (%v), want the text unchanged with similarity 1", res.Content, res.SimilarityScore)
	}
	if res := run(dnd.ThemeRequest{Content: text, Theme: dnd.Theme{Genre: "opera buffa"}}); res.SimilarityScore > 0.95 {
		t.Errorf("unknown genre = %q (similarity %v), want the text restyled as the closest known genre", res.Content, res.SimilarityScore)
	}
	if res := run(dnd.ThemeRequest{Content: "Very", Theme: dnd.Theme{Tone: "x", Style: "terse"}, Parameters: dnd.ThemeParams{Strength: ptr(1.0)}}); res.Content != "Very" {
		t.Errorf("deleting every word gave %q, want the original back", res.Content)
	}
	if res := run(dnd.ThemeRequest{Content: "Sir Aldric rode 3 days.", Theme: dnd.Theme{Genre: "sci-fi"}}); res.Content == "Sir Aldric rode 3 days." {
		t.Errorf("a text with no word the lexicons know came back unchanged, want a closer on its last sentence")
	}
	if res := run(dnd.ThemeRequest{Content: text, Theme: dnd.Theme{Genre: "Sci-Fi", Tone: "Epic", Style: "Terse"}}); res.Theme != (dnd.AppliedTheme{Genre: "sci-fi", Tone: "epic", Style: "Terse"}) {
		t.Errorf("theme = %+v, want the normalised request theme", res.Theme)
	}
}
