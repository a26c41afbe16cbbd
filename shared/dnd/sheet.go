package dnd

import (
	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// Sheet is the content of a character "sheet" request: the whole
// character. Every number on it comes from package rules (the SRD 5.1
// tables worked out in code), never from a model; the writer adds the name
// when none was given, the appearance, a touch of personality and the
// descriptions of attacks and items.
type Sheet struct {
	Name        string `json:"name" description:"The character's full name."`
	Pronouns    string `json:"pronouns" description:"How to refer to the character, e.g. she/her, he/him, they/them."`
	Race        string `json:"race" description:"The race; a race outside the SRD 5.1 keeps its name and is played by the closest SRD rules."`
	Subrace     string `json:"subrace" description:"The subrace or, for a dragonborn, the dragon ancestry; empty for a race without one."`
	Class       string `json:"class" description:"The class."`
	Subclass    string `json:"subclass" description:"The subclass; empty below the level that grants one."`
	Level       int    `json:"level" description:"Character level, 1 to 20." minimum:"1" maximum:"20"`
	Background  string `json:"background" description:"The background."`
	Alignment   string `json:"alignment" description:"The alignment." enum:"lawful good,neutral good,chaotic good,lawful neutral,neutral,chaotic neutral,lawful evil,neutral evil,chaotic evil,unaligned"`
	Size        string `json:"size" description:"The character's size." enum:"Small,Medium"`
	Appearance  string `json:"appearance" description:"What the character looks like, two or three sentences."`
	Personality string `json:"personality" description:"A touch of personality a player can act out, one or two sentences."`

	AbilityScores     AbilityScores    `json:"ability_scores" description:"The six ability scores: the standard array or point buy placed by the class, then racial bonuses, ability score improvements and capstones."`
	AbilityModifiers  AbilityModifiers `json:"ability_modifiers" description:"The modifier of each ability score."`
	ProficiencyBonus  int              `json:"proficiency_bonus" description:"Proficiency bonus for the level." minimum:"2" maximum:"6"`
	HitPoints         int              `json:"hit_points" description:"Maximum hit points: the hit die's maximum plus Constitution at level 1, its average rounded up plus Constitution per level after, with Dwarven Toughness and Draconic Resilience." minimum:"1" maximum:"999"`
	HitDice           string           `json:"hit_dice" description:"Hit dice, e.g. 5d10."`
	ArmorClass        int              `json:"armor_class" description:"Armor Class as worn: armour, shield, Dexterity, Unarmored Defense and magic items; spells not running." minimum:"1" maximum:"40"`
	ArmorClassBasis   string           `json:"armor_class_basis" description:"What makes up the Armor Class, e.g. Chain Mail 16, Shield +2."`
	Initiative        int              `json:"initiative" description:"Initiative modifier." minimum:"-10" maximum:"20"`
	Speed             int              `json:"speed" description:"Walking speed in feet." minimum:"0" maximum:"200"`
	PassivePerception int              `json:"passive_perception" description:"10 plus the Perception bonus." minimum:"1" maximum:"50"`

	SavingThrows  []Save        `json:"saving_throws" description:"All six saving throws, in ability order." minItems:"6" maxItems:"6"`
	Skills        []Skill       `json:"skills" description:"All eighteen skills, alphabetical." minItems:"18" maxItems:"18"`
	Languages     []string      `json:"languages" description:"Languages the character speaks, reads and writes." minItems:"0" maxItems:"20"`
	Proficiencies Proficiencies `json:"proficiencies" description:"Armour, weapons and tools the character is trained with."`

	AttacksPerAction int           `json:"attacks_per_action" description:"Weapon attacks per Attack action (Extra Attack)." minimum:"1" maximum:"4"`
	PreferredRange   string        `json:"preferred_range" description:"The distance the character prefers to fight at." enum:"melee,reach,ranged,mixed"`
	Attacks          []Attack      `json:"attacks" description:"The ways the character deals damage: weapons, damaging cantrips, a breath weapon." minItems:"0" maxItems:"20"`
	Spellcasting     *Spellcasting `json:"spellcasting" nullable:"true" description:"Class spellcasting; null for a character who casts no class spells."`
	Features         []Feature     `json:"features" description:"Class, subclass, racial and background features, in level order." minItems:"0" maxItems:"80"`
	Equipment        []Item        `json:"equipment" description:"What the character carries; attuned marks the magic items attuned, at most three." minItems:"0" maxItems:"40"`

	Rules string `json:"rules" description:"The rules the numbers come from." enum:"srd-5.1"`
}

// AbilityModifiers are the six ability modifiers.
type AbilityModifiers struct {
	Str int `json:"str" description:"Strength modifier." minimum:"-5" maximum:"10"`
	Dex int `json:"dex" description:"Dexterity modifier." minimum:"-5" maximum:"10"`
	Con int `json:"con" description:"Constitution modifier." minimum:"-5" maximum:"10"`
	Int int `json:"int" description:"Intelligence modifier." minimum:"-5" maximum:"10"`
	Wis int `json:"wis" description:"Wisdom modifier." minimum:"-5" maximum:"10"`
	Cha int `json:"cha" description:"Charisma modifier." minimum:"-5" maximum:"10"`
}

// Save is a saving throw.
type Save struct {
	Ability    string `json:"ability" description:"The ability." enum:"Strength,Dexterity,Constitution,Intelligence,Wisdom,Charisma"`
	Bonus      int    `json:"bonus" description:"The saving throw bonus." minimum:"-10" maximum:"30"`
	Proficient bool   `json:"proficient" description:"Whether the character is proficient in it."`
}

// Skill is a skill check.
type Skill struct {
	Name       string `json:"name" description:"The skill." enum:"Acrobatics,Animal Handling,Arcana,Athletics,Deception,History,Insight,Intimidation,Investigation,Medicine,Nature,Perception,Performance,Persuasion,Religion,Sleight of Hand,Stealth,Survival"`
	Ability    string `json:"ability" description:"The ability it uses." enum:"str,dex,con,int,wis,cha"`
	Bonus      int    `json:"bonus" description:"The check bonus." minimum:"-10" maximum:"30"`
	Proficient bool   `json:"proficient" description:"Whether the character is proficient in it."`
	Expertise  bool   `json:"expertise" description:"Whether the proficiency bonus is doubled."`
}

// Proficiencies list what the character is trained with besides skills and
// saves.
type Proficiencies struct {
	Armor   []string `json:"armor" description:"Armour and shields." minItems:"0" maxItems:"10"`
	Weapons []string `json:"weapons" description:"Weapons and weapon groups." minItems:"0" maxItems:"30"`
	Tools   []string `json:"tools" description:"Tools, instruments and gaming sets." minItems:"0" maxItems:"20"`
}

// Attack is one way the character deals damage on its turn.
type Attack struct {
	Name        string  `json:"name" description:"The weapon, cantrip or feature."`
	Kind        string  `json:"kind" description:"How it attacks." enum:"melee weapon,ranged weapon,melee spell,ranged spell,save"`
	Range       string  `json:"range" description:"Reach or range, e.g. 5 ft, 5 ft or thrown 20/60 ft, 150/600 ft, 15 ft cone."`
	ToHit       *int    `json:"to_hit" nullable:"true" description:"Attack roll bonus; null for an attack that calls for a saving throw." minimum:"-10" maximum:"30"`
	Save        *string `json:"save" nullable:"true" description:"The saving throw it calls for, e.g. DC 13 Dexterity, half damage on success; null for an attack roll."`
	Damage      string  `json:"damage" description:"Damage on a hit or failed save, e.g. 1d8+3 slashing."`
	Notes       string  `json:"notes" description:"Rules notes: versatile damage, off-hand attack, beams, loading; may be empty."`
	Description string  `json:"description" description:"How the character uses it, one sentence."`
}

// Spellcasting is the character's class spellcasting.
type Spellcasting struct {
	Ability        string  `json:"ability" description:"The spellcasting ability." enum:"Intelligence,Wisdom,Charisma"`
	SaveDC         int     `json:"save_dc" description:"Spell save DC: 8 + proficiency bonus + the ability's modifier, with item bonuses." minimum:"1" maximum:"40"`
	AttackBonus    int     `json:"attack_bonus" description:"Spell attack bonus: proficiency bonus + the ability's modifier, with item bonuses." minimum:"-10" maximum:"30"`
	Slots          []Slot  `json:"slots" description:"Spell slots by level; pact magic and Mystic Arcanum for a warlock." minItems:"0" maxItems:"12"`
	CantripsKnown  int     `json:"cantrips_known" description:"Cantrips known." minimum:"0" maximum:"12"`
	SpellsKnown    int     `json:"spells_known" description:"Spells known, for classes that learn spells; 0 for classes that prepare them." minimum:"0" maximum:"40"`
	SpellsPrepared int     `json:"spells_prepared" description:"Spells prepared each day, for classes that prepare them (always-prepared spells come on top); 0 for classes that learn them." minimum:"0" maximum:"40"`
	Cantrips       []Spell `json:"cantrips" description:"The cantrips known." minItems:"0" maxItems:"12"`
	Spells         []Spell `json:"spells" description:"The spells known or prepared, each of a level the character can cast." minItems:"0" maxItems:"60"`
}

// Slot is a number of spell slots of one level.
type Slot struct {
	Level    int    `json:"level" description:"Spell level, 1 to 9." minimum:"1" maximum:"9"`
	Count    int    `json:"count" description:"How many slots." minimum:"1" maximum:"9"`
	Kind     string `json:"kind" description:"What kind of slot." enum:"spell,pact,mystic arcanum"`
	Recharge string `json:"recharge" description:"When the slots come back." enum:"long rest,short rest"`
}

// Spell is a known or prepared spell.
type Spell struct {
	Name           string `json:"name" description:"The spell."`
	Level          int    `json:"level" description:"Spell level; 0 for a cantrip." minimum:"0" maximum:"9"`
	School         string `json:"school" description:"The school of magic."`
	Source         string `json:"source" description:"The class, or what grants it (Life Domain, Mystic Arcanum)."`
	AlwaysPrepared bool   `json:"always_prepared" description:"Always prepared, not counted against spells prepared."`
}

// Feature is a class, subclass, racial or background feature.
type Feature struct {
	Name        string `json:"name" description:"The feature."`
	Level       int    `json:"level" description:"The character level it was gained at." minimum:"1" maximum:"20"`
	Source      string `json:"source" description:"Where it comes from: the class, subclass, race, subrace or background."`
	Activation  string `json:"activation" description:"How it is used." enum:"passive,action,bonus action,reaction,free,rest,special"`
	Passive     bool   `json:"passive" description:"Takes no action in a fight (always on, or used at rest); never a move."`
	Description string `json:"description" description:"What it does, with the character's numbers."`
}

// Identity returns who the sheet's character is.
func (s Sheet) Identity() CharacterInfo {
	return CharacterInfo{
		Name: s.Name, Pronouns: s.Pronouns, Race: s.Race, Subrace: s.Subrace, Class: s.Class, Subclass: s.Subclass,
		Level: s.Level, Background: s.Background, Alignment: s.Alignment,
	}
}

// sheetOf is the content of a rules sheet, without words: descriptions of
// items are the rules' own, and attacks have none.
func sheetOf(r rules.Sheet) Sheet {
	s := Sheet{
		Name: r.Name, Pronouns: r.Pronouns, Race: r.Race, Subrace: r.Subrace, Class: r.Class, Subclass: r.Subclass,
		Level: r.Level, Background: r.Background, Alignment: r.Alignment, Size: r.Size,
		AbilityScores:    AbilityScores(r.AbilityScores),
		AbilityModifiers: AbilityModifiers(r.AbilityModifiers),
		ProficiencyBonus: r.ProficiencyBonus, HitPoints: r.HitPoints, HitDice: r.HitDice,
		ArmorClass: r.ArmorClass, ArmorClassBasis: r.ArmorClassBasis, Initiative: r.Initiative,
		Speed: r.Speed, PassivePerception: r.PassivePerception,
		Languages:        nonNilStrings(r.Languages),
		Proficiencies:    Proficiencies(r.Proficiencies),
		AttacksPerAction: r.AttacksPerAction, PreferredRange: r.PreferredRange,
		Rules: r.Rules,
	}
	s.Proficiencies.Armor = nonNilStrings(s.Proficiencies.Armor)
	s.Proficiencies.Weapons = nonNilStrings(s.Proficiencies.Weapons)
	s.Proficiencies.Tools = nonNilStrings(s.Proficiencies.Tools)
	for _, v := range r.SavingThrows {
		s.SavingThrows = append(s.SavingThrows, Save(v))
	}
	for _, v := range r.Skills {
		s.Skills = append(s.Skills, Skill(v))
	}
	s.Attacks = []Attack{}
	for _, a := range r.Attacks {
		s.Attacks = append(s.Attacks, attackOf(a))
	}
	if c := r.Spellcasting; c != nil {
		s.Spellcasting = &Spellcasting{
			Ability: c.Ability, SaveDC: c.SaveDC, AttackBonus: c.AttackBonus, Slots: []Slot{},
			CantripsKnown: c.CantripsKnown, SpellsKnown: c.SpellsKnown, SpellsPrepared: c.SpellsPrepared,
			Cantrips: []Spell{}, Spells: []Spell{},
		}
		for _, v := range c.Slots {
			s.Spellcasting.Slots = append(s.Spellcasting.Slots, Slot(v))
		}
		for _, v := range c.Cantrips {
			s.Spellcasting.Cantrips = append(s.Spellcasting.Cantrips, Spell(v))
		}
		for _, v := range c.Spells {
			s.Spellcasting.Spells = append(s.Spellcasting.Spells, Spell(v))
		}
	}
	s.Features = []Feature{}
	for _, f := range r.Features {
		s.Features = append(s.Features, Feature{
			Name: f.Name, Level: f.Level, Source: f.Source, Activation: f.Activation, Passive: f.Passive, Description: f.Description,
		})
	}
	s.Equipment = []Item{}
	for _, it := range r.Equipment {
		s.Equipment = append(s.Equipment, itemOf(it))
	}
	return s
}

func attackOf(a rules.Attack) Attack {
	out := Attack{Name: a.Name, Kind: a.Kind, Range: a.Range, Damage: a.Damage, Notes: a.Notes}
	if a.Kind == rules.KindSaveSpell {
		save := a.Save
		out.Save = &save
	} else {
		hit := a.ToHit
		out.ToHit = &hit
	}
	return out
}

func itemOf(it rules.Item) Item {
	rarity := it.Rarity
	if rarity == "" {
		rarity = "common"
	}
	return Item{
		Name: it.Name, Category: it.Category, Description: it.Description, Rarity: rarity, Quantity: it.Quantity,
		Equipped: it.Equipped, RequiresAttunement: it.RequiresAttunement, Attuned: it.Attuned,
	}
}

// rulesSheet turns sheet content back into a rules sheet, so the rules can
// say what a character sent by a caller can do in a fight. Words that
// only the content has (appearance, attack descriptions) are left out.
func rulesSheet(s Sheet) rules.Sheet {
	r := rules.Sheet{
		Name: s.Name, Pronouns: s.Pronouns, Race: s.Race, Subrace: s.Subrace, Class: s.Class, Subclass: s.Subclass,
		Level: s.Level, Background: s.Background, Alignment: s.Alignment, Size: s.Size,
		AbilityScores:    rules.Scores(s.AbilityScores),
		AbilityModifiers: rules.Scores(s.AbilityModifiers),
		ProficiencyBonus: s.ProficiencyBonus, HitPoints: s.HitPoints, HitDice: s.HitDice,
		ArmorClass: s.ArmorClass, ArmorClassBasis: s.ArmorClassBasis, Initiative: s.Initiative,
		Speed: s.Speed, PassivePerception: s.PassivePerception,
		Languages:        s.Languages,
		Proficiencies:    rules.Proficiencies(s.Proficiencies),
		AttacksPerAction: s.AttacksPerAction, PreferredRange: s.PreferredRange, Rules: s.Rules,
	}
	for _, v := range s.SavingThrows {
		r.SavingThrows = append(r.SavingThrows, rules.Save(v))
	}
	for _, v := range s.Skills {
		r.Skills = append(r.Skills, rules.Skill(v))
	}
	for _, a := range s.Attacks {
		ra := rules.Attack{Name: a.Name, Kind: a.Kind, Range: a.Range, Damage: a.Damage, Notes: a.Notes}
		if a.ToHit != nil {
			ra.ToHit = *a.ToHit
		}
		if a.Save != nil {
			ra.Save = *a.Save
		}
		r.Attacks = append(r.Attacks, ra)
	}
	if c := s.Spellcasting; c != nil {
		r.Spellcasting = &rules.Spellcasting{
			Ability: c.Ability, SaveDC: c.SaveDC, AttackBonus: c.AttackBonus,
			CantripsKnown: c.CantripsKnown, SpellsKnown: c.SpellsKnown, SpellsPrepared: c.SpellsPrepared,
		}
		for _, v := range c.Slots {
			r.Spellcasting.Slots = append(r.Spellcasting.Slots, rules.Slot(v))
		}
		for _, v := range c.Cantrips {
			r.Spellcasting.Cantrips = append(r.Spellcasting.Cantrips, rules.Spell(v))
		}
		for _, v := range c.Spells {
			r.Spellcasting.Spells = append(r.Spellcasting.Spells, rules.Spell(v))
		}
	}
	for _, f := range s.Features {
		r.Features = append(r.Features, rules.Feature{
			Name: f.Name, Level: f.Level, Source: f.Source, Activation: f.Activation, Passive: f.Passive, Description: f.Description,
		})
	}
	for _, it := range s.Equipment {
		r.Equipment = append(r.Equipment, rules.Item{
			Name: it.Name, Category: it.Category, Quantity: it.Quantity, Equipped: it.Equipped, Rarity: it.Rarity,
			RequiresAttunement: it.RequiresAttunement, Attuned: it.Attuned, Description: it.Description,
		})
	}
	return r
}

func nonNilStrings(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
