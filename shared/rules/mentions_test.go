package rules

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMentions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want Choices
	}{
		{"A hill dwarf cleric of level 5, lawful good", Choices{Race: "Hill Dwarf", Class: "Cleric", Alignment: "lawful good", Level: 5}},
		{"make him a former pirate named Bram", Choices{Background: "Sailor"}},
		{"an oath of vengeance paladin", Choices{Class: "Paladin", Subclass: "vengeance"}},
		{"a battle master", Choices{Class: "Fighter", Subclass: "battle master"}},
		{"a shadow monk", Choices{Class: "Monk", Subclass: "shadow"}},
		{"a cleric of the life domain", Choices{Class: "Cleric", Subclass: "life"}},
		{"7th-level drow", Choices{Race: "drow", Level: 7}},
		{"a red dragonborn who hates red dragons", Choices{Race: "red dragonborn"}},
		{"a goliath barbarian", Choices{Race: "goliath", Class: "Barbarian"}},
		// What more often means someone else, or something else.
		{"raised by elves, she carries a dwarven axe", Choices{}},
		{"she fought the fiend and lived a life of crime", Choices{}},
		{"hunted by a goblin king and a red dragon", Choices{}},
		{"level 25 and true to the end", Choices{}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, Mentions(tc.text)); diff != "" {
			t.Errorf("Mentions(%q) mismatch (-want +got):\n%s", tc.text, diff)
		}
	}
}

func TestStyleMentioned(t *testing.T) {
	t.Parallel()
	tests := []struct{ text, class, want string }{
		{"fights with a greatsword", "Fighter", "great weapon"},
		{"an archer", "Ranger", "archer"},
		{"sword and shield", "Paladin", "sword and shield"},
		{"dual wielding", "Ranger", "two blades"},
		{"a longbow", "Wizard", ""}, // one style only
		{"loves poetry", "Fighter", ""},
	}
	for _, tc := range tests {
		if got := StyleMentioned(tc.text, tc.class); got != tc.want {
			t.Errorf("StyleMentioned(%q, %s) = %q, want %q", tc.text, tc.class, got, tc.want)
		}
	}
}
