package dnd

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// Character is a character request worked out: who the character is and
// the sheet of their numbers. Every provider writes from it, so every
// document about the same character object shows the same person and the
// same numbers.
type Character struct {
	// Request is the normalised request.
	Request CharacterRequest
	// Seed draws what is particular to this document.
	Seed int64
	// PersonSeed draws what every document about the character shares (a
	// home town, looks, a name to give): the identity's hash when the
	// request sends a character object, else Seed.
	PersonSeed int64
	// Sheet is the character: its identity and every number.
	Sheet rules.Sheet
	// Given is the sheet the request sent as its character, words and all;
	// nil when it sent an identity or none.
	Given *Sheet
	// NameGiven reports that the caller named the character; otherwise
	// the writer does and Sheet.Name is empty.
	NameGiven bool
	// Warnings say where the request was not taken as given (a race
	// outside the SRD played with the closest SRD rules).
	Warnings []string
}

// identityKeys are the fields of a character object sent as an identity.
var identityKeys = []string{"name", "pronouns", "race", "subrace", "class", "subclass", "level", "background", "alignment"}

// characterRef is a request's character object: a sheet or an identity.
type characterRef struct {
	sheet    *Sheet
	identity *CharacterInfo
}

// parseCharacter reads a character object. Problems are keyed by request
// field path.
func parseCharacter(raw json.RawMessage) (characterRef, map[string]string) {
	var ref characterRef
	if len(bytes.TrimSpace(raw)) == 0 {
		return ref, nil
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil || keys == nil {
		return ref, map[string]string{"character": "must be an object: a sheet's content or its identity"}
	}
	sheetOnly := slices.ContainsFunc(slices.Collect(maps.Keys(keys)), func(k string) bool {
		return !slices.Contains(identityKeys, k)
	}) && hasSheetKey(keys)
	if sheetOnly {
		if err := ValidateContent(KindCharacter, TypeSheet, raw); err != nil {
			var ce *ContentError
			if errors.As(err, &ce) {
				return ref, map[string]string{join("character", ce.Field): ce.Message}
			}
			return ref, map[string]string{"character": "is not a sheet's content"}
		}
		var s Sheet
		if err := json.Unmarshal(raw, &s); err != nil {
			return ref, map[string]string{"character": "is not a sheet's content"}
		}
		ref.sheet = &s
		return ref, nil
	}
	var id CharacterInfo
	if err := httpapi.Unmarshal(raw, &id); err != nil {
		out := map[string]string{}
		for _, fe := range httpapi.AsProblem(httpapi.Within("character", err)).Errors {
			out[fe.Field] = fe.Message
		}
		return ref, out
	}
	v := validator{}
	for _, k := range []struct{ field, value string }{
		{"name", id.Name}, {"race", id.Race}, {"class", id.Class},
	} {
		if collapse(k.value) == "" {
			v.add("character."+k.field, "is required in a character identity")
		}
	}
	for _, k := range []struct{ field, value string }{
		{"name", id.Name}, {"pronouns", id.Pronouns}, {"race", id.Race}, {"subrace", id.Subrace}, {"class", id.Class},
		{"subclass", id.Subclass}, {"background", id.Background}, {"alignment", id.Alignment},
	} {
		v.line("character."+k.field, k.value, MaxFieldLen)
	}
	if id.Level < 1 || id.Level > MaxLevel {
		v.add("character.level", fmt.Sprintf("is required in a character identity, between 1 and %d", MaxLevel))
	}
	if len(v) > 0 {
		return ref, v
	}
	ref.identity = &id
	return ref, nil
}

// hasSheetKey reports whether an object has a field only a sheet has.
func hasSheetKey(keys map[string]json.RawMessage) bool {
	for k := range keys {
		if k == "ability_scores" || k == "rules" || k == "hit_points" || k == "features" || k == "equipment" || k == "appearance" {
			return true
		}
	}
	return false
}

// normalizeCharacter compacts a character object and canonicalises an
// identity's spellings, so equal characters cache equal. Text it cannot
// read is left for Valid to report.
func normalizeCharacter(raw json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	ref, problems := parseCharacter(raw)
	switch {
	case len(problems) > 0:
	case ref.identity != nil:
		id := *ref.identity
		for _, f := range []*string{&id.Name, &id.Race, &id.Subrace, &id.Class, &id.Subclass, &id.Background} {
			*f = collapse(*f)
		}
		id.Pronouns = strings.ToLower(collapse(id.Pronouns))
		id.Alignment = CanonicalAlignment(id.Alignment)
		if b, err := json.Marshal(id); err == nil {
			return b
		}
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}

// character checks the character object and how it and the parameters fit
// the rules: a subclass of another class, a subrace of another race, an
// alignment outside the accepted spellings, or a character object that
// contradicts a parameter are problems naming the fields.
func (v validator) character(r CharacterRequest) {
	ref, problems := parseCharacter(r.Character)
	for k, m := range problems {
		v.add(k, m)
	}
	if len(problems) > 0 {
		return
	}
	v.contradictions(r.Parameters, ref)
	if len(v) > 0 || ref.sheet != nil {
		return
	}
	c, from := r.choices(ref)
	for field, msg := range c.Valid() {
		path, ok := from[field]
		if !ok {
			path = "parameters"
		}
		v.add(path, msg)
	}
}

// contradictions reports each parameter that names the character otherwise
// than the character object does.
func (v validator) contradictions(p CharacterParams, ref characterRef) {
	var id CharacterInfo
	switch {
	case ref.sheet != nil:
		id = ref.sheet.Identity()
	case ref.identity != nil:
		id = *ref.identity
	default:
		return
	}
	check := func(param, value, field string, same bool) {
		if value != "" && !same {
			v.add("parameters."+param, "contradicts character."+field+"; send one, or make them agree")
			v.add("character."+field, "contradicts parameters."+param+"; send one, or make them agree")
		}
	}
	name := cmp.Or(p.Name, p.CharacterName)
	check("name", name, "name", id.Name == "" || sameWords(name, id.Name))
	check("pronouns", p.Pronouns, "pronouns", id.Pronouns == "" || sameWords(p.Pronouns, id.Pronouns))
	check("character_race", p.CharacterRace, "race", sameWords(p.CharacterRace, id.Race) ||
		id.Subrace != "" && (sameWords(p.CharacterRace, id.Subrace) || sameWords(p.CharacterRace, id.Subrace+" "+id.Race)))
	check("subrace", p.Subrace, "subrace", id.Subrace == "" || sameWords(p.Subrace, id.Subrace))
	check("character_class", p.CharacterClass, "class", sameWords(p.CharacterClass, id.Class) ||
		id.Subclass != "" && sameWords(p.CharacterClass, id.Subclass))
	check("subclass", p.Subclass, "subclass", id.Subclass == "" || sameWords(p.Subclass, id.Subclass))
	check("background", p.Background, "background", id.Background == "" || sameWords(p.Background, id.Background))
	check("alignment", p.Alignment, "alignment", id.Alignment == "" || CanonicalAlignment(p.Alignment) == CanonicalAlignment(id.Alignment))
	if p.CharacterLevel != nil && *p.CharacterLevel != id.Level {
		v.add("parameters.character_level", "contradicts character.level; send one, or make them agree")
		v.add("character.level", "contradicts parameters.character_level; send one, or make them agree")
	}
}

// sameWords compares names without regard to case, spaces and punctuation.
func sameWords(a, b string) bool { return wordKey(a) == wordKey(b) }

var nonWord = regexp.MustCompile(`[^\p{L}\p{N}]+`)

func wordKey(s string) string {
	return strings.Trim(nonWord.ReplaceAllString(strings.ToLower(s), " "), " ")
}

// choices merges the character object, the parameters and what the prompt
// names into rules choices, and says which request field each came from
// (keyed by rules.InputError.Field). The prompt fills only what is still
// empty, and only where the rules accept it.
func (r CharacterRequest) choices(ref characterRef) (rules.Choices, map[string]string) {
	p := r.Parameters
	var id CharacterInfo
	if ref.identity != nil {
		id = *ref.identity
	}
	from := map[string]string{}
	pickField := func(field, idValue, param, paramValue string) string {
		switch {
		case idValue != "":
			from[field] = "character." + field
			return idValue
		case paramValue != "":
			from[field] = "parameters." + param
			return paramValue
		}
		return ""
	}
	c := rules.Choices{
		Name:       pickField("name", id.Name, "name", cmp.Or(p.Name, p.CharacterName)),
		Pronouns:   pickField("pronouns", id.Pronouns, "pronouns", p.Pronouns),
		Race:       pickField("race", id.Race, "character_race", p.CharacterRace),
		Subrace:    pickField("subrace", id.Subrace, "subrace", p.Subrace),
		Class:      pickField("class", id.Class, "character_class", p.CharacterClass),
		Subclass:   pickField("subclass", id.Subclass, "subclass", p.Subclass),
		Background: pickField("background", id.Background, "background", p.Background),
		Alignment:  pickField("alignment", id.Alignment, "alignment", p.Alignment),
	}
	if from["subrace"] == "" && from["race"] != "" {
		from["subrace"] = from["race"] // "High Elf" as a race names the subrace
	}
	if from["subclass"] == "" && from["class"] != "" {
		from["subclass"] = from["class"]
	}
	switch {
	case ref.identity != nil:
		c.Level, from["level"] = id.Level, "character.level"
	case p.CharacterLevel != nil:
		c.Level, from["level"] = *p.CharacterLevel, "parameters.character_level"
	}
	if len(c.Valid()) > 0 {
		return c, from
	}
	r.fillFromPrompt(&c)
	return c, from
}

// fillFromPrompt fills the choices still empty with what the prompt names,
// one at a time, keeping each only if the rules accept it.
func (r CharacterRequest) fillFromPrompt(c *rules.Choices) {
	if strings.TrimSpace(r.Prompt) == "" {
		return
	}
	m := rules.Mentions(r.Prompt)
	try := func(set func(*rules.Choices)) {
		next := *c
		set(&next)
		if len(next.Valid()) == 0 {
			*c = next
		}
	}
	if c.Race == "" && m.Race != "" {
		try(func(c *rules.Choices) { c.Race = m.Race })
	}
	if c.Class == "" && m.Class != "" {
		try(func(c *rules.Choices) { c.Class = m.Class })
	}
	if c.Subclass == "" && m.Subclass != "" && slices.ContainsFunc(rules.SubclassClasses(m.Subclass), func(cl string) bool { return sameWords(cl, c.Class) }) {
		try(func(c *rules.Choices) { c.Subclass = m.Subclass })
	}
	if c.Background == "" && m.Background != "" {
		try(func(c *rules.Choices) { c.Background = m.Background })
	}
	if c.Alignment == "" && m.Alignment != "" {
		try(func(c *rules.Choices) { c.Alignment = m.Alignment })
	}
	if c.Level == 0 && m.Level != 0 {
		try(func(c *rules.Choices) { c.Level = m.Level })
	}
	if c.Name == "" {
		c.Name = NameMentioned(r.Prompt)
	}
	if c.Pronouns == "" {
		c.Pronouns = PronounsMentioned(r.Prompt)
	}
}

var nameRe = regexp.MustCompile(`(?:\bnamed|\bcalled|\bname is|\bname's|\bname:)\s+((?:\p{Lu}[\p{L}'’-]*)(?:\s+(?:\p{Lu}[\p{L}'’-]*|of|the|von|van|de|da)){0,3})`)

// NameMentioned finds a name the text gives the character ("named Bram
// Kettle", "called Ash"), or "". A name given to something the character
// has ("a pet raven named Corvin", "her sister called Ash") is not the
// character's.
func NameMentioned(text string) string {
	for _, m := range nameRe.FindAllStringSubmatchIndex(text, -1) {
		if !namesCharacter(text[:m[0]]) {
			continue
		}
		ws := strings.Fields(text[m[2]:m[3]])
		for len(ws) > 0 && !startsUpper(ws[len(ws)-1]) { // "named Ash of" keeps "Ash"
			ws = ws[:len(ws)-1]
		}
		return strings.Join(ws, " ")
	}
	return ""
}

// namesCharacter reports whether "named" after the text before it names
// the character: it does unless the noun before it is something the
// character has ("has a pet raven", "with a dog", "her sister", "a
// raven's").
func namesCharacter(before string) bool {
	clause := before
	if i := strings.LastIndexAny(clause, ".,;:!?\n"); i >= 0 {
		clause = clause[i+1:]
	}
	ws := strings.Fields(strings.ToLower(clause))
	if n := len(ws); n > 0 && (ws[n-1] == "his" || ws[n-1] == "her" || ws[n-1] == "their" || ws[n-1] == "my") {
		return true // "her name is"
	}
	ws = ws[max(0, len(ws)-4):]
	for i, w := range ws {
		if slices.Contains(ownedMarks, w) || strings.HasSuffix(w, "'s") && i == len(ws)-1 {
			return false
		}
		if i < len(ws)-1 && (w == "his" || w == "her" || w == "their" || w == "its" || w == "my") {
			return false // "her sister called Ash"
		}
	}
	return true
}

// ownedMarks are words that show the noun after them is something the
// character has, not the character.
var ownedMarks = []string{"has", "have", "had", "having", "owns", "owned", "keeps", "kept", "with", "pet", "carries", "carried",
	"wields", "wielded", "rides", "rode", "whose", "familiar", "companion", "ship", "horse", "sword", "blade", "dog", "cat"}

func startsUpper(w string) bool {
	for _, r := range w {
		return r >= 'A' && r <= 'Z' || r > 127 && strings.ToUpper(string(r)) == string(r)
	}
	return false
}

// PronounsMentioned returns the pronouns of the first personal pronoun in
// the text ("make him a pirate" gives he/him), else those of a gendered
// noun the description calls the character by ("a noblewoman fencer"
// gives she/her), or "".
func PronounsMentioned(text string) string {
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !(r >= 'a' && r <= 'z') }) {
		switch w {
		case "he", "him", "his", "himself":
			return "he/him"
		case "she", "her", "hers", "herself":
			return "she/her"
		case "they", "them", "their", "themself", "themselves":
			return "they/them"
		}
	}
	return genderNounPronouns(text)
}

