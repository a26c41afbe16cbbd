package image

import (
	"net/http"
	"os"
	"strings"
	"testing"
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
	if want := "head and shoulders portrait of a hill dwarf woman, cleric (Life), a seasoned adventurer, lawful good"; !strings.HasPrefix(j.Result.PromptUsed, want) {
		t.Errorf("prompt_used = %q, want it to start %q", j.Result.PromptUsed, want)
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
