package dnd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// MaxSignatureMoves is how many moves a combat profile shows.
const MaxSignatureMoves = 4

// maxCombatSpells is how many spells a combat profile lists.
const maxCombatSpells = 6

// Moves are the character's signature moves, most characteristic first:
// its main attack, a feature it uses in a fight, its best combat spell (one
// that attacks, deals damage or controls foes before one that heals or
// protects), then the rest in the order the rules list what it can do
// (rules.Sheet.Options). Passive features are never moves.
func (c *Character) Moves() []rules.Option {
	all := c.Sheet.Options()
	var out []rules.Option
	take := func(ok func(rules.Option) bool) {
		if i := slices.IndexFunc(all, ok); i >= 0 && len(out) < MaxSignatureMoves {
			out = append(out, all[i])
			all = slices.Delete(all, i, i+1)
		}
	}
	kind := func(k string) func(rules.Option) bool { return func(o rules.Option) bool { return o.Kind == k } }
	take(kind(rules.OptionAttack))
	take(kind(rules.OptionFeature))
	if slices.ContainsFunc(all, offensive) {
		take(offensive)
	} else {
		take(kind(rules.OptionSpell))
	}
	for len(out) < MaxSignatureMoves && len(all) > 0 {
		if !slices.ContainsFunc(out, func(o rules.Option) bool { return o.Name == all[0].Name }) {
			out = append(out, all[0])
		}
		all = all[1:]
	}
	return out
}

// offensive reports whether an option is a spell that attacks, deals
// damage or controls foes.
func offensive(o rules.Option) bool {
	return o.Kind == rules.OptionSpell &&
		(strings.HasSuffix(o.Summary, "(attack)") || strings.HasSuffix(o.Summary, "(damage)") || strings.HasSuffix(o.Summary, "(control)"))
}

// CombatSpells are the spells a combat profile lists: damaging cantrips,
// then the spells the character fights with, highest level first.
func (c *Character) CombatSpells() []string {
	out := []string{}
	sc := c.Sheet.Spellcasting
	if sc == nil {
		return out
	}
	for _, a := range c.Sheet.Attacks {
		if slices.ContainsFunc(sc.Cantrips, func(s rules.Spell) bool { return s.Name == a.Name }) && len(out) < maxCombatSpells {
			out = append(out, a.Name)
		}
	}
	for _, o := range c.Sheet.Options() {
		if o.Kind == rules.OptionSpell && len(out) < maxCombatSpells && !slices.Contains(out, o.Name) {
			out = append(out, o.Name)
		}
	}
	return out
}

// Role is the character's role in a fight, from its class and how it
// fights.
func (c *Character) Role() string {
	s := c.Sheet
	switch class := classOf(s); {
	case class == "Barbarian" || class == "Paladin":
		return "frontliner"
	case class == "Fighter" && s.PreferredRange != "ranged":
		return "frontliner"
	case class == "Monk" || class == "Rogue" && s.PreferredRange == "melee":
		return "skirmisher"
	case class == "Rogue" || class == "Ranger" || class == "Fighter":
		return "striker"
	case class == "Bard" || class == "Cleric" || class == "Druid":
		return "support"
	case class == "Wizard":
		return "controller"
	case class == "Sorcerer" || class == "Warlock":
		return "artillery"
	case s.PreferredRange == "ranged":
		return "artillery"
	}
	return "striker"
}

// classOf is the SRD class the sheet plays by: its class, or the class
// whose features it has (a class outside the SRD).
func classOf(s rules.Sheet) string {
	if slices.Contains(rules.Classes(), s.Class) {
		return s.Class
	}
	for _, f := range s.Features {
		if slices.Contains(rules.Classes(), f.Source) {
			return f.Source
		}
	}
	return s.Class
}

// Coins is the character's purse, which grows with the level.
func (c *Character) Coins() Coins {
	r := rand.New(rand.NewPCG(uint64(c.PersonSeed), 0x636f696e73))
	lvl := c.Sheet.Level
	coins := Coins{CP: r.IntN(100), SP: r.IntN(50), GP: lvl*lvl*15 + r.IntN(lvl*20+10)}
	if lvl >= 11 {
		coins.PP = lvl*5 + r.IntN(20)
	}
	if r.IntN(4) == 0 {
		coins.EP = r.IntN(20)
	}
	return coins
}

