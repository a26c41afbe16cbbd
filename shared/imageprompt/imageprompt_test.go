package imageprompt

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestBuildGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Input
	}{
		{"character_portrait", Input{Type: "character_portrait", Prompt: "a grizzled veteran with a braided beard"}},
		{"character_portrait_hints", Input{
			Type: "character_portrait", Prompt: "  scarred knight   of the northern march. ",
			Race: "Dwarf", Class: "Paladin", Alignment: "lawful_good",
			NegativePrompt: "helmet, Text,  ,blurry background",
		}},
		{"character_portrait_elf_no_prompt", Input{Type: "character_portrait", Race: "elf", Class: "wizard"}},
		{"character_portrait_character", Input{
			Type: "character_portrait", Prompt: "in a library", Race: "ignored", Class: "ignored",
			Character: "a high elf woman, wizard (Evocation), a seasoned adventurer, neutral good. Ilyra is lithe and fine-boned, carrying a dagger",
		}},
		{"item_illustration", Input{Type: "item_illustration", Prompt: "a flaming longsword with runes on the blade"}},
		{"location_visual", Input{Type: "location_visual", Prompt: "a ruined elven temple in the forest"}},
		{"map_background", Input{Type: "map_background", Prompt: "a flooded crypt with three chambers"}},
		{"environment_scene", Input{Type: "environment_scene", Prompt: "misty mountains at dawn"}},
		{"magical_effect", Input{Type: "magical_effect", Prompt: "a swirling portal of violet fire"}},
		{"unknown_type", Input{Type: "banner", Prompt: "a guild banner"}},
		{"empty_prompt_map", Input{Type: "map_background"}},
		{"theme_folding", Input{
			Type: "location_visual", Prompt: "an abandoned space station",
			Theme: Theme{Genre: "Sci-Fi", Tone: "Ominous", Style: "retro futurism"},
		}},
		{"theme_unknown_words", Input{
			Type: "environment_scene", Prompt: "a drowned city",
			Theme: Theme{Genre: "solarpunk", Tone: "melancholic", Style: "art nouveau"},
		}},
		{"style_preset_known", Input{Type: "item_illustration", Prompt: "a healing potion", StylePreset: "fantasy-art"}},
		{"style_preset_unknown", Input{Type: "magical_effect", Prompt: "a ward", StylePreset: "stained_glass"}},
		{"theme_and_preset", Input{
			Type: "map_background", Prompt: "a haunted manor cellar",
			StylePreset: "digital-art", Theme: Theme{Genre: "horror", Tone: "dark", Style: "hand-drawn"},
			NegativePrompt: "furniture, perspective",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := Build(tc.in)
			got := "prompt: " + out.Prompt + "\nnegative: " + out.NegativePrompt + "\n"
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatalf("write golden: %v", err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden (run with -update to create): %v", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("Build(%+v) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestBuildFraming(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ          string
		wantPrompt   []string
		wantNegative []string
	}{
		{"character_portrait", []string{"head and shoulders"}, []string{"deformed hands", "extra fingers", "text", "watermark"}},
		{"map_background", []string{"top-down", "square grid", "no perspective"}, []string{"perspective", "people", "text", "watermark"}},
		{"location_visual", []string{"establishing shot"}, []string{"watermark"}},
		{"item_illustration", []string{"isolated object", "plain neutral background"}, []string{"watermark"}},
		{"environment_scene", []string{"wide atmospheric"}, []string{"watermark"}},
		{"magical_effect", []string{"glowing energy"}, []string{"watermark"}},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			t.Parallel()
			out := Build(Input{Type: tc.typ, Prompt: "x"})
			for _, w := range tc.wantPrompt {
				if !strings.Contains(out.Prompt, w) {
					t.Errorf("Build(%q).Prompt = %q, want it to contain %q", tc.typ, out.Prompt, w)
				}
			}
			for _, w := range tc.wantNegative {
				if !strings.Contains(out.NegativePrompt, w) {
					t.Errorf("Build(%q).NegativePrompt = %q, want it to contain %q", tc.typ, out.NegativePrompt, w)
				}
			}
		})
	}
}

func TestBuildCapsLength(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("ancient ruined tower ", 400) + strings.Repeat("é", 3000)
	in := Input{
		Type:           "map_background",
		Prompt:         long,
		NegativePrompt: strings.Repeat("ugly, ", 10) + strings.Repeat("term", 500) + ", " + long,
		Theme:          Theme{Genre: strings.Repeat("g", 500), Tone: "dark", Style: strings.Repeat("s ", 500)},
		StylePreset:    strings.Repeat("p", 500),
	}
	out := Build(in)
	if len(out.Prompt) > MaxPromptLen {
		t.Errorf("len(Build().Prompt) = %d, want <= %d", len(out.Prompt), MaxPromptLen)
	}
	if len(out.NegativePrompt) > MaxNegativeLen {
		t.Errorf("len(Build().NegativePrompt) = %d, want <= %d", len(out.NegativePrompt), MaxNegativeLen)
	}
	if !utf8.ValidString(out.Prompt) || !utf8.ValidString(out.NegativePrompt) {
		t.Errorf("Build() produced invalid UTF-8")
	}
	// The framing survives a long subject.
	for _, w := range []string{"top-down battle map of", "square grid", "no perspective", "dark, moody lighting"} {
		if !strings.Contains(out.Prompt, w) {
			t.Errorf("Build().Prompt lost %q under a long subject", w)
		}
	}
	if out.Prompt != strings.TrimSpace(out.Prompt) {
		t.Errorf("Build().Prompt = %q, want trimmed", out.Prompt)
	}
}

func TestBuildCleansText(t *testing.T) {
	t.Parallel()
	out := Build(Input{Type: "item_illustration", Prompt: "\t a  rusty\x00 dagger\u200b \n\n", NegativePrompt: " hands ,  HANDS,\x07blood "})
	if want := "item illustration of a rusty dagger, "; !strings.HasPrefix(out.Prompt, want) {
		t.Errorf("Build().Prompt = %q, want prefix %q", out.Prompt, want)
	}
	if strings.Count(strings.ToLower(out.NegativePrompt), "hands") != 1 {
		t.Errorf("Build().NegativePrompt = %q, want %q once", out.NegativePrompt, "hands")
	}
	if !strings.HasSuffix(out.NegativePrompt, ", blood") {
		t.Errorf("Build().NegativePrompt = %q, want caller term %q appended", out.NegativePrompt, "blood")
	}
}

func TestBuildDeterministic(t *testing.T) {
	t.Parallel()
	in := Input{Type: "character_portrait", Prompt: "a bard", Race: "halfling", Class: "bard", Alignment: "chaotic good",
		Theme: Theme{Genre: "fantasy", Tone: "whimsical", Style: "storybook"}, StylePreset: "watercolor", NegativePrompt: "hat"}
	first := Build(in)
	for range 20 {
		if got := Build(in); got != first {
			t.Fatalf("Build(%+v) = %+v, then %+v", in, first, got)
		}
	}
}

func FuzzBuild(f *testing.F) {
	f.Add("map_background", "a crypt", "dark", "no people,text")
	f.Add("character_portrait", "\xff\xfe", "", ",,,")
	f.Fuzz(func(t *testing.T, typ, prompt, tone, neg string) {
		out := Build(Input{Type: typ, Prompt: prompt, NegativePrompt: neg, Theme: Theme{Tone: tone}})
		if len(out.Prompt) > MaxPromptLen || len(out.NegativePrompt) > MaxNegativeLen {
			t.Fatalf("Build() lengths %d, %d over the caps", len(out.Prompt), len(out.NegativePrompt))
		}
		if !utf8.ValidString(out.Prompt) || !utf8.ValidString(out.NegativePrompt) {
			t.Fatalf("Build() produced invalid UTF-8: %q / %q", out.Prompt, out.NegativePrompt)
		}
		if out.Prompt == "" {
			t.Fatalf("Build() produced an empty prompt")
		}
	})
}

func TestLookupMatchesWordStarts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tone, want string
	}{
		{"lighthearted", "bright, cheerful lighting"},
		{"twilight", "twilight mood"},
		{"Very Dark", "dark, moody lighting"},
		{"pitch-dark", "dark, moody lighting"},
		{"mysterious", "mysterious, misty, soft shadows"},
	}
	for _, tc := range tests {
		if got := lookup(tones, tc.tone, tc.tone+" mood"); got != tc.want {
			t.Errorf("lookup(tones, %q) = %q, want %q", tc.tone, got, tc.want)
		}
	}
}

// TestBuildKeepsTheCharacterGear checks that a described character's race,
// armour and weapons reach the prompt however long its looks run: the cap
// cuts the looks, which come last.
func TestBuildKeepsTheCharacterGear(t *testing.T) {
	t.Parallel()
	who := "a hill dwarf woman, cleric (Life), a seasoned adventurer, lawful good, wearing chain mail, carrying mace, shield. " +
		strings.Repeat("Her braids are bound in copper rings and her eyes are like flint. ", 40)
	out := Build(Input{Type: "character_portrait", Character: who, Prompt: "in a temple", Race: "Hill Dwarf", Class: "Cleric"})
	for _, want := range []string{"hill dwarf woman", "cleric", "wearing chain mail", "carrying mace, shield", "in a temple"} {
		if !strings.Contains(out.Prompt, want) {
			t.Errorf("Build(a long character).Prompt = %q, want it to hold %q", out.Prompt, want)
		}
	}
	if len(out.Prompt) > MaxPromptLen {
		t.Errorf("prompt length %d, want at most %d", len(out.Prompt), MaxPromptLen)
	}
}
