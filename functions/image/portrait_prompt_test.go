package image

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestOfflinePortraitSaysWhatItDrew checks an offline portrait of a
// character: prompt_used is the description the offline drawer read (who,
// the gear named once, the looks, then the prompt), and marks the looks
// name (one eye lost) are read from it.
func TestOfflinePortraitSaysWhatItDrew(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{})
	raw, err := os.ReadFile("../../shared/dnd/testdata/content/character_sheet.json")
	if err != nil {
		t.Fatal(err)
	}
	var sheet map[string]any
	if err := json.Unmarshal(raw, &sheet); err != nil {
		t.Fatal(err)
	}
	sheet["appearance"] = "Ilyra is old, with one eye lost to a wyvern. She wears ink-stained robes and carries a dagger."
	j, _ := st.succeed("/api/v2/image/generate", map[string]any{"type": "character_portrait", "character": sheet, "prompt": "in a library",
		"size": map[string]int{"width": 256, "height": 256}, "parameters": map[string]any{"seed": 4}}, nil)
	p := j.Result.PromptUsed
	for _, want := range []string{"high elf woman, wizard (Evocation), a seasoned adventurer", "carrying dagger", "one eye lost", "in a library"} {
		if !strings.Contains(p, want) {
			t.Errorf("prompt_used = %q, want it to hold %q", p, want)
		}
	}
	if n := strings.Count(strings.ToLower(p), "dagger"); n != 1 {
		t.Errorf("prompt_used = %q names the dagger %d times, want once", p, n)
	}
	if j.Result.Metadata.PromptUsed != p {
		t.Errorf("metadata.prompt_used = %q, want %q", j.Result.Metadata.PromptUsed, p)
	}
}
