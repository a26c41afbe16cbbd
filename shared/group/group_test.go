package group

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMessagesAliases(t *testing.T) {
	t.Parallel()
	var ms Messages
	for _, m := range []Message{
		{Type: "character_content", Aliases: []string{"text.character"}},
		{Type: "portrait"},
	} {
		if err := ms.Add(m); err != nil {
			t.Fatalf("Add(%s) = %v", m.Type, err)
		}
	}
	if diff := cmp.Diff([]string{"character_content", "text.character", "portrait"}, ms.Names()); diff != "" {
		t.Errorf("Names() mismatch (-want +got):\n%s", diff)
	}
	for name, want := range map[string]string{"character_content": "character_content", "text.character": "character_content", "portrait": "portrait"} {
		if m, ok := ms.Lookup(name); !ok || m.Type != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", name, m.Type, ok, want)
		}
	}
	if _, ok := ms.Lookup("text.campaign"); ok {
		t.Errorf("Lookup(text.campaign) found a message, want none")
	}
	for _, dup := range []Message{
		{Type: "portrait"},
		{Type: "text.character"},
		{Type: "map", Aliases: []string{"character_content"}},
		{Type: "map", Aliases: []string{"image.map", "image.map"}},
		{Type: "map", Aliases: []string{"map"}},
	} {
		if err := ms.Add(dup); err == nil {
			t.Errorf("Add(%+v) = nil, want a name declared twice", dup)
		}
	}
	if n := len(ms.All()); n != 2 {
		t.Errorf("All() has %d messages after refused adds, want 2", n)
	}
}
