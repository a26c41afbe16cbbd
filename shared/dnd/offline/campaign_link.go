package offline

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

// worldLink is what a linked plot (dnd.CampaignLink) fixes about a
// campaign's world: its villain, its setting, and the places and the
// McGuffin its text names. Empty fields leave the choice to the seed.
type worldLink struct {
	link       *dnd.CampaignLink
	hints      encounter.Hints // of the plot's own words
	boss       encounter.Monster
	hasBoss    bool   // the antagonist's creature is an SRD monster
	motivation string // "to ..." as a fragment, or ""
	town       string
	region     string
	terrainKey string
	kindKey    string
	place      string
	macguffin  string
}

// readLink reads a linked plot: the villain's stat block, the town, land
// and region of its setting (matched against the setting templates, else
// read from its words and names), and the main location and McGuffin its
// text names (matched against the location names and McGuffins of the
// tables).
func (c *campaign) readLink(l *dnd.CampaignLink) *worldLink {
	w := &worldLink{link: l}
	a := l.Antagonist
	w.hints = dnd.LinkHints(*l)
	if m, ok := encounter.Lookup(a.Creature); ok {
		w.boss, w.hasBoss = m, true
	} else if a.Creature != "" {
		c.warn("campaign.antagonist.creature %q is not an SRD 5.1 monster; the villain keeps its name and fights with another stat block", a.Creature)
	}
	if m := strings.TrimRight(strings.TrimSpace(a.Motivation), ".!"); strings.HasPrefix(strings.ToLower(m), "to ") {
		w.motivation = lowerFirst(m)
	}
	w.readSetting(c.t.campaign, l.Setting)
	w.readPlaces(c.t, *l)
	return w
}

// readSetting finds the town, region and land of a setting: exactly when
// a setting template wrote it, else the first land its words name and the
// first name in it.
func (w *worldLink) readSetting(t campaignTables, setting string) {
	for _, key := range sortedKeys(t.Terrains) {
		for _, tmpl := range t.Terrains[key].Settings {
			if m := templateRegexp(tmpl, nil).FindStringSubmatch(setting); m != nil {
				w.terrainKey = key
				w.town = strings.TrimSpace(m[templateGroup(tmpl, "town")])
				if i := templateGroup(tmpl, "region"); i > 0 {
					w.region = strings.TrimSpace(m[i])
				}
				return
			}
		}
	}
	for _, key := range encounter.ThemeHints(setting).Terrains {
		if _, ok := t.Terrains[key]; ok {
			w.terrainKey = key
			break
		}
	}
	if m := leadingName.FindStringSubmatch(setting); m != nil {
		w.town = m[1]
	} else {
		w.town = firstName(setting)
	}
}

// firstName is the first run of capitalised words of text that does not
// open a sentence ("the port of Saltmarsh" → "Saltmarsh"), or "".
func firstName(text string) string {
	toks := tokenize(text)
	for i, t := range toks {
		if !t.proper {
			continue
		}
		name := t.text
		for j := i + 2; j < len(toks) && toks[j-1].text == " " && toks[j].proper; j += 2 {
			name += " " + toks[j].text
		}
		return name
	}
	return ""
}

// leadingName is a setting that opens with a name: "Wickbrook, a
// frontier town".
var leadingName = regexp.MustCompile(`^((?:[A-Z][\p{L}'’-]*)(?: [A-Z][\p{L}'’-]*)*),`)

// readPlaces finds the main location in a plot and the longest McGuffin
// of the tables its text mentions. The main location is where the climax
// happens: a name a location kind's template could have written
// ("Wickbrook Stockade", "the Crypt of Aldric the Pale") in the last acts,
// else a village's bare name the last acts lead to ("the trail leads to
// Ashreach"), else the template name the whole text names most.
func (w *worldLink) readPlaces(tb *tables, l dnd.CampaignLink) {
	var climax dnd.CampaignLink
	climax.Acts = l.Acts[max(len(l.Acts)-2, 0):]
	story := l
	story.Title = "" // "The Crooked Warren" names the adventure, not a tavern
	// A place in the villain's name ("the Pale Bride of Thornford Hall")
	// is not where the story goes.
	villain := regexp.MustCompile(`(?i)` + regexp.QuoteMeta(l.Antagonist.Name))
	if l.Antagonist.Name == "" {
		villain = regexp.MustCompile(`$^`)
	}
	for _, text := range []string{villain.ReplaceAllString(climax.Text(), "…"), villain.ReplaceAllString(story.Text(), "…")} {
		if w.place, w.kindKey = mostNamedPlace(tb, text); w.place != "" {
			break
		}
		if len(climax.Acts) > 0 && strings.HasPrefix(text, climax.Acts[0].Title) {
			if name := w.villageIn(tb, climax.Acts); name != "" {
				w.place = name
				break
			}
		}
	}
	lower := strings.ToLower(story.Text())
	for _, th := range tb.campaign.Themes {
		for _, m := range th.Macguffins {
			if !strings.Contains(m, "{") && len(m) > len(w.macguffin) && strings.Contains(lower, strings.ToLower(m)) {
				w.macguffin = m
			}
		}
	}
}

