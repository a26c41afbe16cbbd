package offline

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

var (
	difficulties     = []string{encounter.Easy, encounter.Medium, encounter.Hard, encounter.Deadly}
	difficultyWeight = []int{3, 4, 3, 1}
	severityWeight   = []int{4, 4, 1} // setback, dangerous, deadly
)

func (c *campaign) location(r *rand.Rand) *dnd.Location {
	e := c.expander(r)
	e.set("monster_lc", strings.ToLower(c.minion.Name))
	var npcs []dnd.NPC
	for _, role := range pickN(r, c.kind.Roles, 2+r.IntN(2)) {
		npcs = append(npcs, c.npc(r, e, role))
	}
	spots := c.orderSpots(pickN(r, c.kind.Spots, len(c.kind.Spots)))
	used := map[string]bool{} // phrases already in this location
	n := min(2+r.IntN(2), len(spots))
	encounters := make([]dnd.Encounter, 0, n)
	for i := range n {
		diff := difficulties[weighted(r, difficultyWeight)]
		if c.fightDiff != "" {
			diff = c.fightDiff
		}
		var enc encounter.Encounter
		// A fight with the same monsters as an earlier one is tried again,
		// the second time without the monsters already met here.
		for try := 0; try < 3; try++ {
			if try > 0 {
				c.avoid = map[string]bool{}
				for _, x := range encounters {
					for _, m := range x.Monsters {
						c.avoid[m.Name] = true
					}
				}
			}
			c.dry = !wet.MatchString(spots[i].Name + " " + spots[i].Where)
			c.tight = c.cramped(spots[i])
			switch i {
			case 0:
				enc = c.signatureEncounter(r, diff)
			case 1:
				enc = c.landEncounter(r, diff)
			default:
				enc = c.buildEncounter(r, diff)
			}
			c.avoid = nil
			if c.fightDiff != "" && enc.Difficulty != c.fightDiff {
				// The prompt asked for this difficulty: any creatures that
				// make it, before the theme's at another.
				if asked, ok := c.encounterAt(r, c.fightDiff); ok {
					enc = asked
				}
			}
			c.dry, c.tight = false, false
			if !slices.ContainsFunc(encounters, func(x dnd.Encounter) bool { return sameMonsters(x, enc) }) {
				break
			}
		}
		if i > 0 && slices.ContainsFunc(encounters, func(x dnd.Encounter) bool { return sameMonsters(x, enc) }) {
			continue // the same fight twice in one place reads as a copying slip
		}
		d := c.describeEncounter(e, enc, spots[i], used)
		for try := 0; try < 5 && slices.ContainsFunc(encounters, func(x dnd.Encounter) bool { return x.Name == d.Name }); try++ {
			d = c.describeEncounter(e, enc, spots[i], used)
		}
		encounters = append(encounters, d)
	}
	desc := c.kind.Descriptions
	if d := c.kind.TerrainDescriptions[c.terrainKey]; len(d) > 0 {
		desc = d
	}
	// The read-aloud text is for the players: an assumed party is said in
	// the warnings (chooseParty) and the fights' thresholds, not here.
	description := e.one(desc) + " " + capitalize(e.oneFrag(c.terrain.Views)) + "."
	features := e.some(c.kind.Features, 3+r.IntN(2))
	if c.link != nil && c.link.town != "" && !namesTown(c.link.town, description, features, npcs, encounters) {
		// A location linked to a plot says where in its world it is.
		description += " It lies near " + c.link.town + "."
	}
	return &dnd.Location{
		Name:        e.vars["place_name"],
		Kind:        c.kind.Label,
		Description: description,
		Features:    features,
		NPCs:        npcs,
		Encounters:  encounters,
		Hazards:     c.hazards(r, e),
		Secrets:     e.some(c.kind.Secrets, 1+r.IntN(2)),
	}
}

