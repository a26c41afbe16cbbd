package offline

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/encounter"
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
		c.setVar("place_name", capitalize(e.vars["tavern"]))
		text = formatLocation(c.location(r))
	case has(ask, "npc", "npcs", "character", "person", "villain", "shopkeeper", "merchant", "innkeeper", "stranger", "rival"):
		n := c.npc(r, e, e.pickFrag("giver_role"))
		text = fmt.Sprintf("%s, %s. %s\n\n\"%s,\" %s says, \"and I'll thank you not to repeat it.\"",
			n.Name, n.Role, n.Description, e.one(c.usable(t.campaign.Rumours)), strings.Fields(n.Name)[0])
	case has(ask, "quest", "quests", "hook", "hooks", "adventure", "mission", "job", "bounty"):
		text = formatQuest(c.quest(r))
	case has(ask, "item", "items", "treasure", "loot", "weapon", "artifact", "artefact", "magic", "reward", "rewards"):
		text = "Treasure:\n" + bullets(t.itemLines(r, c.level))
	case has(ask, "monster", "monsters", "encounter", "encounters", "fight", "combat", "enemy", "enemies", "ambush", "battle"):
		diff := encounter.Medium
		for _, d := range difficulties {
			if ask[d] {
				diff = d
			}
		}
		enc := c.describeEncounter(e, c.signatureEncounter(r, diff), pick(r, c.kind.Spots), map[string]bool{})
		text = fmt.Sprintf("%s (%s, for %s)\n\n%s\n\nCreatures: %s.\nXP: %d base, ×%g for the number of monsters, %d adjusted (%s from %d).",
			enc.Name, enc.Difficulty, e.vars["party_desc"], enc.Description, creatureList(enc), enc.BaseXP, enc.Multiplier, enc.AdjustedXP, enc.Difficulty, thresholdOf(enc))
	case has(ask, "backstory", "backstories", "history", "origin", "past"):
		text = g.freeformBackstory(seed, req.Prompt+"\n"+req.Context)
	case has(ask, "town", "village", "city", "dungeon", "place", "location", "castle", "keep", "ruin", "ruins", "cave", "forest", "temple", "tower", "port", "harbour", "harbor"):
		text = formatLocation(c.location(r))
	default:
		text = e.one(t.character.Freeform.Scene) + " " + e.one(c.usable(t.campaign.PlotHooks))
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
		enc = append(enc, fmt.Sprintf("%s (%s, %d adjusted XP): %s [%s]", e.Name, e.Difficulty, e.AdjustedXP, e.Description, creatureList(e)))
	}
	b.WriteString("\n\nEncounters:\n" + bullets(enc))
	if len(l.Hazards) > 0 {
		var hz []string
		for _, h := range l.Hazards {
			hz = append(hz, fmt.Sprintf("%s (%s): %s", h.Name, h.Severity, h.Description))
		}
		b.WriteString("\n\nHazards:\n" + bullets(hz))
	}
	return b.String()
}

// creatureList renders an encounter's monsters: "4 Goblin (CR 1/4, 50 XP each)".
func creatureList(e dnd.Encounter) string {
	var parts []string
	for _, m := range e.Monsters {
		parts = append(parts, fmt.Sprintf("%d %s (CR %s, %d XP each)", m.Count, m.Name, m.CR, m.XP))
	}
	return strings.Join(parts, ", ")
}

// thresholdOf is the party threshold an encounter's label starts at.
func thresholdOf(e dnd.Encounter) int {
	t, _ := encounter.Thresholds(e.PartyThresholds).Of(e.Difficulty)
	return t
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
