package encounter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// Hints is what the words of a theme ask for.
type Hints struct {
	// Families are the creature families named, in order of first mention:
	// goblinoid, kobold, orc, gnoll, undead, demon, devil, aberration,
	// lycanthrope, giant, dragon, hag, fey, cultist, fiend, elemental,
	// construct, pirate, bandit, underdark-folk, sea-folk, spider, wolf or
	// beast.
	Families []string
	// Tags are the monster tags of those families (Monster.Tags).
	Tags []string
	// Monsters are SRD monsters the words name outright ("owlbear",
	// "werewolves", "red dragon" names every red dragon).
	Monsters []string
	// Creatures are the creature words as written ("goblins", "mind
	// flayers"), for prose.
	Creatures []string
	// NotInSRD are creatures the words name that have no SRD 5.1 stat
	// block ("mind flayers"); their family's SRD monsters stand in.
	NotInSRD []string
	// Terrains are the kinds of land named: desert, arctic, swamp, coast,
	// underdark, city, frontier, forest, hill, mountain, grassland, ruins.
	Terrains []string
	// Environments are the monster environments of those terrains.
	Environments []string
	// Plots are the kinds of story named: intrigue, heist, war, mystery,
	// horror, arcane, exploration, nautical.
	Plots []string
	// Factions and SetPieces are ideas that fit the families, terrains and
	// plots named, as noun phrases.
	Factions  []string
	SetPieces []string
	// Unknown are the words that map to none of the above and are not
	// common words, in order of first mention and as written (a capital
	// may mark a name).
	Unknown []string
}

type hintGroup struct {
	Key          string   `json:"key"`
	Noun         string   `json:"noun"`
	Tags         []string `json:"tags"`
	Environments []string `json:"environments"`
	Terrains     []string `json:"terrains"` // terrains a family or plot implies
	Words        []string `json:"words"`
	Factions     []string `json:"factions"`
	SetPieces    []string `json:"set_pieces"`
}

type outsideSRD struct {
	Words  []string `json:"words"`
	Noun   string   `json:"noun"`
	Family string   `json:"family"`
}

type hintData struct {
	Families   []hintGroup  `json:"families"`
	OutsideSRD []outsideSRD `json:"outside_srd"`
	Terrains   []hintGroup  `json:"terrains"`
	Plots      []hintGroup  `json:"plots"`
	Ambiguous  []string     `json:"ambiguous"`
	Known      []string     `json:"known"`
}

// meaning is one thing a phrase can stand for.
type meaning struct {
	kind    string // family, terrain, plot, outside, monster, known
	group   *hintGroup
	outside *outsideSRD
	monster string
}

type hintIndex struct {
	data     hintData
	phrases  map[string][]meaning
	families map[string]*hintGroup
	terrains map[string]*hintGroup
}

