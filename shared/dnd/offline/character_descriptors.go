package offline

import (
	"regexp"
	"slices"
	"strings"
)

// descriptor is a word of a prompt that describes the character ("blind",
// "one-eyed", "shy") and what the documents tell of it: a sentence of the
// looks, a personality trait, the sheet's line of personality, a line of
// the backstory's present day.
type descriptor struct {
	words []string // as a prompt writes it, lower case
	looks string
	trait string
	story string
	touch string   // the sheet's line of personality
	shows []string // words of those lines: a document that holds one tells the descriptor
	said  string   // the word the prompt used
}

var descriptors = []descriptor{
	{words: []string{"one-eyed", "eyepatched"}, looks: "{first} lost an eye long ago and wears a patch over it.",
		trait: "I keep my blind side to a wall whenever I can.", shows: []string{"patch over it", "my blind side"}},
	{words: []string{"blind", "sightless"}, looks: "{first} is blind, {their} eyes clouded and sightless; {they} find{s} {their} way by sound and touch.",
		trait: "I listen more closely than most people look.", shows: []string{"clouded and sightless", "I listen more closely"}},
	{words: []string{"scarred", "scar-faced"}, looks: "An old scar runs down {their} face from brow to jaw.", shows: []string{"old scar runs down"}},
	{words: []string{"shy", "timid", "bashful"}, trait: "I am shy with strangers and let others do the talking.",
		touch: "{first} is shy with strangers and lets others do the talking.", shows: []string{"shy with strangers"}},
	{words: []string{"amnesiac", "amnesic"}, trait: "I do not remember who I was, and I am afraid of who I might have been.",
		story: "{first} remembers nothing of {their} life before a few years ago; what is told of it here, {they} pieced together from others.",
		touch: "{first} remembers nothing of {their} life before a few years ago.",
		shows: []string{"I do not remember who I was", "remembers nothing of"}},
}

// descriptorsIn are the descriptors a prompt names, in table order.
func descriptorsIn(prompt string) []descriptor {
	var out []descriptor
	for _, d := range descriptors {
		for _, w := range d.words {
			if m := regexp.MustCompile(`(?i)(?:^|[^\pL-])(` + regexp.QuoteMeta(w) + `)(?:$|[^\pL-])`).FindStringSubmatch(prompt); m != nil {
				d.said = m[1]
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// shownIn reports whether a document's content tells the descriptor.
func (d descriptor) shownIn(content string) bool {
	return slices.ContainsFunc(d.shows, func(s string) bool { return strings.Contains(content, s) })
}

// isDescriptor reports whether a word of the prompt is a descriptor's.
func isDescriptor(w string) bool {
	w = strings.ToLower(w)
	for _, d := range descriptors {
		for _, dw := range d.words {
			if w == dw {
				return true
			}
		}
	}
	return false
}

// descriptorLines are the lines the prompt's descriptors give one part of
// a document: part picks looks, trait or story.
func (p *person) descriptorLines(e *expander, part func(descriptor) string) []string {
	var out []string
	for _, d := range p.prompt.descriptors {
		if s := part(d); s != "" {
			out = append(out, e.must(s))
		}
	}
	return out
}
