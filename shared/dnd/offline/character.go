package offline

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

var (
	abilityNames = map[string]string{
		"str": "Strength", "dex": "Dexterity", "con": "Constitution",
		"int": "Intelligence", "wis": "Wisdom", "cha": "Charisma",
	}
	abilityOrder = []string{"str", "dex", "con", "int", "wis", "cha"}
	// Point-buy arrays (27 points each), assigned in priority order.
	pointBuy = [][6]int{
		{15, 14, 13, 12, 10, 8}, {15, 15, 15, 8, 8, 8}, {15, 15, 13, 10, 10, 8},
		{14, 14, 14, 12, 10, 8}, {15, 15, 14, 10, 8, 8}, {15, 13, 13, 12, 12, 8},
	}
	asiLevels = []int{4, 8, 12, 16, 19}
	// Alignment weights favour heroes without ruling out villains.
	alignmentWeights = []int{3, 4, 3, 2, 3, 3, 1, 1, 1}
	// generic is the stand-in for a class the tables do not know.
	genericWeapons = map[string][]string{"str": {"Longsword", "Spear", "Mace"}, "dex": {"Shortsword", "Rapier"}}
)

// character is one character's identity, shared by all four content types
// so the same seed describes the same person.
type character struct {
	t    *tables
	req  dnd.CharacterRequest
	seed int64
	lexs []*lexicon
	mood string

	first, name   string
	race          *race // nil for a race the tables do not know
	raceName      string
	class         *class // a stand-in for an unknown class
	className     string
	build         build
	level         int
	alignment     string
	bg            *background // nil for an unknown background
	bgName, bgKey string
	scores        map[string]int
	kit           loadout  // weapons, armour and spells, shared by combat and equipment
	vars          []string // template variables
}

func (g *Generator) newCharacter(seed int64, req dnd.CharacterRequest) *character {
	t := g.t
	r := newRand(seed, "character/identity")
	hints := words(req.Prompt)
	p := req.Parameters
	c := &character{t: t, req: req, seed: seed}
	c.lexs = t.restyle.resolve(req.Theme)
	c.mood = mood(c.lexs)

	c.race, c.raceName = t.findRace(p.CharacterRace)
	if p.CharacterRace == "" {
		if rc := t.hintRace(hints); rc != nil {
			c.race, c.raceName = rc, rc.Name
		} else {
			c.race = &t.srd.Races[r.IntN(len(t.srd.Races))]
			c.raceName = c.race.Name
		}
	}
	c.class, c.className = t.findClass(p.CharacterClass)
	if p.CharacterClass == "" {
		if cl := t.hintClass(hints); cl != nil {
			c.class, c.className = cl, cl.Name
		} else {
			c.class = &t.srd.Classes[r.IntN(len(t.srd.Classes))]
			c.className = c.class.Name
		}
	}
	if c.class == nil {
		c.class = t.genericClass(r, c.className)
	}
	c.build = pick(r, c.class.Builds)

	c.level = dnd.Value(p.CharacterLevel)
	if c.level == 0 {
		c.level = hintLevel(hints)
	}
	if c.level == 0 {
		c.level = 1 + r.IntN(10)
	}
	c.alignment = p.Alignment
	if c.alignment == "" {
		c.alignment = hintAlignment(hints)
	}
	if c.alignment == "" {
		c.alignment = dnd.Alignments()[weighted(r, alignmentWeights)]
	}
	c.bg, c.bgName = t.findBackground(p.Background)
	if p.Background == "" {
		if b := t.hintBackground(hints); b != nil {
			c.bg, c.bgName = b, b.Name
		} else {
			c.bg = &t.srd.Backgrounds[r.IntN(len(t.srd.Backgrounds))]
			c.bgName = c.bg.Name
		}
	}
	if c.bg != nil {
		c.bgKey = c.bg.Key
	}
	c.scores = c.abilityScores(r)
	c.kit = c.gear(newRand(seed, "character/gear"))

	style := "human"
	homeland := "the borderlands"
	if c.race != nil {
		style = c.race.Names
		homeland = pick(r, c.race.Homelands)
	}
	c.first, c.name = t.personName(r, style)
	mentor, _ := t.personName(r, "human")
	_, rival := t.personName(r, pick(r, t.srd.Races).Names)

	e := newExpander(t.grammar, r, c.mood)
	c.vars = []string{
		"they", "they", "them", "them", "their", "their", "themself", "themself", "They", "They",
		"first", c.first, "name", c.name,
		"race", c.raceName, "race_lc", strings.ToLower(c.raceName), "race_a", article(c.raceName) + " " + strings.ToLower(c.raceName),
		"class", c.className, "class_lc", strings.ToLower(c.className), "class_a", article(c.className) + " " + strings.ToLower(c.className),
		"background", c.bgName, "background_a", article(c.bgName) + " " + strings.ToLower(c.bgName),
		"level", strconv.Itoa(c.level), "alignment", c.alignment,
		"homeland", homeland, "mentor", mentor, "rival", rival,
	}
	e.set(c.vars...)
	c.vars = append(c.vars,
		"hometown", e.pickFrag("town"),
		"mentor_role", e.pickFrag("mentor_role"),
		"deity", e.pickFrag("deity"),
		"org", e.pickFrag("org"),
		"lost_thing", e.pickFrag("lost_thing"),
		"villain", e.pickFrag("villain"),
	)
	return c
}

