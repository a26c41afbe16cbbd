package offline

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// promptUse is what the offline writer takes from a character request's
// prompt beyond what the character resolves to (a name, pronouns, race,
// class, background, alignment, level and fighting style are read by
// dnd.ResolveCharacter): a former trade, a home town, and statements about
// the character ("He sold his mentor to a lich for a spellbook."), which a
// backstory tells as they are. Parts of the prompt a document could use for
// nothing are reported in its warnings.
type promptUse struct {
	trade       string // key into the trade table, or "" for a trade it has no words for
	tradeWord   string // the trade as written
	origin      string // the home town the prompt names
	place       string // the kind of place the prompt says the character is from ("a frozen northern village"), or ""
	villain     string // the foe a statement names ("a lich"), or ""
	org         string // the guild, order or company a statement names, or ""
	toldTrade   bool   // a document told the former trade
	orphan      bool   // the prompt says the character is an orphan
	age         dnd.Age
	statements  []statement
	descriptors []descriptor // words that describe the character ("blind"), told by the documents
	unused      []string     // clauses no document can use
	marks       []promptMark // clauses a document uses only if it shows them
}

var (
	tradeRe  = regexp.MustCompile(`(?i)\b(?:former|ex-|ex |once an?|used to be an?|retired|one-time|onetime|who was an?|was once an?|worked as an?)\s*([a-z][a-z'-]+(?: [a-z][a-z'-]+)?)`)
	originRe = regexp.MustCompile(`\b(?:from|born in|grew up in|raised in|hails from|native of)\s+((?:the\s+)?\p{Lu}[\p{L}'’-]+(?:\s+(?:of\s+)?\p{Lu}[\p{L}'’-]+){0,2})`)
	placeRe  = regexp.MustCompile(`\bfrom ((?:a|an) (?:[a-z-]+ ){0,3}(?:city|village|town|hamlet|island|isle|port|kingdom|tribe|clan|monastery|oasis|coast|valley|fortress|citadel))\b`)
	clauseRe = regexp.MustCompile(`[.;!?\n]+|,\s*|\s+(?:and|but|who|which|yet)\s+`)
)

// readPrompt reads the prompt of the character's request; first is the
// name the character goes by.
func readPrompt(t *tables, ch *dnd.Character, first string) promptUse {
	var u promptUse
	text := ch.Request.Prompt
	if strings.TrimSpace(text) == "" {
		return u
	}
	if m := tradeRe.FindStringSubmatch(text); m != nil {
		u.trade, u.tradeWord = t.tradeOf(strings.ToLower(m[1]))
	}
	if u.tradeWord == "" {
		u.trade, u.tradeWord = t.promptTrade(text)
	}
	u.age = dnd.AgeMentioned(text)
	u.orphan = orphanRe.MatchString(text)
	u.descriptors = descriptorsIn(text)
	if m := originRe.FindStringSubmatch(text); m != nil && !isRaceWord(m[1]) {
		u.origin = strings.TrimPrefix(m[1], "the ")
	}
	if m := placeRe.FindStringSubmatch(text); m != nil && u.origin == "" {
		u.place = m[1]
	}
	told := map[string]string{} // clause → the statement that tells it
	for _, sentence := range sentenceRe.Split(text, -1) {
		sm, ok := toStatement(withSubject(sentence, first), first, ch.Sheet.Name, ch.Sheet.Pronouns)
		tells := sentence
		if !ok {
			said, part, described := describedSentence(sentence)
			if !described {
				continue
			}
			if sm, ok = toStatement(said, first, ch.Sheet.Name, ch.Sheet.Pronouns); !ok {
				continue
			}
			tells = part
		}
		if isWeaponStatement(sm) {
			continue // the sheet's weapon tells it
		}
		u.statements = append(u.statements, sm)
		if m := foeRe.FindString(sentence); m != "" && u.villain == "" {
			u.villain = strings.ToLower(m)
		}
		if m := orgRe.FindStringSubmatch(sentence); m != nil && u.org == "" {
			u.org = "the " + strings.ToLower(m[1])
		}
		for _, c := range clauseRe.Split(sentence, -1) {
			if c = strings.TrimSpace(c); c != "" && overlaps(c, tells) {
				told[c] = sm.text
			}
		}
	}
	for _, clause := range clauseRe.Split(text, -1) {
		clause = strings.TrimSpace(clause)
		var marks []string
		trade := u.tradeWord != "" && tradeRe.MatchString(clause)
		if u.origin != "" && strings.Contains(clause, u.origin) {
			marks = append(marks, u.origin)
		}
		if u.place != "" && strings.Contains(clause, u.place) {
			marks = append(marks, u.place)
		}
		if sm, ok := told[clause]; ok {
			marks = append(marks, sm)
		}
		switch {
		case clause == "" || u.uses(ch.Sheet, clause, false):
		case len(marks) > 0 || trade:
			u.marks = append(u.marks, promptMark{clause, marks, trade})
			if _, told := told[clause]; !told {
				// What the clause says beside its home town or place
				// ("left-handed" of "a left-handed duelist from a desert
				// city") is reported on its own.
				rest := clause
				for _, w := range []string{u.origin, u.place} {
					if w != "" {
						rest = strings.Replace(rest, w, "", 1)
					}
				}
				if left := u.leftover(ch.Sheet, rest); len(left) > 0 {
					u.unused = append(u.unused, strings.Join(left, " "))
				}
			}
		case u.uses(ch.Sheet, clause, true):
		default:
			u.unused = append(u.unused, clause)
		}
	}
	return u
}

