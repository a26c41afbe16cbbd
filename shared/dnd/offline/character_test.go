package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// sheetOf generates the sheet a request gives.
func sheetOf(t testing.TB, g *Generator, req dnd.CharacterRequest) dnd.Sheet {
	t.Helper()
	var s dnd.Sheet
	generateInto(t, g, dnd.TypeSheet, req, &s)
	return s
}

// generateInto generates the request as typ and decodes the content into v.
func generateInto(t testing.TB, g *Generator, typ string, req dnd.CharacterRequest, v any) {
	t.Helper()
	req.Type = typ
	out, err := g.Character(context.Background(), req)
	if err != nil {
		t.Fatalf("Character(%+v) = %v", req, err)
	}
	mustUnmarshal(t, out.Content, v)
}

// handSheet is what a sheet must show, worked out by hand from the SRD 5.1
// tables; the working is written beside each case in shared/rules's
// hand-checked sheets, which the same choices reproduce here through the
// request, the generator and the sheet content.
type handSheet struct {
	Scores                        dnd.AbilityScores
	Prof, HP, AC, Init, Speed, PP int
	Saves                         [6]int
	Attack                        string // first attack: "name to-hit damage"
	Subclass                      string
}

func TestSheetsMatchHandCheckedSheets(t *testing.T) {
	t.Parallel()
	g := New()
	lvl := dnd.Int
	tests := []struct {
		name   string
		params dnd.CharacterParams
		prompt string // names the fighting style, when the sheet has one
		seed   int64
		want   handSheet
	}{
		{"barbarian 20 half-orc", dnd.CharacterParams{CharacterClass: "Barbarian", CharacterRace: "Half-Orc", CharacterLevel: lvl(20), Background: "Outlander", Alignment: "CN"},
			"She fights with a great weapon.", 101,
			handSheet{dnd.AbilityScores{Str: 24, Dex: 15, Con: 24, Int: 8, Wis: 12, Cha: 10}, 6, 285, 19, 2, 40, 17, [6]int{14, 3, 14, 0, 2, 1}, "Maul +3 +16 2d6+10 bludgeoning", "Berserker"}},
		{"bard 3 half-elf", dnd.CharacterParams{CharacterClass: "Bard", CharacterRace: "Half-Elf", CharacterLevel: lvl(3), Background: "Entertainer", Alignment: "CG"}, "", 102,
			handSheet{dnd.AbilityScores{Str: 8, Dex: 15, Con: 14, Int: 10, Wis: 12, Cha: 17}, 2, 24, 14, 3, 30, 13, [6]int{-1, 4, 2, 0, 1, 5}, "Rapier +4 1d8+2 piercing", "Lore"}},
		{"cleric 1 hill dwarf", dnd.CharacterParams{CharacterClass: "Cleric", CharacterRace: "Hill Dwarf", CharacterLevel: lvl(1), Background: "Acolyte", Alignment: "LG"}, "", 103,
			handSheet{dnd.AbilityScores{Str: 13, Dex: 12, Con: 16, Int: 8, Wis: 16, Cha: 10}, 2, 12, 18, 1, 25, 13, [6]int{1, 1, 3, -1, 5, 2}, "Warhammer +3 1d8+1 bludgeoning", "Life"}},
		{"druid 4 human", dnd.CharacterParams{CharacterClass: "Druid", CharacterRace: "Human", CharacterLevel: lvl(4), Background: "Hermit", Alignment: "N"}, "", 104,
			handSheet{dnd.AbilityScores{Str: 9, Dex: 14, Con: 15, Int: 13, Wis: 18, Cha: 11}, 2, 31, 16, 2, 30, 16, [6]int{-1, 2, 2, 3, 6, 0}, "Scimitar +4 1d6+2 slashing", "Land"}},
		{"fighter 1 human", dnd.CharacterParams{CharacterClass: "Fighter", CharacterRace: "Human", CharacterLevel: lvl(1), Background: "Soldier", Alignment: "LN"},
			"A great weapon fighter.", 105,
			handSheet{dnd.AbilityScores{Str: 16, Dex: 14, Con: 15, Int: 9, Wis: 13, Cha: 11}, 2, 12, 16, 2, 30, 13, [6]int{5, 2, 4, -1, 1, 0}, "Greatsword +5 2d6+3 slashing", ""}},
		{"monk 3 lightfoot halfling", dnd.CharacterParams{CharacterClass: "Monk", CharacterRace: "Lightfoot Halfling", CharacterLevel: lvl(3), Background: "Hermit", Alignment: "LN"}, "", 106,
			handSheet{dnd.AbilityScores{Str: 12, Dex: 17, Con: 13, Int: 10, Wis: 14, Cha: 9}, 2, 21, 15, 3, 35, 12, [6]int{3, 5, 1, 0, 2, -1}, "Shortsword +5 1d6+3 piercing", "Open Hand"}},
		{"paladin 6 gold dragonborn", dnd.CharacterParams{CharacterClass: "Paladin", CharacterRace: "Dragonborn", Subrace: "Gold", CharacterLevel: lvl(6), Background: "Noble", Alignment: "LG"},
			"Fights with sword and shield.", 107,
			handSheet{dnd.AbilityScores{Str: 19, Dex: 8, Con: 13, Int: 10, Wis: 12, Cha: 15}, 3, 46, 20, -1, 30, 11, [6]int{6, 1, 3, 2, 6, 7}, "Warhammer +1 +8 1d8+5 bludgeoning", "Devotion"}},
		{"ranger 5 high elf", dnd.CharacterParams{CharacterClass: "Ranger", CharacterRace: "High Elf", CharacterLevel: lvl(5), Background: "Outlander", Alignment: "NG"},
			"An archer.", 108,
			handSheet{dnd.AbilityScores{Str: 12, Dex: 19, Con: 13, Int: 11, Wis: 14, Cha: 8}, 3, 39, 16, 4, 30, 15, [6]int{4, 7, 1, 0, 2, -1}, "Longbow +9 1d8+4 piercing", "Hunter"}},
		{"rogue 1 lightfoot halfling", dnd.CharacterParams{CharacterClass: "Rogue", CharacterRace: "Lightfoot Halfling", CharacterLevel: lvl(1), Background: "Criminal", Alignment: "CN"},
			"Fights with rapier and bow.", 109,
			handSheet{dnd.AbilityScores{Str: 8, Dex: 17, Con: 14, Int: 12, Wis: 13, Cha: 11}, 2, 10, 14, 3, 25, 13, [6]int{-1, 5, 2, 3, 1, 0}, "Rapier +5 1d8+3 piercing", ""}},
		{"sorcerer 4 draconic tiefling", dnd.CharacterParams{CharacterClass: "Sorcerer", CharacterRace: "Tiefling", CharacterLevel: lvl(4), Background: "Sage", Alignment: "CG"}, "", 110,
			handSheet{dnd.AbilityScores{Str: 8, Dex: 13, Con: 14, Int: 11, Wis: 12, Cha: 19}, 2, 30, 14, 1, 30, 11, [6]int{-1, 1, 4, 0, 1, 6}, "Fire Bolt +6 1d10 fire", "Draconic Bloodline"}},
		{"warlock 11 tiefling", dnd.CharacterParams{CharacterClass: "Warlock", CharacterRace: "Tiefling", CharacterLevel: lvl(11), Background: "Charlatan", Alignment: "NE"}, "", 111,
			handSheet{dnd.AbilityScores{Str: 8, Dex: 13, Con: 15, Int: 11, Wis: 12, Cha: 20}, 4, 80, 13, 1, 30, 11, [6]int{-1, 1, 2, 0, 5, 9}, "Eldritch Blast +9 1d10+5 force", "Fiend"}},
		{"wizard 2 high elf", dnd.CharacterParams{CharacterClass: "Wizard", CharacterRace: "High Elf", CharacterLevel: lvl(2), Background: "Sage", Alignment: "NG"}, "", 112,
			handSheet{dnd.AbilityScores{Str: 8, Dex: 15, Con: 14, Int: 16, Wis: 12, Cha: 10}, 2, 14, 12, 2, 30, 13, [6]int{-1, 2, 2, 5, 3, 0}, "Acid Splash DC 13 Dexterity, no damage on success 1d6 acid", "Evocation"}},
		{"fighter 20 half-orc", dnd.CharacterParams{CharacterClass: "Fighter", CharacterRace: "Half-Orc", CharacterLevel: lvl(20), Background: "Soldier", Alignment: "LN"},
			"Sword and shield.", 113,
			handSheet{dnd.AbilityScores{Str: 20, Dex: 19, Con: 20, Int: 8, Wis: 12, Cha: 10}, 6, 224, 22, 7, 30, 17, [6]int{12, 5, 12, 0, 2, 1}, "Flail +11 1d8+7 bludgeoning", "Champion"}},
		{"cleric 5 hill dwarf", dnd.CharacterParams{CharacterClass: "Cleric", CharacterRace: "Hill Dwarf", CharacterLevel: lvl(5), Background: "Acolyte", Alignment: "LG"}, "", 114,
			handSheet{dnd.AbilityScores{Str: 13, Dex: 12, Con: 16, Int: 8, Wis: 18, Cha: 10}, 3, 48, 20, 1, 25, 14, [6]int{1, 1, 3, -1, 7, 3}, "Warhammer +4 1d8+1 bludgeoning", "Life"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := sheetOf(t, g, dnd.CharacterRequest{Parameters: tc.params, Prompt: tc.prompt, Seed: &tc.seed})
			got := handSheet{s.AbilityScores, s.ProficiencyBonus, s.HitPoints, s.ArmorClass, s.Initiative, s.Speed, s.PassivePerception, [6]int{}, "", s.Subclass}
			for i, sv := range s.SavingThrows {
				got.Saves[i] = sv.Bonus
			}
			a := s.Attacks[0]
			switch {
			case a.ToHit != nil:
				got.Attack = fmt.Sprintf("%s %+d %s", a.Name, *a.ToHit, a.Damage)
			case a.Save != nil:
				got.Attack = a.Name + " " + *a.Save + " " + a.Damage
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("sheet of %+v differs from the hand-checked sheet (-want +got):\n%s", tc.params, diff)
			}
		})
	}
}