// orderSpots puts a location's spots in the order its fights take them:
// the theme's creatures first, where there is water if they live in it and
// room if they are Huge, then the land's beasts where there is room.
func (c *campaign) orderSpots(spots []spot) []spot {
	if slices.ContainsFunc(encounter.Select(func(m encounter.Monster) bool { return m.HasTag(c.minionTags...) }), func(m encounter.Monster) bool { return m.Water }) {
		// The theme's creatures include some of the water (aboleths):
		// the first fight, theirs, is where there is water, if anywhere.
		if i := slices.IndexFunc(spots, func(s spot) bool { return wet.MatchString(s.Name + " " + s.Where) }); i > 0 {
			spots[0], spots[i] = spots[i], spots[0]
		}
	}
	if c.bigFolk() {
		// The theme's creatures include Huge ones (a roc, an adult
		// dragon): the first fight, theirs, is where there is room.
		if i := slices.IndexFunc(spots, func(s spot) bool { return !c.cramped(s) }); i > 0 && !wet.MatchString(spots[0].Name+" "+spots[0].Where) {
			spots[0], spots[i] = spots[i], spots[0]
		}
	}
	if len(spots) > 1 && c.cramped(spots[1]) {
		// The second fight is the land's (landEncounter), whose beasts are
		// often Huge: it is where there is room, if anywhere.
		from := 2
		if !c.bigFolk() {
			from = 0
		}
		if i := slices.IndexFunc(spots[from:], func(s spot) bool { return !c.cramped(s) && !wet.MatchString(s.Name+" "+s.Where) }); i >= 0 {
			spots[1], spots[from+i] = spots[from+i], spots[1]
		}
	}
	return spots
}

// namesTown reports whether a location's text names town.
func namesTown(town, description string, features []string, npcs []dnd.NPC, encounters []dnd.Encounter) bool {
	parts := append([]string{description}, features...)
	for _, n := range npcs {
		parts = append(parts, n.Description)
	}
	for _, x := range encounters {
		parts = append(parts, x.Name, x.Description)
	}
	return slices.ContainsFunc(parts, func(p string) bool { return strings.Contains(p, town) })
}

// locationEnvs are the monster environments found at the main location:
// the land's and the place's own (ruins in a crypt, city in a sewer).
func (c *campaign) locationEnvs() []string {
	return append(c.envs(), c.kind.Environments...)
}

// signatureEncounter is a fight with the creatures the theme is about: at
// the asked difficulty if they can make it, else at the nearest one they
// can, led by a stronger ally when alone they are too weak for any.
func (c *campaign) signatureEncounter(r *rand.Rand, diff string) encounter.Encounter {
	tags := c.minionTags
	order := append([]string{diff}, nearest(diff)...)
	if kin := c.linkKin(); len(kin) > 0 {
		// A linked plot's lair holds the plot's creatures: the mummies of
		// a mummy lord's tomb, the sprites its acts name.
		for _, d := range order {
			ms := slices.DeleteFunc(c.candidates(d, nil, nil), func(m encounter.Monster) bool { return !slices.Contains(kin, m.Name) })
			if len(ms) > 0 {
				if enc, err := c.build(r, d, c.offer(r, ms)); err == nil {
					return enc
				}
			}
		}
	}
	for _, d := range order {
		for _, envs := range [][]string{c.locationEnvs(), nil} {
			if ms := c.candidates(d, tags, envs); len(ms) > 0 {
				if enc, err := c.build(r, d, c.offer(r, ms)); err == nil {
					return enc
				}
			}
		}
	}
	if enc, ok := c.ledEncounter(r, order); ok {
		return enc
	}
	return c.buildEncounter(r, diff)
}

// linkKin are the monsters a linked plot fixes for its lair: those its
// text names and, when its villain is an SRD monster, the villain and
// the other creatures of its archetype (a mummy lord's mummies), or nil
// without a link.
func (c *campaign) linkKin() []string {
	if c.link == nil {
		return nil
	}
	kin := slices.Clone(c.link.hints.Monsters)
	if c.link.hasBoss {
		kin = append(kin, c.link.boss.Name)
		if a, ok := c.linkedArchetype(); ok {
			kin = append(kin, a.Creatures...)
		}
	}
	return kin
}

// sameMonsters reports whether a described encounter has the same kinds of
// monster as a built one.
func sameMonsters(d dnd.Encounter, e encounter.Encounter) bool {
	if len(d.Monsters) != len(e.Groups) {
		return false
	}
	for i, g := range e.Groups {
		if d.Monsters[i].Name != g.Monster.Name {
			return false
		}
	}
	return true
}

// nearest lists the other difficulties from closest to furthest.
func nearest(diff string) []string {
	i := slices.Index(difficulties, diff)
	var out []string
	for d := 1; d < len(difficulties); d++ {
		for _, j := range []int{i + d, i - d} {
			if j >= 0 && j < len(difficulties) {
				out = append(out, difficulties[j])
			}
		}
	}
	return out
}

