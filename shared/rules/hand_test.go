package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// handSheet is what a sheet must show, worked out by hand from the SRD 5.1
// tables. Only the choices the seed makes (which weapon of a build, which
// magic items) were read off the package; every number is derived in the
// comment above it.
type handSheet struct {
	Scores                        Scores
	Prof, HP, AC, Init, Speed, PP int
	Saves                         [6]int
	Attack                        string // first attack: "name to-hit damage"
	Casting                       string // "DC n, +n, slots, cantrips n, known|prepared n", or "" for none
	Features, Missing, Equipment  []string
	AttacksPerAction              int
	Subclass                      string
	Attuned                       int
}

var handSheets = []struct {
	name string
	in   Choices
	want handSheet
}{
	{
		// Half-Orc Barbarian 20, Path of the Berserker, great weapon.
		// Array by STR, CON, DEX, WIS, CHA, INT: 15 14 13 12 10 8.
		// Half-Orc STR +2, CON +1: STR 17, CON 15.
		// ASIs 4, 8, 12, 16, 19 (+2 each to the first ability below 20):
		// STR 19; STR 20 CON 16; CON 18; CON 20; DEX 15.
		// Primal Champion: STR 24, CON 24 (max 24).
		// HP: 12 + 7 + 19 × (7 + 7) = 285. Prof +6.
		// AC: Unarmored Defense 10 + DEX 2 + CON 7 = 19.
		// Robe of Stars: +1 to all saves. Saves STR 7+6+1, DEX 2+1, CON 7+6+1,
		// INT -1+1, WIS 1+1, CHA 0+1.
		// Perception (class skill, WIS): 1 + 6 = 7, passive 17.
		// Speed 30 + Fast Movement 10. Maul +3: 7 + 6 + 3 = +16, 2d6+10.
		name: "barbarian 20 half-orc",
		in:   Choices{Class: "Barbarian", Race: "Half-Orc", Level: 20, Seed: 101, Style: "great weapon", Background: "Outlander", Alignment: "CN"},
		want: handSheet{
			Scores: Scores{24, 15, 24, 8, 12, 10}, Prof: 6, HP: 285, AC: 19, Init: 2, Speed: 40, PP: 17,
			Saves: [6]int{14, 3, 14, 0, 2, 1}, Attack: "Maul +3 +16 2d6+10 bludgeoning",
			Features:         []string{"Primal Champion", "Rage", "Frenzy", "Retaliation", "Brutal Critical", "Extra Attack"},
			Equipment:        []string{"Maul +3", "Robe of Stars", "Ring of Regeneration"},
			AttacksPerAction: 2, Subclass: "Berserker", Attuned: 2,
		},
	},
	{
		// Half-Elf Bard 3, College of Lore. Array by CHA, DEX, CON, WIS, INT, STR.
		// CHA 15+2 = 17; the two +1s go to DEX (15) and CON (14).
		// HP: 8 + 2 + 2 × (5 + 2) = 24. AC: studded leather 12 + 2 = 14.
		// Initiative: DEX 2 + Jack of All Trades 1 = 3.
		// Saves: DEX 2+2, CHA 3+2; others: STR -1, CON 2, INT 0, WIS 1.
		// Perception proficient: 1 + 2 = 3, passive 13.
		// Spell DC 8 + 2 + 3 = 13, attack +5; slots 4/2; 2 cantrips, 6 known.
		// Rapier (finesse, DEX): 2 + 2 = +4, 1d8+2.
		name: "bard 3 half-elf",
		in:   Choices{Class: "Bard", Race: "Half-Elf", Level: 3, Seed: 102, Background: "Entertainer", Alignment: "CG"},
		want: handSheet{
			Scores: Scores{8, 15, 14, 10, 12, 17}, Prof: 2, HP: 24, AC: 14, Init: 3, Speed: 30, PP: 13,
			Saves: [6]int{-1, 4, 2, 0, 1, 5}, Attack: "Rapier +4 1d8+2 piercing",
			Casting:  "DC 13, +5, 4×1 2×2, cantrips 2, known 6",
			Features: []string{"Bardic Inspiration", "Jack of All Trades", "Cutting Words", "Expertise", "Bonus Proficiencies"},
			Missing:  []string{"Font of Inspiration"}, AttacksPerAction: 1, Subclass: "Lore",
		},
	},
	{
		// Hill Dwarf Cleric 1, Life Domain. Array by WIS, CON, STR, DEX, CHA, INT.
		// Dwarf CON +2, Hill Dwarf WIS +1: WIS 16, CON 16, STR 13.
		// HP: 8 + 3 + Dwarven Toughness 1 = 12.
		// Life grants heavy armour; STR 13 meets chain mail: 16 + shield 2 = 18.
		// Speed 25. Saves WIS 3+2, CHA 0+2. Perception untrained: 3, passive 13.
		// DC 8 + 2 + 3 = 13, attack +5; 2 first-level slots; 3 cantrips;
		// prepared 3 + 1 = 4 (plus Bless and Cure Wounds always).
		// A dwarf is trained with the warhammer: STR 1 + 2 = +3, 1d8+1.
		name: "cleric 1 hill dwarf",
		in:   Choices{Class: "Cleric", Race: "Hill Dwarf", Level: 1, Seed: 103, Background: "Acolyte", Alignment: "LG"},
		want: handSheet{
			Scores: Scores{13, 12, 16, 8, 16, 10}, Prof: 2, HP: 12, AC: 18, Init: 1, Speed: 25, PP: 13,
			Saves: [6]int{1, 1, 3, -1, 5, 2}, Attack: "Warhammer +3 1d8+1 bludgeoning",
			Casting:   "DC 13, +5, 2×1, cantrips 3, prepared 4",
			Features:  []string{"Dwarven Toughness", "Disciple of Life", "Bonus Proficiency", "Shelter of the Faithful"},
			Equipment: []string{"Chain Mail", "Shield", "Holy Symbol"}, AttacksPerAction: 1, Subclass: "Life",
		},
	},
	{
		// Human Druid 4, Circle of the Land. Array by WIS, CON, DEX, INT, CHA, STR,
		// +1 to all: WIS 16, CON 15, DEX 14, INT 13, CHA 11, STR 9; ASI 4: WIS 18.
		// HP: 8 + 2 + 3 × (5 + 2) = 31. AC: hide 12 + 2 + wooden shield 2 = 16.
		// Saves INT 1+2, WIS 4+2. DC 8 + 2 + 4 = 14, attack +6; slots 4/3;
		// cantrips 3 + Bonus Cantrip 1; prepared 4 + 4 = 8.
		// Scimitar (finesse, DEX): 2 + 2 = +4, 1d6+2.
		name: "druid 4 human",
		in:   Choices{Class: "Druid", Race: "Human", Level: 4, Seed: 104, Background: "Hermit", Alignment: "N"},
		want: handSheet{
			Scores: Scores{9, 14, 15, 13, 18, 11}, Prof: 2, HP: 31, AC: 16, Init: 2, Speed: 30, PP: 16,
			Saves: [6]int{-1, 2, 2, 3, 6, 0}, Attack: "Scimitar +4 1d6+2 slashing",
			Casting:   "DC 14, +6, 4×1 3×2, cantrips 4, prepared 8",
			Features:  []string{"Wild Shape", "Bonus Cantrip", "Natural Recovery", "Circle Spells"},
			Missing:   []string{"Land's Stride"},
			Equipment: []string{"Hide Armor", "Wooden Shield"}, AttacksPerAction: 1, Subclass: "Land",
		},
	},
	{
		// Human Fighter 1, great weapon. Array by STR, CON, DEX, WIS, CHA, INT,
		// +1 to all: STR 16, CON 15, DEX 14, WIS 13, CHA 11, INT 9.
		// HP: 10 + 2 = 12. AC: chain mail 16 (STR 16 meets its 13; scale
		// mail 14 + DEX 2 ties at 16).
		// Saves STR 3+2, CON 2+2. No subclass before level 3.
		// Greatsword: 3 + 2 = +5, 2d6+3.
		name: "fighter 1 human",
		in:   Choices{Class: "Fighter", Race: "Human", Level: 1, Seed: 105, Style: "great weapon", Background: "Soldier", Alignment: "LN"},
		want: handSheet{
			Scores: Scores{16, 14, 15, 9, 13, 11}, Prof: 2, HP: 12, AC: 16, Init: 2, Speed: 30, PP: 13,
			Saves: [6]int{5, 2, 4, -1, 1, 0}, Attack: "Greatsword +5 2d6+3 slashing",
			Features:  []string{"Fighting Style: Great Weapon Fighting", "Second Wind"},
			Missing:   []string{"Action Surge", "Improved Critical"},
			Equipment: []string{"Chain Mail", "Greatsword"}, AttacksPerAction: 1, Subclass: "",
		},
	},
	{
		// Lightfoot Halfling Monk 3, Way of the Open Hand. Array by DEX, WIS, CON,
		// STR, INT, CHA; DEX +2, CHA +1: DEX 17, WIS 14, CON 13, STR 12, CHA 9.
		// HP: 8 + 1 + 2 × (5 + 1) = 21. AC: 10 + 3 + 2 = 15.
		// Speed: 25 + Unarmored Movement 10. Saves STR 1+2, DEX 3+2.
		// Shortsword as a monk weapon (DEX): 3 + 2 = +5, 1d6+3.
		name: "monk 3 lightfoot halfling",
		in:   Choices{Class: "Monk", Race: "Lightfoot Halfling", Level: 3, Seed: 106, Background: "Hermit", Alignment: "LN"},
		want: handSheet{
			Scores: Scores{12, 17, 13, 10, 14, 9}, Prof: 2, HP: 21, AC: 15, Init: 3, Speed: 35, PP: 12,
			Saves: [6]int{3, 5, 1, 0, 2, -1}, Attack: "Shortsword +5 1d6+3 piercing",
			Features: []string{"Martial Arts", "Ki", "Flurry of Blows", "Open Hand Technique", "Deflect Missiles", "Lucky"},
			Missing:  []string{"Extra Attack"}, AttacksPerAction: 1, Subclass: "Open Hand",
		},
	},
	{
		// Gold Dragonborn Paladin 6, Oath of Devotion, sword and shield.
		// Array by STR, CHA, CON, WIS, INT, DEX; STR +2, CHA +1: STR 17, CHA 15;
		// ASI 4: STR 19. HP: 10 + 1 + 5 × (6 + 1) = 46.
		// AC: splint 17 + Defense 1 + shield 2 = 20.
		// Aura of Protection adds CHA 2 to every save: STR 4+2, DEX -1+2,
		// CON 1+2, INT 0+2, WIS 1+3+2, CHA 2+3+2.
		// DC 8 + 3 + 2 = 13, attack +5; slots 4/2; prepared 2 + 3 = 5.
		// Warhammer +1: 4 + 3 + 1 = +8, 1d8+5. Breath weapon DC 8 + 1 + 3 = 12.
		name: "paladin 6 gold dragonborn",
		in:   Choices{Class: "Paladin", Race: "Dragonborn", Subrace: "Gold", Level: 6, Seed: 107, Style: "sword and shield", Background: "Noble", Alignment: "LG"},
		want: handSheet{
			Scores: Scores{19, 8, 13, 10, 12, 15}, Prof: 3, HP: 46, AC: 20, Init: -1, Speed: 30, PP: 11,
			Saves: [6]int{6, 1, 3, 2, 6, 7}, Attack: "Warhammer +1 +8 1d8+5 bludgeoning",
			Casting:   "DC 13, +5, 4×1 2×2, cantrips 0, prepared 5",
			Features:  []string{"Aura of Protection", "Divine Smite", "Fighting Style: Defense", "Breath Weapon", "Sacred Weapon"},
			Equipment: []string{"Warhammer +1", "Splint Armor", "Shield"}, AttacksPerAction: 2, Subclass: "Devotion",
		},
	},
	{
		// High Elf Ranger 5, Hunter, archer. Array by DEX, WIS, CON, STR, INT, CHA;
		// DEX +2, INT +1: DEX 17, INT 11; ASI 4: DEX 19.
		// HP: 10 + 1 + 4 × (6 + 1) = 39. AC: breastplate 14 + DEX 2 (capped)
		// = 16, tying studded leather 12 + 4; the heavier base wins.
		// Saves STR 1+3, DEX 4+3. Perception (Keen Senses): 2 + 3 = 5, passive 15.
		// DC 8 + 3 + 2 = 13, attack +5; slots 4/2; 4 known.
		// Longbow with Archery: 4 + 3 + 2 = +9, 1d8+4.
		name: "ranger 5 high elf",
		in:   Choices{Class: "Ranger", Race: "High Elf", Level: 5, Seed: 108, Style: "archer", Background: "Outlander", Alignment: "NG"},
		want: handSheet{
			Scores: Scores{12, 19, 13, 11, 14, 8}, Prof: 3, HP: 39, AC: 16, Init: 4, Speed: 30, PP: 15,
			Saves: [6]int{4, 7, 1, 0, 2, -1}, Attack: "Longbow +9 1d8+4 piercing",
			Casting:   "DC 13, +5, 4×1 2×2, cantrips 0, known 4",
			Features:  []string{"Hunter's Prey: Colossus Slayer", "Fighting Style: Archery", "Extra Attack", "Cantrip"},
			Equipment: []string{"Longbow", "Arrows", "Breastplate", "Wand of Web"}, AttacksPerAction: 2, Subclass: "Hunter", Attuned: 1,
		},
	},
	{
		// Lightfoot Halfling Rogue 1. Array by DEX, CON, WIS, INT, CHA, STR;
		// DEX 17, CHA 11. HP 8 + 2 = 10. AC: leather 11 + 3 = 14.
		// Saves DEX 3+2, INT 1+2. Rapier: 3 + 2 = +5, 1d8+3.
		name: "rogue 1 lightfoot halfling",
		in:   Choices{Class: "Rogue", Race: "Lightfoot Halfling", Level: 1, Seed: 109, Style: "rapier and bow", Background: "Criminal", Alignment: "CN"},
		want: handSheet{
			Scores: Scores{8, 17, 14, 12, 13, 11}, Prof: 2, HP: 10, AC: 14, Init: 3, Speed: 25, PP: 13,
			Saves: [6]int{-1, 5, 2, 3, 1, 0}, Attack: "Rapier +5 1d8+3 piercing",
			Features: []string{"Sneak Attack", "Expertise", "Thieves' Cant", "Naturally Stealthy"},
			Missing:  []string{"Cunning Action"}, AttacksPerAction: 1, Subclass: "",
		},
	},
	{
		// Tiefling Sorcerer 4, Draconic Bloodline. Array by CHA, CON, DEX, WIS,
		// INT, STR; CHA +2, INT +1: CHA 17, INT 11; ASI 4: CHA 19.
		// HP: 6 + 2 + 3 × (4 + 2) + Draconic Resilience 4 = 30.
		// AC: Draconic Resilience 13 + 1 = 14. Saves CON 2+2, CHA 4+2.
		// DC 8 + 2 + 4 = 14, attack +6; slots 4/3; 5 cantrips; 5 known.
		name: "sorcerer 4 draconic tiefling",
		in:   Choices{Class: "Sorcerer", Race: "Tiefling", Level: 4, Seed: 110, Background: "Sage", Alignment: "CG"},
		want: handSheet{
			Scores: Scores{8, 13, 14, 11, 12, 19}, Prof: 2, HP: 30, AC: 14, Init: 1, Speed: 30, PP: 11,
			Saves: [6]int{-1, 1, 4, 0, 1, 6}, Attack: "Fire Bolt +6 1d10 fire",
			Casting:  "DC 14, +6, 4×1 3×2, cantrips 5, known 5",
			Features: []string{"Draconic Resilience", "Dragon Ancestor", "Font of Magic", "Metamagic", "Infernal Legacy"},
			Missing:  []string{"Elemental Affinity"}, AttacksPerAction: 1, Subclass: "Draconic Bloodline",
		},
	},
	{
		// Tiefling Warlock 11, The Fiend. Array by CHA, CON, DEX, WIS, INT, STR;
		// CHA 17, INT 11; ASIs 4, 8: CHA 19; CHA 20 CON 15.
		// HP: 8 + 2 + 10 × (5 + 2) = 80. AC: studded leather 12 + 1 = 13.
		// Saves WIS 1+4, CHA 5+4. DC 8 + 4 + 5 = 17, attack +9.
		// Pact magic at 11: three 5th-level slots; Mystic Arcanum 6th.
		// Cantrips 4, known 11. Eldritch Blast with Agonizing Blast: +9,
		// 1d10+5, three beams.
		name: "warlock 11 tiefling",
		in:   Choices{Class: "Warlock", Race: "Tiefling", Level: 11, Seed: 111, Background: "Charlatan", Alignment: "NE"},
		want: handSheet{
			Scores: Scores{8, 13, 15, 11, 12, 20}, Prof: 4, HP: 80, AC: 13, Init: 1, Speed: 30, PP: 11,
			Saves: [6]int{-1, 1, 2, 0, 5, 9}, Attack: "Eldritch Blast +9 1d10+5 force",
			Casting:   "DC 17, +9, 3×5 pact 1×6 mystic arcanum, cantrips 4, known 11",
			Features:  []string{"Mystic Arcanum", "Eldritch Invocation: Agonizing Blast", "Dark One's Own Luck", "Fiendish Resilience"},
			Missing:   []string{"Hurl Through Hell"},
			Equipment: []string{"Dagger of Venom", "Wand of Paralysis"}, AttacksPerAction: 1, Subclass: "Fiend", Attuned: 1,
		},
	},
	{
		// High Elf Wizard 2, School of Evocation. Array by INT, CON, DEX, WIS,
		// CHA, STR; DEX +2, INT +1: INT 16, DEX 15.
		// HP: 6 + 2 + 1 × (4 + 2) = 14. AC 10 + 2 = 12. Saves INT 3+2, WIS 1+2.
		// DC 8 + 2 + 3 = 13, attack +5; 3 first-level slots; 3 cantrips;
		// prepared 3 + 2 = 5. Dagger (finesse, DEX): 2 + 2 = +4.
		name: "wizard 2 high elf",
		in:   Choices{Class: "Wizard", Race: "High Elf", Level: 2, Seed: 112, Background: "Sage", Alignment: "NG"},
		want: handSheet{
			Scores: Scores{8, 15, 14, 16, 12, 10}, Prof: 2, HP: 14, AC: 12, Init: 2, Speed: 30, PP: 13,
			Saves: [6]int{-1, 2, 2, 5, 3, 0}, Attack: "Acid Splash DC 13 Dexterity, no damage on success 1d6 acid",
			Casting:  "DC 13, +5, 3×1, cantrips 3, prepared 5",
			Features: []string{"Arcane Recovery", "Sculpt Spells", "Evocation Savant", "Cantrip", "Elf Weapon Training"},
			Missing:  []string{"Potent Cantrip"}, AttacksPerAction: 1, Subclass: "Evocation",
		},
	},
	{
		// Half-Orc Fighter 20, Champion, sword and shield. Array by STR, CON,
		// DEX, WIS, CHA, INT; STR 17, CON 15. ASIs 4, 6, 8, 12, 14, 16, 19:
		// STR 19; STR 20 CON 16; CON 18; CON 20; DEX 15; DEX 17; DEX 19.
		// HP: 10 + 5 + 19 × (6 + 5) = 224.
		// AC: plate 18 + Defense 1 + shield 2 + Ioun Stone (Protection) 1 = 22.
		// Initiative: DEX 4 + Remarkable Athlete 3 = 7. Robe of Stars: saves +1.
		// Flail with Dueling (second style at 10): 5 + 6 = +11, 1d8+7.
		name: "fighter 20 half-orc",
		in:   Choices{Class: "Fighter", Race: "Half-Orc", Level: 20, Seed: 113, Style: "sword and shield", Background: "Soldier", Alignment: "LN"},
		want: handSheet{
			Scores: Scores{20, 19, 20, 8, 12, 10}, Prof: 6, HP: 224, AC: 22, Init: 7, Speed: 30, PP: 17,
			Saves: [6]int{12, 5, 12, 0, 2, 1}, Attack: "Flail +11 1d8+7 bludgeoning",
			Features:         []string{"Additional Fighting Style: Dueling", "Fighting Style: Defense", "Survivor", "Superior Critical", "Remarkable Athlete"},
			Equipment:        []string{"Plate Armor", "Spellguard Shield", "Robe of Stars", "Ioun Stone (Protection)"},
			AttacksPerAction: 4, Subclass: "Champion", Attuned: 3,
		},
	},
	{
		// Hill Dwarf Cleric 5, Life. WIS 16, CON 16, STR 13; ASI 4: WIS 18.
		// HP: 8 + 3 + 4 × (5 + 3) + 5 = 48. AC: adamantine chain mail 16 +
		// Shield +2 (2 + 2) = 20. DC 8 + 3 + 4 = 15, attack +7; slots 4/3/2;
		// 4 cantrips; prepared 4 + 5 = 9. Warhammer 1 + 3 = +4, 1d8+1.
		name: "cleric 5 hill dwarf",
		in:   Choices{Class: "Cleric", Race: "Hill Dwarf", Level: 5, Seed: 114, Background: "Acolyte", Alignment: "LG"},
		want: handSheet{
			Scores: Scores{13, 12, 16, 8, 18, 10}, Prof: 3, HP: 48, AC: 20, Init: 1, Speed: 25, PP: 14,
			Saves: [6]int{1, 1, 3, -1, 7, 3}, Attack: "Warhammer +4 1d8+1 bludgeoning",
			Casting:   "DC 15, +7, 4×1 3×2 2×3, cantrips 4, prepared 9",
			Features:  []string{"Destroy Undead", "Channel Divinity: Preserve Life", "Dwarven Toughness"},
			Missing:   []string{"Blessed Healer"},
			Equipment: []string{"Adamantine Chain Mail", "Shield +2"}, AttacksPerAction: 1, Subclass: "Life",
		},
	},
}

