package dnd

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// CharacterObject reads a character object as a request sends it (a
// sheet's content, or just its identity) for a service other than the
// character route: it returns the identity, the sheet when one was sent,
// and the problems keyed by request field path ("character.level").
func CharacterObject(raw json.RawMessage) (CharacterInfo, *Sheet, map[string]string) {
	ref, problems := parseCharacter(raw)
	switch {
	case len(problems) > 0:
		return CharacterInfo{}, nil, problems
	case ref.sheet != nil:
		return ref.sheet.Identity(), ref.sheet, nil
	case ref.identity != nil:
		id := *ref.identity
		id.Alignment = CanonicalAlignment(id.Alignment)
		return id, nil, nil
	}
	return CharacterInfo{}, nil, nil
}

// SameCharacterWords reports whether a short value a caller sent (a race,
// a class, an alignment) names what the character object does: case,
// spaces and punctuation aside, a subrace for its race ("High Elf" for an
// elf of that subrace), and any spelling of the same alignment.
func (id CharacterInfo) SameCharacterWords(field, value string) bool {
	switch field {
	case "race":
		return sameWords(value, id.Race) || id.Subrace != "" && (sameWords(value, id.Subrace) || sameWords(value, id.Subrace+" "+id.Race))
	case "class":
		return sameWords(value, id.Class) || id.Subclass != "" && sameWords(value, id.Subclass)
	case "alignment":
		return CanonicalAlignment(value) == CanonicalAlignment(id.Alignment)
	}
	return false
}

// Portrait describes the character for an image model: who they are, and
// with a sheet how they look and what they wear and carry, each thing
// named once.
func Portrait(id CharacterInfo, s *Sheet) string {
	who := []string{}
	race := strings.ToLower(id.Race)
	if id.Subrace != "" && !sameWords(id.Subrace, id.Race) {
		if id.Race == "Dragonborn" {
			race = strings.ToLower(id.Subrace) + " dragonborn"
		} else {
			race = strings.ToLower(id.Subrace)
		}
	}
	subject := strings.SplitN(strings.ToLower(id.Pronouns), "/", 2)[0]
	person := map[string]string{"she": "woman", "he": "man"}[subject]
	if person == "" {
		person = "person"
	}
	who = append(who, race+" "+person)
	class := strings.ToLower(id.Class)
	if id.Subclass != "" {
		class += " (" + id.Subclass + ")"
	}
	who = append(who, class+", "+tierLook(id.Level, subject))
	if id.Alignment != "" && id.Alignment != "unaligned" {
		who = append(who, id.Alignment)
	}
	out := article(who[0]) + " " + strings.Join(who, ", ")
	if s == nil {
		return out
	}
	var worn, carried, gear []string
	for _, it := range s.Equipment {
		switch {
		case !it.Equipped:
			continue
		case it.Category == "armor":
			worn = append(worn, strings.ToLower(it.Name))
		default:
			carried = append(carried, strings.ToLower(it.Name))
		}
		gear = append(gear, it.Name)
	}
	if len(worn) > 0 {
		out += ", wearing " + strings.Join(worn, ", ")
	}
	if len(carried) > 0 {
		out += ", carrying " + strings.Join(carried, ", ")
	}
	if a := LooksWithoutGear(s.Appearance, gear); a != "" {
		out += ". " + a
	}
	return out
}

// LooksWithoutGear is an appearance without its sentences that name any of
// the gear (a portrait's description names the gear once, on its own).
func LooksWithoutGear(appearance string, gear []string) string {
	var keep []string
	for _, sentence := range strings.SplitAfter(strings.TrimSpace(appearance), ". ") {
		lower := strings.ToLower(sentence)
		if !slices.ContainsFunc(gear, func(name string) bool {
			name = strings.ToLower(strings.TrimSpace(plusRe.ReplaceAllString(name, "")))
			return name != "" && strings.Contains(lower, name)
		}) {
			keep = append(keep, strings.TrimSpace(sentence))
		}
	}
	return strings.Join(keep, " ")
}

// plusRe is a magic item's bonus: " +2".
var plusRe = regexp.MustCompile(`\s*\+\d+$`)

// tierLook says how seasoned a character of the level looks (their age
// is the appearance's to say); subject is the pronoun (she, he, they).
func tierLook(level int, subject string) string {
	switch {
	case level <= 4:
		return "a fledgling adventurer"
	case level <= 10:
		return "a seasoned adventurer"
	case level <= 16:
		return "a renowned veteran"
	}
	own := map[string]string{"she": "her", "he": "his"}[subject]
	if own == "" {
		own = "their"
	}
	return "a legend at the height of " + own + " power"
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiouAEIOU", rune(s[0])) {
		return "an"
	}
	return "a"
}
