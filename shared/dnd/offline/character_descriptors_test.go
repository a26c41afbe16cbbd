package offline

import (
	"context"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// TestPromptDescriptorsAreTold checks that words of a prompt describing
// the character ("one-eyed", "blind", "shy", "amnesiac") are told where
// they show (the looks, a personality trait, the backstory's present day)
// and not reported as unused.
func TestPromptDescriptorsAreTold(t *testing.T) {
	t.Parallel()
	g := New()
	for _, tc := range []struct {
		prompt, word string
		typ, want    string // the document that tells it, and how
	}{
		{"a one-eyed dwarf smith", "one-eyed", dnd.TypeSheet, "wears a patch over it"},
		{"a blind elven archer", "blind", dnd.TypeSheet, "eyes clouded and sightless"},
		{"a shy wizard", "shy", dnd.TypePersonality, "I am shy with strangers"},
		{"an amnesiac fighter", "amnesiac", dnd.TypeBackstory, "remembers nothing of"},
	} {
		seed := int64(11)
		sheet, err := g.Character(context.Background(), dnd.CharacterRequest{Type: dnd.TypeSheet, Prompt: tc.prompt, Seed: &seed})
		if err != nil {
			t.Fatal(err)
		}
		out := sheet
		if tc.typ != dnd.TypeSheet {
			if out, err = g.Character(context.Background(), dnd.CharacterRequest{Type: tc.typ, Character: sheet.Content, Prompt: tc.prompt, Seed: &seed}); err != nil {
				t.Fatal(err)
			}
		}
		if !strings.Contains(string(out.Content), tc.want) {
			t.Errorf("prompt %q: the %s does not tell %q: %s", tc.prompt, tc.typ, tc.want, out.Content)
		}
		for _, w := range append(sheet.Warnings, out.Warnings...) {
			if strings.Contains(w, tc.word) {
				t.Errorf("prompt %q: warning %q reports %q as unused", tc.prompt, w, tc.word)
			}
		}
	}
}