// keyedNames are the names a draft of typ describes, by the draft's field.
func (c *Character) keyedNames(typ string) map[string][]string {
	var attacks, items, moves []string
	for _, a := range c.Sheet.Attacks {
		attacks = appendNew(attacks, a.Name)
	}
	for _, it := range c.Sheet.Equipment {
		items = appendNew(items, it.Name)
	}
	for _, m := range c.Moves() {
		moves = appendNew(moves, m.Name)
	}
	switch typ {
	case TypeSheet:
		return map[string][]string{"attacks": attacks, "equipment": items}
	case TypeCombat:
		return map[string][]string{"signature_moves": moves}
	case TypeEquipment:
		return map[string][]string{"items": items}
	}
	return nil
}

func appendNew(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

// echo is the identity a draft must repeat.
func (c *Character) echo() IdentityEcho {
	id := c.Identity()
	return IdentityEcho{
		Name: id.Name, Pronouns: id.Pronouns, Race: id.Race, Subrace: id.Subrace, Class: id.Class,
		Subclass: id.Subclass, Background: id.Background, Alignment: id.Alignment,
	}
}

// draftNode is the strict schema of the draft of typ for this character:
// the identity it repeats as one-value enums (the name too, when given),
// and an object with one property per attack, item or move it describes.
func (c *Character) draftNode(typ string) (*node, string, error) {
	s, typ, err := lookup(KindCharacter, typ)
	if err != nil {
		return nil, "", err
	}
	base, err := compiled(s.model)
	if err != nil {
		return nil, "", err
	}
	n := base.clone()
	echo := c.echo()
	ev := reflect.ValueOf(echo)
	for _, p := range n.prop("character").Props {
		for i := range ev.NumField() {
			tag, _, _ := strings.Cut(ev.Type().Field(i).Tag.Get("json"), ",")
			if tag == p.name && (p.name != "name" || c.NameGiven) {
				p.node.Enum = []string{ev.Field(i).String()}
			}
		}
	}
	for field, names := range c.keyedNames(typ) {
		k := n.prop(field)
		for _, name := range names {
			k.Props = append(k.Props, prop{name, &node{Type: "string", Description: "About " + name + "."}})
		}
	}
	return n, "dnd_" + strings.ReplaceAll(KindCharacter, ".", "_") + "_" + typ + "_" + SchemaVersion, nil
}

// DraftSchema returns the name and strict JSON schema of the draft a model
// writes for the character's request (see draftNode).
func (c *Character) DraftSchema() (string, json.RawMessage, error) {
	n, name, err := c.draftNode(c.Request.Type)
	if err != nil {
		return "", nil, err
	}
	var b bytes.Buffer
	n.encode(&b)
	return name, b.Bytes(), nil
}

func (n *node) clone() *node {
	c := *n
	c.Enum = slices.Clone(n.Enum)
	c.raw = nil
	c.Props = make([]prop, len(n.Props))
	for i, p := range n.Props {
		c.Props[i] = prop{p.name, p.node.clone()}
	}
	if n.Items != nil {
		c.Items = n.Items.clone()
	}
	return &c
}

func (n *node) prop(name string) *node {
	for _, p := range n.Props {
		if p.name == name {
			return p.node
		}
	}
	panic(fmt.Sprintf("dnd: schema has no property %q", name))
}

// Complete turns a draft of the character's request type, a model's or
// the offline generator's, into the content: the draft is checked against
// its schema and the identity it repeats, then merged with the identity
// and the numbers of the sheet. An error is a *ContentError naming the
// field to repair.
func (c *Character) Complete(draft []byte) (json.RawMessage, error) {
	typ := c.Request.Type
	n, _, err := c.draftNode(typ)
	if err != nil {
		return nil, err
	}
	s, _, _ := lookup(KindCharacter, typ)
	v, err := decodeDraft(n, s.model, draft)
	if err != nil {
		return nil, err
	}
	var doc any
	switch d := v.(type) {
	case *SheetDraft:
		doc, err = c.completeSheet(d)
	case *PersonalityDraft:
		doc, err = c.completePersonality(d)
	case *BackstoryDraft:
		doc, err = c.completeBackstory(d)
	case *CombatDraft:
		doc, err = c.completeCombat(d)
	case *EquipmentDraft:
		doc, err = c.completeEquipment(d)
	}
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("complete %s: %w", typ, err)
	}
	if err := ValidateContent(KindCharacter, typ, b); err != nil {
		return nil, err
	}
	return b, nil
}

