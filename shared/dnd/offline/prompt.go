package offline

import (
	"regexp"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// promptUse is what the offline writer takes from a character request's
// prompt beyond what the character resolves to (a name, pronouns, race,
// class, background, alignment, level and fighting style are read by
// dnd.ResolveCharacter): a former trade and a home town. Parts of the
// prompt it could use for nothing are reported.
type promptUse struct {
	trade     string // key into the trade table, or "" for a trade it has no words for
	tradeWord string // the trade as written
	origin    string // the home town the prompt names
	unused    []string
}

var (
	tradeRe  = regexp.MustCompile(`(?i)\b(?:former|ex-|ex |once an?|used to be an?|retired|one-time|onetime|who was an?|was once an?|worked as an?)\s*([a-z][a-z'-]+(?: (?:keeper|hunter|smith|maker))?)`)
	originRe = regexp.MustCompile(`\b(?:from|born in|grew up in|raised in|hails from|native of)\s+((?:the\s+)?\p{Lu}[\p{L}'’-]+(?:\s+(?:of\s+)?\p{Lu}[\p{L}'’-]+){0,2})`)
	clauseRe = regexp.MustCompile(`[.;!?\n]+|,\s*|\s+(?:and|but|who|which|yet)\s+`)
)

// readPrompt reads the prompt of the character's request.
func readPrompt(t *tables, ch *dnd.Character) promptUse {
	var u promptUse
	text := ch.Request.Prompt
	if strings.TrimSpace(text) == "" {
		return u
	}
	if m := tradeRe.FindStringSubmatch(text); m != nil {
		w := strings.ToLower(m[1])
		u.tradeWord = w
		if _, ok := t.persona.Trades[w]; ok {
			u.trade = w
		} else if a, ok := t.persona.TradeAliases[w]; ok {
			u.trade = a
		}
	}
	if m := originRe.FindStringSubmatch(text); m != nil && !isRaceWord(m[1]) {
		u.origin = strings.TrimPrefix(m[1], "the ")
	}
	for _, clause := range clauseRe.Split(text, -1) {
		clause = strings.TrimSpace(clause)
		if clause != "" && !u.uses(ch.Sheet, clause) {
			u.unused = append(u.unused, clause)
		}
	}
	return u
}

func isRaceWord(s string) bool { return rules.Mentions(s).Race != "" }

// uses reports whether the writer takes something from a clause of the
// prompt.
func (u promptUse) uses(s rules.Sheet, clause string) bool {
	m := rules.Mentions(clause)
	switch {
	case m.Race != "" && (sameWord(m.Race, s.Race) || sameWord(m.Race, s.Subrace) || sameWord(m.Race, s.Subrace+" "+s.Race)),
		m.Class != "" && sameWord(m.Class, s.Class),
		m.Subclass != "" && sameWord(m.Subclass, s.Subclass),
		m.Background != "" && sameWord(m.Background, s.Background),
		m.Alignment != "" && m.Alignment == s.Alignment,
		m.Level != 0 && m.Level == s.Level,
		dnd.NameMentioned(clause) != "" && dnd.NameMentioned(clause) == s.Name,
		dnd.PronounsMentioned(clause) != "" && dnd.PronounsMentioned(clause) == s.Pronouns,
		u.tradeWord != "" && tradeRe.MatchString(clause),
		u.origin != "" && strings.Contains(clause, u.origin):
		return true
	}
	if st := rules.StyleMentioned(clause, s.Class); st != "" {
		return true
	}
	return slices.ContainsFunc(s.Equipment, func(it rules.Item) bool {
		return strings.Contains(strings.ToLower(clause), strings.ToLower(it.Name))
	})
}

func sameWord(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// warnings say which parts of the prompt the writer could not use.
func (u promptUse) warnings() []string {
	if len(u.unused) == 0 {
		return nil
	}
	var quoted []string
	for _, c := range u.unused {
		if len([]rune(c)) > 80 {
			c = string([]rune(c)[:77]) + "..."
		}
		quoted = append(quoted, `"`+c+`"`)
	}
	return []string{"prompt: the offline generator could not use " + strings.Join(quoted, ", ") +
		"; it reads a name, pronouns, race, class, subclass, background, alignment, level, fighting style, former trade and home town from the prompt"}
}