// ledEncounter mixes the weakest of the theme's creatures with the
// weakest ally that, with some of them, makes one of the difficulties.
func (c *campaign) ledEncounter(r *rand.Rand, order []string) (encounter.Encounter, bool) {
	followers := encounter.Select(func(m encounter.Monster) bool { return !c.peaceable(m) && m.HasTag(c.minionTags...) })
	leaders := encounter.Select(func(m encounter.Monster) bool {
		return !c.peaceable(m) && !m.HasTag(c.minionTags...) && m.HasTag(c.theme.AllyTags...)
	})
	if len(followers) == 0 {
		return encounter.Encounter{}, false
	}
	slices.SortStableFunc(leaders, func(a, b encounter.Monster) int { return a.XP - b.XP })
	follower := c.preferNamed(followers)
	for _, d := range order {
		for _, leader := range leaders {
			if leader.XP <= follower.XP || !belongTogether(leader, follower) {
				continue
			}
			if enc, err := c.build(r, d, []encounter.Monster{leader, follower}); err == nil {
				return enc, true
			}
		}
	}
	return encounter.Encounter{}, false
}

// buildEncounter is a fight of the difficulty from the theme's creatures
// of the land or the place, else its allies or any creatures of the land,
// else any at all.
func (c *campaign) buildEncounter(r *rand.Rand, diff string) encounter.Encounter {
	land, place := c.envs(), c.kind.Environments
	return c.encounterFrom(r, diff, [][2][]string{
		{c.minionTags, land}, {c.minionTags, place}, {c.theme.AllyTags, land}, {nil, land},
		{c.minionTags, nil}, {nil, place}, {nil, nil},
	})
}

// landEncounter is a fight with creatures of the land first (winter wolves
// in the arctic, giant scorpions in the desert), the theme's if it has any
// there.
func (c *campaign) landEncounter(r *rand.Rand, diff string) encounter.Encounter {
	land := c.envs()
	return c.encounterFrom(r, diff, [][2][]string{
		{c.minionTags, land}, {c.theme.AllyTags, land}, {nil, land},
		{c.minionTags, c.kind.Environments}, {nil, nil},
	})
}

// encounterFrom builds a fight from the first pool (tags, environments)
// that can make one: at the asked difficulty if it can, else at the
// nearest one it can (labelled as it is), with one kind of monster or,
// when no single kind works (a lone level-1 character has no medium fight
// of one kind), two related kinds together. The right creatures matter
// more than the exact difficulty.
func (c *campaign) encounterFrom(r *rand.Rand, diff string, pools [][2][]string) encounter.Encounter {
	if enc, ok := c.encounterIn(r, append([]string{diff}, nearest(diff)...), pools); ok {
		return enc
	}
	panic(dataError{fmt.Errorf("no monster makes any fight for %d level-%d characters", c.size, c.level)})
}

// encounterAt is a fight of exactly the difficulty, from the theme's
// creatures, its allies, the land's or any, if some can make it.
func (c *campaign) encounterAt(r *rand.Rand, diff string) (encounter.Encounter, bool) {
	return c.encounterIn(r, []string{diff}, [][2][]string{
		{c.minionTags, c.locationEnvs()}, {c.minionTags, nil}, {c.theme.AllyTags, nil}, {nil, c.locationEnvs()}, {nil, nil},
	})
}

// encounterIn builds a fight from the first pool that can make one of the
// difficulties, in order.
func (c *campaign) encounterIn(r *rand.Rand, order []string, pools [][2][]string) (encounter.Encounter, bool) {
	for _, pool := range pools {
		for _, d := range order {
			if ms := c.candidates(d, pool[0], pool[1]); len(ms) > 0 {
				if enc, err := c.build(r, d, c.offer(r, ms)); err == nil {
					return enc, true
				}
			}
		}
		for _, d := range order {
			if enc, ok := c.pairEncounter(r, d, pool[0], pool[1]); ok {
				return enc, true
			}
		}
	}
	return encounter.Encounter{}, false
}

