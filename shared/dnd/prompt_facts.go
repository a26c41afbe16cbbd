package dnd

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// HeadPhrase is the part of a description that names the character
// itself: "a blind elven archer" of "a blind elven archer who fights by
// sound". Gender, race and age words count only there, so "killed his
// brother" or "an old coven" say nothing about the character.
func HeadPhrase(text string) string {
	first := strings.TrimSpace(sentenceSplit.Split(strings.TrimSpace(text), 2)[0])
	ws := strings.Fields(first)
	for i, w := range ws {
		l := strings.ToLower(strings.Trim(w, ",.;:!?\"'()"))
		if i > 0 && (slices.Contains(headBreaks, l) || strings.HasSuffix(w, ",")) {
			if strings.HasSuffix(w, ",") {
				i++
			}
			return strings.Join(ws[:i], " ")
		}
	}
	return first
}

var (
	sentenceSplit = regexp.MustCompile(`[.;!?\n]`)
	headBreaks    = []string{"who", "whose", "that", "which", "with", "from", "of", "in", "on", "at", "to", "for", "by", "and", "but",
		"named", "called", "seeking", "searching", "hunting", "looking", "obsessed", "disowned", "exiled", "raised", "cursed", "banished"}
)

// Gendered nouns a description may call the character by.
var (
	sheNouns = []string{"woman", "girl", "daughter", "lady", "queen", "princess", "priestess", "sister", "mother", "wife", "widow",
		"maiden", "matron", "heiress", "duchess", "baroness", "countess", "empress", "huntress", "sorceress", "seamstress", "actress",
		"grandmother", "aunt", "niece", "nun", "gladiatrix", "dame", "crone", "matriarch", "lass", "fishwife"}
	heNouns = []string{"man", "boy", "son", "lord", "king", "prince", "brother", "father", "husband", "widower", "grandfather",
		"uncle", "nephew", "duke", "baron", "count", "emperor", "monk-brother", "patriarch", "lad", "fisherman", "swordsman",
		"nobleman", "huntsman", "woodsman", "horseman", "watchman", "craftsman", "spearman", "bowman", "axeman", "guardsman", "sailorman"}
)

// genderNounPronouns are the pronouns a gendered noun of the head phrase
// gives ("a noblewoman fencer" is she/her), or "".
func genderNounPronouns(text string) string {
	for _, w := range strings.FieldsFunc(strings.ToLower(HeadPhrase(text)), func(r rune) bool { return !(r >= 'a' && r <= 'z' || r == '-') }) {
		switch {
		case slices.Contains(sheNouns, w), strings.HasSuffix(w, "woman"), strings.HasSuffix(w, "women"):
			return "she/her"
		case slices.Contains(heNouns, w):
			return "he/him"
		}
	}
	return ""
}

// raceAdjectives are race adjectives that name the character's race when
// they describe the character ("a blind elven archer"); elsewhere they
// describe things ("a dwarven axe").
var raceAdjectives = map[string]string{"elven": "Elf", "elfin": "Elf", "dwarven": "Dwarf", "dwarvish": "Dwarf", "gnomish": "Gnome",
	"half-elven": "Half-Elf", "halfling": "Halfling", "orcish": "Half-Orc", "infernal": "", "draconic": ""}

// raceAdjectiveMentioned is the race a race adjective of the head phrase
// gives, or "".
// RaceAdjective is the race an adjective names ("elven": Elf), or "".
func RaceAdjective(word string) string { return raceAdjectives[strings.ToLower(word)] }

func raceAdjectiveMentioned(text string) string {
	for _, w := range strings.Fields(strings.ToLower(HeadPhrase(text))) {
		if r := raceAdjectives[strings.Trim(w, ",.;:!?\"'")]; r != "" {
			return r
		}
	}
	return ""
}

// Age is how old a prompt says the character is.
type Age struct {
	Phrase string // "elderly", "twelve years old", "in {their} seventies"; {their} is the character's possessive
	Young  bool   // a child or youth: a low level fits
	Old    bool
}

var (
	yearsOldRe  = regexp.MustCompile(`(?i)\b([a-z]+(?:-[a-z]+)?|\d{1,3})[- ]years?[- ]old\b`)
	decadeRe    = regexp.MustCompile(`(?i)\bin (?:his|her|their) (teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b`)
	numberWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
		"eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
		"nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}
	ageWords = map[string]Age{
		"elderly": {Phrase: "elderly", Old: true}, "old": {Phrase: "old", Old: true}, "aged": {Phrase: "aged", Old: true},
		"ancient": {Phrase: "ancient", Old: true}, "venerable": {Phrase: "venerable", Old: true}, "aging": {Phrase: "ageing", Old: true},
		"ageing": {Phrase: "ageing", Old: true}, "grey-haired": {Phrase: "grey-haired", Old: true}, "white-haired": {Phrase: "white-haired", Old: true},
		"young": {Phrase: "young", Young: true}, "youthful": {Phrase: "young", Young: true}, "teenage": {Phrase: "still in {their} teens", Young: true},
		"teenaged": {Phrase: "still in {their} teens", Young: true}, "child": {Phrase: "still a child", Young: true},
		"kid": {Phrase: "still a child", Young: true}, "boy": {Phrase: "young", Young: true}, "girl": {Phrase: "young", Young: true},
		"retired": {Phrase: "past {their} best years", Old: true},
	}
)

