package offline

import (
	"context"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// TestWholeCharacterExplainsThePromptOnce checks the warnings of a whole
// character (a sheet, then each document written for the sheet sent back,
// the prompt passed on, as the one-call route asks): the explanation of
// what the offline generator reads from a prompt is given once, on the
// sheet, and a later document warns only about what it does not tell.
func TestWholeCharacterExplainsThePromptOnce(t *testing.T) {
	t.Parallel()
	g := New()
	seed := int64(7)
	prompt := "a one-eyed dwarf smith who lost her forge to a dragon"
	sheet, err := g.Character(context.Background(), dnd.CharacterRequest{Type: dnd.TypeSheet, Prompt: prompt, Seed: &seed})
	if err != nil {
		t.Fatal(err)
	}
	explained := 0
	count := func(typ string, ws []string) {
		for _, w := range ws {
			if strings.Contains(w, "it reads a name") {
				explained++
			}
			if typ != dnd.TypeSheet && typ != dnd.TypeBackstory && strings.HasPrefix(w, "prompt:") {
				t.Errorf("%s warns about the prompt: %q", typ, w)
			}
		}
	}
	count(dnd.TypeSheet, sheet.Warnings)
	for i, typ := range laterTypes {
		s := seed*10 + int64(i)
		out, err := g.Character(context.Background(), dnd.CharacterRequest{Type: typ, Character: sheet.Content, Prompt: prompt, Seed: &s})
		if err != nil {
			t.Fatal(err)
		}
		count(typ, out.Warnings)
	}
	if explained != 1 {
		t.Errorf("the prompt is explained in %d documents, want 1 (the sheet: %q)", explained, sheet.Warnings)
	}
}