// pairEncounter tries two kinds of the weakest monsters with the tags and
// environments together, two that belong together (they share a tag).
func (c *campaign) pairEncounter(r *rand.Rand, diff string, tags, envs []string) (encounter.Encounter, bool) {
	ms := encounter.Select(func(m encounter.Monster) bool {
		return (len(tags) == 0 || m.HasTag(tags...)) && (len(envs) == 0 || m.LivesIn(envs...)) && !c.peaceable(m)
	})
	slices.SortStableFunc(ms, func(a, b encounter.Monster) int { return a.XP - b.XP })
	ms = ms[:min(len(ms), 12)]
	tries := 0
	for _, i := range r.Perm(len(ms)) {
		for _, j := range r.Perm(len(ms)) {
			if ms[i].XP >= ms[j].XP || !ms[i].HasTag(ms[j].Tags...) || !belongTogether(ms[i], ms[j]) {
				continue
			}
			if tries++; tries > 24 {
				return encounter.Encounter{}, false
			}
			if enc, err := encounter.Build(c.party, diff, []encounter.Monster{ms[j], ms[i]}, r); err == nil {
				return enc, true
			}
		}
	}
	return encounter.Encounter{}, false
}

// peaceable tags mark monsters that are rarely anyone's enemy (townsfolk,
// celestials, metallic dragons, good creatures such as treants); they
// fight only when the theme names them.
var peaceable = []string{"townsfolk", "celestial", "metallic", "good"}

// candidates are the monsters of the tags and environments that make a
// fight of the difficulty alone, without the peaceable ones.
func (c *campaign) candidates(diff string, tags, envs []string) []encounter.Monster {
	return slices.DeleteFunc(encounter.Candidates(c.party, diff, tags, envs), c.peaceable)
}

// peaceable reports a monster that should not be an enemy unless named,
// that the location's earlier fights already used (c.avoid), that needs
// water the fight's spot lacks (c.dry) or room (c.tight), or that low-level characters
// cannot hurt with ordinary weapons unless the theme asked for it.
func (c *campaign) peaceable(m encounter.Monster) bool {
	named := slices.Contains(c.hints.Monsters, m.Name)
	return m.HasTag(peaceable...) && !named || c.avoid[m.Name] || c.dry && m.Water || c.tight && m.Huge() || c.level <= 4 && m.Weapons != "" && !named && !c.themeFamily(m) ||
		c.rivalDragon(m)
}

// rivalDragon reports, in a place linked to a plot, a true dragon of
// another colour than the villain's: a red dragon's lair holds no blue
// dragons.
func (c *campaign) rivalDragon(m encounter.Monster) bool {
	if c.link == nil {
		return false
	}
	own := dragonColour(c.boss)
	return own != "" && dragonColour(m) != "" && dragonColour(m) != own
}

// themeFamily reports whether m is of a creature family the theme named.
func (c *campaign) themeFamily(m encounter.Monster) bool {
	return slices.ContainsFunc(c.hints.Families, func(f string) bool { return m.HasTag(encounter.FamilyTags(f)...) })
}

// wet matches a spot with water enough for a creature of the water: a
// lake, a reef, a flooded vault, a cistern.
var wet = regexp.MustCompile(`(?i)\b(lake|pools?|spring|docks|reef|flooded|drowned|tide|walkways|landing|reeds|raft|cistern|outflow)\b`)

// roofed matches a spot under a roof or underground, where nothing
// circles overhead.
var roofed = regexp.MustCompile(`(?i)\b(gatehouse|hall|tower|warehouse|hold|cabin|blockhouse|storehouse|caravanserai|larder|chamber|tent|barn|lighthouse)\b`)

// cramped reports a spot too small for a Huge creature: any room of a
// place with a roof, a roofed spot of an open one, or a narrow way. A
// giant's steading is built to a giant's size.
func (c *campaign) cramped(at spot) bool {
	text := at.Name + " " + at.Where
	switch {
	case c.kindKey == "giant_steading":
		return false
	case narrow.MatchString(text):
		return true
	case !c.kind.Outdoor:
		return !open.MatchString(text)
	}
	return roofed.MatchString(text)
}

// narrow matches a spot no Huge creature can pass; open matches an
// unroofed spot of a roofed place (a manor's garden, a temple's cloister).
var (
	narrow = regexp.MustCompile(`(?i)\b(narrows|stairs?|tunnel|passage|alley|rope bridge|walkways|ledge)\b`)
	open   = regexp.MustCompile(`(?i)\b(garden|courtyard|yard|cloister|outflow)\b`)
)

