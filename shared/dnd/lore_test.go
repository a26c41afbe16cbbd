package dnd

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestGearNotCarried(t *testing.T) {
	t.Parallel()
	flail := []string{"Flail", "Shield", "Chain Mail"}
	tests := []struct {
		text  string
		items []string
		want  string
	}{
		{"My old sergeant's sword hangs at my hip until I can return it.", flail, "sword"},
		{"My old sergeant's sword hangs at my hip until I can return it.", []string{"Longsword"}, ""},
		{"I keep my boots polished and my blade oiled.", []string{"Rapier"}, ""},
		{"I keep my boots polished and my blade oiled.", []string{"Mace", "Sling"}, "blade"},
		{"Carves small notches into her bow for every hunt.", []string{"Longbow"}, ""},
		{"Carves small notches into her bow for every hunt.", []string{"Crossbow, light"}, ""},
		{"I learned the sword from my father.", flail, ""}, // a skill, not a thing carried
		{"My lute has a voice of its own.", []string{"Flute"}, "lute"},
		{"The family sword was stolen.", flail, ""},
		{"My shield bears my house's crest.", flail, ""},
	}
	for _, tc := range tests {
		if got := GearNotCarried(tc.text, tc.items); got != tc.want {
			t.Errorf("GearNotCarried(%q, %q) = %q, want %q", tc.text, tc.items, got, tc.want)
		}
	}
}