// expander returns a template expander for one content type.
func (c *character) expander(r *rand.Rand) *expander {
	e := newExpander(c.t.grammar, r, c.mood)
	e.set(c.vars...)
	return e
}

func (c *character) info() dnd.CharacterInfo {
	align := c.alignment
	if !slices.Contains(dnd.Alignments(), align) && align != "unaligned" {
		align = "neutral" // homebrew alignment text: the schema needs one of the ten
	}
	return dnd.CharacterInfo{
		Name: c.name, Race: c.raceName, Class: c.className, Level: c.level,
		Alignment: align, Background: c.bgName,
	}
}

func (c *character) content(typ string) (any, error) {
	r := newRand(c.seed, "character/"+typ)
	var doc any
	switch typ {
	case dnd.TypePersonality:
		doc = c.personality(r)
	case dnd.TypeBackstory:
		doc = c.backstory(r)
	case dnd.TypeCombat:
		doc = c.combat(r)
	case dnd.TypeEquipment:
		doc = c.equipment(r)
	default:
		return nil, fmt.Errorf("offline: character type %q: %w", typ, dnd.ErrUnknownType)
	}
	if len(c.lexs) > 0 {
		restyleDoc(c.t.restyle, newRand(c.seed, "character/"+typ+"/restyle"), c.lexs, doc)
	}
	return doc, nil
}

func (c *character) personality(r *rand.Rand) *dnd.Personality {
	tbl, ok := c.t.personality.Backgrounds[c.bgKey]
	if !ok {
		tbl = c.t.personality.Generic
	}
	gen := c.t.personality.Generic
	e := c.expander(r)
	traits := e.some(tbl.Traits, 2)
	if r.IntN(2) == 0 {
		traits = append(traits, e.one(gen.Traits))
	}
	ideals := c.ideals(r, e, tbl.Ideals)
	bonds := e.some(tbl.Bonds, 1+r.IntN(2))
	flaws := e.some(tbl.Flaws, 1+r.IntN(2))
	return &dnd.Personality{
		Character:  c.info(),
		Traits:     traits,
		Ideals:     ideals,
		Bonds:      bonds,
		Flaws:      flaws,
		Mannerisms: e.some(c.t.personality.Mannerisms, 2),
		Voice:      e.pick("voice"),
	}
}

