package rules

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

//go:embed data/*.json
var dataFS embed.FS

// byLevel holds values that change with level, written in the data as an
// object keyed by level ("1", "5", ...). at returns the value of the highest
// key not above a level.
type byLevel[T any] []levelValue[T]

type levelValue[T any] struct {
	level int
	value T
}

func (b *byLevel[T]) UnmarshalJSON(data []byte) error {
	var m map[string]T
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	out := make(byLevel[T], 0, len(m))
	for k, v := range m {
		n, err := strconv.Atoi(k)
		if err != nil || n < 1 || n > MaxLevel {
			return fmt.Errorf("level key %q is not 1–%d", k, MaxLevel)
		}
		out = append(out, levelValue[T]{n, v})
	}
	slices.SortFunc(out, func(a, b levelValue[T]) int { return cmp.Compare(a.level, b.level) })
	*b = out
	return nil
}

func (b byLevel[T]) at(level int) (T, bool) {
	var zero T
	found := false
	for _, lv := range b {
		if lv.level > level {
			break
		}
		zero, found = lv.value, true
	}
	return zero, found
}

// featureData is a class feature, subclass feature, racial trait or
// invocation. Effect names a mechanic the code applies (see effects.go).
type featureData struct {
	Name        string          `json:"name"`
	Level       int             `json:"level"`
	Activation  string          `json:"activation"` // empty means passive
	Description string          `json:"description"`
	Scale       byLevel[string] `json:"scale"`
	Effect      string          `json:"effect"`
	Value       byLevel[int]    `json:"value"`
	Abilities   map[string]int  `json:"abilities"`
	AbilityMax  int             `json:"ability_max"`
	Save        string          `json:"save"`
	Extra       string          `json:"extra"`
	Language    string          `json:"language"`
	Unarmored   string          `json:"unarmored"` // con, wis or draconic
	Signature   bool            `json:"signature"` // a move that defines how the class fights
	Utility     bool            `json:"utility"`   // takes an action, but is no way to fight (Eldritch Sight)
}

type ancestryData struct {
	Dragon string `json:"dragon"`
	Damage string `json:"damage"`
	Area   string `json:"area"`
	Save   string `json:"save"`
}

type cantripGrant struct {
	List    string `json:"list"`
	Ability string `json:"ability"`
}

type subraceData struct {
	Name           string         `json:"name"`
	Aliases        []string       `json:"aliases"`
	Bonuses        map[string]int `json:"bonuses"`
	Traits         []featureData  `json:"traits"`
	Weapons        []string       `json:"weapons"`
	Tools          []string       `json:"tools"`
	ExtraLanguages int            `json:"extra_languages"`
	Cantrip        *cantripGrant  `json:"cantrip"`
	Ancestry       *ancestryData  `json:"ancestry"`
}

type raceData struct {
	Name            string            `json:"name"`
	Aliases         []string          `json:"aliases"`
	Size            string            `json:"size"`
	Speed           int               `json:"speed"`
	HeavyArmorSpeed bool              `json:"heavy_armor_speed"`
	Bonuses         map[string]int    `json:"bonuses"`
	Flex            int               `json:"flex"`
	Languages       []string          `json:"languages"`
	ExtraLanguages  int               `json:"extra_languages"`
	Skills          []string          `json:"skills"`
	SkillChoices    int               `json:"skill_choices"`
	Weapons         []string          `json:"weapons"`
	Tools           []string          `json:"tools"`
	Traits          []featureData     `json:"traits"`
	Subraces        []subraceData     `json:"subraces"`
	StandIns        map[string]string `json:"stand_ins"`
	RandomSubrace   bool              `json:"random_subrace"`
}

