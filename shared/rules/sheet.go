package rules

// RulesVersion names the rules a Sheet is computed from.
const RulesVersion = "srd-5.1"

// MaxLevel is the highest character level.
const MaxLevel = 20

// Sheet is a whole character computed from Choices. Every number on it
// comes from the SRD 5.1 tables and the choices; nothing is invented.
type Sheet struct {
	Name       string `json:"name"`
	Pronouns   string `json:"pronouns"`
	Race       string `json:"race"`
	Subrace    string `json:"subrace"`
	Class      string `json:"class"`
	Subclass   string `json:"subclass"`
	Level      int    `json:"level"`
	Background string `json:"background"`
	Alignment  string `json:"alignment"`
	Size       string `json:"size"`

	AbilityScores     Scores `json:"ability_scores"`
	AbilityModifiers  Scores `json:"ability_modifiers"`
	ProficiencyBonus  int    `json:"proficiency_bonus"`
	HitPoints         int    `json:"hit_points"`
	HitDice           string `json:"hit_dice"`          // e.g. "5d10"
	ArmorClass        int    `json:"armor_class"`       // as worn, without spells running
	ArmorClassBasis   string `json:"armor_class_basis"` // what makes up ArmorClass, e.g. "Chain Mail 16, Shield +2"
	Initiative        int    `json:"initiative"`
	Speed             int    `json:"speed"` // walking speed in feet
	PassivePerception int    `json:"passive_perception"`

	SavingThrows  []Save        `json:"saving_throws"` // all six, in ability order
	Skills        []Skill       `json:"skills"`        // all eighteen, alphabetical
	Languages     []string      `json:"languages"`
	Proficiencies Proficiencies `json:"proficiencies"`

	AttacksPerAction int           `json:"attacks_per_action"` // weapon attacks per Attack action
	PreferredRange   string        `json:"preferred_range"`    // melee, reach, ranged or mixed, as the combat content uses
	Attacks          []Attack      `json:"attacks"`
	Spellcasting     *Spellcasting `json:"spellcasting"` // nil for a character who casts no class spells
	Features         []Feature     `json:"features"`
	Equipment        []Item        `json:"equipment"`

	Rules string `json:"rules"` // always RulesVersion

	// Warnings say where the choices were not taken as given: a race,
	// class, subclass or background outside the SRD played with the closest
	// SRD rules, or a subclass chosen before the level that grants it. They
	// are not part of the sheet's JSON.
	Warnings []string `json:"-"`
}

// Scores holds one number per ability. It has the same JSON shape as the
// combat content's ability scores.
type Scores struct {
	Str int `json:"str"`
	Dex int `json:"dex"`
	Con int `json:"con"`
	Int int `json:"int"`
	Wis int `json:"wis"`
	Cha int `json:"cha"`
}

// Save is a saving throw.
type Save struct {
	Ability    string `json:"ability"` // "Strength" … "Charisma"
	Bonus      int    `json:"bonus"`
	Proficient bool   `json:"proficient"`
}

// Skill is a skill check.
type Skill struct {
	Name       string `json:"name"`
	Ability    string `json:"ability"` // "str" … "cha"
	Bonus      int    `json:"bonus"`
	Proficient bool   `json:"proficient"`
	Expertise  bool   `json:"expertise"`
}

// Proficiencies lists what the character is trained with besides skills
// and saves.
type Proficiencies struct {
	Armor   []string `json:"armor"`
	Weapons []string `json:"weapons"`
	Tools   []string `json:"tools"`
}

// Attack kinds.
const (
	KindMeleeWeapon  = "melee weapon"
	KindRangedWeapon = "ranged weapon"
	KindMeleeSpell   = "melee spell"
	KindRangedSpell  = "ranged spell"
	KindSaveSpell    = "save" // a spell or breath that calls for a saving throw
)