// ideals picks one or two ideals that suit the alignment.
func (c *character) ideals(r *rand.Rand, e *expander, all []ideal) []string {
	axes := strings.Fields(c.alignment)
	var fit, general []string
	for _, i := range all {
		switch {
		case slices.Contains(axes, i.Tag):
			fit = append(fit, i.Text)
		case i.Tag == "any":
			general = append(general, i.Text)
		}
	}
	out := e.some(fit, 1)
	if len(out) == 0 || r.IntN(10) < 4 {
		out = append(out, e.some(general, 1)...)
	}
	return out
}

func (c *character) backstory(r *rand.Rand) *dnd.Backstory {
	e := c.expander(r)
	axes := strings.Fields(c.alignment)
	var arcs []arc
	for _, a := range c.t.story.Arcs {
		if slices.Contains(a.Alignments, "any") || slices.ContainsFunc(a.Alignments, func(x string) bool { return slices.Contains(axes, x) }) {
			arcs = append(arcs, a)
		}
	}
	if len(arcs) == 0 {
		arcs = c.t.story.Arcs
	}
	a := pick(r, arcs)
	origin := "origin_" + c.bgKey
	if _, ok := c.t.grammar[origin]; !ok {
		origin = "origin_generic"
	}
	calling := "calling_" + strings.ToLower(c.class.Name)
	if _, ok := c.t.grammar[calling]; !ok {
		calling = "calling_generic"
	}
	tier := "tier" + strconv.Itoa(tierOf(c.level))
	paragraphs := []string{
		e.pick(origin) + " " + e.pick("race_note"),
		e.pick(calling),
		e.one(a.Inciting),
		e.pick(tier) + " " + e.one(a.Present),
	}
	events := []string{
		e.must("{first} grew up in {hometown}."),
		e.must("{first} took up the path of {class_a}."),
	}
	events = append(events, e.some(a.Events, len(a.Events))...)
	switch tierOf(c.level) {
	case 2:
		events = append(events, e.must("{first} earned a name across the region."))
	case 3:
		events = append(events, e.must("{first} became a hero of the realm."))
	case 4:
		events = append(events, e.must("{first} became a legend whose deeds are sung on other planes."))
	}
	var secrets []string
	if r.IntN(10) < 7 {
		secrets = e.some(a.Secrets, 1)
	}
	return &dnd.Backstory{
		Character: c.info(),
		Title:     e.one(a.Titles),
		Summary:   e.one(a.Summaries),
		Backstory: strings.Join(paragraphs, "\n\n"),
		KeyEvents: events,
		Hooks:     e.some(a.Hooks, 2+r.IntN(2)),
		Secrets:   nonNil(secrets),
	}
}

// tierOf maps a level to the four tiers of play.
func tierOf(level int) int {
	switch {
	case level <= 4:
		return 1
	case level <= 10:
		return 2
	case level <= 16:
		return 3
	}
	return 4
}

func mod(score int) int { return score/2 - 5 }

// abilityScores assigns a point-buy array in the build's priority order,
// then adds racial bonuses and ability score improvements for the level.
func (c *character) abilityScores(r *rand.Rand) map[string]int {
	arr := pick(r, pointBuy)
	s := map[string]int{}
	for i, a := range c.build.Priority {
		s[a] = arr[i]
	}
	if c.race != nil {
		for a, b := range c.race.Bonuses {
			s[a] += b
		}
		flex := c.race.Flex
		for _, a := range c.build.Priority {
			if flex == 0 {
				break
			}
			if c.race.Bonuses[a] == 0 {
				s[a]++
				flex--
			}
		}
	}
	for _, lvl := range append(slices.Clone(asiLevels), c.class.ExtraASI...) {
		if lvl > c.level {
			continue
		}
		for range 2 {
			for _, a := range c.build.Priority {
				if s[a] < 20 {
					s[a]++
					break
				}
			}
		}
	}
	return s
}