type itemRef struct {
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

type buildData struct {
	Name        string    `json:"name"`
	Priority    []string  `json:"priority"`
	Main        []string  `json:"main"`
	MainSmall   []string  `json:"main_small"`
	Shield      bool      `json:"shield"`
	Offhand     bool      `json:"offhand"`
	Backup      []itemRef `json:"backup"`
	BackupSmall []itemRef `json:"backup_small"`
	Styles      []string  `json:"styles"`
	Range       string    `json:"range"`
	MartialArts bool      `json:"martial_arts"`
}

type castingData struct {
	Ability        string   `json:"ability"`
	Progression    string   `json:"progression"` // full, half or pact
	List           string   `json:"list"`
	Start          int      `json:"start"`
	Cantrips       []int    `json:"cantrips"`
	Known          []int    `json:"known"`
	Prepared       string   `json:"prepared"` // full (mod + level) or half (mod + level/2)
	AlwaysCantrips []string `json:"always_cantrips"`
	Focus          string   `json:"focus"`
}

type subclassData struct {
	Name     string              `json:"name"`
	FullName string              `json:"full_name"`
	Level    int                 `json:"level"`
	Aliases  []string            `json:"aliases"`
	Features []featureData       `json:"features"`
	Spells   byLevel[[]string]   `json:"spells"`   // always prepared, keyed by class level
	Expanded map[string][]string `json:"expanded"` // extra choices, keyed by spell level
}

type classData struct {
	Name             string        `json:"name"`
	Aliases          []string      `json:"aliases"`
	HitDie           int           `json:"hit_die"`
	Saves            []string      `json:"saves"`
	Armor            []string      `json:"armor"`
	ArmorFilter      string        `json:"armor_filter"`
	Weapons          []string      `json:"weapons"`
	Tools            []string      `json:"tools"`
	SkillCount       int           `json:"skill_count"`
	Skills           []string      `json:"skills"`
	AnySkills        bool          `json:"any_skills"`
	ASILevels        []int         `json:"asi_levels"`
	Pack             string        `json:"pack"`
	Kit              []string      `json:"kit"`
	Languages        []string      `json:"languages"`
	Stealthy         bool          `json:"stealthy"`
	Spellcasting     *castingData  `json:"spellcasting"`
	Builds           []buildData   `json:"builds"`
	Features         []featureData `json:"features"`
	Subclass         subclassData  `json:"subclass"`
	Invocations      []featureData `json:"invocations"`
	InvocationsKnown []int         `json:"invocations_known"`
}

type optionData struct {
	Name        string `json:"name"`
	Level       int    `json:"level"`
	Activation  string `json:"activation"`
	Effect      string `json:"effect"`
	Value       int    `json:"value"`
	Language    string `json:"language"`
	Description string `json:"description"`
}

type gearData struct {
	Name     string `json:"name"`
	Category string `json:"category"`
	Quantity int    `json:"quantity"`
}

type backgroundData struct {
	Name        string     `json:"name"`
	SRD         bool       `json:"srd"`
	Aliases     []string   `json:"aliases"`
	StandIns    []string   `json:"stand_ins"`
	Skills      []string   `json:"skills"`
	Tools       []string   `json:"tools"`
	Languages   int        `json:"languages"`
	Equipment   []gearData `json:"equipment"`
	Feature     optionData `json:"feature"`
	Description string     `json:"description"`
}

type weaponData struct {
	Name       string   `json:"name"`
	Group      string   `json:"group"` // simple or martial
	Type       string   `json:"type"`  // melee or ranged
	Damage     string   `json:"damage"`
	DamageType string   `json:"damage_type"`
	Properties []string `json:"properties"`
	Range      string   `json:"range"`
	Versatile  string   `json:"versatile"`
	Ammunition string   `json:"ammunition"`
}

func (w *weaponData) has(prop string) bool { return slices.Contains(w.Properties, prop) }

type armorData struct {
	Name                string `json:"name"`
	Type                string `json:"type"` // light, medium or heavy
	Base                int    `json:"base"`
	DexCap              int    `json:"dex_cap"` // -1: no cap
	Strength            int    `json:"strength"`
	StealthDisadvantage bool   `json:"stealth_disadvantage"`
	Level               int    `json:"level"` // the level from which a character can be expected to own it
	Nonmetal            bool   `json:"nonmetal"`
}

type packData struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type equipmentData struct {
	Weapons []weaponData `json:"weapons"`
	Armor   []armorData  `json:"armor"`
	Shield  struct {
		Name  string `json:"name"`
		Bonus int    `json:"bonus"`
	} `json:"shield"`
	Packs []packData `json:"packs"`
	Gear  []gearData `json:"gear"`
}

// magicData is a magic item. Base says what it can be made from: a weapon
// group, a list of weapon or armour names, or armour types.
type magicData struct {
	Name        string   `json:"name"`
	Kind        string   `json:"kind"` // weapon, armor, shield, staff, wand, ring, wondrous, potion
	Base        baseList `json:"base"`
	WeaponBase  string   `json:"weapon_base"`
	Wielder     bool     `json:"wielder"` // only for someone already fighting with WeaponBase
	Rarity      string   `json:"rarity"`
	Attunement  bool     `json:"attunement"`
	Classes     []string `json:"classes"`
	Races       []string `json:"races"`
	Spellcaster bool     `json:"spellcaster"`
	Requires    string   `json:"requires"` // bow, unarmored, no armor
	Attack      int      `json:"attack"`
	Damage      int      `json:"damage"`
	DamageType  string   `json:"damage_type"`
	Extra       string   `json:"extra"`
	Note        string   `json:"note"`
	AC          int      `json:"ac"`
	BaseAC      int      `json:"base_ac"`
	WalkSpeed   int      `json:"walk_speed"` // the walking speed the item sets, unless the wearer's is higher
	Save        int      `json:"save"`
	Check       int      `json:"check"`
	SpellAttack int      `json:"spell_attack"`
	SpellDC     int      `json:"spell_dc"`
	BowDamage   int      `json:"bow_damage"`
	Mithral     bool     `json:"mithral"`
	Description string   `json:"description"`
}

// baseList reads either one string (a group name or "any") or a list.
type baseList []string

func (b *baseList) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*b = baseList{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(data, &l); err != nil {
		return err
	}
	*b = l
	return nil
}

type spellData struct {
	Name    string   `json:"name"`
	Level   int      `json:"level"`
	School  string   `json:"school"`
	Classes []string `json:"classes"`
	Use     string   `json:"use"` // attack, damage, heal, buff, control, defense, utility, summon
	Core    bool     `json:"core"`
	Damage  string   `json:"damage"`
	Range   string   `json:"range"`
	Save    string   `json:"save"`
	Beams   bool     `json:"beams"`
	Melee   bool     `json:"melee"`
	Note    string   `json:"note"`
	Cast    string   `json:"cast"` // casting time when not one action
	Dark    bool     `json:"dark"` // raises the dead as servants; good characters leave it
}

// tables is every data file, loaded once and indexed.
type tables struct {
	races          []raceData
	raceStandIns   map[string]string
	stdLanguages   []string
	exoticLang     []string
	classes        []classData
	styles         []optionData
	metamagic      []optionData
	favoredEnemies []optionData
	terrains       []string
	backgrounds    []backgroundData
	weapons        map[string]*weaponData
	armor          []armorData
	shieldName     string
	shieldBonus    int
	packs          map[string]packData
	gear           map[string]gearData
	weaponGroups   map[string][]string
	magic          []magicData
	magicByName    map[string]*magicData
	spells         map[string]*spellData
	spellList      []spellData
	spellsByList   map[string][10][]*spellData // class list ("wizard") → spell level → spells
	subclassOf     map[string][]string         // normalised subclass name → classes
	subclassWords  []string
	classStandIns  map[string]string
	signature      map[string]bool // names of signature features
	utility        map[string]bool // names of features that take an action but are no way to fight
	traitSources   map[string]bool // race, subrace and background names
}

var tbl = mustLoad()

func mustLoad() *tables {
	t, err := load()
	if err != nil {
		panic(fmt.Sprintf("rules: embedded data: %v", err))
	}
	return t
}

func decode(name string, v any) error {
	b, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%s: more than one JSON value", name)
	}
	return nil
}