// tradeOf reads the one or two words after "former" or "worked as" as a
// trade: its key in the trade table ("" for one it has no words for) and
// the trade as written. The second word names the trade when it is a
// noun ("city guard", "court jester": not "court" alone), else the first
// does ("sailor" of "sailor turned").
func (t *tables) tradeOf(phrase string) (key, word string) {
	known := func(w string) (string, bool) {
		if _, ok := t.persona.Trades[w]; ok {
			return w, true
		}
		if a, ok := t.persona.TradeAliases[w]; ok {
			return a, true
		}
		return "", slices.Contains(extraTrades, w)
	}
	ws := strings.Fields(phrase)
	if k, ok := known(phrase); ok || len(ws) < 2 {
		return k, phrase
	}
	head := ws[1]
	firstKey, firstKnown := known(ws[0])
	headKey, headKnown := known(head)
	switch {
	case slices.Contains(clauseFiller, head) || slices.Contains(pronounFiller, head) || slices.Contains(notTradeWords, head) ||
		strings.HasSuffix(head, "ing") || strings.HasSuffix(head, "ed") || isRulesWord(head):
		return firstKey, ws[0] // "sailor from", "soldier seeking", "smith turned"
	case headKnown:
		return headKey, phrase // "city guard"
	case firstKnown:
		return firstKey, ws[0] // "pirate captain": the pirate's trade
	}
	return "", phrase // "court jester"
}

// notTradeWords are words that may follow a trade and are no part of it.
var notTradeWords = []string{"now", "but", "or", "until", "whose", "when", "where", "while", "then", "after", "before", "into", "out",
	"who", "which", "searching", "looking", "seeking", "than", "so", "because", "if", "not", "no", "all", "since"}

// orphanRe finds a prompt's word that the character is an orphan.
var orphanRe = regexp.MustCompile(`(?i)\borphan(?:s|ed)?\b`)

// withSubject gives a sentence that starts with what happened to the
// character ("raised by wolves", "grew up on a barge") the character as
// its subject; other sentences stay as they are.
func withSubject(sentence, first string) string {
	s := strings.TrimSpace(sentence)
	w, _, _ := strings.Cut(s, " ")
	switch w = strings.ToLower(w); {
	case slices.Contains(subjectlessPast, w):
		return first + " " + s
	case slices.Contains(subjectlessParticiples, w):
		return first + " was " + s
	}
	return sentence
}

// subjectlessPast and subjectlessParticiples are the words a sentence
// about what happened to the character may start with, without a subject.
var (
	subjectlessPast        = []string{"grew", "fled", "survived", "lost", "spent"}
	subjectlessParticiples = []string{"raised", "born", "orphaned", "exiled", "cursed", "banished", "abandoned", "adopted", "disowned",
		"kidnapped", "shipwrecked", "enslaved", "betrayed", "haunted", "hunted"}
)

// nameMentor names the mentor the statements speak of ("sold his mentor,
// Halmond, to a lich"), and what a document must show to have told them.
func (u *promptUse) nameMentor(mentor string) {
	for i, sm := range u.statements {
		named := withMentor(sm.text, mentor)
		for j := range u.marks {
			for k, mark := range u.marks[j].marks {
				if mark == sm.text {
					u.marks[j].marks[k] = named
				}
			}
		}
		u.statements[i].text = named
	}
}

// promptMark is a clause of the prompt a document uses only if it shows
// one of the marks (the home town, the statement told) or, for a former
// trade, tells it.
type promptMark struct {
	clause string
	marks  []string
	trade  bool
}