var loadHints = sync.OnceValues(func() (*hintIndex, error) {
	b, err := dataFS.ReadFile("data/hints.json")
	if err != nil {
		return nil, fmt.Errorf("read hints: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	x := &hintIndex{phrases: map[string][]meaning{}, families: map[string]*hintGroup{}, terrains: map[string]*hintGroup{}}
	if err := dec.Decode(&x.data); err != nil {
		return nil, fmt.Errorf("parse hints: %w", err)
	}
	add := func(phrase string, m meaning) {
		x.phrases[phrase] = append(x.phrases[phrase], m)
	}
	for i := range x.data.Families {
		g := &x.data.Families[i]
		x.families[g.Key] = g
		for _, w := range g.Words {
			add(w, meaning{kind: "family", group: g})
		}
	}
	for i := range x.data.Terrains {
		g := &x.data.Terrains[i]
		x.terrains[g.Key] = g
		for _, w := range g.Words {
			add(w, meaning{kind: "terrain", group: g})
		}
	}
	for i := range x.data.Plots {
		g := &x.data.Plots[i]
		for _, w := range g.Words {
			add(w, meaning{kind: "plot", group: g})
		}
	}
	for i := range x.data.OutsideSRD {
		o := &x.data.OutsideSRD[i]
		if x.families[o.Family] == nil {
			return nil, fmt.Errorf("hints: %q stands in with unknown family %q", o.Noun, o.Family)
		}
		for _, w := range o.Words {
			add(w, meaning{kind: "outside", outside: o})
		}
	}
	for _, g := range x.data.Plots {
		for _, t := range g.Terrains {
			if x.terrains[t] == nil {
				return nil, fmt.Errorf("hints: plot %q implies unknown terrain %q", g.Key, t)
			}
		}
	}
	for _, g := range x.data.Families {
		for _, t := range g.Terrains {
			if x.terrains[t] == nil {
				return nil, fmt.Errorf("hints: family %q implies unknown terrain %q", g.Key, t)
			}
		}
	}
	for _, m := range monsters() {
		for _, p := range monsterPhrases(m) {
			if !slices.Contains(x.data.Ambiguous, p) {
				add(p, meaning{kind: "monster", monster: m.Name})
			}
		}
	}
	for _, w := range append(slices.Clone(x.data.Known), x.data.Ambiguous...) {
		add(w, meaning{kind: "known"})
	}
	return x, nil
})

// monsterPhrases are the lower-case phrases that name m: its name, its
// plural, and for names of three words or more every run of two words or
// more inside it that does not start or end with "of" ("red dragon" names
// the Young Red Dragon and the Red Dragon Wyrmling).
func monsterPhrases(m Monster) []string {
	name := strings.ToLower(m.Name)
	out := []string{name, strings.ToLower(m.PluralName())}
	ws := strings.Fields(name)
	if len(ws) < 3 {
		return out
	}
	for i := range ws {
		for j := i + 2; j <= len(ws); j++ {
			if (i > 0 || j < len(ws)) && ws[i] != "of" && ws[j-1] != "of" {
				out = append(out, strings.Join(ws[i:j], " "))
			}
		}
	}
	return out
}

func hintIndexOrPanic() *hintIndex {
	x, err := loadHints()
	if err != nil {
		panic(err)
	}
	return x
}

// ThemeHints reads the words of a campaign theme (or any theme text) and
// says which creature families, SRD monsters, terrains and kinds of story
// they ask for, with factions and set pieces that fit, and which words it
// did not recognise. Phrases of up to three words are matched, longest
// first; plurals and possessives are understood.
func ThemeHints(words string) Hints {
	x := hintIndexOrPanic()
	var h Hints
	written := tokens(words)
	toks := make([]string, len(written))
	for i, w := range written {
		toks[i] = strings.ToLower(w)
	}
	for i := 0; i < len(toks); {
		n, ms := x.match(toks[i:])
		if n == 0 {
			if w := written[i]; !isNumber(w) && !slices.Contains(h.Unknown, w) {
				h.Unknown = append(h.Unknown, w)
			}
			i++
			continue
		}
		phrase := strings.Join(toks[i:i+n], " ")
		for _, m := range ms {
			h.apply(x, m, phrase)
		}
		i += n
	}
	return h
}

// match finds the longest phrase at the start of toks and what it means.
func (x *hintIndex) match(toks []string) (int, []meaning) {
	for n := min(3, len(toks)); n >= 1; n-- {
		phrase := strings.Join(toks[:n], " ")
		for _, form := range singulars(phrase) {
			if ms, ok := x.phrases[form]; ok {
				return n, ms
			}
		}
	}
	return 0, nil
}

func (h *Hints) apply(x *hintIndex, m meaning, phrase string) {
	switch m.kind {
	case "family":
		h.addFamily(m.group)
		appendNew(&h.Creatures, phrase)
	case "outside":
		h.addFamily(x.families[m.outside.Family])
		appendNew(&h.Creatures, phrase)
		appendNew(&h.NotInSRD, m.outside.Noun)
	case "monster":
		appendNew(&h.Monsters, m.monster)
		appendNew(&h.Creatures, phrase)
		mon, _ := Lookup(m.monster)
		for i := range x.data.Families {
			if mon.HasTag(x.data.Families[i].Tags...) {
				h.addFamily(&x.data.Families[i])
				break
			}
		}
	case "terrain":
		h.addTerrain(m.group)
	case "plot":
		if appendNew(&h.Plots, m.group.Key) {
			h.addIdeas(m.group)
			for _, t := range m.group.Terrains {
				h.addTerrain(x.terrains[t])
			}
		}
	}
}

func (h *Hints) addFamily(g *hintGroup) {
	if !appendNew(&h.Families, g.Key) {
		return
	}
	for _, t := range g.Tags {
		appendNew(&h.Tags, t)
	}
	h.addIdeas(g)
	x := hintIndexOrPanic()
	for _, t := range g.Terrains {
		h.addTerrain(x.terrains[t])
	}
}

func (h *Hints) addTerrain(g *hintGroup) {
	if !appendNew(&h.Terrains, g.Key) {
		return
	}
	for _, e := range g.Environments {
		appendNew(&h.Environments, e)
	}
	h.addIdeas(g)
}

func (h *Hints) addIdeas(g *hintGroup) {
	for _, f := range g.Factions {
		appendNew(&h.Factions, f)
	}
	for _, s := range g.SetPieces {
		appendNew(&h.SetPieces, s)
	}
}

// appendNew appends s unless present and reports whether it did.
func appendNew(list *[]string, s string) bool {
	if slices.Contains(*list, s) {
		return false
	}
	*list = append(*list, s)
	return true
}

// tokens splits s into words, dropping possessive 's.
func tokens(s string) []string {
	ws := strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '\'' || r == '’')
	})
	out := ws[:0]
	for _, w := range ws {
		w = strings.Trim(w, "-'’")
		for _, p := range []string{"'s", "’s", "'S", "’S"} {
			w = strings.TrimSuffix(w, p)
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// singulars returns phrase followed by the singular forms its last word
// may have ("wolves" → "wolf", "wolfe"; "fairies" → "fairy"; "witches" →
// "witch"; "goblins" → "goblin").
func singulars(phrase string) []string {
	out := []string{phrase}
	for _, r := range [][2]string{{"ies", "y"}, {"ves", "f"}, {"ves", "fe"}} {
		if base, ok := strings.CutSuffix(phrase, r[0]); ok && base != "" {
			out = append(out, base+r[1])
		}
	}
	if base, ok := strings.CutSuffix(phrase, "es"); ok {
		for _, end := range []string{"s", "x", "z", "ch", "sh"} {
			if strings.HasSuffix(base, end) {
				out = append(out, base)
				break
			}
		}
	}
	if base, ok := strings.CutSuffix(phrase, "s"); ok && base != "" && !strings.HasSuffix(base, "s") {
		out = append(out, base)
	}
	return out
}

func isNumber(w string) bool {
	return strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
}

// FamilyNoun is the plural noun for a creature family ("goblins",
// "the undead"), or "" for an unknown family.
func FamilyNoun(family string) string {
	if g := hintIndexOrPanic().families[family]; g != nil {
		return g.Noun
	}
	return ""
}

// FamilyTags are the monster tags of a creature family.
func FamilyTags(family string) []string {
	if g := hintIndexOrPanic().families[family]; g != nil {
		return slices.Clone(g.Tags)
	}
	return nil
}

// TerrainEnvironments are the monster environments of a terrain.
func TerrainEnvironments(terrain string) []string {
	if g := hintIndexOrPanic().terrains[terrain]; g != nil {
		return slices.Clone(g.Environments)
	}
	return nil
}

// Families lists the creature families ThemeHints knows, in data order.
func Families() []string { return keys(hintIndexOrPanic().data.Families) }

// Terrains lists the terrains ThemeHints knows, in data order.
func Terrains() []string { return keys(hintIndexOrPanic().data.Terrains) }

// Plots lists the kinds of story ThemeHints knows, in data order.
func Plots() []string { return keys(hintIndexOrPanic().data.Plots) }

func keys(groups []hintGroup) []string {
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = g.Key
	}
	return out
}