func load() (*tables, error) {
	t := &tables{}
	var races struct {
		Races     []raceData        `json:"races"`
		StandIns  map[string]string `json:"stand_ins"`
		Languages struct {
			Standard []string `json:"standard"`
			Exotic   []string `json:"exotic"`
		} `json:"languages"`
	}
	var classes struct {
		Classes        []classData  `json:"classes"`
		FightingStyles []optionData `json:"fighting_styles"`
		Metamagic      []optionData `json:"metamagic"`
		FavoredEnemies []optionData `json:"favored_enemies"`
		Terrains       []string     `json:"terrains"`
	}
	var bgs struct {
		Backgrounds []backgroundData `json:"backgrounds"`
	}
	var eq equipmentData
	var magic struct {
		WeaponGroups map[string][]string `json:"weapon_groups"`
		Items        []magicData         `json:"items"`
	}
	var spells struct {
		Spells []spellData `json:"spells"`
	}
	var subs struct {
		Subclasses    map[string][]string `json:"subclasses"`
		SubclassWords []string            `json:"subclass_words"`
		ClassStandIns map[string]string   `json:"class_stand_ins"`
	}
	for name, v := range map[string]any{
		"races.json": &races, "classes.json": &classes, "backgrounds.json": &bgs,
		"equipment.json": &eq, "magic_items.json": &magic, "spells.json": &spells,
		"subclasses.json": &subs,
	} {
		if err := decode(name, v); err != nil {
			return nil, err
		}
	}
	t.races, t.raceStandIns = races.Races, races.StandIns
	t.stdLanguages, t.exoticLang = races.Languages.Standard, races.Languages.Exotic
	t.classes, t.styles, t.metamagic = classes.Classes, classes.FightingStyles, classes.Metamagic
	t.favoredEnemies, t.terrains = classes.FavoredEnemies, classes.Terrains
	t.backgrounds = bgs.Backgrounds
	t.indexEquipment(&eq)
	t.weaponGroups, t.magic = magic.WeaponGroups, magic.Items
	t.magicByName = map[string]*magicData{}
	for i := range t.magic {
		t.magicByName[t.magic[i].Name] = &t.magic[i]
	}
	t.indexSpells(spells.Spells)
	t.subclassWords, t.classStandIns = subs.SubclassWords, subs.ClassStandIns
	t.indexSubclasses(subs.Subclasses)
	t.indexSignatures()
	return t, t.check()
}

