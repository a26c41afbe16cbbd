package offline

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// freeform answers a prompt by spotting what kind of material it asks for.
// It cannot follow instructions; it recognises keywords (and race, class,
// level, campaign-theme and genre words) and writes matching material.
func (g *Generator) freeform(seed int64, req dnd.FreeformRequest) string {
	t := g.t
	r := newRand(seed, "freeform")
	ask := words(req.Prompt)
	both := words(req.Prompt + "\n" + req.Context)

	creq := dnd.CampaignRequest{Type: dnd.TypePlot, Prompt: req.Prompt + "\n" + req.Context}
	creq.Normalize()
	c := g.newCampaign(seed, creq)
	e := c.expander(r)

	var text string
	switch {
	case has(ask, "riddle", "riddles"):
		text = "Riddles for the table:\n" + bullets(e.some(t.character.Freeform.Riddles, 3))
	case has(ask, "name", "names", "called") && has(ask, "tavern", "taverns", "inn", "inns", "pub", "pubs"):
		var names []string
		for len(names) < 5 {
			if n := e.one(t.campaign.Kinds["tavern"].Names); !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		text = "Tavern names:\n" + bullets(names)
	case has(ask, "name", "names"):
		text = "Names:\n" + bullets(t.names5(r, both))
	case has(ask, "tavern", "taverns", "inn", "inns", "pub", "alehouse"):
		c.kind = t.campaign.Kinds["tavern"]
		c.setVar("place", e.vars["tavern"])
		text = formatLocation(c.location(r))
	case has(ask, "npc", "npcs", "character", "person", "villain", "shopkeeper", "merchant", "innkeeper", "stranger", "rival"):
		n := c.npc(r, e, e.pickFrag("giver_role"))
		text = fmt.Sprintf("%s, %s. %s\n\n\"%s,\" %s says, \"and I'll thank you not to repeat it.\"",
			n.Name, n.Role, n.Description, e.one(t.campaign.Rumours), strings.Fields(n.Name)[0])
	case has(ask, "quest", "quests", "hook", "hooks", "adventure", "mission", "job", "bounty"):
		text = formatQuest(c.quest(r))
	case has(ask, "item", "items", "treasure", "loot", "weapon", "artifact", "artefact", "magic", "reward", "rewards"):
		text = "Treasure:\n" + bullets(t.itemLines(r, c.level))
	case has(ask, "monster", "monsters", "encounter", "encounters", "fight", "combat", "enemy", "enemies", "ambush", "battle"):
		diff := "medium"
		for _, d := range difficulties {
			if ask[d] {
				diff = d
			}
		}
		m, n := t.pickMonsters(r, c.theme.Tags, c.level, c.size, diff)
		e.set("group", m.plural())
		e.set(encounterVars(e, m, n)...)
		text = fmt.Sprintf("%s (%s, for %s)\n\n%s", e.pick("encounter_name"), diff, e.vars["party_desc"], e.pick("encounter_desc")) +
			"\n\nCreatures: " + m.count(n) + "."
	case has(ask, "backstory", "backstories", "history", "origin", "past"):
		ch := g.newCharacter(seed, dnd.CharacterRequest{Type: dnd.TypeBackstory, Prompt: req.Prompt + "\n" + req.Context})
		b := ch.backstory(r)
		text = b.Title + "\n\n" + b.Backstory
	case has(ask, "town", "village", "city", "dungeon", "place", "location", "castle", "keep", "ruin", "ruins", "cave", "forest", "temple", "tower", "port", "harbour", "harbor"):
		text = formatLocation(c.location(r))
	default:
		text = e.one(t.character.Freeform.Scene) + " " + e.one(t.campaign.PlotHooks)
	}
	if lexs := t.restyle.fromWords(both); len(lexs) > 0 {
		if out, _ := t.restyle.apply(newRand(seed, "freeform/restyle"), text, lexs, 0.6, true); strings.TrimSpace(out) != "" {
			text = out
		}
	}
	return text
}

func has(ws map[string]bool, keys ...string) bool {
	for _, k := range keys {
		if ws[k] {
			return true
		}
	}
	return false
}

func bullets(lines []string) string {
	return "- " + strings.Join(lines, "\n- ")
}

// names5 draws five names, in the race the text mentions or mixed.
func (t *tables) names5(r *rand.Rand, ws map[string]bool) []string {
	rc := t.hintRace(ws)
	var out []string
	for len(out) < 5 {
		x := rc
		if x == nil {
			x = &t.srd.Races[r.IntN(len(t.srd.Races))]
		}
		_, full := t.personName(r, x.Names)
		if line := full + " (" + x.Name + ")"; !slices.Contains(out, line) {
			out = append(out, line)
		}
	}
	return out
}

// itemLines describes three magic items fit for a level.
func (t *tables) itemLines(r *rand.Rand, level int) []string {
	rarities := [][2]string{{"common", "uncommon"}, {"uncommon", "rare"}, {"rare", "very rare"}, {"very rare", "legendary"}}[tierOf(level)-1]
	var cands []magicItem
	for _, m := range t.srd.MagicItems {
		if m.Rarity == rarities[0] || m.Rarity == rarities[1] {
			cands = append(cands, m)
		}
	}
	var out []string
	for _, m := range pickN(r, cands, 3) {
		att := ""
		if m.Attunement {
			att = ", requires attunement"
		}
		out = append(out, fmt.Sprintf("%s (%s%s): %s", m.Name, m.Rarity, att, m.Description))
	}
	return out
}

func formatLocation(l *dnd.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\n\n%s\n\nFeatures:\n%s\n\nPeople:\n", l.Name, l.Kind, l.Description, bullets(l.Features))
	var people []string
	for _, n := range l.NPCs {
		people = append(people, n.Name+", "+n.Role+": "+n.Description)
	}
	b.WriteString(bullets(people))
	var enc []string
	for _, e := range l.Encounters {
		line := e.Name + " (" + e.Difficulty + "): " + e.Description
		if len(e.Creatures) > 0 {
			line += " [" + strings.Join(e.Creatures, ", ") + "]"
		}
		enc = append(enc, line)
	}
	b.WriteString("\n\nEncounters:\n" + bullets(enc))
	return b.String()
}

func formatQuest(q *dnd.Quest) string {
	return fmt.Sprintf("%s\n\n%s Offered by %s, %s. %s\n\nSteps:\n%s\n\nRewards:\n%s\n\nComplications:\n%s\n\nRecommended level: %d.",
		q.Title, q.Objective, q.Giver.Name, q.Giver.Role, q.Giver.Description,
		bullets(q.Steps), bullets(q.Rewards), bullets(q.Complications), q.RecommendedLevel)
}

// fromWords finds lexicons named (or aliased) in free text, genres first.
func (rs *restyler) fromWords(ws map[string]bool) []*lexicon {
	var names []string
	for _, n := range sortedKeys(rs.lexicons) {
		if ws[n] {
			names = append(names, n)
		}
	}
	for _, a := range sortedKeys(rs.aliases) {
		if ws[a] {
			names = append(names, rs.aliases[a]...)
		}
	}
	var out []*lexicon
	for _, kind := range []string{"genre", "tone", "style"} {
		for _, n := range names {
			if lx := rs.lexicons[n]; lx.kind == kind && !slices.Contains(out, lx) {
				out = append(out, lx)
			}
		}
	}
	return out
}