// mostNamedPlace is the location name the text names most often, the
// later one on a tie, and its kind. Of two names that overlap ("the Burnt
// Stockade" and "Burnt Stockade") the longer counts.
func mostNamedPlace(tb *tables, text string) (name, kind string) {
	type match struct {
		start, end int
		kind       string
	}
	var all []match
	for _, key := range sortedKeys(tb.campaign.Kinds) {
		for _, tmpl := range tb.campaign.Kinds[key].Names {
			if strings.HasPrefix(tmpl, "{") && strings.HasSuffix(tmpl, "}") && strings.Count(tmpl, "{") == 1 {
				continue // a bare name ("{other_town}") could be anything
			}
			for _, loc := range templateRegexp(tmpl, tb.grammar).FindAllStringIndex(text, -1) {
				all = append(all, match{loc[0], loc[1], key})
			}
		}
	}
	counts, last := map[string]int{}, map[string]int{}
	kinds := map[string]string{}
	for _, m := range all {
		if slices.ContainsFunc(all, func(o match) bool {
			return o.start <= m.start && o.end >= m.end && o.end-o.start > m.end-m.start
		}) {
			continue
		}
		n := text[m.start:m.end]
		if rest, ok := strings.CutPrefix(n, "the "); ok {
			n = "The " + rest
		}
		counts[n]++
		last[n] = max(last[n], m.start)
		kinds[n] = m.kind
	}
	for _, n := range sortedKeys(counts) {
		if name == "" || counts[n] > counts[name] || counts[n] == counts[name] && last[n] > last[name] {
			name = n
		}
	}
	return name, kinds[name]
}

// leadsTo is a capitalised name the text leads somewhere: "to Ashreach",
// "at Ashreach", "reaches Ashreach".
// A name followed by another ("towards Edleley Wainley") is a person's.
var leadsTo = regexp.MustCompile(`(?:\b(?:to|at|towards|reaches|storms|[Rr]each) )([A-Z][\p{L}'’-]+)\b(?:[^ \p{L}'’-]|$| [^A-Z])`)

// villageIn is the bare name of a village the acts lead to, the last act
// first, when the land has villages: a name that is not the town's, not
// one of the villain's names and not a person's. It sets the kind to the
// land's village.
func (w *worldLink) villageIn(tb *tables, acts []dnd.Act) string {
	kind := "village"
	if w.terrainKey == "swamp" {
		kind = "stilt_village"
	}
	if w.terrainKey != "" && !tb.campaign.Kinds[kind].allows(w.terrainKey) {
		return ""
	}
	villain := strings.Fields(w.link.Antagonist.Name)
	all := w.link.Text()
	for i := len(acts) - 1; i >= 0; i-- {
		for _, m := range leadsTo.FindAllStringSubmatch(acts[i].Summary+" "+acts[i].Goal, -1) {
			n := m[1]
			// A name that does something ("Urzrek leads") or is
			// someone ("Torment, who knows") is a person.
			person := regexp.MustCompile(`\b` + regexp.QuoteMeta(n) + `(?: [a-z]+(?:s|ed)\b|, who\b|'s trust)`)
			if n != w.town && !slices.Contains(villain, n) && n != "The" && !person.MatchString(all) {
				w.kindKey = kind
				return n
			}
		}
	}
	return ""
}

