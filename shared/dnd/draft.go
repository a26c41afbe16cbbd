package dnd

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
)

// This file holds what a model writes for a character request: words only.
// The service adds the identity and every number from the character's
// sheet (Character.Complete). Each draft repeats the character's identity
// in its character field, so the service can check that the words are
// about the right person.

// IdentityEcho is the identity a model repeats in a draft: the character's
// identity without the level, which is a number the model never writes.
type IdentityEcho struct {
	Name       string `json:"name" description:"The character's full name, as given; chosen by you when none was given."`
	Pronouns   string `json:"pronouns" description:"The character's pronouns, as given."`
	Race       string `json:"race" description:"The character's race, as given."`
	Subrace    string `json:"subrace" description:"The character's subrace, as given (may be empty)."`
	Class      string `json:"class" description:"The character's class, as given."`
	Subclass   string `json:"subclass" description:"The character's subclass, as given (may be empty)."`
	Background string `json:"background" description:"The character's background, as given."`
	Alignment  string `json:"alignment" description:"The character's alignment, as given."`
}

// Descriptions are words about named things (attacks, items, moves), keyed
// by the names the request lists. In a model's schema it is an object with
// one property per name; Schema shows it with none, as the names come with
// each request.
type Descriptions struct{ byName map[string]string }

var keyedType = reflect.TypeFor[Descriptions]()

// DescriptionsOf returns descriptions keyed by name.
func DescriptionsOf(byName map[string]string) Descriptions {
	return Descriptions{byName: maps.Clone(byName)}
}

// Get returns the description of name.
func (d Descriptions) Get(name string) (string, bool) {
	s, ok := d.byName[name]
	return s, ok
}

// Names returns the names described, sorted.
func (d Descriptions) Names() []string { return slices.Sorted(maps.Keys(d.byName)) }

// MarshalJSON implements json.Marshaler: an object of name → description.
func (d Descriptions) MarshalJSON() ([]byte, error) {
	if d.byName == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(d.byName)
}

// UnmarshalJSON implements json.Unmarshaler.
func (d *Descriptions) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &d.byName)
}

// SheetDraft is what a model writes for a character sheet.
type SheetDraft struct {
	Character   IdentityEcho `json:"character" description:"The character's identity, repeated exactly as given."`
	Appearance  string       `json:"appearance" description:"What the character looks like, two or three sentences: build, face, hair, clothes and the gear they wear, fitting race, class, background and level."`
	Personality string       `json:"personality" description:"A touch of personality a player can act out, one or two sentences, fitting class, background and alignment."`
	Attacks     Descriptions `json:"attacks" description:"One property per attack, named exactly as listed: how the character uses it, one sentence that agrees with its kind and range."`
	Equipment   Descriptions `json:"equipment" description:"One property per item, named exactly as listed: what it looks like and what it does, one or two sentences."`
}

// PersonalityDraft is what a model writes for a personality.
type PersonalityDraft struct {
	Character  IdentityEcho `json:"character" description:"The character's identity, repeated exactly as given."`
	Traits     []string     `json:"traits" description:"Two to four personality traits, each one sentence in the first person or third person. At least one." minItems:"1" maxItems:"4"`
	Ideals     []string     `json:"ideals" description:"One or two ideals the character lives by, each a short sentence that fits the alignment. At least one." minItems:"1" maxItems:"2"`
	Bonds      []string     `json:"bonds" description:"One or two bonds to people, places or causes. At least one." minItems:"1" maxItems:"2"`
	Flaws      []string     `json:"flaws" description:"One or two flaws or vices that can get the character into trouble. At least one." minItems:"1" maxItems:"2"`
	Mannerisms []string     `json:"mannerisms" description:"Small habits a player can act out at the table. May be empty." minItems:"0" maxItems:"4"`
	Voice      string       `json:"voice" description:"How the character talks: pace, vocabulary, favourite phrases."`
}

// BackstoryDraft is what a model writes for a backstory.
type BackstoryDraft struct {
	Character IdentityEcho `json:"character" description:"The character's identity, repeated exactly as given."`
	Title     string       `json:"title" description:"A short evocative title for the backstory."`
	Summary   string       `json:"summary" description:"Two or three sentences summarising the backstory."`
	Backstory string       `json:"backstory" description:"The backstory itself: several paragraphs of prose covering origin, turning point and why the character adventures now."`
	KeyEvents []string     `json:"key_events" description:"The key events of the character's life in the order they happened, one sentence each. At least one." minItems:"1" maxItems:"8"`
	Hooks     []string     `json:"hooks" description:"Plot hooks a game master can use, each one sentence. At least one." minItems:"1" maxItems:"4"`
	Secrets   []string     `json:"secrets" description:"Things the character hides or does not know about their own past. May be empty." minItems:"0" maxItems:"4"`
}

// CombatDraft is what a model writes for a combat profile.
type CombatDraft struct {
	Character      IdentityEcho `json:"character" description:"The character's identity, repeated exactly as given."`
	Tactics        string       `json:"tactics" description:"How the character fights, one paragraph: openings, positioning, what they do when things go wrong; only with the attacks, features and spells listed."`
	SignatureMoves Descriptions `json:"signature_moves" description:"One property per signature move, named exactly as listed: what it does and when the character uses it, one or two sentences."`
	Weaknesses     []string     `json:"weaknesses" description:"Tactical weaknesses an enemy could exploit, one sentence each. May be empty." minItems:"0" maxItems:"4"`
}

// EquipmentDraft is what a model writes for an equipment list.
type EquipmentDraft struct {
	Character IdentityEcho `json:"character" description:"The character's identity, repeated exactly as given."`
	Items     Descriptions `json:"items" description:"One property per item, named exactly as listed: what it looks like and what it does, one or two sentences."`
	Notes     string       `json:"notes" description:"How the kit fits the character: what is worn, stowed or treasured, one or two sentences."`
}

func (x *SheetDraft) check(c *checker) {
	x.Character.checkAt(c, "character")
	c.text("appearance", x.Appearance)
	c.text("personality", x.Personality)
	c.descriptions("attacks", x.Attacks)
	c.descriptions("equipment", x.Equipment)
}

func (x *PersonalityDraft) check(c *checker) {
	x.Character.checkAt(c, "character")
	checkPersonality(c, [][]string{x.Traits, x.Ideals, x.Bonds, x.Flaws, x.Mannerisms}, x.Voice)
}

func (x *BackstoryDraft) check(c *checker) {
	x.Character.checkAt(c, "character")
	checkBackstory(c, []string{x.Title, x.Summary, x.Backstory}, [][]string{x.KeyEvents, x.Hooks, x.Secrets})
}

func (x *CombatDraft) check(c *checker) {
	x.Character.checkAt(c, "character")
	c.text("tactics", x.Tactics)
	c.descriptions("signature_moves", x.SignatureMoves)
	c.list("weaknesses", x.Weaknesses)
}

func (x *EquipmentDraft) check(c *checker) {
	x.Character.checkAt(c, "character")
	c.descriptions("items", x.Items)
	c.text("notes", x.Notes)
}

func (x IdentityEcho) checkAt(c *checker, p string) {
	c.text(p+".name", x.Name)
	c.text(p+".pronouns", x.Pronouns)
	c.text(p+".race", x.Race)
	c.text(p+".class", x.Class)
	c.text(p+".background", x.Background)
	c.text(p+".alignment", x.Alignment)
}

func (c *checker) descriptions(field string, d Descriptions) {
	for _, name := range d.Names() {
		s, _ := d.Get(name)
		c.text(field+"."+name, s)
	}
}