// The SRD 5.1 tables, restated for the tests independently of package
// rules.
var (
	srdProf   = [21]int{0, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6}
	srdHitDie = map[string]int{"Barbarian": 12, "Fighter": 10, "Paladin": 10, "Ranger": 10, "Bard": 8, "Cleric": 8,
		"Druid": 8, "Monk": 8, "Rogue": 8, "Warlock": 8, "Sorcerer": 6, "Wizard": 6}
	srdSaves = map[string][2]string{
		"Barbarian": {"Strength", "Constitution"}, "Bard": {"Dexterity", "Charisma"}, "Cleric": {"Wisdom", "Charisma"},
		"Druid": {"Intelligence", "Wisdom"}, "Fighter": {"Strength", "Constitution"}, "Monk": {"Strength", "Dexterity"},
		"Paladin": {"Wisdom", "Charisma"}, "Ranger": {"Strength", "Dexterity"}, "Rogue": {"Dexterity", "Intelligence"},
		"Sorcerer": {"Constitution", "Charisma"}, "Warlock": {"Wisdom", "Charisma"}, "Wizard": {"Intelligence", "Wisdom"},
	}
	// Spell slots per spell level for a full caster, by class level.
	srdFullSlots = [21]string{"", "2", "3", "4 2", "4 3", "4 3 2", "4 3 3", "4 3 3 1", "4 3 3 2", "4 3 3 3 1", "4 3 3 3 2",
		"4 3 3 3 2 1", "4 3 3 3 2 1", "4 3 3 3 2 1 1", "4 3 3 3 2 1 1", "4 3 3 3 2 1 1 1", "4 3 3 3 2 1 1 1",
		"4 3 3 3 2 1 1 1 1", "4 3 3 3 3 1 1 1 1", "4 3 3 3 3 2 1 1 1", "4 3 3 3 3 2 2 1 1"}
	srdCasting = map[string]string{"Bard": "Charisma", "Cleric": "Wisdom", "Druid": "Wisdom", "Sorcerer": "Charisma",
		"Wizard": "Intelligence", "Warlock": "Charisma", "Paladin": "Charisma", "Ranger": "Wisdom"}
	// Who may attune to the restricted items.
	srdRestricted = map[string][]string{"Holy Avenger": {"Paladin"}, "Staff of the Magi": {"Sorcerer", "Warlock", "Wizard"},
		"Staff of Power": {"Sorcerer", "Warlock", "Wizard"}, "Staff of Healing": {"Bard", "Cleric", "Druid"}}
	// Items that change saves, save DCs or spell attacks, whose sheets the
	// bonus checks leave out.
	bonusItems = []string{"Ring of Protection", "Cloak of Protection", "Stone of Good Luck", "Robe of Stars", "Staff of Power",
		"Robe of the Archmagi", "Staff of the Magi", "Staff of the Woodlands", "Wand of the War Mage", "Luck Blade"}
)