// project reduces a sheet to what handSheet states.
func project(s Sheet, want handSheet) handSheet {
	got := handSheet{
		Scores: s.AbilityScores, Prof: s.ProficiencyBonus, HP: s.HitPoints, AC: s.ArmorClass,
		Init: s.Initiative, Speed: s.Speed, PP: s.PassivePerception,
		AttacksPerAction: s.AttacksPerAction, Subclass: s.Subclass,
	}
	for i, sv := range s.SavingThrows {
		got.Saves[i] = sv.Bonus
	}
	if len(s.Attacks) > 0 {
		a := s.Attacks[0]
		hit := fmt.Sprintf("%+d", a.ToHit)
		if a.Save != "" {
			hit = a.Save
		}
		got.Attack = a.Name + " " + hit + " " + a.Damage
	}
	if sc := s.Spellcasting; sc != nil {
		var slots []string
		for _, sl := range sc.Slots {
			k := ""
			if sl.Kind != SlotSpell {
				k = " " + sl.Kind
			}
			slots = append(slots, fmt.Sprintf("%d×%d%s", sl.Count, sl.Level, k))
		}
		count := fmt.Sprintf("prepared %d", sc.SpellsPrepared)
		if sc.SpellsKnown > 0 {
			count = fmt.Sprintf("known %d", sc.SpellsKnown)
		}
		got.Casting = fmt.Sprintf("DC %d, %+d, %s, cantrips %d, %s", sc.SaveDC, sc.AttackBonus, strings.Join(slots, " "), sc.CantripsKnown, count)
	}
	for _, f := range want.Features {
		if hasFeature(s, f) {
			got.Features = append(got.Features, f)
		}
	}
	for _, f := range want.Missing {
		if !hasFeature(s, f) {
			got.Missing = append(got.Missing, f)
		}
	}
	for _, e := range want.Equipment {
		for _, it := range s.Equipment {
			if it.Name == e {
				got.Equipment = append(got.Equipment, e)
				break
			}
		}
	}
	for _, it := range s.Equipment {
		if it.Attuned {
			got.Attuned++
		}
	}
	return got
}

func hasFeature(s Sheet, name string) bool {
	for _, f := range s.Features {
		if f.Name == name {
			return true
		}
	}
	return false
}

func TestHandCheckedSheets(t *testing.T) {
	classes := map[string]bool{}
	for _, tc := range handSheets {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Build(tc.in)
			if err != nil {
				t.Fatalf("Build(%+v) = %v", tc.in, err)
			}
			classes[s.Class] = true
			if diff := cmp.Diff(tc.want, project(s, tc.want)); diff != "" {
				t.Errorf("Build(%+v) differs from the hand-checked sheet (-want +got):\n%s", tc.in, diff)
			}
		})
	}
	if len(classes) != 12 {
		t.Errorf("hand-checked sheets cover %d classes, want all 12", len(classes))
	}
}