// genericClass stands in for a class the tables do not know: a d8
// adventurer with a random build and the actions anyone can take.
func (t *tables) genericClass(r *rand.Rand, name string) *class {
	prio := slices.Clone(abilityOrder)
	r.Shuffle(len(prio), func(i, j int) { prio[i], prio[j] = prio[j], prio[i] })
	rng := "melee"
	if prio[0] == "dex" {
		rng = "mixed"
	}
	return &class{
		Name: name, HitDie: 8,
		Saves:     []string{abilityNames[prio[0]], abilityNames[prio[1]]},
		Builds:    []build{{Priority: prio, Range: rng, Roles: []string{"striker", "skirmisher", "support"}}},
		Armor:     "light",
		Weapons:   genericWeapons,
		Secondary: []string{"Dagger", "Shortbow"},
		Caster:    "none",
		Pack:      "Explorer's Pack",
		Features:  t.character.GenericFeatures,
	}
}

type loadout struct {
	main, second weapon
	armor        *armorPiece
	shield       bool
	ac           int
	armorKind    string // heavy, medium, light or none
	spells       []string
}

func (c *character) weapon(name string) weapon {
	for _, w := range c.t.srd.Weapons {
		if w.Name == name {
			return w
		}
	}
	panic(dataError{fmt.Errorf("unknown weapon %q", name)})
}

// gear chooses weapons, armour, spells and armour class.
func (c *character) gear(r *rand.Rand) loadout {
	var l loadout
	options := c.build.Weapons
	if len(options) == 0 {
		key := "str"
		if c.scores["dex"] > c.scores["str"] {
			key = "dex"
		}
		options = c.class.Weapons[key]
	}
	l.main = c.weapon(pick(r, options))
	second := slices.DeleteFunc(slices.Clone(c.class.Secondary), func(s string) bool { return s == l.main.Name })
	if len(second) == 0 {
		second = []string{"Dagger"}
	}
	l.second = c.weapon(pick(r, second))
	l.spells = c.spells(r)

	dex, con, wis := mod(c.scores["dex"]), mod(c.scores["con"]), mod(c.scores["wis"])
	mode := c.class.Armor
	if mode == "heavy" && c.build.Range == "ranged" {
		mode = "light"
	}
	switch mode {
	case "heavy", "medium", "light":
		l.armor = c.bestArmor(r, mode)
		l.armorKind = mode
		l.ac = l.armor.Base
		switch mode {
		case "medium":
			l.ac += min(dex, 2)
		case "light":
			l.ac += dex
		}
	case "druid":
		for i := range c.t.srd.Armor {
			if c.t.srd.Armor[i].Name == "Hide Armor" {
				l.armor = &c.t.srd.Armor[i]
			}
		}
		if l.armor == nil {
			panic(dataError{fmt.Errorf("no Hide Armor")})
		}
		l.armorKind = "medium"
		l.ac = l.armor.Base + min(dex, 2)
	case "unarmored_barbarian":
		l.armorKind, l.ac = "none", 10+dex+con
	case "unarmored_monk":
		l.armorKind, l.ac = "none", 10+dex+wis
	case "draconic":
		l.armorKind, l.ac = "none", 13+dex
	default:
		l.armorKind, l.ac = "none", 10+dex
		if slices.Contains(l.spells, "Mage Armor") {
			l.ac += 3
		}
	}
	if c.class.Shield && !l.main.has("two-handed") && !l.main.ranged() && c.build.Range != "ranged" {
		l.shield = true
		l.ac += 2
	}
	l.ac = min(max(l.ac, 1), 30)
	return l
}

func (c *character) bestArmor(r *rand.Rand, kind string) *armorPiece {
	var best []*armorPiece
	for i := range c.t.srd.Armor {
		a := &c.t.srd.Armor[i]
		if a.Type != kind || a.MinLevel > c.level {
			continue
		}
		switch {
		case len(best) == 0 || a.Base > best[0].Base:
			best = []*armorPiece{a}
		case a.Base == best[0].Base:
			best = append(best, a)
		}
	}
	if len(best) == 0 {
		panic(dataError{fmt.Errorf("no %s armour for level %d", kind, c.level)})
	}
	return pick(r, best)
}