// ResolveCharacter works out the character of a valid request with the
// seed that draws what the request leaves open. A character object sent as
// a sheet is taken as it is; sent as an identity, its numbers are drawn
// from its own hash, so every request that sends it gets the same sheet.
func ResolveCharacter(req CharacterRequest, seed int64) (*Character, error) {
	req.Normalize()
	if problems := req.Valid(context.Background()); len(problems) > 0 {
		return nil, fmt.Errorf("resolve character: %w", httpapi.Invalid(problems))
	}
	ref, _ := parseCharacter(req.Character)
	ch := &Character{Request: req, Seed: seed, PersonSeed: seed}
	if s := ref.sheet; s != nil {
		ch.Given, ch.Sheet, ch.NameGiven = s, rulesSheet(*s), true
		ch.PersonSeed = identitySeed(s.Identity())
		ch.Warnings = promptPronounsWarning(req.Prompt, s.Pronouns)
		return ch, nil
	}
	c, from := req.choices(ref)
	var givenPronouns string
	if from["pronouns"] != "" {
		givenPronouns = c.Pronouns
	}
	c.Seed = seed
	if ref.identity != nil {
		c.Seed = identitySeed(*ref.identity)
		ch.PersonSeed = c.Seed
	}
	applyPromptFacts(&c, req.Prompt)
	if c.Pronouns == "" {
		c.Pronouns = drawPronouns(c.Seed)
	}
	s, err := rules.Build(c)
	if err != nil {
		return nil, fmt.Errorf("resolve character: %w", err)
	}
	if style := rules.StyleMentioned(req.Prompt, s.Class); style != "" && c.Style == "" {
		c.Style, c.Class = style, s.Class
		if s, err = rules.Build(c); err != nil {
			return nil, fmt.Errorf("resolve character: %w", err)
		}
	}
	ch.Sheet, ch.NameGiven = s, s.Name != ""
	ch.Warnings = slices.Concat(s.Warnings, promptPronounsWarning(req.Prompt, givenPronouns), promptClashWarnings(req.Prompt, c, from, s))
	return ch, nil
}

