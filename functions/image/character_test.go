package image

import (
	"encoding/json"
	"image"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/imagegen"
)

// TestPortraitOfACharacter draws a character sent as the character route
// takes it: its identity, or a sheet whose looks and gear the prompt
// describes; a hint that names the character otherwise, or a character on
// another type of image, is refused naming the fields.
func TestPortraitOfACharacter(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{getimg: true})
	identity := map[string]any{"name": "Brenna Stonehelm", "pronouns": "she/her", "race": "Dwarf", "subrace": "Hill Dwarf",
		"class": "Cleric", "subclass": "Life", "level": 5, "background": "Acolyte", "alignment": "lawful good"}
	j, _ := st.succeed("/api/v2/image/generate", map[string]any{
		"type": "character_portrait", "character": identity, "size": map[string]int{"width": 256, "height": 256},
		"parameters": map[string]any{"seed": 3},
	}, nil)
	if want := "head and shoulders portrait of a hill dwarf woman, cleric (Life), a seasoned adventurer, lawful good, wearing "; !strings.HasPrefix(j.Result.PromptUsed, want) ||
		!strings.Contains(j.Result.PromptUsed, "carrying ") || !strings.Contains(j.Result.PromptUsed, "shield") {
		t.Errorf("prompt_used = %q, want it to start %q and name what she carries, her shield among it", j.Result.PromptUsed, want)
	}
	sheet, err := os.ReadFile("../../shared/dnd/testdata/content/character_sheet.json")
	if err != nil {
		t.Fatal(err)
	}
	j, _ = st.succeed("/api/v2/image/generate", []byte(`{"type":"character_portrait","prompt":"in a library","parameters":{"seed":4},`+
		`"size":{"width":256,"height":256},"character":`+string(sheet)+`}`), nil)
	if p := j.Result.PromptUsed; !strings.Contains(p, "high elf woman, wizard (Evocation)") || !strings.Contains(p, "carrying dagger") || !strings.Contains(p, "in a library") {
		t.Errorf("prompt_used = %q, want the sheet's character, looks and gear, and the prompt", p)
	}
	for _, tc := range []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"a hint that contradicts the character", map[string]any{"type": "character_portrait", "character": identity,
			"parameters": map[string]any{"character_race": "Elf"}}, []string{"character.race", "parameters.character_race"}},
		{"a character on an item", map[string]any{"type": "item_illustration", "prompt": "a mace", "character": identity}, []string{"character"}},
		{"a character without a level", map[string]any{"type": "character_portrait", "character": map[string]any{"name": "A", "race": "Elf", "class": "Bard"}},
			[]string{"character.level"}},
	} {
		resp, raw := st.post("/api/v2/image/generate", tc.body, nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400: %s", tc.name, resp.StatusCode, raw)
			continue
		}
		for _, f := range tc.fields {
			if !strings.Contains(string(raw), `"field":"`+f+`"`) {
				t.Errorf("%s: problem %s does not name %s", tc.name, raw, f)
			}
		}
	}
}

// brenna is a character sent as its identity.
var brenna = map[string]any{"name": "Brenna Stonehelm", "pronouns": "she/her", "race": "Dwarf", "subrace": "Hill Dwarf",
	"class": "Cleric", "subclass": "Life", "level": 5, "background": "Acolyte", "alignment": "lawful good"}

// TestPortraitPayloadCarriesTheCharacter checks that a portrait's job
// holds the character's race, class, alignment, pronouns and equipped
// gear for the offline renderer, and for an image model a description
// that names race, armour and weapons before the looks.
func TestPortraitPayloadCarriesTheCharacter(t *testing.T) {
	t.Parallel()
	identity, err := json.Marshal(brenna)
	if err != nil {
		t.Fatal(err)
	}
	sheet, err := os.ReadFile("../../shared/dnd/testdata/content/character_sheet.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                            string
		req                             GenerateRequest
		race, class, alignment, pronoun string
		categories                      []string // of the equipment, each at least once
		describes                       []string
	}{
		{"an identity", GenerateRequest{Type: "character_portrait", Character: identity},
			"Hill Dwarf", "Cleric", "lawful good", "she/her", []string{"armor", "weapon", "shield"}, []string{"hill dwarf woman", "cleric", ", wearing ", ", carrying "}},
		{"a sheet", GenerateRequest{Type: "character_portrait", Character: sheet},
			"High Elf", "Wizard", "neutral good", "she/her", []string{"weapon"}, []string{"high elf woman", "carrying dagger", "wearing periapt of wound closure"}},
		{"hints alone", GenerateRequest{Type: "character_portrait", Prompt: "a dwarf", Parameters: Parameters{CharacterRace: "Hill Dwarf", CharacterClass: "Cleric"}},
			"Hill Dwarf", "Cleric", "", "", nil, nil},
	}
	for _, tc := range tests {
		p := generatePayload(tc.req)
		if p.Race != tc.race || p.Class != tc.class || p.Pronouns != tc.pronoun || (tc.alignment != "" && p.Alignment != tc.alignment) {
			t.Errorf("%s: payload race %q, class %q, alignment %q, pronouns %q; want %q, %q, %q, %q",
				tc.name, p.Race, p.Class, p.Alignment, p.Pronouns, tc.race, tc.class, tc.alignment, tc.pronoun)
		}
		for _, c := range tc.categories {
			if !slices.ContainsFunc(p.Equipment, func(it imagegen.Item) bool { return it.Category == c }) {
				t.Errorf("%s: payload equipment %v, want an item of category %s", tc.name, p.Equipment, c)
			}
		}
		for _, d := range tc.describes {
			if !strings.Contains(p.Character, d) {
				t.Errorf("%s: description %q, want it to hold %q", tc.name, p.Character, d)
			}
		}
	}
}

// TestOfflinePortraitOfACharacter draws a character offline: the picture
// is not the default adventurer the same seed gives without it, and every
// warning names an item it could not draw, never the race or class.
func TestOfflinePortraitOfACharacter(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{})
	draw := func(body map[string]any) (image.Image, []string) {
		t.Helper()
		body["type"], body["size"] = "character_portrait", map[string]int{"width": 256, "height": 256}
		j, _ := st.succeed("/api/v2/image/generate", body, nil)
		img, _ := decodeImage(t, j.Result.ImageData)
		return img, j.Result.Warnings
	}
	dwarf, warnings := draw(map[string]any{"character": brenna, "parameters": map[string]any{"seed": 11}})
	for _, w := range warnings {
		if strings.Contains(w, "character_race") || strings.Contains(w, "character_class") {
			t.Errorf("warning %q about a race or class the renderer draws", w)
		}
	}
	plain, _ := draw(map[string]any{"prompt": "an adventurer", "parameters": map[string]any{"seed": 11}})
	if d := changedShare(dwarf, plain); d < 0.2 {
		t.Errorf("the dwarf cleric and a plain adventurer differ in %.2f of the pixels, want at least 0.2", d)
	}
}

// changedShare is the share of pixels that differ by more than 24 in a
// channel or in alpha.
func changedShare(a, b image.Image) float64 {
	r := a.Bounds()
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, aa := a.At(x, y).RGBA()
			br, bg, bb, ba := b.At(x, y).RGBA()
			if max(diff8(ar, br), diff8(ag, bg), diff8(ab, bb), diff8(aa, ba)) > 24 {
				n++
			}
		}
	}
	return float64(n) / float64(r.Dx()*r.Dy())
}

func diff8(a, b uint32) int {
	d := int(a>>8) - int(b>>8)
	if d < 0 {
		return -d
	}
	return d
}