// decodeDraft checks a draft against its schema and meaning and decodes it.
func decodeDraft(n *node, t reflect.Type, draft []byte) (any, error) {
	if len(draft) > MaxContentBytes {
		return nil, &ContentError{Message: fmt.Sprintf("document is larger than %d bytes", MaxContentBytes)}
	}
	dec := json.NewDecoder(bytes.NewReader(draft))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, &ContentError{Message: "not valid JSON"}
	}
	if err := n.check("", tree); err != nil {
		return nil, err
	}
	v := reflect.New(t)
	if err := json.Unmarshal(draft, v.Interface()); err != nil {
		return nil, &ContentError{Message: "does not match the content type"}
	}
	ck := &checker{}
	v.Interface().(interface{ check(*checker) }).check(ck)
	if ck.err != nil {
		return nil, ck.err
	}
	return v.Interface(), nil
}

// info is the identity the content states: the draft's name when the
// writer chose it. The draft must repeat every other part as given.
func (c *Character) info(echo IdentityEcho) (CharacterInfo, error) {
	want := c.echo()
	got := reflect.ValueOf(echo)
	exp := reflect.ValueOf(want)
	for i := range got.NumField() {
		tag, _, _ := strings.Cut(got.Type().Field(i).Tag.Get("json"), ",")
		if tag == "name" && !c.NameGiven {
			continue
		}
		if g, w := got.Field(i).String(), exp.Field(i).String(); g != w {
			return CharacterInfo{}, &ContentError{Field: "character." + tag, Message: fmt.Sprintf("must be %q, the character's %s as given", w, tag)}
		}
	}
	id := c.Identity()
	if !c.NameGiven {
		id.Name = collapse(echo.Name)
	}
	return id, nil
}

// describe returns the words a draft wrote about name.
func describe(d Descriptions, field, name string) (string, error) {
	s, ok := d.Get(name)
	if !ok || strings.TrimSpace(s) == "" {
		return "", &ContentError{Field: field + "." + name, Message: "is required"}
	}
	return strings.TrimSpace(s), nil
}

func (c *Character) completeSheet(d *SheetDraft) (*Sheet, error) {
	id, err := c.info(d.Character)
	if err != nil {
		return nil, err
	}
	var out Sheet
	if c.Given != nil {
		out = *c.Given
		out.Attacks = slices.Clone(out.Attacks)
		out.Equipment = slices.Clone(out.Equipment)
	} else {
		out = sheetOf(c.Sheet)
		out.Name = id.Name
	}
	out.Appearance = keep(out.Appearance, d.Appearance)
	out.Personality = keep(out.Personality, d.Personality)
	for i := range out.Attacks {
		w, err := describe(d.Attacks, "attacks", out.Attacks[i].Name)
		if err != nil {
			return nil, err
		}
		out.Attacks[i].Description = keep(out.Attacks[i].Description, w)
	}
	for i := range out.Equipment {
		w, err := describe(d.Equipment, "equipment", out.Equipment[i].Name)
		if err != nil {
			return nil, err
		}
		if c.Given == nil {
			out.Equipment[i].Description = w
		} else {
			out.Equipment[i].Description = keep(out.Equipment[i].Description, w)
		}
	}
	return &out, nil
}

// keep returns what a sheet already says, or else the new words.
func keep(have, words string) string {
	if strings.TrimSpace(have) != "" {
		return have
	}
	return strings.TrimSpace(words)
}