// drawPronouns picks she/her or he/him, and now and then they/them, for a
// character the request does not say.
func drawPronouns(seed int64) string {
	r := rand.New(rand.NewPCG(uint64(seed), 0x70726f6e6f756e73))
	switch n := r.IntN(20); {
	case n < 9:
		return "she/her"
	case n < 18:
		return "he/him"
	}
	return "they/them"
}

// identitySeed is a seed drawn from who a character is.
func identitySeed(id CharacterInfo) int64 {
	id.Alignment = CanonicalAlignment(id.Alignment)
	b, _ := json.Marshal(CharacterInfo{
		Name: wordKey(id.Name), Pronouns: wordKey(id.Pronouns), Race: wordKey(id.Race), Subrace: wordKey(id.Subrace),
		Class: wordKey(id.Class), Subclass: wordKey(id.Subclass), Level: id.Level,
		Background: wordKey(id.Background), Alignment: id.Alignment,
	})
	h := fnv.New64a()
	h.Write(b)
	return int64(h.Sum64() & (1<<53 - 1))
}

// Identity is who the character is. Name is empty when the writer is to
// choose it.
func (c *Character) Identity() CharacterInfo {
	s := c.Sheet
	return CharacterInfo{
		Name: s.Name, Pronouns: s.Pronouns, Race: s.Race, Subrace: s.Subrace, Class: s.Class, Subclass: s.Subclass,
		Level: s.Level, Background: s.Background, Alignment: s.Alignment,
	}
}