// maxSpellLevel is the highest spell level the class can cast at its level.
func (c *character) maxSpellLevel() int {
	switch c.class.Caster {
	case "full":
		return min(9, (c.level+1)/2)
	case "half":
		if c.level < 2 {
			return 0
		}
		return min(5, (c.level-1)/4+1)
	case "pact":
		return min(5, (c.level+1)/2)
	}
	return 0
}

// spells picks cantrips and spells from the three highest levels castable.
func (c *character) spells(r *rand.Rand) []string {
	top := c.maxSpellLevel()
	if top == 0 {
		return []string{}
	}
	var out []string
	if cantrips := c.class.Spells["0"]; len(cantrips) > 0 {
		out = append(out, pickN(r, cantrips, 2)...)
	}
	for lvl := max(1, top-2); lvl <= top; lvl++ {
		out = append(out, pickN(r, c.class.Spells[strconv.Itoa(lvl)], 1+r.IntN(2))...)
	}
	return slices.Compact(out)
}

func pickN[T any](r *rand.Rand, list []T, n int) []T {
	var out []T
	for _, i := range r.Perm(len(list)) {
		if len(out) == n {
			break
		}
		out = append(out, list[i])
	}
	return out
}

func (c *character) attacksPerTurn() int {
	n := 1
	for _, f := range c.class.Features {
		if f.Name == "Extra Attack" && f.Level <= c.level {
			n = 2
		}
	}
	if c.class.Name == "Fighter" {
		switch {
		case c.level >= 20:
			n = 4
		case c.level >= 11:
			n = 3
		}
	}
	return n
}

func (c *character) combat(r *rand.Rand) *dnd.Combat {
	l := c.kit
	e := c.expander(r)
	times := map[int]string{1: "once", 2: "twice", 3: "three times", 4: "four times"}[c.attacksPerTurn()]
	ability := "Strength"
	if l.main.ranged() || (l.main.has("finesse") && c.scores["dex"] > c.scores["str"]) {
		ability = "Dexterity"
	}
	moves := []dnd.Move{{
		Name: l.main.Name + " Attack",
		Description: fmt.Sprintf("Attacks %s per turn with the %s, dealing %s damage plus the %s modifier on each hit.",
			times, strings.ToLower(l.main.Name), l.main.Damage, ability),
	}}
	var avail []feature
	for _, f := range c.class.Features {
		if f.Level <= c.level {
			avail = append(avail, f)
		}
	}
	var feats []feature
	if len(avail) > 0 {
		feats = append(feats, avail[len(avail)-1])
		if rest := avail[:len(avail)-1]; len(rest) > 0 {
			feats = append(feats, pick(r, rest))
		}
	}
	for _, f := range feats {
		moves = append(moves, dnd.Move{Name: f.Name, Description: f.Description})
	}
	if len(l.spells) > 0 {
		sp := l.spells[len(l.spells)-1]
		note, ok := c.t.character.SpellNotes[sp]
		if !ok {
			note = "A spell from " + c.first + "'s repertoire."
		}
		e.set("spell", sp)
		moves = append(moves, dnd.Move{Name: sp, Description: note + " " + e.pick("spell_move")})
	}
	feature1, feature2 := l.main.Name, l.second.Name
	if len(feats) > 0 {
		feature1 = feats[0].Name
	}
	if len(feats) > 1 {
		feature2 = feats[1].Name
	}
	role := pick(r, c.build.Roles)
	e.set(
		"weapon", "their "+strings.ToLower(l.main.Name),
		"feature1", feature1, "feature2", feature2,
	)
	e.set("opening", e.pickFrag("opening_"+c.build.Range))
	tactics := e.pick("tactics_" + role)

	saves := slices.Clone(c.class.Saves)
	if c.class.Name == "Monk" && c.level >= 14 {
		saves = []string{"Strength", "Dexterity", "Constitution", "Intelligence", "Wisdom", "Charisma"}
	}
	hp := c.class.HitDie + mod(c.scores["con"]) + (c.level-1)*(c.class.HitDie/2+1+mod(c.scores["con"]))
	if slices.ContainsFunc(c.class.Features, func(f feature) bool { return f.Name == "Draconic Resilience" }) {
		hp += c.level
	}
	hp = min(max(hp, c.level), 999)

	return &dnd.Combat{
		Character:      c.info(),
		Role:           role,
		Tactics:        tactics,
		SignatureMoves: moves,
		PreferredRange: c.build.Range,
		AbilityScores: dnd.AbilityScores{
			Str: c.scores["str"], Dex: c.scores["dex"], Con: c.scores["con"],
			Int: c.scores["int"], Wis: c.scores["wis"], Cha: c.scores["cha"],
		},
		ArmorClass:       l.ac,
		HitPoints:        hp,
		ProficiencyBonus: dnd.ProficiencyBonus(c.level),
		SavingThrows:     saves,
		Spells:           l.spells,
		Weaknesses:       c.weaknesses(r, e, role, l),
	}
}

