package offline

import (
	"regexp"
	"slices"
	"strings"
)

// statement is a sentence of a prompt about the character ("He sold his
// mentor to a lich for a spellbook."), told in the third person under the
// character's name and pronouns, for a backstory to tell as it is.
type statement struct {
	text  string          // "Vaelis sold his mentor to a lich for a spellbook."
	past  bool            // it tells what happened, not what is
	youth bool            // it happened in childhood
	words map[string]bool // its words, for choosing the story's arc
}

var sentenceRe = regexp.MustCompile(`[.!?;\n]+`)

// pastVerbs are common irregular past tenses a statement may start with.
var pastVerbs = []string{"was", "were", "had", "did", "sold", "lost", "fled", "made", "took", "gave", "stole", "fought", "left", "swore",
	"broke", "spent", "grew", "became", "ran", "found", "won", "saw", "met", "led", "built", "wrote", "bought", "taught", "knew", "paid",
	"hid", "rode", "slew", "struck", "sought", "forgot", "fell", "froze", "sang", "sank", "began", "chose", "drew", "drove", "flew",
	"forgave", "got", "kept", "heard", "held", "meant", "once", "never", "already"}

var youthRe = regexp.MustCompile(`(?i)\b(grew up|as a (?:child|boy|girl|baby)|was born|were born|raised|childhood|orphaned)\b`)

// toStatement reads a prompt sentence as a statement about the character,
// when it starts with a pronoun ("She is the last knight of a fallen
// order"), a possessive ("His sister...") or the character's name. It is
// told with first as its subject and the character's pronouns throughout.
func toStatement(sentence, first, full, pronouns string) (statement, bool) {
	ws := strings.Fields(strings.TrimSpace(sentence))
	if len(ws) < 3 || first == "" {
		return statement{}, false
	}
	subj, obj, poss, refl, plural := pronounForms(pronouns)
	var lead string
	var rest []string
	fromThey := false
	switch l := strings.ToLower(ws[0]); {
	case l == "he" || l == "she" || l == "they":
		lead, rest, fromThey = first, ws[1:], l == "they"
	case l == "his" || l == "her" || l == "their":
		lead, rest = first+"'s", ws[1:]
	case full != "" && strings.HasPrefix(strings.TrimSpace(sentence), full+" "):
		lead, rest = first, ws[len(strings.Fields(full)):]
	case ws[0] == first:
		lead, rest = first, ws[1:]
	default:
		return statement{}, false
	}
	if len(rest) < 2 {
		return statement{}, false
	}
	verb := strings.ToLower(rest[0])
	past := slices.Contains(pastVerbs, verb) || strings.HasSuffix(verb, "ed")
	if fromThey && !strings.HasSuffix(lead, "'s") {
		rest[0] = singularVerb(rest[0])
	}
	for i := 1; i < len(rest); i++ {
		w, tail := splitPunct(rest[i])
		next := ""
		if i+1 < len(rest) && tail == "" {
			next = strings.ToLower(rest[i+1])
		}
		switch strings.ToLower(w) {
		case "he", "she", "they":
			w = subj
		case "him", "them":
			w = obj
		case "his", "their":
			w = poss
		case "her":
			w = obj
			if next != "" && !slices.Contains(notNouns, next) {
				w = poss
			}
		case "himself", "herself", "themselves", "themself":
			w = refl
		}
		rest[i] = w + tail
	}
	_ = plural
	text := tidy(lead+" "+strings.Join(rest, " "), true)
	if !strings.HasSuffix(text, ".") && !strings.HasSuffix(text, "!") && !strings.HasSuffix(text, "?") {
		text += "."
	}
	return statement{text: text, past: past, youth: past && youthRe.MatchString(sentence), words: words(sentence)}, true
}

// notNouns are words after "her" that show it is an object ("gave her to
// the priests"), not a possessive ("her mentor").
var notNouns = []string{"to", "and", "for", "with", "in", "on", "at", "from", "by", "of", "away", "up", "down", "out", "off", "back", "a", "an", "the", "as", "into", "that", "when"}

// splitPunct splits trailing punctuation from a word.
func splitPunct(w string) (word, tail string) {
	i := len(w)
	for i > 0 && strings.ContainsRune(".,;:!?\"')", rune(w[i-1])) {
		i--
	}
	return w[:i], w[i:]
}

// pronounForms are the subject, object, possessive and reflexive forms of
// pronouns, and whether they take plural verbs.
func pronounForms(pronouns string) (subj, obj, poss, refl string, plural bool) {
	v := pronounVars(pronouns)
	m := map[string]string{}
	for i := 0; i+1 < len(v); i += 2 {
		m[v[i]] = v[i+1]
	}
	return m["they"], m["them"], m["their"], m["themself"], m["s"] == ""
}

// singularVerb turns the verb after "they" into the one after a name:
// "are" → "is", "hate" → "hates"; a past tense stays.
func singularVerb(v string) string {
	w, tail := splitPunct(v)
	l := strings.ToLower(w)
	switch {
	case l == "are":
		w = "is"
	case l == "were":
		w = "was"
	case l == "have":
		w = "has"
	case l == "do":
		w = "does"
	case slices.Contains(pastVerbs, l) || strings.HasSuffix(l, "ed") || strings.HasSuffix(l, "s"):
	case strings.HasSuffix(l, "y") && len(l) > 1 && !strings.ContainsRune("aeiou", rune(l[len(l)-2])):
		w = w[:len(w)-1] + "ies"
	case strings.HasSuffix(l, "sh") || strings.HasSuffix(l, "ch") || strings.HasSuffix(l, "x") || strings.HasSuffix(l, "o"):
		w += "es"
	default:
		w += "s"
	}
	return w + tail
}

// withMentor names the mentor a statement speaks of: "sold his mentor to a
// lich" becomes "sold his mentor, Halmond, to a lich".
func withMentor(text, mentor string) string {
	for _, p := range []string{"his", "her", "their"} {
		old := " " + p + " mentor "
		if strings.Contains(text, old) {
			return strings.Replace(text, old, " "+p+" mentor, "+mentor+", ", 1)
		}
	}
	return text
}