// orgRe finds the guild, order or company a statement names: "the
// thieves' guild", "a fallen order".
var orgRe = regexp.MustCompile(`(?i)\b(?:a|an|the)\s+((?:[a-z'’-]+\s+){0,2}(?:guild|order|company|brotherhood|sisterhood|circle|syndicate|church|college|academy|league|society))\b`)

// foeRe finds the foe a statement names: "a lich", "the red dragon".
var foeRe = regexp.MustCompile(`(?i)\b(?:a|an|the)\s+(?:[a-z]+\s+)?(?:lich|dragon|vampire|demon|devil|fiend|hag|necromancer|beholder|giant|werewolf|cult|witch|warlord|archmage|tyrant|mind flayer|death knight)\b`)

func isRaceWord(s string) bool { return rules.Mentions(s).Race != "" }

// isRulesWord reports whether a word names a race or a class.
func isRulesWord(s string) bool {
	m := rules.Mentions(s)
	return m.Race != "" || m.Class != ""
}

// uses reports whether the writer takes everything a clause of the prompt
// says: each of its words is a stop word or names something the sheet
// has (race, class, subclass, background, alignment, level, name,
// pronouns, fighting style, weapon, age, former trade); with items, a
// clause that names an item the sheet lists counts too ("give her a
// longsword"). A clause that says more ("a one-eyed dwarf smith") is not
// used whole.
func (u promptUse) uses(s rules.Sheet, clause string, items bool) bool {
	m := rules.Mentions(clause)
	switch {
	case m.Race != "" && (sameWord(m.Race, s.Race) || sameWord(m.Race, s.Subrace) || sameWord(m.Race, s.Subrace+" "+s.Race)),
		m.Class != "" && sameWord(m.Class, s.Class),
		m.Subclass != "" && sameWord(m.Subclass, s.Subclass),
		m.Background != "" && sameWord(m.Background, s.Background),
		m.Alignment != "" && m.Alignment == s.Alignment,
		m.Level != 0 && m.Level == s.Level,
		dnd.NameMentioned(clause) != "" && dnd.NameMentioned(clause) == s.Name,
		dnd.PronounsMentioned(clause) != "" && dnd.PronounsMentioned(clause) == s.Pronouns && pronounsOnly(clause),
		rules.StyleMentioned(clause, s.Class) != "",
		u.carries(s, clause),
		items && slices.ContainsFunc(s.Equipment, func(it rules.Item) bool {
			return strings.Contains(strings.ToLower(clause), strings.ToLower(it.Name))
		}):
		return len(u.leftover(s, clause)) == 0
	}
	return false
}

// carries reports whether the sheet lists a weapon the clause names ("he
// wields a harpoon": a trident).
func (u promptUse) carries(s rules.Sheet, clause string) bool {
	w := rules.WeaponMentioned(clause)
	return w != "" && slices.ContainsFunc(s.Equipment, func(it rules.Item) bool {
		return it.Category == rules.CatWeapon && slices.ContainsFunc(rules.WeaponsFor(w), func(n string) bool {
			return strings.Contains(strings.ToLower(it.Name), strings.ToLower(n))
		})
	})
}

// leftover are the words of a clause the sheet and the prompt's facts do
// not account for: "one-eyed" of "a one-eyed dwarf smith".
func (u promptUse) leftover(s rules.Sheet, clause string) []string {
	ws := strings.FieldsFunc(clause, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '\'' || r > 127)
	})
	name := strings.Fields(strings.ToLower(s.Name))
	// fact is what a word or two name, or "".
	age := dnd.AgeMentioned(clause).Phrase
	fact := func(w string) string {
		w = strings.ToLower(w)
		m := rules.Mentions(w)
		switch {
		case m.Race != "" || m.Class != "" || m.Subclass != "" || m.Background != "" || m.Alignment != "" || m.Level != 0:
			return fmt.Sprint(m)
		case rules.WeaponMentioned(w) != "":
			return "weapon " + rules.WeaponMentioned(w)
		case rules.StyleMentioned(w, s.Class) != "", dnd.PronounsMentioned(w) != "", dnd.AgeMentioned(w).Phrase != "",
			age != "" && strings.Contains(age, w),
			w == u.tradeWord, slices.Contains(name, w), isDescriptor(w), dnd.RaceAdjective(w) != "" && (sameWord(dnd.RaceAdjective(w), s.Race) || sameWord(dnd.RaceAdjective(w), s.Subrace)), slices.ContainsFunc(s.Equipment, func(it rules.Item) bool { return strings.EqualFold(it.Name, w) }):
			return w
		}
		return ""
	}
	var out []string
	for i := 0; i < len(ws); i++ {
		// Two words count together only when they name more than either
		// does ("hill dwarf", "sea captain"; not "one-eyed dwarf").
		if i+1 < len(ws) {
			if f := fact(ws[i] + " " + ws[i+1]); f != "" && f != fact(ws[i]) && f != fact(ws[i+1]) {
				i++
				continue
			}
		}
		if l := strings.ToLower(ws[i]); fact(l) == "" && !slices.Contains(pronounFiller, l) && !slices.Contains(clauseFiller, l) {
			out = append(out, ws[i])
		}
	}
	return out
}

