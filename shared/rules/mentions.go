package rules

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Mentions reads the choices a free text names outright, for filling the
// ones a caller left empty: a race or subrace ("a hill dwarf", "goliath"),
// a class, a subclass ("an oath of vengeance paladin", "a battle master",
// which names the class too), a background ("a former sailor", "an old soldier"), an
// alignment spelt out ("chaotic good"), and a level ("level 7", "7th
// level"). The first mention of each wins. Words that often mean something
// else are not read: plurals and adjectives ("raised by elves", "a dwarven
// axe"), a dragon's colour without "dragonborn", a class stand-in such as
// "pirate" (a trade, not a class), and one-word subclass names not said
// with their class ("a life of crime").
func Mentions(text string) Choices {
	ws := strings.Fields(normalize(text))
	var c Choices
	c.Race = earliest(ws, raceMentions())
	c.Class = earliest(ws, classMentions())
	c.Subclass = subclassMention(ws)
	if owners := SubclassClasses(c.Subclass); c.Class == "" && len(owners) > 0 {
		c.Class = owners[0]
	}
	c.Background = earliest(ws, backgroundMentions())
	if a := earliest(ws, alignmentMentions()); a != "" {
		c.Alignment = a
	}
	c.Level = levelMention(text)
	return c
}

// StyleMentioned returns the fighting style of class a free text names
// ("archer", "sword and shield") or points to by a weapon the style uses
// ("a greatsword", "a longbow"), or "" when it names none or the class has
// only one style.
func StyleMentioned(text, class string) string {
	cl := tbl.classByName(class)
	if cl == nil || len(cl.Builds) < 2 {
		return ""
	}
	spellings := map[string]string{}
	for _, b := range cl.Builds {
		words := []string{b.Name}
		for _, w := range b.Main {
			words = append(words, w, w+"s")
		}
		if b.Range == "ranged" {
			words = append(words, "bow", "bows", "archery")
		}
		if b.Shield {
			words = append(words, "shield")
		}
		if b.Offhand {
			words = append(words, "two swords", "two blades", "twin blades", "dual wield", "dual wielding", "two weapons")
		}
		for _, w := range words {
			if _, ok := spellings[normalize(w)]; !ok {
				spellings[normalize(w)] = b.Name
			}
		}
	}
	return earliest(strings.Fields(normalize(text)), spellings)
}

// earliest returns the value of the spelling that starts first in ws, the
// longest at the same place.
func earliest(ws []string, spellings map[string]string) string {
	for i := range ws {
		for n := min(4, len(ws)-i); n >= 1; n-- {
			if v, ok := spellings[strings.Join(ws[i:i+n], " ")]; ok {
				return v
			}
		}
	}
	return ""
}

// adjectives are race spellings that describe things rather than people.
var adjectives = []string{"dwarven", "elven", "gnomish", "half elven"}

// notMentions are stand-in spellings a text more often uses for someone
// else than for the character: monsters the character may fight, and
// common words.
var notMentions = []string{
	"bugbear", "centaur", "fairy", "goblin", "hobgoblin", "kobold", "lizardfolk", "minotaur", "orc", "yuan ti",
	"yuan ti pureblood", "mountain", "wood", "forest", "stout", "shifter",
}

func raceMentions() map[string]string {
	out := map[string]string{}
	add := func(spelling, value string) {
		k := normalize(spelling)
		if k == "" || slices.Contains(adjectives, k) || slices.Contains(notMentions, k) {
			return
		}
		if _, ok := out[k]; !ok {
			out[k] = value
		}
	}
	for _, rc := range tbl.races {
		add(rc.Name, rc.Name)
		for _, a := range rc.Aliases {
			if !strings.HasSuffix(a, "s") || normalize(a) == normalize(rc.Name) {
				add(a, rc.Name)
			}
		}
		for _, sr := range rc.Subraces {
			for _, sp := range sr.raceSpellings() {
				if !sr.isAncestry() || strings.Contains(normalize(sp), normalize(rc.Name)) {
					add(sp, sp)
				}
			}
		}
		for k := range rc.StandIns {
			add(k, k)
		}
	}
	for k := range tbl.raceStandIns {
		add(k, k)
	}
	return out
}

func classMentions() map[string]string {
	out := map[string]string{}
	for _, cl := range tbl.classes {
		out[normalize(cl.Name)] = cl.Name
		for _, a := range cl.Aliases {
			if !strings.HasSuffix(a, "s") {
				out[normalize(a)] = cl.Name
			}
		}
	}
	return out
}

// subclassMention finds a subclass named so that it cannot be mistaken: with
// a word such as "oath of" or "domain", in two or more words, or right
// before the name of its class ("shadow monk").
func subclassMention(ws []string) string {
	classes := classMentions()
	for i := range ws {
		if slices.Contains([]string{"of", "the", "a", "an", "and"}, ws[i]) {
			continue // "of the life domain" is read from "life"
		}
		for n := min(5, len(ws)-i); n >= 1; n-- {
			phrase := strings.Join(ws[i:i+n], " ")
			key := tbl.subclassKey(phrase)
			owners := tbl.subclassOf[key]
			if len(owners) == 0 {
				continue
			}
			// "circle of the moon" is said as a subclass; "the fiend" is not.
			structural := key != strings.Join(slices.DeleteFunc(strings.Fields(phrase), func(w string) bool { return w == "the" }), " ")
			next := ""
			if i+n < len(ws) {
				next = classes[ws[i+n]]
			}
			if structural || strings.Contains(key, " ") || slices.Contains(owners, next) {
				return key
			}
		}
	}
	return ""
}

func backgroundMentions() map[string]string {
	out := map[string]string{}
	for _, b := range tbl.backgrounds {
		for _, s := range slices.Concat([]string{b.Name}, b.Aliases, b.StandIns) {
			if k := normalize(s); out[k] == "" {
				out[k] = b.Name
			}
		}
	}
	return out
}

func alignmentMentions() map[string]string {
	out := map[string]string{"true neutral": "neutral"}
	for _, a := range alignmentGrid {
		if strings.Contains(a, " ") {
			out[a] = a
		}
	}
	return out
}

var levelRe = regexp.MustCompile(`(?i)\b(?:level|lvl)[ -]?(\d{1,2})\b|\b(\d{1,2})(?:st|nd|rd|th)[ -]level\b`)

// levelMention finds "level 7", "lvl 7" or "7th level"; 0 for none or a
// number outside 1–20.
func levelMention(text string) int {
	m := levelRe.FindStringSubmatch(text)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1] + m[2])
	if n < 1 || n > MaxLevel {
		return 0
	}
	return n
}