func TestDeityNamed(t *testing.T) {
	t.Parallel()
	tests := []struct{ text, want string }{
		{"The symbol of the Lantern Mother, chipped and old.", "the Lantern Mother"},
		{"Brenna was raised in the temple of Veyra of the Harvest in Marshfall.", "Veyra of the Harvest"},
		{"A prayer book to Keth of the Crossroads, its pages soft.", "Keth of the Crossroads"},
		{"A shrine to Orrund the Smith stands in the square.", "Orrund the Smith"},
		{"A plain mace with a leather grip.", ""},
	}
	for _, tc := range tests {
		if got := DeityNamed(tc.text); got != tc.want {
			t.Errorf("DeityNamed(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestToolTrade(t *testing.T) {
	t.Parallel()
	if trade, tools := ToolTrade([]string{"Shovel", "Carpenter's Tools"}); trade != "carpenter" || tools != "Carpenter's Tools" {
		t.Errorf("ToolTrade(carpenter's tools) = %q, %q, want carpenter", trade, tools)
	}
	if trade, _ := ToolTrade([]string{"Thieves' Tools"}); trade != "" {
		t.Errorf("ToolTrade(thieves' tools) = %q, want none: thieving is no craft", trade)
	}
}

// sentSheet is the content of a sheet a caller sends back as the
// character: a level 2 folk hero cleric whose words name her god.
func sentSheet(t testing.TB) json.RawMessage {
	t.Helper()
	ch, err := ResolveCharacter(CharacterRequest{Type: TypeSheet, Parameters: CharacterParams{
		CharacterClass: "Cleric", CharacterRace: "Hill Dwarf", CharacterLevel: Int(2), Background: "Folk Hero",
		Alignment: "LG", Name: "Brenna Stonehelm", Pronouns: "she/her",
	}}, 7)
	if err != nil {
		t.Fatal(err)
	}
	s := sheetOf(ch.Sheet)
	s.Appearance = "Brenna is young and broad, with a braided red beard. She wears chain mail and carries a mace and a shield."
	s.Personality = "Brenna hums hymns to the Lantern Mother while she works."
	for i := range s.Attacks {
		s.Attacks[i].Description = "Swung hard at whatever stands closest."
	}
	for i := range s.Equipment {
		s.Equipment[i].Description = "Well kept."
		if s.Equipment[i].Name == "Holy Symbol" {
			s.Equipment[i].Description = "The symbol of the Lantern Mother, worn smooth by her thumb."
		}
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPromptKeepsTheSheetsLore checks that a prompt for a character sent
// as a sheet carries what every document must keep: the god the sheet's
// words name, the trade its tools give, how short a level 2's history is,
// and the sheet's own looks.
func TestPromptKeepsTheSheetsLore(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{TypeBackstory, TypeEquipment} {
		msgs, err := BuildMessages(KindCharacter, CharacterRequest{Type: typ, Character: sentSheet(t)})
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "prompt_character_sent_sheet_"+typ, showMessages(msgs))
		user := msgs[1].Content
		for _, want := range []string{"God: the Lantern Mother", "Trade before adventuring: carpenter", "barely past their first adventures", "braided red beard"} {
			if !strings.Contains(user, want) {
				t.Errorf("%s prompt leaves out %q:\n%s", typ, want, user)
			}
		}
	}
}

// TestCompleteCatchesLoreContradictions checks the cheap checks on a
// draft's words: a bond that names gear the sheet does not list, and a
// story that gives the character another god than the sheet's, are
// content errors naming the field; the sheet's own item words are kept.
func TestCompleteCatchesLoreContradictions(t *testing.T) {
	t.Parallel()
	ch, err := ResolveCharacter(CharacterRequest{Type: TypePersonality, Character: sentSheet(t)}, 1)
	if err != nil {
		t.Fatal(err)
	}
	echo, _ := json.Marshal(ch.echo())
	personality := func(bond string) []byte {
		return []byte(`{"character":` + string(echo) + `,"traits":["Calm."],"ideals":["Faith."],"bonds":[` + quote(bond) + `],"flaws":["Proud."],"mannerisms":[],"voice":"Low."}`)
	}
	if _, err := ch.Complete(personality("My old sergeant's sword hangs at my hip.")); !isContentError(err, "bonds") {
		t.Errorf("Complete(a bond naming a sword she lacks) = %v, want a content error on bonds", err)
	}
	if _, err := ch.Complete(personality("My mace was my mother's.")); err != nil {
		t.Errorf("Complete(a bond naming her mace) = %v, want none", err)
	}
	ch.Request.Type = TypeBackstory
	backstory := func(story string) []byte {
		return []byte(`{"character":` + string(echo) + `,"title":"T","summary":"S.","backstory":` + quote(story) +
			`,"key_events":["E."],"hooks":["H."],"secrets":[]}`)
	}
	if _, err := ch.Complete(backstory("She wears the holy symbol of the Tide Queen.")); !isContentError(err, "backstory") {
		t.Errorf("Complete(another god) = %v, want a content error on backstory", err)
	}
	if _, err := ch.Complete(backstory("She wears the holy symbol of the Lantern Mother and robbed the temple of the Tide Queen.")); err != nil {
		t.Errorf("Complete(her own god) = %v, want none", err)
	}
}

func isContentError(err error, field string) bool {
	var ce *ContentError
	return errors.As(err, &ce) && ce.Field == field
}

// TestEquipmentKeepsTheSheetsWords checks that an equipment list for a
// character sent as a sheet keeps each item's words from the sheet: one
// write-up per item, whichever document shows it.
func TestEquipmentKeepsTheSheetsWords(t *testing.T) {
	t.Parallel()
	ch, err := ResolveCharacter(CharacterRequest{Type: TypeEquipment, Character: sentSheet(t)}, 1)
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]string{}
	for _, it := range ch.Given.Equipment {
		items[it.Name] = "A new write-up."
	}
	draft, _ := json.Marshal(EquipmentDraft{Character: ch.echo(), Items: DescriptionsOf(items), Notes: "Kit."})
	b, err := ch.Complete(draft)
	if err != nil {
		t.Fatal(err)
	}
	var e Equipment
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	for i, it := range e.Items {
		if want := ch.Given.Equipment[i].Description; it.Description != want {
			t.Errorf("item %s = %q, want the sheet's %q", it.Name, it.Description, want)
		}
	}
}

// TestPromptPronounsThatContradict checks that a prompt calling the
// character by other pronouns than the request gives is warned about, and
// the request's pronouns are kept.
func TestPromptPronounsThatContradict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		req    CharacterRequest
		warned bool
	}{
		{"parameters", CharacterRequest{Type: TypeBackstory, Parameters: CharacterParams{Pronouns: "he/him"}, Prompt: "She is the last knight of a fallen order."}, true},
		{"agreeing", CharacterRequest{Type: TypeBackstory, Parameters: CharacterParams{Pronouns: "she/her"}, Prompt: "She is the last knight of a fallen order."}, false},
		{"open", CharacterRequest{Type: TypeBackstory, Prompt: "She is the last knight of a fallen order."}, false},
		{"sheet", CharacterRequest{Type: TypeBackstory, Character: sentSheet(t), Prompt: "He sold his mentor to a lich."}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := ResolveCharacter(tc.req, 3)
			if err != nil {
				t.Fatal(err)
			}
			warned := strings.Contains(strings.Join(ch.Warnings, " "), "pronouns")
			if warned != tc.warned {
				t.Errorf("warnings = %q, want a pronoun warning: %v", ch.Warnings, tc.warned)
			}
			if tc.name == "parameters" && ch.Sheet.Pronouns != "he/him" {
				t.Errorf("pronouns = %s, want the request's he/him", ch.Sheet.Pronouns)
			}
		})
	}
}
