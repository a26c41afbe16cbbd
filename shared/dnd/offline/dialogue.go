package offline

import (
	"math/rand/v2"
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
	people := c.cast(r, e, pick(r, sit.Roles))
	price := 10 * c.level * (2 + r.IntN(8))
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
			lines = append(lines, dnd.Line{Speaker: speaker, Text: e.must(l[1]), Direction: e.frag(l[2])})
		}
	}
	return &dnd.Dialogue{Setting: e.one(sit.Settings), Participants: people, Lines: lines}
}

// cast fills a situation's two roles with people: the antagonist, the
// theme's captives, envoys and servants, the land's locals, patrons and
// merchants, or a plain role, never the same name twice.
func (c *campaign) cast(r *rand.Rand, e *expander, roles []string) []dnd.NPC {
	people := make([]dnd.NPC, 0, 2)
	used := map[string]bool{}
	for _, role := range roles {
		var p dnd.NPC
		for range 10 {
			p = c.person(r, e, role, used)
			if !slices.ContainsFunc(people, func(q dnd.NPC) bool { return q.Name == p.Name }) {
				break
			}
		}
		used[p.Role] = true
		people = append(people, p)
	}
	return people
}

// person fills one role. Roles starting with @ are placeholders: @local,
// @patron, @merchant and @jailer pick a role not yet used.
func (c *campaign) person(r *rand.Rand, e *expander, role string, used map[string]bool) dnd.NPC {
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
	named := func(cr castRole) dnd.NPC {
		style := cr.Names
		if style == "" {
			style = pick(r, c.t.srd.Races).Names
		}
		_, full := c.t.personName(r, style)
		return dnd.NPC{Name: full, Role: cr.Role, Description: e.pick("npc_desc")}
	}
	switch role {
	case "@antagonist":
		return dnd.NPC{Name: e.vars["antagonist"], Role: strings.TrimPrefix(strings.TrimPrefix(c.arch.Title, "a "), "an "), Description: e.vars["antagonist_desc"]}
	case "@captive":
		return named(pick(r, c.theme.Captives))
	case "@envoy":
		return named(pick(r, c.theme.Envoys))
	case "@envoy_guard":
		return c.npc(r, e, "bodyguard")
	case "@servant":
		list := c.theme.Servants
		if len(list) == 0 {
			list = c.t.campaign.Servants[c.nature]
		}
		return c.npc(r, e, pick(r, list))
	case "@jailer":
		return c.npc(r, e, fresh(c.t.campaign.Jailers))
	case "@local":
		return c.npc(r, e, fresh(c.terrain.Locals))
	case "@patron":
		return c.npc(r, e, fresh(c.terrain.Patrons))
	case "@merchant":
		return c.npc(r, e, fresh(c.terrain.Merchants))
	}
	return c.npc(r, e, role)
}

func firstWord(s string) string {
	first, _, _ := strings.Cut(s, " ")
	return first
}