// randomRequest draws a sheet request across the SRD races, classes,
// backgrounds, alignments and levels.
func randomRequest(r *rand.Rand, seed int64) dnd.CharacterRequest {
	races := []string{"Hill Dwarf", "Dwarf", "High Elf", "Elf", "Lightfoot Halfling", "Human", "Dragonborn", "Gnome", "Half-Elf", "Half-Orc", "Tiefling", ""}
	classes := []string{"Barbarian", "Bard", "Cleric", "Druid", "Fighter", "Monk", "Paladin", "Ranger", "Rogue", "Sorcerer", "Warlock", "Wizard"}
	p := dnd.CharacterParams{CharacterRace: races[r.IntN(len(races))], CharacterClass: classes[r.IntN(len(classes))], CharacterLevel: dnd.Int(1 + r.IntN(20))}
	if r.IntN(2) == 0 {
		p.Alignment = dnd.Alignments()[r.IntN(9)]
	}
	return dnd.CharacterRequest{Type: dnd.TypeSheet, Parameters: p, Seed: &seed}
}

// TestRandomSheetsKeepTheRules generates sheets through the content path
// (request, resolution, words, completion, JSON) and checks them against
// the SRD tables above: proficiency by level, saves by class, the hit point
// formula, spell slots by class and level, castable spell levels, the save
// DC and attack bonus, Eldritch Blast, and attunement.
func TestRandomSheetsKeepTheRules(t *testing.T) {
	t.Parallel()
	g := New()
	r := rand.New(rand.NewPCG(16, 1000))
	for i := range 1000 {
		req := randomRequest(r, int64(i))
		s := sheetOf(t, g, req)
		for _, p := range sheetProblems(s) {
			t.Errorf("sheet %d (%s %s %d): %s", i, s.Race, s.Class, s.Level, p)
		}
		if t.Failed() && i > 20 {
			t.FailNow()
		}
	}
}

