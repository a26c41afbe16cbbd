package offline

import (
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// describedSentence turns a prompt sentence written as a description of
// the character ("a dwarf smith who lost her forge to a dragon") into a
// sentence about them that toStatement reads ("She lost her forge to a
// dragon."), and returns the part of the prompt it tells ("lost her forge
// to a dragon"). ok is false for a sentence that is no description, or
// whose description says nothing past the character's head phrase.
func describedSentence(sentence string) (said, told string, ok bool) {
	ws := strings.Fields(strings.TrimSpace(sentence))
	if len(ws) < 3 || !slices.Contains([]string{"a", "an", "the"}, strings.ToLower(ws[0])) {
		return "", "", false
	}
	for i := 2; i < len(ws); i++ {
		w := strings.ToLower(strings.Trim(ws[i], ",;:"))
		rest := ws[i+1:]
		switch {
		case w == "who" || w == "that" && i > 1:
			if len(rest) < 2 {
				return "", "", false
			}
			return "He " + strings.Join(rest, " "), strings.Join(rest, " "), true
		case w == "whose":
			return "His " + strings.Join(rest, " "), strings.Join(rest, " "), len(rest) >= 2
		case w == "from" || w == "of" || w == "in" || w == "named" || w == "called":
			i = skipPhrase(ws, i)
		case w == "with" && len(rest) >= 2:
			return "He has " + strings.Join(rest, " "), strings.Join(rest, " "), true
		case strings.HasSuffix(w, "ing") && len(rest) >= 2 && !isNounLike(w) && rules.Mentions(w).Race == "":
			return "He is " + strings.Join(ws[i:], " "), strings.Join(ws[i:], " "), true
		case participle(w) && len(rest) >= 2 && !slices.Contains([]string{"a", "an", "the"}, strings.ToLower(ws[i-1])):
			be := "was"
			if slices.Contains([]string{"with", "about", "by"}, strings.ToLower(rest[0])) && w != "raised" {
				be = "is"
			}
			return "He " + be + " " + strings.Join(ws[i:], " "), strings.Join(ws[i:], " "), true
		}
	}
	return "", "", false
}

// skipPhrase skips a prepositional phrase of the head ("from a desert
// city", "of the sun god", "named Brenna") up to the word that ends it.
func skipPhrase(ws []string, i int) int {
	for j := i + 1; j < len(ws); j++ {
		switch strings.ToLower(strings.Trim(ws[j], ",;:")) {
		case "who", "whose", "that", "with":
			return j - 1
		}
	}
	return len(ws)
}

// isNounLike reports whether a word ending in -ing is a noun or an
// adjective of the head phrase ("a king", "a darling", "a cunning rogue").
func isNounLike(w string) bool {
	return len(w) <= 5 || slices.Contains([]string{"darling", "cunning", "aging", "ageing", "wandering", "fledgling", "sibling", "ling", "halfling", "duckling", "underling", "changeling", "gosling", "weakling", "foundling", "nothing", "something", "everything", "morning", "evening", "charming", "loving", "willing", "daring", "gleaming", "grinning", "unwilling"}, w)
}

// participle reports whether a word is a past participle that opens a
// description's clause ("disowned for", "exiled for", "obsessed with").
func participle(w string) bool {
	if slices.Contains([]string{"born", "sworn", "driven", "cast", "bound", "left", "forgotten", "stolen", "hidden", "torn", "known", "taken", "forsaken", "chosen"}, w) {
		return true
	}
	return strings.HasSuffix(w, "ed") && len(w) > 4 && !strings.Contains(w, "-") && !slices.Contains([]string{"red", "bed", "sacred", "wicked", "naked", "rugged", "crooked", "beloved", "learned", "aged", "haired", "eyed", "handed", "blooded", "hearted"}, w)
}

// isWeaponStatement reports whether a statement says no more than what
// the character fights with ("Sprockble wields a harpoon."): the sheet's
// weapon tells it.
func isWeaponStatement(sm statement) bool {
	if rules.WeaponMentioned(sm.text) == "" {
		return false
	}
	ws := strings.Fields(strings.ToLower(sm.text))
	if len(ws) < 3 || len(ws) > 8 || !slices.Contains([]string{"wields", "wield", "carries", "carry", "fights", "fight", "uses", "use", "bears", "bear", "swings", "swing"}, ws[1]) {
		return false
	}
	// "wields a harpoon" says only what the sheet shows; "carries her
	// mother's scimitar" tells a story too.
	i := 2
	if ws[i] == "with" && len(ws) > 3 {
		i++
	}
	return ws[i] == "a" || ws[i] == "an"
}

// promptTrade finds a trade the head phrase of the prompt names ("a dwarf
// smith", "a halfling cook", "a gravedigger"): a key of the trade table,
// or the word as written for one it has no words for. Class names ("a
// monk") are not trades.
func (t *tables) promptTrade(text string) (key, word string) {
	ws := strings.Fields(strings.ToLower(dnd.HeadPhrase(text)))
	for i := range ws {
		for n := min(2, len(ws)-i); n >= 1; n-- {
			w := strings.Trim(strings.Join(ws[i:i+n], " "), ",.;:!?\"'")
			if rules.Mentions(w).Class != "" || rules.Mentions(w).Race != "" {
				continue
			}
			if _, ok := t.persona.Trades[w]; ok {
				return w, w
			}
			if a, ok := t.persona.TradeAliases[w]; ok {
				return a, w
			}
			if slices.Contains(extraTrades, w) {
				return "", w
			}
		}
	}
	return "", ""
}

// extraTrades are trades a prompt may give that the trade table has no
// words of its own for; a backstory tells them plainly.
var extraTrades = []string{"gravedigger", "tinkerer", "tinker", "sea captain", "brewer", "cultist", "sailmaker", "cobbler", "tailor",
	"weaver", "baker", "butcher", "mason", "stonemason", "jeweller", "jeweler", "alchemist", "courier", "ferryman", "lamplighter",
	"ratcatcher", "rat-catcher", "shipwright", "stablehand", "woodcutter", "executioner", "jailer", "bounty hunter"}