// overlaps reports whether a clause of the prompt and the part of it a
// statement tells share their words: one holds the other, or the clause
// ends where the told part begins ("a wizard obsessed with cheese" and
// "obsessed with cheese and its arcane properties").
func overlaps(clause, told string) bool {
	if strings.Contains(told, clause) || strings.Contains(clause, told) {
		return true
	}
	for i := range len(clause) {
		if (i == 0 || clause[i-1] == ' ') && len(clause)-i >= 8 && strings.HasPrefix(told, clause[i:]) {
			return true
		}
	}
	return false
}

// clauseFiller are words a clause of the prompt may hold that say nothing
// of their own.
var clauseFiller = []string{"of", "with", "who", "that", "and", "as", "to", "for", "in", "on", "at", "by", "be", "was", "were", "has",
	"have", "had", "i", "want", "would", "like", "named", "called", "name", "level", "lvl", "give", "gives", "wields", "wield",
	"carries", "carry", "fights", "fight", "uses", "use", "someone", "person", "one", "some", "very", "quite", "who's",
	"former", "ex", "once", "retired", "one-time", "used", "worked", "from", "born", "grew", "up", "raised", "hails", "native"}

func sameWord(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// pronounsOnly reports whether a clause says no more than the character's
// pronouns ("make her", "they/them"): a clause that goes on ("He sold his
// mentor") is more than pronouns.
func pronounsOnly(clause string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(clause), func(r rune) bool { return !(r >= 'a' && r <= 'z') }) {
		if !slices.Contains(pronounFiller, w) {
			return false
		}
	}
	return true
}

var pronounFiller = []string{"he", "him", "his", "she", "her", "hers", "they", "them", "their", "pronouns", "make", "is", "are", "a", "an",
	"the", "character", "female", "male", "woman", "man", "girl", "boy", "nonbinary", "non", "binary", "please"}

// warnings say which parts of the prompt a document could not use: the
// clauses it read nothing from, and those whose mark (a former trade, a
// home town, a statement a backstory tells) its content does not show, or
// shows only as it would without the prompt (same). A grounded document
// (one written for a character object sent back, as the documents of a
// whole character are) says it in short and only when it concerns it: a
// backstory that does not tell a mark; the sheet explained the rest.
func (u promptUse) warnings(typ string, content []byte, same, grounded bool) []string {
	var unused []string
	if !grounded {
		unused = slices.Clone(u.unused)
	}
	for _, m := range u.marks {
		shown := m.trade && u.toldTrade || slices.ContainsFunc(m.marks, func(mark string) bool { return strings.Contains(string(content), mark) })
		if (same || !shown) && (!grounded || typ == dnd.TypeBackstory) {
			unused = append(unused, m.clause)
		}
	}
	for _, d := range u.descriptors {
		// A document that does not tell a descriptor ("blind") it was
		// asked alone for has dropped it.
		if !grounded && !d.shownIn(string(content)) {
			unused = append(unused, d.said)
		}
	}
	if len(unused) == 0 {
		return nil
	}
	var quoted []string
	for _, c := range unused {
		if len([]rune(c)) > 80 {
			c = string([]rune(c)[:77]) + "..."
		}
		quoted = append(quoted, `"`+c+`"`)
	}
	if grounded {
		return []string{"prompt: this " + typ + " does not tell " + strings.Join(quoted, ", ")}
	}
	return []string{"prompt: the offline generator could not use " + strings.Join(quoted, ", ") + " in " + article(typ) + " " + typ +
		"; it reads a name, pronouns, race, class, subclass, background, alignment, level, fighting style, former trade, home town and a few words that describe the character (one-eyed, blind, scarred, shy, amnesiac) from the prompt, and a backstory also tells what a sentence about the character says"}
}
