package offline

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

var (
	difficulties     = []string{"easy", "medium", "hard", "deadly"}
	difficultyWeight = []int{3, 4, 3, 1}
	// budgetShare scales the party's strength into a challenge-rating budget.
	budgetShare = map[string]float64{"easy": 0.5, "medium": 0.75, "hard": 1, "deadly": 1.5}
	countWords  = []string{"", "A lone", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight"}
	sessionsRE  = regexp.MustCompile(`(\d+)\s*(session|sessions|game|games|night|nights|week|weeks)`)
)

// campaign is one campaign's world: theme, party, villain and places. All
// five campaign types built from the same seed and parameters share it.
type campaign struct {
	t     *tables
	req   dnd.CampaignRequest
	seed  int64
	lexs  []*lexicon
	mood  string
	theme *campaignTheme
	arch  antagonistArchetype
	kind  locationKind
	level int
	size  int
	vars  []string
}

func (g *Generator) newCampaign(seed int64, req dnd.CampaignRequest) *campaign {
	t := g.t
	r := newRand(seed, "campaign/world")
	p := req.Parameters
	c := &campaign{t: t, req: req, seed: seed}
	c.lexs = t.restyle.resolve(req.Theme)
	c.mood = mood(c.lexs)
	hints := words(req.Prompt)

	c.theme = t.matchTheme(words(p.CampaignTheme))
	if c.theme == nil {
		c.theme = t.matchTheme(hints)
	}
	if c.theme == nil {
		c.theme = &t.campaign.Themes[r.IntN(len(t.campaign.Themes))]
	}
	label := p.CampaignTheme
	if label == "" {
		label = c.theme.Label
	}
	c.level = dnd.Value(p.PartyLevel)
	if c.level == 0 {
		c.level = hintLevel(hints)
	}
	if c.level == 0 {
		c.level = 1 + r.IntN(10)
	}
	c.size = dnd.Value(p.PartySize)
	if c.size == 0 {
		c.size = 3 + r.IntN(3)
	}
	partyDesc := fmt.Sprintf("a party of %d level-%d adventurers", c.size, c.level)
	if c.size == 1 {
		partyDesc = fmt.Sprintf("a single level-%d adventurer", c.level)
	}

	c.arch = pick(r, c.theme.Antagonists)
	antagonist := t.randomName(r)
	kindName := pick(r, c.theme.Kinds)
	c.kind = t.campaign.Kinds[kindName]
	firstName, _ := t.personName(r, "human")
	_, familyFull := t.personName(r, "human")
	family := familyFull[strings.LastIndexByte(familyFull, ' ')+1:]
	ally := t.randomName(r)
	minion, _ := t.pickMonsters(r, c.theme.Tags, c.level, c.size, "medium")

	e := newExpander(t.grammar, r, c.mood)
	e.set(
		"they", "they", "them", "them", "their", "their", "themself", "themself", "They", "They",
		"antagonist", antagonist, "antagonist_title", c.arch.Title, "ally", ally,
		"campaign_theme", label, "party_desc", partyDesc,
		"first_name", firstName, "family", family,
		"minions", strings.ToLower(minion.plural()), "minions_cap", minion.plural(),
		"creature", c.bossCreature().Name, "creature_lc", strings.ToLower(c.bossCreature().Name),
		"level", strconv.Itoa(c.level),
	)
	e.set("town", e.pickFrag("town"))
	e.set("deity", e.pickFrag("deity"), "org", e.pickFrag("org"))
	e.set("place", e.one(c.kind.Names))
	e.set("tavern", e.one(t.campaign.Kinds["tavern"].Names))
	e.set("macguffin", e.oneFrag(c.theme.Macguffins))
	e.set("motivation", e.oneFrag(c.arch.Motivations))
	inciting := e.oneFrag(t.campaign.Inciting)
	e.set("inciting", inciting, "inciting_cap", capitalize(inciting))
	rumour := e.oneFrag(t.campaign.Rumours)
	e.set("rumour", rumour, "rumour_cap", capitalize(rumour))
	e.set("reward", strconv.Itoa(c.gold())+" gold pieces")
	c.vars = make([]string, 0, 2*len(e.vars))
	for _, k := range sortedKeys(e.vars) {
		c.vars = append(c.vars, k, e.vars[k])
	}
	return c
}

// setVar overrides a world variable for the documents built after it.
func (c *campaign) setVar(name, value string) { c.vars = append(c.vars, name, value) }

func (c *campaign) expander(r *rand.Rand) *expander {
	e := newExpander(c.t.grammar, r, c.mood)
	e.set(c.vars...)
	return e
}

func (c *campaign) content(typ string) (any, error) {
	r := newRand(c.seed, "campaign/"+typ)
	var doc any
	switch typ {
	case dnd.TypePlot:
		doc = c.plot(r)
	case dnd.TypeLocation:
		doc = c.location(r)
	case dnd.TypeQuest:
		doc = c.quest(r)
	case dnd.TypeDialogue:
		doc = c.dialogue(r)
	case dnd.TypeEvent:
		doc = c.event(r)
	default:
		return nil, fmt.Errorf("offline: campaign type %q: %w", typ, dnd.ErrUnknownType)
	}
	if len(c.lexs) > 0 {
		restyleDoc(c.t.restyle, newRand(c.seed, "campaign/"+typ+"/restyle"), c.lexs, doc)
	}
	return doc, nil
}

// gold is a reward that grows with the square of the level and the party.
func (c *campaign) gold() int {
	g := c.level * c.level * 25 * c.size / 4
	return max(10, g/10*10)
}

// bossCreature is the antagonist's stat block: the strongest of the
// archetype's creatures that the party can face, or its weakest.
func (c *campaign) bossCreature() monster {
	target := float64(c.level) + 2 + float64(c.size-4)/2
	var best *monster
	for _, name := range c.arch.Creatures {
		m := c.t.monster(name)
		if m.CR <= target && (best == nil || m.CR > best.CR) {
			best = &m
		}
	}
	if best == nil {
		m := c.t.monster(c.arch.Creatures[0])
		best = &m
	}
	return *best
}

func (t *tables) monster(name string) monster {
	for _, m := range t.srd.Monsters {
		if m.Name == name {
			return m
		}
	}
	panic(dataError{fmt.Errorf("unknown monster %q", name)})
}

// pickMonsters chooses a creature and a number of them for a party and a
// difficulty: the group's challenge ratings add up to roughly the party's
// share of the difficulty budget.
func (t *tables) pickMonsters(r *rand.Rand, tags []string, level, size int, difficulty string) (monster, int) {
	budget := math.Max(0.25, float64(level)*float64(size)/4*budgetShare[difficulty])
	inBudget := func(m monster) bool { return m.CR <= budget && m.CR >= budget/8 }
	var cands []monster
	for _, m := range t.srd.Monsters {
		if inBudget(m) && overlaps(m.Tags, tags) {
			cands = append(cands, m)
		}
	}
	if len(cands) == 0 {
		for _, m := range t.srd.Monsters {
			if inBudget(m) {
				cands = append(cands, m)
			}
		}
	}
	if len(cands) == 0 {
		cands = t.srd.Monsters[:1]
	}
	m := pick(r, cands)
	n := int(math.Round(budget / math.Max(m.CR, 0.125)))
	return m, min(max(n, 1), 8)
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func (t *tables) randomName(r *rand.Rand) string {
	_, full := t.personName(r, pick(r, t.srd.Races).Names)
	return full
}

// matchTheme returns the theme whose keywords the text mentions most.
func (t *tables) matchTheme(ws map[string]bool) *campaignTheme {
	var best *campaignTheme
	bestHits := 0
	for i := range t.campaign.Themes {
		hits := 0
		for _, k := range t.campaign.Themes[i].Keywords {
			if ws[k] {
				hits++
			}
		}
		if hits > bestHits {
			best, bestHits = &t.campaign.Themes[i], hits
		}
	}
	return best
}

// actCount reads a duration such as "one-shot", "3 sessions" or "long
// campaign" as a number of acts (1–5).
func actCount(r *rand.Rand, duration string) int {
	d := strings.ToLower(duration)
	if m := sessionsRE.FindStringSubmatch(d); m != nil {
		n, _ := strconv.Atoi(m[1])
		switch {
		case n <= 1:
			return 1 + r.IntN(2)
		case n <= 3:
			return 2 + r.IntN(2)
		case n <= 6:
			return 3 + r.IntN(2)
		}
		return 5
	}
	for _, w := range []string{"one-shot", "one shot", "oneshot", "single", "evening", "session"} {
		if strings.Contains(d, w) {
			return 1 + r.IntN(2)
		}
	}
	for _, w := range []string{"long", "campaign", "month", "year", "epic", "saga"} {
		if strings.Contains(d, w) {
			return 5
		}
	}
	if strings.Contains(d, "short") {
		return 3
	}
	return 3 + r.IntN(2)
}

var actShapes = map[int][]string{
	1: {"climax"},
	2: {"opening", "climax"},
	3: {"opening", "rising", "climax"},
	4: {"opening", "rising", "midpoint", "climax"},
	5: {"opening", "rising", "midpoint", "climax", "aftermath"},
}

func (c *campaign) plot(r *rand.Rand) *dnd.Plot {
	e := c.expander(r)
	e.set("title_adj", pick(r, c.theme.TitleAdj), "title_noun", pick(r, c.theme.TitleNoun))
	var acts []dnd.Act
	for _, shape := range actShapes[actCount(r, c.req.Parameters.Duration)] {
		tmpl := pick(r, c.t.campaign.Acts[shape])
		acts = append(acts, dnd.Act{Title: e.one(tmpl.Title), Summary: e.one(tmpl.Summary), Goal: e.one(tmpl.Goal)})
	}
	return &dnd.Plot{
		Title:   e.one(c.t.campaign.PlotTitles),
		Summary: e.one(c.t.campaign.PlotSummaries),
		Acts:    acts,
		Antagonist: dnd.Antagonist{
			Name:        e.vars["antagonist"],
			Description: e.one(c.arch.Descriptions),
			Motivation:  capitalize(e.vars["motivation"]) + ".",
			Creature:    c.bossCreature().Name,
		},
		Hooks:      e.some(c.t.campaign.PlotHooks, 2),
		Twists:     e.some(c.t.campaign.PlotTwists, 1+r.IntN(2)),
		PartyLevel: c.level,
		PartySize:  c.size,
	}
}

func (c *campaign) npc(r *rand.Rand, e *expander, role string) dnd.NPC {
	return dnd.NPC{Name: c.t.randomName(r), Role: role, Description: e.pick("npc_desc")}
}

func (c *campaign) location(r *rand.Rand) *dnd.Location {
	e := c.expander(r)
	var small []string
	for _, m := range c.t.srd.Monsters {
		if m.CR <= 5 {
			small = append(small, strings.ToLower(m.Name))
		}
	}
	e.set("monster_lc", pick(r, small))
	var npcs []dnd.NPC
	for _, role := range pickN(r, c.kind.Roles, 2+r.IntN(2)) {
		npcs = append(npcs, c.npc(r, e, role))
	}
	var encounters []dnd.Encounter
	tags := append(append([]string{}, c.kind.Tags...), c.theme.Tags...)
	for range 2 + r.IntN(2) {
		diff := difficulties[weighted(r, difficultyWeight)]
		if r.IntN(5) == 0 {
			encounters = append(encounters, dnd.Encounter{
				Name: e.pick("hazard_name"), Description: e.pick("hazard_desc"), Difficulty: diff, Creatures: []string{},
			})
			continue
		}
		m, n := c.t.pickMonsters(r, tags, c.level, c.size, diff)
		e.set("group", m.plural())
		e.set(encounterVars(e, m, n)...)
		encounters = append(encounters, dnd.Encounter{
			Name: e.pick("encounter_name"), Description: e.pick("encounter_desc"), Difficulty: diff, Creatures: []string{m.count(n)},
		})
	}
	return &dnd.Location{
		Name:        e.vars["place"],
		Kind:        c.kind.Label,
		Description: e.one(c.kind.Descriptions),
		Features:    e.some(c.kind.Features, 3+r.IntN(2)),
		NPCs:        npcs,
		Encounters:  encounters,
		Secrets:     e.some(c.kind.Secrets, 1+r.IntN(2)),
	}
}

// encounterVars describes n of a monster for the encounter templates.
func encounterVars(e *expander, m monster, n int) []string {
	if n == 1 {
		return []string{"creatures_text", countWords[1] + " " + strings.ToLower(m.Name), "lurk", e.pickFrag("lurk_one")}
	}
	return []string{"creatures_text", countWords[n] + " " + strings.ToLower(m.plural()), "lurk", e.pickFrag("lurk_many")}
}

// rewardItem names a magic item whose rarity suits the party's tier.
func (c *campaign) rewardItem(r *rand.Rand) string {
	rarity := [][2]string{{"uncommon", "uncommon"}, {"uncommon", "rare"}, {"rare", "very rare"}, {"very rare", "legendary"}}[tierOf(c.level)-1][r.IntN(2)]
	var names []string
	for _, m := range c.t.srd.MagicItems {
		if m.Rarity == rarity {
			names = append(names, m.Name)
		}
	}
	return pick(r, names) + " (" + rarity + " magic item)"
}

func (c *campaign) quest(r *rand.Rand) *dnd.Quest {
	e := c.expander(r)
	qt := c.t.campaign.Quests[pick(r, c.theme.QuestTypes)]
	giver := c.npc(r, e, e.pickFrag("giver_role"))
	e.set("giver", giver.Name, "macguffin_short", e.vars["macguffin"])
	e.set("captive", e.pickFrag("captive"))
	var steps []string
	for _, group := range qt.Steps {
		steps = append(steps, e.one(group))
	}
	return &dnd.Quest{
		Title:     e.one(qt.Titles),
		Objective: e.one(qt.Objectives),
		Giver:     giver,
		Steps:     steps,
		Rewards: []string{
			fmt.Sprintf("%d gold pieces, to be split among the party", c.gold()),
			c.rewardItem(r),
			capitalize(e.one(c.t.campaign.RewardsExtra)),
		},
		Complications:    e.some(qt.Complications, 1+r.IntN(2)),
		RecommendedLevel: c.level,
	}
}

func (c *campaign) dialogue(r *rand.Rand) *dnd.Dialogue {
	e := c.expander(r)
	sit := c.t.campaign.Dialogues[pick(r, c.t.campaign.dialogueNames)]
	roles := pick(r, sit.Roles)
	var people []dnd.NPC
	for _, role := range roles {
		if role == "{antagonist}" {
			people = append(people, dnd.NPC{Name: e.vars["antagonist"], Role: c.arch.Title, Description: e.one(c.arch.Descriptions)})
			continue
		}
		people = append(people, c.npc(r, e, role))
	}
	price := 10 * c.level * (2 + r.IntN(8))
	e.set("npc0", people[0].Name, "npc1", people[len(people)-1].Name,
		"price", strconv.Itoa(price), "price_low", strconv.Itoa(price*3/5))
	var lines []dnd.Line
	for _, b := range sit.Beats {
		speaker := "Party"
		if !b.Speaker.party {
			speaker = people[min(b.Speaker.index, len(people)-1)].Name
		}
		// Directions listed one per text go with that text.
		i := r.IntN(len(b.Text))
		dir := ""
		switch {
		case len(b.Direction) == len(b.Text):
			dir = e.frag(b.Direction[i])
		case len(b.Direction) > 0:
			dir = e.oneFrag(b.Direction)
		}
		lines = append(lines, dnd.Line{Speaker: speaker, Text: e.must(b.Text[i]), Direction: dir})
	}
	return &dnd.Dialogue{Setting: e.one(sit.Settings), Participants: people, Lines: lines}
}

func (c *campaign) event(r *rand.Rand) *dnd.Event {
	e := c.expander(r)
	et := c.t.campaign.Events[pick(r, c.t.campaign.eventNames)]
	omen, disaster := e.pickFrag("omen"), e.pickFrag("disaster")
	e.set("omen", omen, "omen_cap", capitalize(omen), "disaster", disaster, "disaster_cap", capitalize(disaster))
	var checks []dnd.SkillCheck
	for i, k := range r.Perm(len(et.Checks))[:min(2, len(et.Checks))] {
		ct := et.Checks[k]
		dc := min(max(10+c.level/2+2*i+r.IntN(3), 5), 30)
		checks = append(checks, dnd.SkillCheck{Skill: ct.Skill, DC: dc, Success: e.must(ct.Success), Failure: e.must(ct.Failure)})
	}
	return &dnd.Event{
		Title:        e.one(et.Titles),
		Description:  e.one(et.Descriptions),
		Triggers:     e.some(et.Triggers, 2),
		Consequences: e.some(et.Consequences, 2),
		SkillChecks:  checks,
	}
}

// restyleDoc gives a document's prose the request's genre, tone and style,
// leaving names, numbers and game terms in structured fields untouched.
func restyleDoc(rs *restyler, r *rand.Rand, lexs []*lexicon, doc any) {
	f := func(s *string) {
		if out, _ := rs.apply(r, *s, lexs, 0.6, true); strings.TrimSpace(out) != "" {
			*s = out
		}
	}
	fs := func(xs []string) {
		for i := range xs {
			f(&xs[i])
		}
	}
	switch d := doc.(type) {
	case *dnd.Personality:
		fs(d.Traits)
		fs(d.Ideals)
		fs(d.Bonds)
		fs(d.Flaws)
		fs(d.Mannerisms)
		f(&d.Voice)
	case *dnd.Backstory:
		f(&d.Summary)
		f(&d.Backstory)
		fs(d.KeyEvents)
		fs(d.Hooks)
		fs(d.Secrets)
	case *dnd.Combat:
		f(&d.Tactics)
		fs(d.Weaknesses)
		for i := range d.SignatureMoves {
			f(&d.SignatureMoves[i].Description)
		}
	case *dnd.Equipment:
		f(&d.Notes)
		for i := range d.Items {
			f(&d.Items[i].Description)
		}
	case *dnd.Plot:
		f(&d.Summary)
		for i := range d.Acts {
			f(&d.Acts[i].Summary)
			f(&d.Acts[i].Goal)
		}
		f(&d.Antagonist.Description)
		f(&d.Antagonist.Motivation)
		fs(d.Hooks)
		fs(d.Twists)
	case *dnd.Location:
		f(&d.Description)
		fs(d.Features)
		for i := range d.NPCs {
			f(&d.NPCs[i].Description)
		}
		for i := range d.Encounters {
			f(&d.Encounters[i].Description)
		}
		fs(d.Secrets)
	case *dnd.Quest:
		f(&d.Objective)
		f(&d.Giver.Description)
		fs(d.Steps)
		fs(d.Complications)
	case *dnd.Dialogue:
		f(&d.Setting)
		for i := range d.Participants {
			f(&d.Participants[i].Description)
		}
		for i := range d.Lines {
			f(&d.Lines[i].Text)
		}
	case *dnd.Event:
		f(&d.Description)
		fs(d.Triggers)
		fs(d.Consequences)
		for i := range d.SkillChecks {
			f(&d.SkillChecks[i].Success)
			f(&d.SkillChecks[i].Failure)
		}
	}
}