func sheetProblems(s dnd.Sheet) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	sc := []int{s.AbilityScores.Str, s.AbilityScores.Dex, s.AbilityScores.Con, s.AbilityScores.Int, s.AbilityScores.Wis, s.AbilityScores.Cha}
	md := []int{s.AbilityModifiers.Str, s.AbilityModifiers.Dex, s.AbilityModifiers.Con, s.AbilityModifiers.Int, s.AbilityModifiers.Wis, s.AbilityModifiers.Cha}
	for i := range sc {
		if want := sc[i]/2 - 5; md[i] != want { // (score - 10) / 2, rounded down
			bad("modifier %d for score %d, want %d", md[i], sc[i], want)
		}
	}
	prof := srdProf[s.Level]
	if s.ProficiencyBonus != prof {
		bad("proficiency %+d at level %d, want %+d", s.ProficiencyBonus, s.Level, prof)
	}
	die := srdHitDie[s.Class]
	hp := die + md[2] + (s.Level-1)*(die/2+1+md[2])
	if s.Subrace == "Hill Dwarf" {
		hp += s.Level // Dwarven Toughness
	}
	if s.Subclass == "Draconic Bloodline" {
		hp += s.Level // Draconic Resilience
	}
	if s.HitPoints != hp || s.HitDice != fmt.Sprintf("%dd%d", s.Level, die) {
		bad("hit points %d (%s), want %d (%dd%d)", s.HitPoints, s.HitDice, hp, s.Level, die)
	}
	out = append(out, saveProblems(s, md)...)
	out = append(out, castingProblems(s, md)...)
	attuned := 0
	for _, it := range s.Equipment {
		if it.Attuned {
			attuned++
			if who, ok := srdRestricted[it.Name]; ok && !slices.Contains(who, s.Class) {
				bad("%s attuned by a %s", it.Name, s.Class)
			}
		}
		if it.Name == "Dwarven Thrower" && s.Race != "Dwarf" {
			bad("a %s carries a Dwarven Thrower", s.Race)
		}
	}
	if attuned > 3 {
		bad("%d attuned items", attuned)
	}
	if pp := skillBonus(s, "Perception") + 10; s.PassivePerception != pp {
		bad("passive Perception %d, want %d", s.PassivePerception, pp)
	}
	return out
}