func (c *character) weaknesses(r *rand.Rand, e *expander, role string, l loadout) []string {
	dump := abilityOrder[0]
	for _, a := range abilityOrder {
		if c.scores[a] < c.scores[dump] {
			dump = a
		}
	}
	var more []string
	if role == "artillery" {
		more = append(more, "weak_artillery")
	}
	switch l.armorKind {
	case "heavy":
		more = append(more, "weak_heavy_armor")
	case "light", "none":
		more = append(more, "weak_light_armor")
	}
	if c.class.Caster != "none" && len(l.spells) > 0 {
		more = append(more, "weak_caster")
	}
	if c.class.Name == "Barbarian" {
		more = append(more, "weak_rage")
	}
	out := []string{e.pick("weak_" + dump)}
	if len(more) > 0 {
		out = append(out, e.pick(pick(r, more)))
	}
	return out
}

func (c *character) equipment(r *rand.Rand) *dnd.Equipment {
	l := c.kit
	e := c.expander(r)
	var items []dnd.Item
	add := func(name, category, desc, rarity string, qty int, attune bool) {
		items = append(items, dnd.Item{Name: name, Category: category, Description: desc, Rarity: rarity, Quantity: qty, RequiresAttunement: attune})
	}
	weaponItem := func(w weapon) {
		e.set("weapon_lc", strings.ToLower(w.Name), "damage", w.Damage)
		qty := 1
		switch w.Name {
		case "Javelin", "Handaxe":
			qty = 2 + r.IntN(3)
		case "Dart":
			qty = 10
		}
		add(w.Name, "weapon", e.pick("weapon_desc"), "common", qty, false)
	}
	weaponItem(l.main)
	weaponItem(l.second)
	mainIdx := 0
	armorPhrase := "simple travelling clothes"
	if l.armor != nil {
		e.set("armor_lc", strings.ToLower(l.armor.Name))
		add(l.armor.Name, "armor", e.pick("armor_desc"), "common", 1, false)
		armorPhrase = "their " + strings.ToLower(l.armor.Name)
	}
	if l.shield {
		add("Shield", "shield", "A sturdy shield that adds 2 to armour class.", "common", 1, false)
	}
	kit := c.class.Kit
	if c.class.KitPick > 0 {
		kit = pickN(r, kit, c.class.KitPick)
	}
	for _, k := range kit {
		for _, ki := range c.t.srd.Kit {
			if ki.Name == k {
				add(ki.Name, ki.Category, ki.Description, "common", 1, false)
			}
		}
	}
	for _, p := range c.t.srd.Packs {
		if p.Name == c.class.Pack {
			add(p.Name, "gear", p.Description, "common", 1, false)
		}
	}
	for _, w := range []weapon{l.main, l.second} {
		switch {
		case strings.Contains(w.Name, "Crossbow"):
			add("Crossbow Bolts", "gear", "A case of bolts for the "+strings.ToLower(w.Name)+".", "common", 20, false)
		case strings.HasSuffix(w.Name, "bow"):
			add("Arrows", "gear", "A quiver of arrows for the "+strings.ToLower(w.Name)+".", "common", 20, false)
		case w.Name == "Sling":
			add("Sling Bullets", "gear", "A pouch of lead sling bullets.", "common", 20, false)
		}
	}
	bgItems := []string{"Set of traveller's clothes"}
	if c.bg != nil {
		bgItems = pickN(r, c.bg.Items, 2)
	}
	for _, it := range bgItems {
		add(it, "gear", e.pick("bg_item_desc"), "common", 1, false)
	}
	potion := c.magicItem("Potion of Healing")
	add(potion.Name, potion.Category, potion.Description, potion.Rarity, 1+c.level/5, false)

	attuned, mainMagic := 0, false
	for _, m := range c.magicItems(r, l) {
		if m.Attunement {
			if attuned == 3 {
				continue
			}
			attuned++
		}
		if plus, ok := strings.CutPrefix(m.Name, "Weapon "); ok {
			if mainMagic {
				continue
			}
			mainMagic = true
			w := &items[mainIdx]
			w.Name += " " + plus
			w.Rarity = m.Rarity
			w.Description += " Magical: " + m.Description
			continue
		}
		if m.Category == "armor" || m.Category == "shield" {
			upgradeItem(items, m)
			continue
		}
		add(m.Name, m.Category, m.Description, m.Rarity, 1, m.Attunement)
	}
	trinket := strings.TrimPrefix(strings.TrimPrefix(e.pickFrag("trinkets"), "a "), "an ")
	add(capitalize(trinket), "treasure", "A keepsake of uncertain origin.", "common", 1, false)

	coins := dnd.Coins{CP: r.IntN(100), SP: r.IntN(50), GP: c.level*c.level*15 + r.IntN(c.level*20+10)}
	if c.level >= 11 {
		coins.PP = c.level*5 + r.IntN(20)
	}
	if r.IntN(4) == 0 {
		coins.EP = r.IntN(20)
	}
	e.set(
		"armor_phrase", armorPhrase,
		"weapon", "their "+strings.ToLower(l.main.Name),
		"pack", strings.ToLower(c.class.Pack),
		"trinket_lc", trinket,
	)
	return &dnd.Equipment{Character: c.info(), Items: items, Coins: coins, Notes: e.pick("equipment_notes")}
}