func (c *Character) completePersonality(d *PersonalityDraft) (*Personality, error) {
	id, err := c.info(d.Character)
	if err != nil {
		return nil, err
	}
	err = c.checkLore(map[string][]string{"traits": d.Traits, "ideals": d.Ideals, "bonds": d.Bonds, "flaws": d.Flaws, "mannerisms": d.Mannerisms}, true)
	if err != nil {
		return nil, err
	}
	return &Personality{
		Character: id, Traits: d.Traits, Ideals: d.Ideals, Bonds: d.Bonds, Flaws: d.Flaws,
		Mannerisms: d.Mannerisms, Voice: d.Voice,
	}, nil
}

func (c *Character) completeBackstory(d *BackstoryDraft) (*Backstory, error) {
	id, err := c.info(d.Character)
	if err != nil {
		return nil, err
	}
	err = c.checkLore(map[string][]string{"summary": {d.Summary}, "backstory": {d.Backstory}, "key_events": d.KeyEvents, "secrets": d.Secrets}, false)
	if err != nil {
		return nil, err
	}
	return &Backstory{
		Character: id, Title: d.Title, Summary: d.Summary, Backstory: d.Backstory,
		KeyEvents: d.KeyEvents, Hooks: d.Hooks, Secrets: d.Secrets,
	}, nil
}

func (c *Character) completeCombat(d *CombatDraft) (*Combat, error) {
	id, err := c.info(d.Character)
	if err != nil {
		return nil, err
	}
	s := c.content()
	out := &Combat{
		Character: id, Role: c.Role(), Tactics: d.Tactics, PreferredRange: s.PreferredRange,
		AbilityScores: s.AbilityScores, ArmorClass: s.ArmorClass, HitPoints: s.HitPoints,
		ProficiencyBonus: s.ProficiencyBonus, Spells: c.CombatSpells(), Weaknesses: d.Weaknesses,
		SavingThrows: []string{}, Attacks: []Attack{},
	}
	for _, m := range c.Moves() {
		w, err := describe(d.SignatureMoves, "signature_moves", m.Name)
		if err != nil {
			return nil, err
		}
		out.SignatureMoves = append(out.SignatureMoves, Move{Name: m.Name, Description: w})
	}
	for _, sv := range s.SavingThrows {
		if sv.Proficient {
			out.SavingThrows = append(out.SavingThrows, sv.Ability)
		}
	}
	for _, a := range s.Attacks {
		if a.Description == "" {
			a.Description = capitalize(summary(a)) + "."
		}
		out.Attacks = append(out.Attacks, a)
	}
	return out, nil
}

func (c *Character) completeEquipment(d *EquipmentDraft) (*Equipment, error) {
	id, err := c.info(d.Character)
	if err != nil {
		return nil, err
	}
	out := &Equipment{Character: id, Coins: c.Coins(), Notes: d.Notes, Items: []Item{}}
	for _, it := range c.content().Equipment {
		w, err := describe(d.Items, "items", it.Name)
		if err != nil {
			return nil, err
		}
		// An item the sheet sent already describes keeps its words: one
		// write-up per item, whichever document shows it.
		if c.Given == nil || strings.TrimSpace(it.Description) == "" {
			it.Description = w
		}
		out.Items = append(out.Items, it)
	}
	return out, nil
}

// content is the character's sheet as content: the one the request sent,
// or the computed one.
func (c *Character) content() Sheet {
	if c.Given != nil {
		return *c.Given
	}
	return sheetOf(c.Sheet)
}

// summary states an attack's numbers: "melee weapon, 5 ft, +7 to hit,
// 1d8+4 slashing".
func summary(a Attack) string {
	parts := []string{a.Kind, a.Range}
	switch {
	case a.ToHit != nil:
		parts = append(parts, fmt.Sprintf("%+d to hit", *a.ToHit))
	case a.Save != nil:
		parts = append(parts, *a.Save)
	}
	parts = append(parts, a.Damage)
	if a.Notes != "" {
		parts = append(parts, a.Notes)
	}
	return strings.Join(parts, ", ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