func skillBonus(s dnd.Sheet, name string) int {
	for _, sk := range s.Skills {
		if sk.Name == name {
			return sk.Bonus
		}
	}
	return -100
}

func hasBonusItem(s dnd.Sheet) bool {
	return slices.ContainsFunc(s.Equipment, func(it dnd.Item) bool {
		return slices.ContainsFunc(bonusItems, func(b string) bool { return strings.HasPrefix(it.Name, b) })
	})
}

func saveProblems(s dnd.Sheet, md []int) []string {
	var out []string
	classSaves := srdSaves[s.Class]
	for i, sv := range s.SavingThrows {
		want := slices.Contains(classSaves[:], sv.Ability) || s.Class == "Monk" && s.Level >= 14 ||
			s.Class == "Rogue" && s.Level >= 15 && sv.Ability == "Wisdom"
		if sv.Proficient != want {
			out = append(out, fmt.Sprintf("%s save proficient %v, want %v", sv.Ability, sv.Proficient, want))
		}
		bonus := md[i]
		if want {
			bonus += srdProf[s.Level]
		}
		if s.Class == "Paladin" && s.Level >= 6 {
			bonus += max(1, md[5])
		}
		if !hasBonusItem(s) && sv.Bonus != bonus {
			out = append(out, fmt.Sprintf("%s save %+d, want %+d", sv.Ability, sv.Bonus, bonus))
		}
	}
	return out
}

func castingProblems(s dnd.Sheet, md []int) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	ability, caster := srdCasting[s.Class]
	half := s.Class == "Paladin" || s.Class == "Ranger"
	if half && s.Level < 2 {
		caster = false
	}
	sp := s.Spellcasting
	if caster != (sp != nil) {
		bad("spellcasting %v for a level %d %s", sp != nil, s.Level, s.Class)
		return out
	}
	if sp == nil {
		return out
	}
	a := slices.Index([]string{"Strength", "Dexterity", "Constitution", "Intelligence", "Wisdom", "Charisma"}, ability)
	if !hasBonusItem(s) && (sp.SaveDC != 8+srdProf[s.Level]+md[a] || sp.AttackBonus != srdProf[s.Level]+md[a] || sp.Ability != ability) {
		bad("spellcasting %s DC %d %+d, want %s DC %d %+d", sp.Ability, sp.SaveDC, sp.AttackBonus, ability, 8+srdProf[s.Level]+md[a], srdProf[s.Level]+md[a])
	}
	var slots []string
	top := 0
	for _, sl := range sp.Slots {
		switch sl.Kind {
		case "spell":
			slots = append(slots, fmt.Sprint(sl.Count))
			top = sl.Level
		case "pact":
			top = sl.Level
			count := 1
			switch {
			case s.Level >= 17:
				count = 4
			case s.Level >= 11:
				count = 3
			case s.Level >= 2:
				count = 2
			}
			if sl.Count != count || sl.Level != min(5, (s.Level+1)/2) {
				bad("pact slots %d of level %d at warlock level %d", sl.Count, sl.Level, s.Level)
			}
		}
	}
	want := srdFullSlots[s.Level]
	if half {
		want = srdFullSlots[(s.Level+1)/2]
	}
	if s.Class != "Warlock" && strings.Join(slots, " ") != want {
		bad("slots %v, want %s", slots, want)
	}
	for _, x := range sp.Spells {
		if x.Source != "Mystic Arcanum" && (x.Level < 1 || x.Level > top) {
			bad("spell %s of level %d, castable up to %d", x.Name, x.Level, top)
		}
	}
	if s.Class == "Warlock" && !slices.ContainsFunc(sp.Cantrips, func(x dnd.Spell) bool { return x.Name == "Eldritch Blast" }) {
		bad("a warlock without Eldritch Blast")
	}
	return out
}