// Attack is one way the character deals damage on its turn.
type Attack struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`             // one of the Kind constants
	Range  string `json:"range"`            // e.g. "5 ft", "5 ft or thrown 20/60 ft", "150/600 ft", "15 ft cone"
	ToHit  int    `json:"to_hit,omitempty"` // absent for KindSaveSpell
	Save   string `json:"save,omitempty"`   // e.g. "DC 13 Dexterity, half on success"; KindSaveSpell only
	Damage string `json:"damage"`           // e.g. "1d8+3 slashing"
	Notes  string `json:"notes,omitempty"`
}

// Spellcasting is the character's class spellcasting.
type Spellcasting struct {
	Ability        string  `json:"ability"` // "Intelligence", "Wisdom" or "Charisma"
	SaveDC         int     `json:"save_dc"`
	AttackBonus    int     `json:"attack_bonus"`
	Slots          []Slot  `json:"slots"`
	CantripsKnown  int     `json:"cantrips_known"`
	SpellsKnown    int     `json:"spells_known,omitempty"`    // casters who learn spells (bard, ranger, sorcerer, warlock)
	SpellsPrepared int     `json:"spells_prepared,omitempty"` // casters who prepare (cleric, druid, paladin, wizard); always-prepared spells come on top
	Cantrips       []Spell `json:"cantrips"`
	Spells         []Spell `json:"spells"`
}

// Slot kinds.
const (
	SlotSpell         = "spell"
	SlotPact          = "pact"
	SlotMysticArcanum = "mystic arcanum"
)

// Slot is a number of spell slots of one level.
type Slot struct {
	Level    int    `json:"level"`
	Count    int    `json:"count"`
	Kind     string `json:"kind"`     // one of the Slot constants
	Recharge string `json:"recharge"` // "long rest" or "short rest"
}

// Spell is a known or prepared spell.
type Spell struct {
	Name           string `json:"name"`
	Level          int    `json:"level"` // 0 for cantrips
	School         string `json:"school"`
	Source         string `json:"source"` // the class, or what grants it (e.g. "Life Domain", "Mystic Arcanum")
	AlwaysPrepared bool   `json:"always_prepared,omitempty"`
}

// Activations of a feature.
const (
	ActPassive = "passive" // always on
	ActAction  = "action"
	ActBonus   = "bonus action"
	ActReact   = "reaction"
	ActFree    = "free"    // no action: chosen as it applies (Action Surge, Sneak Attack)
	ActRest    = "rest"    // used during a rest
	ActSpecial = "special" // takes a minute or more
)

// Feature is a class, subclass, racial or background feature.
type Feature struct {
	Name   string `json:"name"`
	Level  int    `json:"level"`
	Source string `json:"source"` // e.g. "Fighter", "Champion", "Hill Dwarf", "Acolyte"
	// Passive is true for a feature that takes no action in a fight: always-on
	// traits such as Extra Attack, and features used at rest such as Arcane
	// Recovery. Prose must not present these as moves.
	Passive     bool   `json:"passive"`
	Activation  string `json:"activation"` // one of the Act constants
	Description string `json:"description"`
}

// InCombat reports whether the feature is something the character does in
// a fight: an action, bonus action, reaction or free choice.
func (f Feature) InCombat() bool {
	switch f.Activation {
	case ActAction, ActBonus, ActReact, ActFree:
		return true
	}
	return false
}

// Item categories; the same values as the equipment content.
const (
	CatWeapon     = "weapon"
	CatArmor      = "armor"
	CatShield     = "shield"
	CatGear       = "gear"
	CatTool       = "tool"
	CatConsumable = "consumable"
	CatFocus      = "focus"
	CatWondrous   = "wondrous"
	CatTreasure   = "treasure"
)

// Item is one piece of equipment.
type Item struct {
	Name               string `json:"name"`
	Category           string `json:"category"`
	Quantity           int    `json:"quantity"`
	Equipped           bool   `json:"equipped"`         // worn or in hand
	Rarity             string `json:"rarity,omitempty"` // magic items only
	RequiresAttunement bool   `json:"requires_attunement"`
	Attuned            bool   `json:"attuned"`
	Description        string `json:"description,omitempty"`
}