// upgradeItem turns the worn armour or carried shield into a magic one:
// "Armor +1" makes "Chain Mail +1", "Mithral Armor" makes "Mithral Breastplate",
// and any other item (Animated Shield) replaces it.
func upgradeItem(items []dnd.Item, m magicItem) {
	for i := range items {
		it := &items[i]
		if it.Category != m.Category || it.Rarity != "common" {
			continue
		}
		switch {
		case strings.HasPrefix(m.Name, "Armor +") || strings.HasPrefix(m.Name, "Shield +"):
			it.Name += " " + m.Name[strings.IndexByte(m.Name, '+'):]
		case m.Name == "Mithral Armor":
			it.Name = "Mithral " + it.Name
		default:
			it.Name = m.Name
		}
		it.Rarity = m.Rarity
		it.Description = m.Description
		it.RequiresAttunement = m.Attunement
		return
	}
}

func (c *character) magicItem(name string) magicItem {
	for _, m := range c.t.srd.MagicItems {
		if m.Name == name {
			return m
		}
	}
	panic(dataError{fmt.Errorf("unknown magic item %q", name)})
}

// magicItems picks items whose rarity suits the level's tier of play and
// that this character could use.
func (c *character) magicItems(r *rand.Rand, l loadout) []magicItem {
	var n int
	var rarities [2]string
	switch tierOf(c.level) {
	case 1:
		if r.IntN(100) < 35 {
			n = 1
		}
		rarities = [2]string{"uncommon", "uncommon"}
	case 2:
		n, rarities = 1+r.IntN(2), [2]string{"uncommon", "rare"}
	case 3:
		n, rarities = 2+r.IntN(2), [2]string{"rare", "very rare"}
	default:
		n, rarities = 3+r.IntN(2), [2]string{"very rare", "legendary"}
	}
	caster := c.class.Caster != "none"
	fits := func(m magicItem) bool {
		switch {
		case m.Category == "consumable" && strings.HasPrefix(m.Name, "Potion of Healing"):
			return false
		case m.Category == "focus" || strings.HasPrefix(m.Name, "Wand") || m.Name == "Pearl of Power" || m.Name == "Robe of the Archmagi":
			return caster
		case m.Category == "armor":
			return l.armorKind == "medium" || l.armorKind == "heavy"
		case m.Category == "shield":
			return l.shield
		case m.Name == "Bracers of Archery" || m.Name == "Oathbow":
			return l.main.ranged()
		case m.Name == "Bracers of Defense":
			return l.armorKind == "none" && !l.shield
		}
		return true
	}
	var out []magicItem
	for range n {
		rarity := rarities[0]
		if r.IntN(10) < 4 {
			rarity = rarities[1]
		}
		var cands []magicItem
		for _, m := range c.t.srd.MagicItems {
			if m.Rarity == rarity && fits(m) && !slices.ContainsFunc(out, func(o magicItem) bool { return o.Name == m.Name }) {
				cands = append(cands, m)
			}
		}
		if len(cands) > 0 {
			out = append(out, pick(r, cands))
		}
	}
	return out
}

func weighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// findRace maps a caller's race to the tables. An unknown race keeps its
// text and returns nil.
func (t *tables) findRace(s string) (*race, string) {
	if s == "" {
		return nil, ""
	}
	key := strings.ToLower(s)
	for i := range t.srd.Races {
		if slices.Contains(t.srd.Races[i].Aliases, key) || strings.EqualFold(t.srd.Races[i].Name, s) {
			return &t.srd.Races[i], s
		}
	}
	return nil, s
}

func (t *tables) findClass(s string) (*class, string) {
	if s == "" {
		return nil, ""
	}
	key := strings.ToLower(s)
	for i := range t.srd.Classes {
		if slices.Contains(t.srd.Classes[i].Aliases, key) || strings.EqualFold(t.srd.Classes[i].Name, s) {
			return &t.srd.Classes[i], s
		}
	}
	return nil, s
}

func (t *tables) findBackground(s string) (*background, string) {
	if s == "" {
		return nil, ""
	}
	for i := range t.srd.Backgrounds {
		if strings.EqualFold(t.srd.Backgrounds[i].Name, s) || strings.EqualFold(t.srd.Backgrounds[i].Key, s) {
			return &t.srd.Backgrounds[i], s
		}
	}
	return nil, s
}

func (t *tables) hintRace(hints map[string]bool) *race {
	for i := range t.srd.Races {
		for _, a := range t.srd.Races[i].Aliases {
			if hints[a] {
				return &t.srd.Races[i]
			}
		}
	}
	return nil
}

func (t *tables) hintClass(hints map[string]bool) *class {
	for i := range t.srd.Classes {
		for _, a := range t.srd.Classes[i].Aliases {
			if hints[a] {
				return &t.srd.Classes[i]
			}
		}
	}
	return nil
}

func (t *tables) hintBackground(hints map[string]bool) *background {
	for i := range t.srd.Backgrounds {
		if hints[t.srd.Backgrounds[i].Key] {
			return &t.srd.Backgrounds[i]
		}
	}
	return nil
}

// hintLevel finds "level N" in free text.
func hintLevel(hints map[string]bool) int {
	for n := dnd.MaxLevel; n >= 1; n-- {
		if hints["level "+strconv.Itoa(n)] {
			return n
		}
	}
	return 0
}

func hintAlignment(hints map[string]bool) string {
	for _, a := range dnd.Alignments() {
		if strings.Contains(a, " ") && hints[a] {
			return a
		}
	}
	return ""
}