// TestBackstoryEventsInOrder checks the key events of 1,000 backstories
// against the order of a life: each event is matched to the template it
// came from, and birth comes before childhood, childhood before the
// calling, the calling before the subclass, and the arc's later events and
// the deeds of the tier after; an arc's events keep their order. The
// calling and the subclass are the story's own lines.
func TestBackstoryEventsInOrder(t *testing.T) {
	t.Parallel()
	g := New()
	phases := eventPhases(g.t)
	r := rand.New(rand.NewPCG(17, 1000))
	for i := range 1000 {
		req := randomRequest(r, int64(i))
		req.Type = dnd.TypeBackstory
		if i%4 == 0 {
			req.Prompt = "A former sailor from Saltmere."
		}
		out, err := g.Character(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		var b dnd.Backstory
		if err := json.Unmarshal(out.Content, &b); err != nil {
			t.Fatal(err)
		}
		last := -1
		for _, ev := range b.KeyEvents {
			p := phaseOf(phases, ev)
			if p < 0 {
				t.Fatalf("backstory %d: event %q matches no template", i, ev)
			}
			if p < last {
				t.Errorf("backstory %d: %q is out of order in %q", i, ev, b.KeyEvents)
				break
			}
			if (p == 40 || p == 45) && !strings.Contains(b.Backstory, ev) {
				t.Errorf("backstory %d: the event %q is told differently in the story %q", i, ev, b.Backstory)
			}
			last = p
		}
	}
}

// phasedTemplate is an event template as a pattern, with its place in a
// life: phases in tens, an arc's events by their order within the phase.
type phasedTemplate struct {
	re    *regexp.Regexp
	phase int
}

var varRE = regexp.MustCompile(`\{[^{}]+\}`)

func pattern(tmpl string) *regexp.Regexp {
	parts := varRE.Split(tmpl, -1)
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile(`(?i)^` + strings.Join(parts, `.+`) + `$`)
}

func eventPhases(t *tables) []phasedTemplate {
	var out []phasedTemplate
	add := func(phase int, tmpls ...string) {
		for _, s := range tmpls {
			out = append(out, phasedTemplate{pattern(s), phase})
		}
	}
	// The origin comes first in its stage, then the arc's events in the
	// arc's order, then the former trade.
	when := map[string]int{"birth": 0, "childhood": 10, "youth": 20, "adult": 30, "after": 60}
	for _, a := range t.lives.Arcs {
		for _, v := range a.Variants {
			for i, ev := range v.Events {
				add(when[ev.When]+1+i, ev.Text)
			}
		}
	}
	for _, os := range t.lives.Origins {
		for _, o := range os {
			add(when[o.Stage], o.Event)
		}
	}
	for sym, alts := range t.grammar {
		switch {
		case strings.HasPrefix(sym, "calling_"):
			add(40, alts...)
		case strings.HasPrefix(sym, "subclass_"):
			add(45, alts...)
		case strings.HasPrefix(sym, "milestone"):
			add(90, alts...)
		}
	}
	for _, tr := range t.persona.Trades {
		add(39, tr.Youth)
	}
	return out
}

// phaseOf is the phase of an event, or -1 when no template matches.
func phaseOf(ts []phasedTemplate, ev string) int {
	for _, p := range ts {
		if p.re.MatchString(ev) {
			return p.phase
		}
	}
	return -1
}

// TestTypesGroundedInOneSheet generates a sheet, then sends its content as
// the character of the other four types: all five describe the same
// person, and combat and equipment show the sheet's numbers and items.
// Sent as just an identity, the character keeps its identity, and its
// numbers are the same in every document, whatever the seed.
func TestTypesGroundedInOneSheet(t *testing.T) {
	t.Parallel()
	g := New()
	r := rand.New(rand.NewPCG(18, 1))
	for i := range 60 {
		s := sheetOf(t, g, randomRequest(r, int64(i)))
		sheet, _ := json.Marshal(s)
		id, _ := json.Marshal(s.Identity())
		for _, ref := range []struct {
			name string
			raw  json.RawMessage
		}{{"sheet", sheet}, {"identity", id}} {
			var numbers []string
			for _, typ := range dnd.Types(dnd.KindCharacter) {
				seed := int64(1000 + i*7 + len(typ))
				out, err := g.Character(context.Background(), dnd.CharacterRequest{Type: typ, Character: ref.raw, Seed: &seed})
				if err != nil {
					t.Fatalf("Character(%s of sheet %d) = %v", typ, i, err)
				}
				if got := identityOf(t, typ, out.Content); got != s.Identity() {
					t.Errorf("%s of sheet %d is about %+v, want %+v", typ, i, got, s.Identity())
				}
				numbers = append(numbers, numbersOf(t, typ, out.Content))
			}
			numbers = slices.DeleteFunc(numbers, func(n string) bool { return n == "" })
			if ref.name == "sheet" && numbers[0] != numbersOf(t, dnd.TypeSheet, sheet) {
				t.Errorf("sheet %d sent back: numbers %s, want the sheet's %s", i, numbers[0], numbersOf(t, dnd.TypeSheet, sheet))
			}
			for _, n := range numbers[1:] {
				if n != numbers[0] {
					t.Errorf("sheet %d sent as %s: documents disagree on the numbers: %s and %s", i, ref.name, numbers[0], n)
				}
			}
		}
	}
}

// numbersOf states the numbers a character document shows: scores, Armor
// Class, hit points and attacks for a sheet and a combat profile; the items
// for an equipment list (and "" for the other types).
func numbersOf(t testing.TB, typ string, content []byte) string {
	t.Helper()
	attacks := func(as []dnd.Attack) string {
		var b strings.Builder
		for _, a := range as {
			fmt.Fprintf(&b, "%s %v %v %s|", a.Name, deref(a.ToHit), deref(a.Save), a.Damage)
		}
		return b.String()
	}
	switch typ {
	case dnd.TypeSheet:
		var s dnd.Sheet
		mustUnmarshal(t, content, &s)
		return fmt.Sprint(s.AbilityScores, s.ArmorClass, s.HitPoints, s.ProficiencyBonus, attacks(s.Attacks))
	case dnd.TypeCombat:
		var c dnd.Combat
		mustUnmarshal(t, content, &c)
		return fmt.Sprint(c.AbilityScores, c.ArmorClass, c.HitPoints, c.ProficiencyBonus, attacks(c.Attacks))
	}
	return ""
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func mustUnmarshal(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// TestEquipmentIsTheSheets checks that an equipment list carries the
// sheet's items, quantities and attunement, and describes each item as the
// sheet written from the same request does: one write-up per item.
func TestEquipmentIsTheSheets(t *testing.T) {
	t.Parallel()
	g := New()
	r := rand.New(rand.NewPCG(19, 1))
	for i := range 100 {
		req := randomRequest(r, int64(i))
		s := sheetOf(t, g, req)
		var e dnd.Equipment
		generateInto(t, g, dnd.TypeEquipment, req, &e)
		if diff := cmp.Diff(s.Equipment, e.Items); diff != "" {
			t.Errorf("equipment %d differs from the sheet's (-sheet +equipment):\n%s", i, diff)
		}
	}
}