// AgeMentioned finds how old a prompt says the character is: "a
// twelve-year-old urchin", "in his seventies", or an age word of the head
// phrase ("an elderly cook", "a young noble"). Zero when it says nothing.
func AgeMentioned(text string) Age {
	if m := yearsOldRe.FindStringSubmatch(text); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			n = 0
			for _, part := range strings.Split(strings.ToLower(m[1]), "-") {
				n += numberWords[part]
			}
		}
		if n > 0 {
			return Age{Phrase: m[1] + " years old", Young: n < 18, Old: n >= 60}
		}
	}
	if m := decadeRe.FindStringSubmatch(text); m != nil {
		d := strings.ToLower(m[1])
		return Age{Phrase: "in {their} " + d, Young: d == "teens", Old: slices.Contains([]string{"sixties", "seventies", "eighties", "nineties"}, d)}
	}
	for _, w := range strings.Fields(strings.ToLower(HeadPhrase(text))) {
		if a, ok := ageWords[strings.Trim(w, ",.;:!?\"'")]; ok {
			return a
		}
	}
	return Age{}
}

// redemptionRe finds a prompt that tells of someone turning from wrong or
// keeping faith: such a character is not drawn evil.
var redemptionRe = regexp.MustCompile(`(?i)\b(redeem\w*|redemption|atone\w*|atonement|disgraced knight|doubts? (?:his|her|their) faith|seeking forgiveness|make amends|gives? to (?:the )?(?:poor|orphans))\b`)

// notEvil are the alignments drawn for a character whose prompt tells of
// redemption.
var notEvil = []string{"lawful good", "neutral good", "chaotic good", "lawful neutral", "neutral", "chaotic neutral"}

// applyPromptFacts fills the choices still open with what the prompt
// states beyond rules.Mentions: a race adjective of the head phrase, the
// weapon, an artisan's trade, a low level for a child, and an alignment
// that is not evil for a redemption story. Each is kept only if the rules accept it.
func applyPromptFacts(c *rules.Choices, prompt string) {
	if strings.TrimSpace(prompt) == "" {
		return
	}
	try := func(set func(*rules.Choices)) {
		next := *c
		set(&next)
		if len(next.Valid()) == 0 {
			*c = next
		}
	}
	if r := raceAdjectiveMentioned(prompt); c.Race == "" && r != "" {
		try(func(c *rules.Choices) { c.Race = r })
	}
	if w := rules.WeaponMentioned(prompt); c.Weapon == "" && w != "" {
		try(func(c *rules.Choices) { c.Weapon = w })
	}
	if t := rules.TradeMentioned(prompt); c.Trade == "" && t != "" {
		c.Trade = t
	}
	r := rand.New(rand.NewPCG(uint64(c.Seed), 0x70726f6d7074))
	if c.Level == 0 && AgeMentioned(prompt).Young {
		try(func(c *rules.Choices) { c.Level = 1 + r.IntN(3) })
	}
	if c.Alignment == "" && redemptionRe.MatchString(prompt) {
		try(func(c *rules.Choices) { c.Alignment = notEvil[r.IntN(len(notEvil))] })
	}
}

// promptClashWarnings name what the prompt says that a parameter (or the
// character object) overrules: the parameter wins.
func promptClashWarnings(prompt string, c rules.Choices, from map[string]string, s rules.Sheet) []string {
	if strings.TrimSpace(prompt) == "" {
		return nil
	}
	m := rules.Mentions(prompt)
	var out []string
	clash := func(field, said, kept string) {
		out = append(out, fmt.Sprintf("prompt: it asks for %s, but %s gives %s; the character keeps %s", said, from[field], kept, kept))
	}
	if race := cmp.Or(m.Race, raceAdjectiveMentioned(prompt)); race != "" && from["race"] != "" &&
		!sameWords(race, s.Race) && !sameWords(race, s.Subrace) && !sameWords(race, s.Subrace+" "+s.Race) {
		clash("race", "a "+strings.ToLower(race), s.Race)
	}
	if m.Class != "" && from["class"] != "" && !sameWords(m.Class, s.Class) {
		clash("class", "a "+strings.ToLower(m.Class), s.Class)
	}
	if m.Level != 0 && from["level"] != "" && m.Level != s.Level {
		clash("level", "level "+strconv.Itoa(m.Level), "level "+strconv.Itoa(s.Level))
	}
	if m.Alignment != "" && from["alignment"] != "" && CanonicalAlignment(m.Alignment) != CanonicalAlignment(s.Alignment) {
		clash("alignment", m.Alignment, s.Alignment)
	}
	if n := NameMentioned(prompt); n != "" && from["name"] != "" && !sameWords(n, s.Name) {
		clash("name", "the name "+n, s.Name)
	}
	if m.Background != "" && from["background"] != "" && !sameWords(m.Background, s.Background) {
		clash("background", "the "+m.Background+" background", s.Background)
	}
	if c.Alignment != "" && from["alignment"] != "" && strings.HasSuffix(s.Alignment, "evil") && redemptionRe.MatchString(prompt) {
		out = append(out, fmt.Sprintf("prompt: it tells of redemption, but %s makes the character %s; the character stays %s", from["alignment"], s.Alignment, s.Alignment))
	}
	return out
}

// promptDeityRe finds the god a prompt says the character serves:
// "worships Moradin", "a paladin of the Dawnfather".
var promptDeityRe = regexp.MustCompile(`\b(?:worships?|worshipper of|devoted to|devotee of|prays to|sworn to|(?:priest|priestess|cleric|paladin|servant|follower|champion|chosen) of) ` + godName)

// PromptDeity returns the god a prompt says the character serves, or "".
func PromptDeity(text string) string {
	if m := promptDeityRe.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return ""
}