func (t *tables) indexEquipment(eq *equipmentData) {
	t.weapons = map[string]*weaponData{}
	for i := range eq.Weapons {
		t.weapons[eq.Weapons[i].Name] = &eq.Weapons[i]
	}
	t.armor = eq.Armor
	t.shieldName, t.shieldBonus = eq.Shield.Name, eq.Shield.Bonus
	t.packs = map[string]packData{}
	for _, p := range eq.Packs {
		t.packs[p.Name] = p
	}
	t.gear = map[string]gearData{}
	for _, g := range eq.Gear {
		t.gear[g.Name] = g
	}
}

func (t *tables) indexSpells(list []spellData) {
	t.spellList = list
	t.spells = map[string]*spellData{}
	t.spellsByList = map[string][10][]*spellData{}
	for i := range t.spellList {
		sp := &t.spellList[i]
		t.spells[sp.Name] = sp
		for _, cl := range sp.Classes {
			byLevel := t.spellsByList[normalize(cl)]
			byLevel[sp.Level] = append(byLevel[sp.Level], sp)
			t.spellsByList[normalize(cl)] = byLevel
		}
	}
}

// indexSubclasses maps each subclass name the rules know to its classes.
func (t *tables) indexSubclasses(subclasses map[string][]string) {
	t.subclassOf = map[string][]string{}
	for class, names := range subclasses {
		for _, n := range names {
			k := t.subclassKey(n)
			t.subclassOf[k] = append(t.subclassOf[k], class)
		}
	}
	for _, c := range t.classes {
		for _, a := range append([]string{c.Subclass.Name}, c.Subclass.Aliases...) {
			k := t.subclassKey(a)
			if !slices.Contains(t.subclassOf[k], c.Name) {
				t.subclassOf[k] = append(t.subclassOf[k], c.Name)
			}
		}
	}
	for _, owners := range t.subclassOf {
		slices.Sort(owners) // "Wild Magic" is Barbarian then Sorcerer, every run
	}
}

// indexSignatures records which features define how a class fights and
// which feature sources are races, subraces or backgrounds.
func (t *tables) indexSignatures() {
	t.signature, t.traitSources, t.utility = map[string]bool{}, map[string]bool{}, map[string]bool{}
	mark := func(fs []featureData) {
		for _, f := range fs {
			t.signature[f.Name] = t.signature[f.Name] || f.Signature
			t.utility[f.Name] = t.utility[f.Name] || f.Utility
		}
	}
	for _, c := range t.classes {
		mark(slices.Concat(c.Features, c.Subclass.Features, c.Invocations))
	}
	for _, r := range t.races {
		t.traitSources[r.Name] = true
		mark(r.Traits)
		for _, s := range r.Subraces {
			t.traitSources[s.Name] = true
			mark(s.Traits)
		}
	}
	for _, b := range t.backgrounds {
		t.traitSources[b.Name] = true
	}
}

// subclassKey reduces a subclass name to the words that identify it:
// "Path of the Totem Warrior" and "totem warrior" share a key.
func (t *tables) subclassKey(s string) string {
	s = " " + normalize(s) + " "
	for _, w := range t.subclassWords {
		s = strings.ReplaceAll(s, " "+w+" ", " ")
	}
	return strings.Join(strings.Fields(s), " ")
}

// normalize lower-cases s and turns punctuation into single spaces.
func normalize(s string) string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '\'' || r >= 0x80)
	})
	return strings.Join(f, " ")
}
