package offline

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// dialogue writes a conversation: a situation the world allows (no parley
// with a beast), two participants fitted to the theme and land, and for
// each stretch of talk one exchange whose lines answer each other.
func (c *campaign) dialogue(r *rand.Rand) *dnd.Dialogue {
	e := c.expander(r)
	sit := pickUsable(r, c, c.t.campaign.dialogueNames, c.t.campaign.Dialogues, func(d dialogueSituation) []string { return d.Needs })
	roles := pick(r, sit.Roles)
	people := c.cast(r, e, roles)
	if roles[0] == "@captive" {
		if kind, ok := roleCreature(people[0].Role); ok {
			// The prisoner's fellows are of its kind: a satyr is not left
			// behind by "sprites".
			e.set("minions", kindPlural(kind), "minions_cap", capitalize(kindPlural(kind)))
		}
	}
	price := max(5, c.level*(20+r.IntN(71))/5*5) // 20 to 90 gold a level, in fives: two haggles seldom agree
	e.set("npc0", people[0].Name, "npc1", people[1].Name,
		"npc0_first", firstWord(people[0].Name), "npc1_first", firstWord(people[1].Name),
		"price", strconv.Itoa(price), "price_low", strconv.Itoa(price*3/5),
		"weather", e.oneFrag(c.terrain.Weather))
	var lines []dnd.Line
	for _, slot := range sit.Slots {
		var ok []exchange
		for _, ex := range slot {
			if c.has(ex.Needs) {
				ok = append(ok, ex)
			}
		}
		for _, l := range pick(r, ok).Lines {
			speaker := "Party"
			if l[0] != "p" {
				speaker = people[l[0][0]-'0'].Name
			}
			lines = addLine(lines, dnd.Line{Speaker: speaker, Text: e.must(l[1]), Direction: e.frag(l[2])})
		}
	}
	return &dnd.Dialogue{Setting: e.one(sit.Settings), Participants: people, Lines: lines}
}

// addLine appends a line to a conversation. The party speaks in turns: a
// party line that follows another party line (one exchange ends on the
// party's answer and the next opens with the party's question) joins it,
// so no one seems to ignore the party. A name the party already called
// someone by in that turn is not called again ("We'll stand, Vex. Why are
// you doing this, Vex?" reads "...Why are you doing this?").
func addLine(lines []dnd.Line, l dnd.Line) []dnd.Line {
	if len(lines) == 0 || l.Speaker != "Party" || lines[len(lines)-1].Speaker != "Party" {
		return append(lines, l)
	}
	prev := &lines[len(lines)-1]
	text := l.Text
	for _, name := range vocatives(prev.Text) {
		text = strings.Replace(text, ", "+name, "", 1)
	}
	prev.Text += " " + text
	if prev.Direction == "" {
		prev.Direction = l.Direction
	}
	return lines
}

// vocativeRE finds a name the party calls someone by: ", Name" before the
// end of a sentence.
var vocativeRE = regexp.MustCompile(`, ((?:[A-Z][\w'-]*)(?: [A-Z][\w'-]*)*)[.?!]`)

// vocatives are the names a line calls people by.
func vocatives(text string) []string {
	var out []string
	for _, m := range vocativeRE.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// cast fills a situation's two roles with people: the antagonist, the
// theme's captives, envoys and servants, the land's locals, patrons and
// merchants, kin of the first person, or a plain role, never the same
// name twice.
func (c *campaign) cast(r *rand.Rand, e *expander, roles []string) []dnd.NPC {
	people := make([]dnd.NPC, 0, 2)
	used := map[string]bool{}
	styles := make([]string, 0, 2)
	for _, role := range roles {
		var p dnd.NPC
		var style string
		for range 10 {
			p, style = c.person(r, e, role, used, people, styles)
			if !slices.ContainsFunc(people, func(q dnd.NPC) bool { return q.Name == p.Name }) {
				break
			}
		}
		used[p.Role] = true
		people = append(people, p)
		styles = append(styles, style)
	}
	return people
}

// person fills one role and says which name style it used. Roles starting
// with @ are placeholders: @local, @patron, @merchant and @jailer pick a
// role not yet used; @nephew and @niece are kin of the first person, with
// their family name.
func (c *campaign) person(r *rand.Rand, e *expander, role string, used map[string]bool, before []dnd.NPC, styles []string) (dnd.NPC, string) {
	fresh := func(list []string) string {
		var left []string
		for _, x := range list {
			if !used[x] {
				left = append(left, x)
			}
		}
		if len(left) == 0 {
			left = list
		}
		return pick(r, left)
	}
	named := func(cr castRole) (dnd.NPC, string) {
		style := cr.Names
		if style == "" {
			style = pick(r, c.t.srd.Races).Names
		}
		_, full := c.t.personName(r, style)
		if seriousRole(cr.Role) {
			_, full = c.t.seriousName(r, style)
		}
		return dnd.NPC{Name: full, Role: cr.Role, Description: c.describe(e, cr.Role)}, style
	}
	plain := func(role string) (dnd.NPC, string) { return named(castRole{Role: role}) }
	switch role {
	case "@antagonist":
		return dnd.NPC{Name: e.vars["antagonist"], Role: strings.TrimPrefix(strings.TrimPrefix(c.arch.Title, "a "), "an "), Description: e.vars["antagonist_desc"]}, ""
	case "@captive":
		return named(pick(r, c.theme.Captives))
	case "@envoy":
		return named(pick(r, c.theme.Envoys))
	case "@envoy_guard":
		return plain("bodyguard")
	case "@servant":
		if len(c.theme.Servants) > 0 {
			return named(pick(r, c.theme.Servants))
		}
		return plain(pick(r, c.t.campaign.Servants[c.nature]))
	case "@jailer":
		return plain(fresh(c.t.campaign.Jailers))
	case "@local":
		return plain(fresh(c.terrain.Locals))
	case "@patron":
		return plain(fresh(c.terrain.Patrons))
	case "@merchant":
		return plain(fresh(c.terrain.Merchants))
	case "@nephew", "@niece":
		return c.kinOf(r, e, strings.TrimPrefix(role, "@"), before[0], styles[0])
	}
	return plain(role)
}

// kinOf is a relative of p: a given name in p's name style and p's family
// name.
func (c *campaign) kinOf(r *rand.Rand, e *expander, role string, p dnd.NPC, style string) (dnd.NPC, string) {
	first, _ := c.t.personName(r, style)
	name := first
	if i := strings.LastIndexByte(p.Name, ' '); i > 0 {
		name += p.Name[i:]
	}
	return dnd.NPC{Name: name, Role: role, Description: c.describe(e, role)}, style
}

func firstWord(s string) string {
	first, _, _ := strings.Cut(s, " ")
	return first
}