// bigFolk reports whether the location's own creatures (the theme's, or a
// linked plot's) include Huge ones.
func (c *campaign) bigFolk() bool {
	return c.boss.Huge() || slices.ContainsFunc(encounter.Select(func(m encounter.Monster) bool { return m.HasTag(c.minionTags...) }), encounter.Monster.Huge)
}

// openAir lists the marks of a phrase that needs the open sky: "circle
// overhead", "with every advantage of the air", "basks on a sun-warmed
// rock".
var openAir = regexp.MustCompile(`overhead|of the air|sun-warmed|warm stones`)

// weaponWords say what hurts a monster with resistances or immunities to
// ordinary weapons, by encounter.Monster.Weapons.
var weaponWords = map[string]string{
	"silvered":   "Silvered or magic weapons hurt %s fully; ordinary ones do little or nothing.",
	"magic":      "Only magic weapons and spells hurt %s fully.",
	"adamantine": "Only magic or adamantine weapons hurt %s fully.",
}

// tactics says what hurts the fight's monsters that shrug off ordinary
// weapons, for parties of tier 1 and 2 (higher ones carry magic), or "".
func (c *campaign) tactics(enc encounter.Encounter) string {
	if c.level > 10 {
		return ""
	}
	var out []string
	for _, g := range enc.Groups {
		if f, ok := weaponWords[g.Monster.Weapons]; ok {
			n := strings.ToLower(g.Monster.Name)
			if g.Count > 1 {
				n = strings.ToLower(g.Monster.PluralName())
			}
			out = append(out, fmt.Sprintf(f, "the "+n))
		}
	}
	return strings.Join(out, " ")
}

// offer picks one monster from the candidates, sometimes two.
func (c *campaign) offer(r *rand.Rand, ms []encounter.Monster) []encounter.Monster {
	first := ms[r.IntN(len(ms))]
	if named := c.preferNamed(ms); slices.Contains(c.hints.Monsters, named.Name) && r.IntN(3) > 0 {
		first = named
	}
	if len(ms) > 1 && r.IntN(3) == 0 {
		second := ms[r.IntN(len(ms))]
		if second.Name != first.Name && belongTogether(first, second) {
			return []encounter.Monster{first, second}
		}
	}
	return []encounter.Monster{first}
}

// belongTogether reports whether two kinds of monster can share a fight:
// a true dragon suffers no dragon of another colour near it (a young red
// and a young blue dragon are rivals, not a pack), though it may keep its
// own brood.
func belongTogether(a, b encounter.Monster) bool {
	ca, cb := dragonColour(a), dragonColour(b)
	return ca == "" || cb == "" || ca == cb
}

// dragonColour is the colour of a true dragon ("Red" for a Young Red
// Dragon or a Red Dragon Wyrmling), or "".
func dragonColour(m encounter.Monster) string {
	ws := strings.Fields(m.Name)
	for i, w := range ws {
		if w == "Dragon" && i > 0 && m.Type == "dragon" {
			return ws[i-1]
		}
	}
	return ""
}

// build runs encounter.Build, falling back to the first monster alone when
// the pair cannot make the difficulty.
func (c *campaign) build(r *rand.Rand, diff string, offered []encounter.Monster) (encounter.Encounter, error) {
	enc, err := encounter.Build(c.party, diff, offered, r)
	if errors.Is(err, encounter.ErrUnreachable) && len(offered) > 1 {
		return encounter.Build(c.party, diff, offered[:1], r)
	}
	return enc, err
}

