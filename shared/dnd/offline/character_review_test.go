package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// reviewCharacters are eight whole characters a Dungeon Master read end
// to end: the sheet's request, then every later document with the sheet as
// the character.
var reviewCharacters = []wholeRequest{
	{"c1", dnd.CharacterParams{CharacterClass: "Fighter", CharacterRace: "Human", CharacterLevel: dnd.Int(1), Alignment: "lawful good", Background: "Soldier"}, "", 101},
	{"c2", dnd.CharacterParams{CharacterClass: "Cleric", CharacterRace: "Hill Dwarf", CharacterLevel: dnd.Int(5), Alignment: "lawful good", Background: "Acolyte", Name: "Brenna Stonehelm", Pronouns: "she/her"}, "", 102},
	{"c3", dnd.CharacterParams{CharacterClass: "Wizard", CharacterRace: "High Elf", CharacterLevel: dnd.Int(9), Alignment: "neutral evil", Background: "Sage", Name: "Vaelis Thornwood", Pronouns: "he/him"}, "He sold his mentor to a lich for a spellbook.", 103},
	{"c4", dnd.CharacterParams{CharacterClass: "Rogue", CharacterRace: "Lightfoot Halfling", CharacterLevel: dnd.Int(3), Alignment: "chaotic neutral", Pronouns: "he/him", Name: "Pip Underbough"}, "make him a former pirate", 104},
	{"c5", dnd.CharacterParams{CharacterClass: "Barbarian", CharacterRace: "Half-Orc", CharacterLevel: dnd.Int(12), Alignment: "chaotic neutral", Background: "Outlander"}, "", 105},
	{"c6", dnd.CharacterParams{CharacterClass: "Warlock", CharacterRace: "Tiefling", CharacterLevel: dnd.Int(17), Alignment: "chaotic evil", Pronouns: "they/them"}, "", 106},
	{"c7", dnd.CharacterParams{CharacterClass: "Paladin", CharacterRace: "Dragonborn", CharacterLevel: dnd.Int(20), Alignment: "lawful good", Name: "Kriv Ashscale", Background: "Noble"}, "She is the last knight of a fallen order.", 107},
	{"c8", dnd.CharacterParams{CharacterClass: "Ranger", CharacterRace: "Wood Elf", CharacterLevel: dnd.Int(11), Alignment: "neutral good", Background: "Folk Hero", Pronouns: "she/her"}, "", 108},
}

// TestReviewedCharacters regenerates the reviewed characters and checks
// them for every defect the review found. With -v it prints the count of
// each defect.
func TestReviewedCharacters(t *testing.T) {
	t.Parallel()
	g := New()
	var ws []whole
	for _, wr := range reviewCharacters {
		ws = append(ws, makeWhole(t, g, wr))
	}
	counts, all := countDefects(ws)
	items := 0
	for _, w := range ws {
		items += len(w.equip.Items)
	}
	var report []string
	for _, k := range defectKeys {
		report = append(report, k+": "+strconv.Itoa(counts[k]))
	}
	t.Logf("%d characters, %d equipment items:\n%s", len(ws), items, strings.Join(report, "\n"))
	for _, d := range all {
		t.Errorf("%s: %s", d.key, d.msg)
	}
}

// wholePrompts are prompts a player might write: statements about the
// character, a former trade, a home town, and what the writer cannot use.
var wholePrompts = []string{
	"He sold his mentor to a lich for a spellbook.",
	"She is the last knight of a fallen order.",
	"They were exiled from their clan for a crime they did not commit.",
	"make her a former sailor",
	"His sister was murdered by a vampire.",
	"She owes a debt to the thieves' guild of Saltmere.",
	"He swore an oath to protect the weak.",
	"A cheerful drunk who hates the sea.",
	"They grew up in Emberfall and fear fire.",
	"She betrayed her best friend for gold.",
}

// randomWhole draws a whole character's request across races, classes,
// levels, backgrounds, pronouns and prompts.
func randomWhole(r *rand.Rand, i int) wholeRequest {
	req := randomRequest(r, int64(i))
	p := req.Parameters
	p.Background = []string{"", "Acolyte", "Criminal", "Folk Hero", "Guild Artisan", "Noble", "Sage", "Soldier", "Sailor", "Urchin", "Outlander", "Hermit", "Entertainer", "Charlatan", "Pirate"}[r.IntN(15)]
	p.Pronouns = []string{"", "she/her", "he/him", "they/them"}[r.IntN(4)]
	wr := wholeRequest{label: fmt.Sprintf("whole %d", i), params: p, seed: int64(5000 + i)}
	if r.IntN(3) == 0 {
		wr.prompt = wholePrompts[r.IntN(len(wholePrompts))]
	}
	return wr
}

// TestWholeCharactersHoldTogether generates 200 whole characters and
// checks every defect the reviewed characters were checked for: one write-up
// per item that agrees with the sheet, no sentence said twice in a
// document, one god, home town and trade, a history that fits the level,
// bonds about gear the sheet lists, a backstory that agrees with itself, a
// prompt used or warned about, articles and verbs right in combat, one
// opener, one situation per spell, and a preferred range the attacks allow.
func TestWholeCharactersHoldTogether(t *testing.T) {
	t.Parallel()
	g := New()
	r := rand.New(rand.NewPCG(23, 5))
	var ws []whole
	n := 200
	if testing.Short() {
		n = 60
	}
	for i := range n {
		ws = append(ws, makeWhole(t, g, randomWhole(r, i)))
	}
	counts, all := countDefects(ws)
	for i, d := range all {
		if i == 40 {
			t.Fatalf("... and %d more", len(all)-i)
		}
		t.Errorf("%s: %s", d.key, d.msg)
	}
	if len(all) > 0 {
		t.Logf("counts: %v", counts)
	}
}

// TestIdentityKeepsItsGod checks that a character sent as an identity
// serves one god in every document, whatever each document's seed.
func TestIdentityKeepsItsGod(t *testing.T) {
	t.Parallel()
	g := New()
	r := rand.New(rand.NewPCG(29, 3))
	for i := range 100 {
		s := sheetOf(t, g, randomRequest(r, int64(i)))
		id, _ := json.Marshal(s.Identity())
		var gods []string
		for _, typ := range []string{dnd.TypeSheet, dnd.TypeBackstory, dnd.TypePersonality, dnd.TypeEquipment} {
			seed := int64(i*31 + len(typ))
			out, err := g.Character(context.Background(), dnd.CharacterRequest{Type: typ, Character: id, Seed: &seed})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range deities() {
				if strings.Contains(string(out.Content), d) && !slices.Contains(gods, d) {
					gods = append(gods, d)
				}
			}
		}
		if len(gods) > 1 {
			t.Errorf("identity %d: the documents name %q", i, gods)
		}
	}
}