// templateRegexp matches what a template may have written. With no
// grammar it matches a whole text and a placeholder matches any text
// (for a setting: "{town}, a frontier town ... {region}."); with one, it
// finds a name in a text and a placeholder matches the words of its
// grammar symbol ("{tav_adj}" → Gilded, Prancing, ...) or, for a name
// made up at random ("{town}", "{family}"), a capitalised word.
// A leading "The" may have been lower-cased mid-sentence.
func templateRegexp(tmpl string, g grammar) *regexp.Regexp {
	const name = `[A-Z][\p{L}'’-]*` // one word: names are made of one
	var b strings.Builder
	if g == nil {
		b.WriteString("^")
	} else {
		b.WriteString(`\b`)
	}
	rest := tmpl
	if r, ok := strings.CutPrefix(rest, "The "); ok {
		b.WriteString("[Tt]he ")
		rest = r
	}
	for rest != "" {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		sym, _, _ := strings.Cut(rest[i+1:i+j], ".")
		pattern := name
		switch words := g[sym]; {
		case g == nil:
			pattern = ".+?"
		case len(words) > 0 && !slices.ContainsFunc(words, func(w string) bool { return strings.Contains(w, "{") }):
			quoted := make([]string, len(words))
			for k, w := range words {
				quoted[k] = regexp.QuoteMeta(w)
			}
			pattern = strings.Join(quoted, "|")
		}
		b.WriteString(regexp.QuoteMeta(rest[:i]) + "(" + pattern + ")")
		rest = rest[i+j+1:]
	}
	if g == nil {
		b.WriteString("$")
	}
	return regexp.MustCompile(b.String())
}

// templateGroup is the submatch index of the first {name} placeholder of
// tmpl (as templateRegexp numbers them), or 0.
func templateGroup(tmpl, name string) int {
	n := 0
	for _, part := range strings.Split(tmpl, "{")[1:] {
		n++
		if strings.HasPrefix(part, name+"}") || strings.HasPrefix(part, name+".") {
			return n
		}
	}
	return 0
}

// linkedArchetype is the antagonist archetype of the campaign's theme
// whose creatures include the linked villain's stat block: its title
// ("a goblin warlord") and kin follow the villain. Another theme's would
// call an orc warlord a goblin one.
func (c *campaign) linkedArchetype() (antagonistArchetype, bool) {
	for _, a := range c.theme.Antagonists {
		if slices.Contains(a.Creatures, c.link.boss.Name) {
			return a, true
		}
	}
	return antagonistArchetype{}, false
}

// titles open a name without being one: "Mother Thistle" is not called
// Mother.
var titles = setOf(strings.Fields(`the mother father granny grandmother old auntie uncle lord lady sir dame king queen
	prince princess baron baroness count countess duke duchess captain commander general high brother sister master mistress saint`))

// linkShort is how people call the linked villain: what the archetype's
// naming says ("Vexirath" for "Vexirath the Ever-Hungry"), else a
// person's first name, unless the name opens with a title ("Captain
// Morvane Hale", "Mother Thistle" stay whole).
func (c *campaign) linkShort(name string) string {
	if s := shortName(name); s != name || len(c.arch.Names) > 0 {
		return s
	}
	f := strings.Fields(name)
	if len(f) < 2 || titles[strings.ToLower(f[0])] {
		return name
	}
	return f[0]
}

// firstPerson turns a third-person fragment into the first person, for a
// villain who speaks it: "to take their walls" → "to take my walls".
func firstPerson(s string) string {
	swap := map[string]string{"they": "I", "them": "me", "their": "my", "theirs": "mine", "themself": "myself", "themselves": "myself"}
	return replaceWords(s, swap)
}

// replaceWords replaces whole words of s by the map, keeping the rest.
func replaceWords(s string, m map[string]string) string {
	var b strings.Builder
	word := func(w string) {
		if r, ok := m[w]; ok {
			w = r
		}
		b.WriteString(w)
	}
	start := -1
	for i, r := range s {
		letter := unicode.IsLetter(r)
		switch {
		case letter && start < 0:
			start = i
		case !letter && start >= 0:
			word(s[start:i])
			start = -1
		}
		if !letter {
			b.WriteRune(r)
		}
	}
	if start >= 0 {
		word(s[start:])
	}
	return b.String()
}

// fix sets the world variables among names that the link fixes: a nil
// link, or one that does not say, leaves them as the seed chose.
func (w *worldLink) fix(e *expander, names ...string) {
	if w == nil {
		return
	}
	for _, n := range names {
		var v string
		switch n {
		case "region":
			v = w.region
		case "macguffin":
			v = w.macguffin
		case "setting":
			v = w.link.Setting
		case "antagonist_desc":
			v = w.link.Antagonist.Description
		case "motivation":
			if v = w.motivation; v != "" {
				e.set("motivation_first", firstPerson(v))
			}
		}
		if v != "" {
			e.set(n, v)
		}
	}
}