// describeEncounter names and describes a built fight at a spot of the
// location, strongest monsters first.
func (c *campaign) describeEncounter(e *expander, enc encounter.Encounter, at spot, used map[string]bool) dnd.Encounter {
	words := c.t.campaign.Encounter
	groups := slices.Clone(enc.Groups)
	slices.SortStableFunc(groups, func(a, b encounter.Group) int { return b.Monster.XP - a.Monster.XP })
	lead := groups[0]
	list := words.NameMany
	switch {
	case len(groups) > 1 && lead.Count == 1:
		list = words.NameMixed
	case lead.Count == 1:
		list = words.NameOne
	}
	nature := natureOf(lead.Monster)
	e.set("Monster", lead.Monster.Name, "Monsters", capitalize(lead.Monster.PluralName()), "Spot", at.Name,
		"Band", e.oneFrag(words.Bands[nature]), "Followers", e.oneFrag(words.Followers[nature]))
	name := e.one(list)
	var parts []string
	for _, g := range groups {
		parts = append(parts, c.countText(g))
	}
	number := "many"
	if enc.Count() == 1 {
		number = "one"
	}
	sky := c.kind.Outdoor && c.kindKey != "cavern" && !roofed.MatchString(at.Name+" "+at.Where)
	behaviour, twists := words.Behaviour[nature][number], words.Twists[nature]
	if !sky {
		underRoof := func(s string) bool { return openAir.MatchString(s) }
		behaviour, twists = slices.DeleteFunc(slices.Clone(behaviour), underRoof), slices.DeleteFunc(slices.Clone(twists), underRoof)
	}
	desc := fmt.Sprintf("%s %s %s, %s.", capitalize(joinAnd(parts)), fresh(e, behaviour, used), at.Where, fresh(e, twists, used))
	if t := c.tactics(enc); t != "" {
		desc += " " + t
	}
	out := dnd.Encounter{
		Name:            name,
		Description:     tidy(desc, true),
		BaseXP:          enc.BaseXP,
		Multiplier:      enc.Multiplier,
		AdjustedXP:      enc.AdjustedXP,
		PartyThresholds: dnd.XPThresholds(enc.Thresholds),
		Difficulty:      enc.Difficulty,
	}
	for _, g := range enc.Groups {
		out.Monsters = append(out.Monsters, dnd.EncounterMonster{Name: g.Monster.Name, Count: g.Count, CR: g.Monster.CR, XP: g.Monster.XP})
	}
	return out
}

// fresh expands a phrase from list that used does not hold yet, if any,
// and records it.
func fresh(e *expander, list []string, used map[string]bool) string {
	left := slices.DeleteFunc(slices.Clone(list), func(s string) bool { return used[s] })
	if len(left) == 0 {
		left = list
	}
	s := left[e.r.IntN(len(left))]
	used[s] = true
	return e.frag(s)
}

// countText renders "a hill giant" or "twelve goblins".
func (c *campaign) countText(g encounter.Group) string {
	if g.Count == 1 {
		n := strings.ToLower(g.Monster.Name)
		return article(n) + " " + n
	}
	return strings.ToLower(c.t.campaign.Encounter.CountWords[g.Count]) + " " + strings.ToLower(g.Monster.PluralName())
}

// natureOf says how a monster behaves in a description: folk talk and
// scheme, beasts hunt, dragons hoard, the dead shamble, undead lords hold
// court, things wait, spirits haunt.
func natureOf(m encounter.Monster) string {
	switch {
	case m.Type == "dragon":
		return "dragon"
	case m.HasTag("spirit"):
		return "spirit"
	case m.Type == "undead" && m.Speaks:
		return "lord"
	case m.Type == "undead" && !m.Speaks:
		return "dead"
	case m.Speaks:
		return "folk"
	case m.Type == "construct" || m.Type == "ooze" || m.Type == "elemental":
		return "thing"
	}
	return "beast"
}

// hazards places up to two traps or hazards that fit the location, or the
// land when the location is outdoors, with DMG save DCs and damage for the
// party's level.
func (c *campaign) hazards(r *rand.Rand, e *expander) []dnd.Hazard {
	var fit []hazardTemplate
	for _, h := range c.t.campaign.Hazards {
		if slices.Contains(h.Kinds, c.kindKey) || (c.kind.Outdoor && slices.Contains(h.Terrains, c.terrainKey)) {
			fit = append(fit, h)
		}
	}
	n := []int{0, 1, 1, 1, 2}[r.IntN(5)]
	out := []dnd.Hazard{}
	for _, h := range pickN(r, fit, n) {
		sev := encounter.Severities()[weighted(r, severityWeight)]
		if !slices.Contains(h.Severities, sev) {
			sev = h.Severities[len(h.Severities)-1]
		}
		lo, hi, _ := encounter.TrapDC(sev)
		dc := lo + r.IntN(hi-lo+1)
		dmg, _ := encounter.TrapDamage(c.level, sev)
		out = append(out, dnd.Hazard{
			Name:        h.Name,
			Description: fmt.Sprintf("%s DC %d %s; %s %s damage on a failure.", e.must(h.Description), dc, h.Save, dmg, h.DamageType),
			Severity:    sev,
			DC:          dc,
			Damage:      dmg,
		})
	}
	return out
}
