package offline

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

// campaign is one campaign's world: theme, terrain, party, villain and
// places. All five campaign types built from the same seed and parameters
// share it.
type campaign struct {
	t              *tables
	req            dnd.CampaignRequest
	seed           int64
	lexs           []*lexicon
	mood           string
	hints          encounter.Hints
	theme          *campaignTheme
	terrainKey     string
	terrain        terrain
	family         string            // the creature family the story is about, or ""
	creatures      string            // those creatures in prose: "goblins", "the undead", "mind flayers"
	minionTags     []string          // monster tags of the rank and file
	minion         encounter.Monster // the rank and file the prose names
	arch           antagonistArchetype
	boss           encounter.Monster
	nature         string // person, monster or beast
	kindKey        string
	kind           locationKind
	kindWord       string // the theme word that asked for the location kind, if any
	level          int
	size           int
	party          encounter.Party
	setPieces      []string
	warnings       []string
	vars           []string
	link           *worldLink        // the earlier plot the documents stay in, or nil
	avoid          map[string]bool   // monsters a location's fight is built without, while set
	assumed        bool              // the party is dnd.DefaultPartyLevel/Size: the request and its link named none
	fightDiff      string            // the difficulty the prompt asked every fight to have, or ""
	promptKind     []string          // the location kinds the prompt's words ask for
	promptKindWord string            // the prompt's word for them ("crypt")
	promptRead     []string          // what was read of the prompt, for warnPrompt
	standIn        int               // the index in warnings of the one naming the villain's stand-in, or -1
	standInBy      encounter.Monster // that stand-in
	tight          bool              // while set, the fight being built is in a room too small for a Huge creature
	dry            bool              // while set, the fight being built is at a spot with no water
}

func (g *Generator) newCampaign(seed int64, req dnd.CampaignRequest) *campaign {
	t := g.t
	r := newRand(seed, "campaign/world")
	p := req.Parameters
	c := &campaign{t: t, req: req, seed: seed, standIn: -1}
	c.lexs, c.warnings = t.restyle.resolveTheme(req.Theme)
	c.mood = mood(c.lexs)
	if req.Campaign != nil {
		c.link = c.readLink(req.Campaign)
	}
	townName := ""
	switch {
	case p.CampaignTheme != "":
		c.hints = encounter.ThemeHints(p.CampaignTheme)
		townName = c.readUnknown(p.CampaignTheme)
	case c.link != nil:
		c.hints = c.link.hints // the plot's own words: its villain, setting and title
	default:
		c.hints = encounter.ThemeHints(req.Prompt) // free text: unknown words are not worth a warning
	}
	if c.link != nil && c.link.town != "" {
		townName = c.link.town
	}
	c.level = dnd.Value(p.PartyLevel)
	if c.level == 0 {
		c.level = hintLevel(words(req.Prompt))
	}
	c.size = dnd.Value(p.PartySize)
	c.chooseParty(r)
	c.readPrompt()
	c.chooseTheme(r)
	c.chooseTerrain(r)
	c.chooseAntagonist(r)
	c.chooseKind(r)
	c.warnPrompt()
	c.minion = c.minionMonster()
	// Set pieces: the creatures' own first, else the theme's words', else
	// the land's.
	c.setPieces = encounter.ThemeHints(c.creatures).SetPieces
	if len(c.setPieces) == 0 {
		c.setPieces = c.hints.SetPieces
	}
	if len(c.setPieces) == 0 {
		c.setPieces = encounter.ThemeHints(strings.Join(append(slices.Clone(c.theme.Plots), c.terrainKey), " ")).SetPieces
	}
	c.bindWorld(r, townName)
	return c
}

// chooseParty fills in a party the request does not name. A linked
// campaign given by its title, setting and antagonist alone carries no
// party, and a random one would size its fights for strangers: it gets
// dnd.DefaultPartyLevel and dnd.DefaultPartySize, as the OpenAI prompt
// does, with a warning that names them. A request with no link gets a
// party drawn from the seed.
func (c *campaign) chooseParty(r *rand.Rand) {
	if c.link == nil {
		if c.level == 0 {
			c.level = 1 + r.IntN(10)
		}
		if c.size == 0 {
			c.size = 3 + r.IntN(3)
		}
	} else if c.level == 0 || c.size == 0 {
		c.assumed = true
		c.level = cmp.Or(c.level, dnd.DefaultPartyLevel)
		c.size = cmp.Or(c.size, dnd.DefaultPartySize)
		c.warn("parameters.party_level and party_size: the linked campaign names no party (only a plot's whole content carries one), so this is written for an assumed %s; set them to size the fights for yours", strings.TrimPrefix(partyDesc(c.size, c.level), "a "))
	}
	c.party = encounter.NewParty(c.level, c.size)
}

// promptDifficulties are words of a prompt that ask for the fights'
// difficulty.
var promptDifficulties = []struct {
	words []string
	diff  string
}{
	{[]string{"deadly", "lethal", "brutal", "murderous"}, encounter.Deadly},
	{[]string{"hard", "harder", "tough", "tougher", "challenging", "difficult"}, encounter.Hard},
	{[]string{"easy", "easier", "gentle", "beginners", "beginner"}, encounter.Easy},
}

// readPrompt reads what the offline generator can use of the request's
// free text: a party level ("level 5") and, for a location, its fights'
// difficulty ("make the fights hard") and its kind ("a crypt"). The kind
// is only a wish until chooseKind: warnPrompt says what was used.
func (c *campaign) readPrompt() {
	prompt := c.req.Prompt
	if prompt == "" {
		return
	}
	toks := tokensOf(prompt)
	if dnd.Value(c.req.Parameters.PartyLevel) == 0 && hintLevel(words(prompt)) > 0 {
		c.promptRead = append(c.promptRead, fmt.Sprintf("the party's level (%d)", c.level))
	}
	for _, pd := range promptDifficulties {
		if c.req.Type == dnd.TypeLocation && slices.ContainsFunc(toks, func(w string) bool { return slices.Contains(pd.words, w) }) {
			c.fightDiff = pd.diff
			c.promptRead = append(c.promptRead, "the fights' difficulty ("+pd.diff+")")
			break
		}
	}
	for _, w := range toks {
		if ks := c.t.campaign.KindWords[w]; len(ks) > 0 && c.req.Type == dnd.TypeLocation {
			c.promptKind, c.promptKindWord = ks, w
			break
		}
	}
}

// warnPrompt says, once the location's kind is chosen, what of the prompt
// was used. A prompt is never ignored silently, and a kind of place is
// said to be read only when the place is of that kind: a linked plot's
// stockade stays a stockade whatever the prompt asks.
func (c *campaign) warnPrompt() {
	prompt := c.req.Prompt
	if prompt == "" {
		return
	}
	read := c.promptRead
	var unused string
	if c.promptKindWord != "" {
		if slices.Contains(c.promptKind, c.kindKey) {
			read = append(read, fmt.Sprintf("the kind of place (%q)", c.promptKindWord))
		} else {
			unused = fmt.Sprintf("the place is %s, so the kind of place asked for (%q) was not used", aName(c.kind.Label), c.promptKindWord)
		}
	}
	switch {
	case len(read) > 0 && unused != "":
		c.warn("prompt: read offline for %s; %s; the rest of it is not used", joinAnd(read), unused)
	case len(read) > 0:
		c.warn("prompt: read offline for %s; the rest of it is not used", joinAnd(read))
	case unused != "":
		c.warn("prompt: %s, nor the rest of %q", unused, prompt)
	default:
		c.warn("prompt: the offline generator reads only a party level and, for a location, the fights' difficulty (\"make the fights hard\") or a kind of place from it, and found none; %q was not used", prompt)
	}
}

// readUnknown warns about the theme words nothing here understands, and
// returns the first capitalised one that is not the theme's first word:
// most likely a place name, used for the town.
func (c *campaign) readUnknown(theme string) (name string) {
	first := strings.FieldsFunc(theme, func(r rune) bool { return !unicode.IsLetter(r) })
	var unknown []string
	for _, w := range c.hints.Unknown {
		if isFunctionWord(w) {
			continue
		}
		if name == "" && unicode.IsUpper([]rune(w)[0]) && len(first) > 0 && w != first[0] {
			name = w
			continue
		}
		unknown = append(unknown, strconv.Quote(w))
	}
	if len(unknown) > 0 {
		c.warn("campaign_theme: no offline material for %s; %s ignored", joinAnd(unknown), plural(len(unknown), "it was", "they were"))
	}
	for _, n := range c.hints.NotInSRD {
		c.warn("campaign_theme: %s have no SRD 5.1 stat block; SRD %s stand in for them in encounters", n, encounter.FamilyNoun(c.hints.Families[0]))
	}
	return name
}

func (c *campaign) warn(format string, args ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf(format, args...))
}

// chooseTheme picks the story: the first creature family named, else the
// first kind of story, else a theme set in the terrain named, else any.
func (c *campaign) chooseTheme(r *rand.Rand) {
	themes := c.t.campaign.Themes
	h := c.hints
	var fits []*campaignTheme
	for i := range themes {
		th := &themes[i]
		switch {
		case len(h.Families) > 0:
			if slices.Contains(th.Families, h.Families[0]) {
				fits = append(fits, th)
			}
		case len(h.Plots) > 0:
			if slices.Contains(th.Plots, h.Plots[0]) {
				fits = append(fits, th)
			}
		case c.regionNamed() != "":
			if slices.Contains(th.Terrains, c.regionNamed()) && (!slices.Contains(h.Terrains, "ruins") || slices.Contains(th.Kinds, "crypt")) {
				fits = append(fits, th)
			}
		}
	}
	// A monster the theme names that can be the villain ("a tarrasque",
	// "red dragons") picks the stories it is the villain of; one that
	// cannot, outside any family, still does, and a stand-in leads.
	var villainOf []*campaignTheme
	for i := range themes {
		if slices.ContainsFunc(themes[i].Antagonists, func(a antagonistArchetype) bool {
			return slices.ContainsFunc(a.Creatures, func(n string) bool {
				m, _ := encounter.Lookup(n)
				return slices.Contains(h.Monsters, n) && (encounter.BossFits(c.party, m) || len(h.Families) == 0)
			})
		}) {
			villainOf = append(villainOf, &themes[i])
		}
	}
	if len(villainOf) > 0 {
		fits = villainOf
	}
	if len(fits) == 0 {
		fits = append(fits, &themes[r.IntN(len(themes))])
	}
	if c.link != nil && c.link.hasBoss {
		// The linked villain's own story, when a theme has an archetype
		// of its stat block.
		withBoss := slices.DeleteFunc(slices.Clone(fits), func(th *campaignTheme) bool {
			return !slices.ContainsFunc(th.Antagonists, func(a antagonistArchetype) bool { return slices.Contains(a.Creatures, c.link.boss.Name) })
		})
		if len(withBoss) > 0 {
			fits = withBoss
		}
	}
	c.theme = fits[r.IntN(len(fits))]
	c.minionTags = c.theme.MinionTags
	switch {
	case len(h.Families) > 0:
		c.family = h.Families[0]
		c.minionTags = nil
		for _, f := range h.Families {
			c.minionTags = append(c.minionTags, encounter.FamilyTags(f)...)
		}
	case len(c.theme.Families) > 0:
		c.family = c.theme.Families[0]
	}
	c.creatures = c.theme.Noun
	switch {
	case len(h.NotInSRD) > 0:
		c.creatures = h.NotInSRD[0]
	case len(h.Monsters) > 0 && len(h.Families) > 0:
		// Creatures met in numbers give the threat its noun ("werewolves
		// hunt the roads"); a lone lich does not ("liches have been seen").
		if m, _ := encounter.Lookup(h.Monsters[0]); m.HasTag(encounter.FamilyTags(h.Families[0])...) && m.Max != 1 {
			c.creatures = strings.ToLower(m.PluralName())
		} else {
			c.creatures = encounter.FamilyNoun(h.Families[0])
		}
	case len(h.Families) > 0:
		c.creatures = encounter.FamilyNoun(h.Families[0])
	}
}

// regionNamed is the first terrain named that is a region (ruins are a
// site), or "".
func (c *campaign) regionNamed() string {
	for _, key := range c.hints.Terrains {
		if _, ok := c.t.campaign.Terrains[key]; ok {
			return key
		}
	}
	return ""
}

// chooseTerrain picks the land: the region named, else one the theme is
// set in.
func (c *campaign) chooseTerrain(r *rand.Rand) {
	c.terrainKey = c.regionNamed()
	if c.link != nil && c.link.terrainKey != "" {
		c.terrainKey = c.link.terrainKey
	}
	if c.terrainKey == "" {
		c.terrainKey = pick(r, c.theme.Terrains)
	}
	c.terrain = c.t.campaign.Terrains[c.terrainKey]
}

// envs are the monster environments of the campaign's land.
func (c *campaign) envs() []string {
	out := encounter.TerrainEnvironments(c.terrainKey)
	if slices.Contains(c.hints.Terrains, "ruins") {
		out = append(out, "ruins")
	}
	return out
}

// chooseAntagonist picks the villain's archetype and stat block. It
// prefers archetypes with a creature of the family or monsters named, then
// one that lives in the land, then one that can make a fair solo fight
// for the party.
func (c *campaign) chooseAntagonist(r *rand.Rand) {
	tags := encounter.FamilyTags(c.family)
	limit := encounter.Budget(c.party.Levels).Deadly * 3 / 2
	var fits []antagonistArchetype
	best := -1
	for _, a := range c.theme.Antagonists {
		score := 0
		for _, n := range a.Creatures {
			m, _ := encounter.Lookup(n)
			s := 0
			if len(c.hints.Families) > 0 && (m.HasTag(tags...) || slices.Contains(c.hints.Monsters, n)) {
				s += 4
			}
			if slices.Contains(c.hints.Monsters, n) && encounter.Evaluate(c.party, []encounter.Group{{Monster: m, Count: 1}}).AdjustedXP <= limit {
				s += 3 // the very monster the theme names ("a vampire lord"), if the party can face it
			}
			if m.LivesIn(c.envs()...) {
				s += 2
			}
			if encounter.Evaluate(c.party, []encounter.Group{{Monster: m, Count: 1}}).AdjustedXP <= limit {
				s++
			}
			score = max(score, s)
		}
		switch {
		case score > best:
			fits, best = []antagonistArchetype{a}, score
		case score == best:
			fits = append(fits, a)
		}
	}
	c.arch = pick(r, fits)
	c.boss = c.bossCreature()
	if !slices.Contains(c.arch.Creatures, c.boss.Name) {
		c.arch = c.archetypeOf(c.boss) // a stand-in is called what it is: a fire giant has no human sibling
	}
	if c.link != nil && c.link.hasBoss {
		if a, ok := c.linkedArchetype(); ok {
			c.arch = a
		}
		c.boss = c.link.boss
	}
	c.nature = c.arch.Nature
	switch {
	case !c.boss.Speaks:
		c.nature = beastNature // a mummy that cannot speak holds no audiences
	case c.nature != "":
	case c.boss.Type == "humanoid":
		c.nature = personNature
	default:
		c.nature = monsterNature
	}
}

// bossCreature is the antagonist's stat block, always within the party's
// encounter.BossBand when any creature can be: a monster the theme named
// if it is in the band (easy alone or harder: it leads its kind); else the
// strongest of the archetype's creatures in the band whose solo fight is
// at least medium and within half again the deadly threshold, looking
// first at those the theme named, then those of the land, then all; else
// kin that fits (bossKin), with a warning; else the archetype's creature
// nearest the band, with a warning.
func (c *campaign) bossCreature() encounter.Monster {
	var all, named, local []encounter.Monster
	for _, n := range c.arch.Creatures {
		m, _ := encounter.Lookup(n)
		if !encounter.BossFits(c.party, m) || c.otherKind(m) || c.stranded(m) {
			continue
		}
		all = append(all, m)
		if slices.Contains(c.hints.Monsters, n) {
			named = append(named, m)
		}
		if m.LivesIn(c.envs()...) {
			local = append(local, m)
		}
	}
	if m, ok := c.strongestBoss(named, encounter.Trivial); ok {
		return m
	}
	for _, ms := range [][]encounter.Monster{named, local, all} {
		if m, ok := c.strongestBoss(ms, encounter.Medium); ok {
			return c.warnStandIn(m)
		}
	}
	if m, ok := c.strongestBoss(all, encounter.Trivial); ok {
		return c.warnStandIn(m)
	}
	if m, ok := c.strongestBoss(c.bossKin(), encounter.Trivial); ok {
		return c.warnStandIn(m)
	}
	var nearest encounter.Monster
	for _, n := range c.arch.Creatures {
		m, _ := encounter.Lookup(n)
		if nearest.Name == "" || encounter.BossDistance(c.party, m) < encounter.BossDistance(c.party, nearest) {
			nearest = m
		}
	}
	lo, hi := encounter.BossBand(c.level)
	c.warn("no villain of this story has a challenge rating between %g and %g, which fits %s; %s (CR %s) leads it", lo, hi, partyDesc(c.size, c.level), article(strings.ToLower(nearest.Name))+" "+strings.ToLower(nearest.Name), nearest.CR)
	return nearest
}

// archetypeOf is the archetype of the campaign's theme, else of any
// theme, whose creatures include m; else the campaign's archetype with no
// kin and m's own nature.
func (c *campaign) archetypeOf(m encounter.Monster) antagonistArchetype {
	for _, th := range append([]campaignTheme{*c.theme}, c.t.campaign.Themes...) {
		for _, a := range th.Antagonists {
			if slices.Contains(a.Creatures, m.Name) {
				return a
			}
		}
	}
	a := c.arch
	a.Kin, a.Nature, a.Race = false, "", ""
	return a
}

// strongestBoss is the strongest of ms whose solo fight is at least the
// difficulty and within half again the party's deadly threshold.
func (c *campaign) strongestBoss(ms []encounter.Monster, atLeast string) (encounter.Monster, bool) {
	limit := encounter.Budget(c.party.Levels).Deadly * 3 / 2
	var best encounter.Monster
	for _, m := range ms {
		solo := encounter.Evaluate(c.party, []encounter.Group{{Monster: m, Count: 1}})
		if solo.AdjustedXP <= limit && slices.Index(encounter.Labels(), solo.Difficulty) >= slices.Index(encounter.Labels(), atLeast) && m.XP >= best.XP {
			best = m
		}
	}
	return best, best.Name != ""
}

// bossKin are the monsters in the party's boss band that can lead the
// theme's creatures: those of its other archetypes, its rank and file and
// its allies, but no other kind of lycanthrope than the one named (a
// werewolf's story has no werebear villain).
func (c *campaign) bossKin() []encounter.Monster {
	var names []string
	for _, a := range c.theme.Antagonists {
		names = append(names, a.Creatures...)
	}
	return encounter.Select(func(m encounter.Monster) bool {
		if !encounter.BossFits(c.party, m) || c.peaceable(m) || c.otherKind(m) || c.stranded(m) {
			return false
		}
		return slices.Contains(names, m.Name) || m.HasTag(c.minionTags...) || m.HasTag(c.theme.AllyTags...)
	})
}

// stranded reports a creature of the water that the theme did not name,
// for a story in a land without water for it (a coast, the underdark's
// lakes and a swamp have): a giant shark is no villain at a tournament.
func (c *campaign) stranded(m encounter.Monster) bool {
	return m.Water && !slices.Contains([]string{"coast", "underdark", "swamp"}, c.terrainKey) && !slices.Contains(c.hints.Monsters, m.Name)
}

// otherKind reports a lycanthrope other than the one the theme named: a
// werebear is no werewolf.
func (c *campaign) otherKind(m encounter.Monster) bool {
	if !m.HasTag("lycanthrope") || slices.Contains(c.hints.Monsters, m.Name) {
		return false
	}
	return slices.ContainsFunc(c.hints.Monsters, func(n string) bool {
		named, _ := encounter.Lookup(n)
		return named.HasTag("lycanthrope")
	})
}

// warnStandIn warns when the theme named monsters and the villain is
// none of them, nor of their kind: it says which stands in, and why.
func (c *campaign) warnStandIn(boss encounter.Monster) encounter.Monster {
	if len(c.hints.Monsters) == 0 || slices.Contains(c.hints.Monsters, boss.Name) {
		return boss
	}
	if len(c.hints.Families) > 0 && boss.HasTag(encounter.FamilyTags(c.hints.Families[0])...) && !boss.HasTag("lycanthrope") {
		return boss // a bugbear leads the goblins a theme named
	}
	named, _ := encounter.Lookup(c.hints.Monsters[0])
	c.standIn, c.standInBy = len(c.warnings), boss
	c.warn("%s; %s (CR %s) leads the story instead", c.tooStrong(named), aName(boss.Name), boss.CR)
	return boss
}

// tooStrong says that the named monster cannot be the party's villain.
func (c *campaign) tooStrong(named encounter.Monster) string {
	lo, hi := encounter.BossBand(c.level)
	return fmt.Sprintf("campaign_theme: %s (CR %s) cannot be the villain for %s (CR %g to %g can)", aName(named.Name), named.CR, partyDesc(c.size, c.level), lo, hi)
}

// aName is a monster's name in prose with its article: "a hill giant".
func aName(name string) string {
	lc := strings.ToLower(name)
	return article(lc) + " " + lc
}

// honestStandIn rewrites the stand-in warning of a document that does
// not show the stand-in (a dialogue linked to a plot whose villain is
// out of the party's band names the plot's villain, not a hill giant): it
// says only that the named monster is out of reach.
func (c *campaign) honestStandIn(warnings []string, doc any) {
	if c.standIn < 0 {
		return
	}
	b, _ := json.Marshal(doc)
	text := strings.ToLower(string(b))
	if by := c.standInBy; strings.Contains(text, strings.ToLower(by.Name)) || strings.Contains(text, strings.ToLower(by.PluralName())) {
		return
	}
	named, _ := encounter.Lookup(c.hints.Monsters[0])
	warnings[c.standIn] = c.tooStrong(named) + "; the story's villain does not fight in this document"
}

// chooseKind picks the main location's kind: one the theme's words ask
// for ("castle", "mines"), else one of the theme's that can stand in the
// land (a crypt or keep when ruins were named), else one of the land's own.
func (c *campaign) chooseKind(r *rand.Rand) {
	allowed := func(list []string) []string {
		var out []string
		for _, k := range list {
			if c.t.campaign.Kinds[k].allows(c.terrainKey) && !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
		return out
	}
	var asked []string
	for _, w := range tokensOf(c.req.Parameters.CampaignTheme) {
		asked = append(asked, c.t.campaign.KindWords[w]...)
		if len(asked) > 0 && c.kindWord == "" {
			c.kindWord = w
		}
	}
	pool := allowed(asked)
	if p := allowed(c.promptKind); len(p) > 0 {
		pool = p // the prompt speaks of this one document
	}
	if len(pool) == 0 {
		pool = allowed(c.theme.Kinds)
		if slices.Contains(c.hints.Terrains, "ruins") {
			pool = slices.DeleteFunc(pool, func(k string) bool { return !slices.Contains(c.t.campaign.Kinds[k].Environments, "ruins") })
		}
	}
	if len(pool) == 0 {
		pool = c.terrain.Kinds
	}
	c.kindKey = pick(r, pool)
	if c.link != nil && c.link.kindKey != "" {
		c.kindKey = c.link.kindKey
	}
	c.kind = c.t.campaign.Kinds[c.kindKey]
}

// tokensOf lower-cases s and splits it into words.
func tokensOf(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) })
}

// has reports whether the world meets every need.
func (c *campaign) has(needs []string) bool {
	for _, n := range needs {
		ok := false
		switch n {
		case personNature, monsterNature, beastNature:
			ok = c.nature == n
		case "speaks":
			ok = c.nature != beastNature
		case "kin":
			ok = c.nature == personNature && c.arch.Kin
		case "horde":
			ok = c.family != "" || len(c.theme.Families) > 0
		}
		if !ok {
			return false
		}
	}
	return true
}

// pickUsable picks, from the entries of m named by names (sorted, for
// determinism), one whose needs the world meets.
func pickUsable[T any](r *rand.Rand, c *campaign, names []string, m map[string]T, needs func(T) []string) T {
	var ok []string
	for _, n := range names {
		if c.has(needs(m[n])) {
			ok = append(ok, n)
		}
	}
	return m[pick(r, ok)]
}

// usable returns the texts of items whose needs the world meets.
func (c *campaign) usable(items []textItem) []string {
	var out []string
	for _, it := range items {
		if c.has(it.Needs) {
			out = append(out, it.Text)
		}
	}
	return out
}

// bindWorld names the people and places and binds the variables every
// document of the campaign uses.
func (c *campaign) bindWorld(r *rand.Rand, townName string) {
	t := c.t
	p := c.req.Parameters
	label := p.CampaignTheme
	if label == "" {
		label = c.theme.Label
	}
	e := newExpander(t.grammar, r, c.mood)
	e.set("they", "they", "them", "them", "their", "their", "themself", "themself", "They", "They")
	firstName, _ := t.personName(r, "human")
	_, familyFull := t.personName(r, "human")
	family := familyFull[strings.LastIndexByte(familyFull, ' ')+1:]
	e.set("first_name", firstName, "family", family)
	town := townName
	if town == "" {
		town = e.pickFrag("town")
	}
	e.set("town", town)
	antagonist, short, style := c.antagonistName(r, e)
	if c.link != nil {
		antagonist = c.link.link.Antagonist.Name
		short = c.linkShort(antagonist)
	}
	ally := c.personOf(r, style)
	minion := c.minion
	threats := c.theme.Threats
	if len(c.hints.Families) > 0 {
		// A theme that named its creatures gets a threat that names them.
		if named := slices.DeleteFunc(slices.Clone(threats), func(t threat) bool { return !strings.Contains(t.Text, "{creatures}") }); len(named) > 0 {
			threats = named
		}
	}
	th := pick(r, threats)
	minions := strings.ToLower(minion.PluralName())
	if c.theme.MinionNoun != "" && minion.Type == "humanoid" && len(c.hints.Families) == 0 {
		minions = c.theme.MinionNoun // "pirates", "soldiers": unless the theme named its creatures ("an orc horde")
	}
	e.set(
		"antagonist", antagonist, "antagonist_short", short, "antagonist_call", vocative(short), "antagonist_title", c.arch.Title, "ally", ally,
		"campaign_theme", label, "party_desc", partyDesc(c.size, c.level),
		"creatures", c.creatures, "creatures_cap", capitalize(c.creatures), "creatures_title", titleCase(strings.TrimPrefix(c.creatures, "the ")),
		"minions", minions, "minions_cap", capitalize(minions),
		"creature", c.boss.Name, "creature_lc", strings.ToLower(c.boss.Name),
		"level", strconv.Itoa(c.level),
	)
	e.set("deity", e.pickFrag("deity"), "org", e.pickFrag("org"))
	e.set("region", e.oneFrag(c.terrain.Regions))
	c.link.fix(e, "region")
	names := c.kind.Names
	if c.kindWord != "" {
		if ns := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return !strings.Contains(strings.ToLower(n), c.kindWord) }); len(ns) > 0 {
			names = ns
		}
	}
	placeName := e.one(names)
	if c.link != nil && c.link.place != "" {
		placeName = c.link.place
	}
	e.set("place_name", placeName, "place", midSentence(placeName), "hall", c.kind.Hall, "hall_cap", capitalize(c.kind.Hall))
	e.set("tavern", midSentence(e.one(t.campaign.Kinds["tavern"].Names)))
	e.set("macguffin", e.oneFrag(c.theme.Macguffins))
	c.link.fix(e, "macguffin")
	e.set("macguffin_cap", capitalize(e.vars["macguffin"]))
	motive := pick(r, c.arch.Motivations)
	e.set("motivation", e.frag(motive))
	e.set("they", "I", "them", "me", "their", "my", "themself", "myself")
	e.set("motivation_first", e.frag(motive))
	e.set("they", "they", "them", "them", "their", "their", "themself", "themself")
	c.link.fix(e, "motivation")
	e.set("motivation_cap", capitalize(e.vars["motivation"]))
	threatText := e.frag(th.Text)
	e.set("threat", threatText, "threat_cap", capitalize(threatText), "threat_short", e.frag(th.Short))
	e.set("antagonist_desc", e.one(c.villainDescriptions()))
	c.link.fix(e, "antagonist_desc")
	rumours := c.usable(t.campaign.Rumours)
	rumour := e.oneFrag(rumours)
	e.set("rumour", rumour, "rumour_cap", capitalize(rumour))
	e.set("reward", strconv.Itoa(c.gold())+" gold pieces")
	e.set("setting", e.one(c.terrain.Settings))
	c.link.fix(e, "setting")
	e.set("allies_line", c.alliesLine(short))
	c.vars = make([]string, 0, 2*len(e.vars))
	for _, k := range sortedKeys(e.vars) {
		c.vars = append(c.vars, k, e.vars[k])
	}
}

// antagonistName names the villain by its archetype's templates or as a
// person of its race, and returns the name, the short form used in
// speech, and the name style of its kin.
func (c *campaign) antagonistName(r *rand.Rand, e *expander) (full, short, style string) {
	style = c.arch.Race
	if style == "" && c.arch.Kin {
		style = pick(r, c.t.srd.Races).Names
	}
	if len(c.arch.Names) > 0 {
		full = e.oneFrag(c.arch.Names)
		return full, shortName(full), style
	}
	if style == "" {
		style = "human"
	}
	first, full := c.t.seriousName(r, style)
	return full, first, style
}

// villainDescriptions are the archetype's descriptions that fit the
// villain's stat block, else those of another theme's archetype with that
// stat block (a linked villain from another story), else a plain one.
func (c *campaign) villainDescriptions() []string {
	if d := c.arch.describing(c.boss.Name); len(d) > 0 {
		return d
	}
	for _, th := range c.t.campaign.Themes {
		for _, a := range th.Antagonists {
			if slices.Contains(a.Creatures, c.boss.Name) {
				if d := a.describing(c.boss.Name); len(d) > 0 {
					return d
				}
			}
		}
	}
	n := strings.ToLower(c.boss.Name)
	return []string{capitalize(article(n)) + " " + n + " that has learned to command others."}
}

// describing returns the archetype's descriptions that fit the stat
// block, so a villain described as a hobgoblin is one.
func (a antagonistArchetype) describing(creature string) []string {
	var out []string
	for i, d := range a.Descriptions {
		if i >= len(a.DescriptionFits) || len(a.DescriptionFits[i]) == 0 || slices.Contains(a.DescriptionFits[i], creature) {
			out = append(out, d)
		}
	}
	return out
}

// midSentence lower-cases a leading "The" of a place name, for use inside
// a sentence ("the Gilded Eel"); a sentence that starts with it is
// capitalised again when finished.
func midSentence(name string) string {
	if rest, ok := strings.CutPrefix(name, "The "); ok {
		return "the " + rest
	}
	return name
}

// alliesLine names the other creature families the theme asked for, as a
// sentence to add to the premise, or "".
func (c *campaign) alliesLine(short string) string {
	var others []string
	for _, f := range c.hints.Families[min(1, len(c.hints.Families)):] {
		others = append(others, encounter.FamilyNoun(f))
	}
	if len(others) == 0 {
		return ""
	}
	return " " + capitalize(joinAnd(others)) + " serve " + short + " too."
}

// vocative is how the party addresses someone by a short name: "Lantern
// Maid" for "the Lantern Maid".
func vocative(short string) string {
	if rest, ok := strings.CutPrefix(short, "the "); ok {
		return rest
	}
	return short
}

// shortName is how people refer to a named monster: "Vexirath" for
// "Vexirath the Ever-Hungry", "the Beast" for "the Beast of Wrenmere".
func shortName(full string) string {
	s, _, _ := strings.Cut(full, ",")
	if i := strings.Index(s, " of "); i > 0 {
		s = s[:i]
	}
	if i := strings.Index(s, " the "); i > 0 {
		s = s[:i]
	}
	return s
}

// personOf names a townsperson: of the antagonist's kin when they could
// be related, else of a random race.
func (c *campaign) personOf(r *rand.Rand, style string) string {
	if c.nature == personNature && c.arch.Kin && style != "" {
		_, full := c.t.personName(r, style)
		return full
	}
	return c.t.randomName(r)
}

// minionMonster is the rank and file the prose names: a monster the theme
// named that makes a fair fight for the party (medium, easy or hard) in
// numbers; else the weakest monster of the minion tags that does (medium,
// else easy, else hard), preferring the land's; else the weakest of those
// tags.
func (c *campaign) minionMonster() encounter.Monster {
	fair := func(d string, envs []string) []encounter.Monster {
		// The rank and file come in numbers: never a lone lich.
		return slices.DeleteFunc(c.candidates(d, c.minionTags, envs), func(m encounter.Monster) bool { return m.Max == 1 })
	}
	diffs := []string{encounter.Medium, encounter.Easy, encounter.Hard}
	// The monster the theme named ("werewolves") at any fair difficulty
	// before another of its family at the best one.
	for _, d := range diffs {
		for _, m := range fair(d, nil) {
			if slices.Contains(c.hints.Monsters, m.Name) {
				return m
			}
		}
	}
	for _, envs := range [][]string{c.envs(), nil} {
		for _, d := range diffs {
			if ms := fair(d, envs); len(ms) > 0 {
				return slices.MinFunc(ms, func(a, b encounter.Monster) int { return a.XP - b.XP })
			}
		}
	}
	ms := encounter.Select(func(m encounter.Monster) bool { return m.HasTag(c.minionTags...) && !c.peaceable(m) })
	if len(ms) == 0 {
		panic(dataError{fmt.Errorf("no monster has the tags %v", c.minionTags)})
	}
	return slices.MinFunc(ms, func(a, b encounter.Monster) int { return a.XP - b.XP })
}

// preferNamed returns the first monster the theme named, else the first.
func (c *campaign) preferNamed(ms []encounter.Monster) encounter.Monster {
	for _, m := range ms {
		if slices.Contains(c.hints.Monsters, m.Name) {
			return m
		}
	}
	return ms[0]
}

// setVar overrides a world variable for the documents built after it.
func (c *campaign) setVar(name, value string) { c.vars = append(c.vars, name, value) }

func (c *campaign) expander(r *rand.Rand) *expander {
	e := newExpander(c.t.grammar, r, c.mood)
	e.set(c.vars...)
	e.noRepeat(npcParts...) // each person of a document looks, acts and wants in their own way
	return e
}

// npcParts are the grammar symbols a person's description is made of.
var npcParts = []string{"npc_look", "npc_manner", "npc_want"}

// content builds the document of type typ and the warnings for it.
func (c *campaign) content(typ string) (any, []string, error) {
	r := newRand(c.seed, "campaign/"+typ)
	warnings := slices.Clone(c.warnings)
	var doc any
	switch typ {
	case dnd.TypePlot:
		n, w := dnd.ActCount(c.req.Parameters.Duration)
		if w != "" {
			warnings = append(warnings, w)
		}
		plot := c.plot(r, n)
		warnings = append(warnings, c.unusedPlaces(plot)...)
		doc = plot
	case dnd.TypeLocation:
		loc := c.location(r)
		if w := c.missingFamily(loc); w != "" {
			warnings = append(warnings, w)
		}
		doc = loc
	case dnd.TypeQuest:
		doc = c.quest(r)
	case dnd.TypeDialogue:
		doc = c.dialogue(r)
	case dnd.TypeEvent:
		doc = c.event(r)
	default:
		return nil, nil, fmt.Errorf("offline: campaign type %q: %w", typ, dnd.ErrUnknownType)
	}
	c.honestStandIn(warnings, doc)
	if len(c.lexs) > 0 {
		restyleDoc(c.t.restyle, newRand(c.seed, "campaign/"+typ+"/restyle"), c.lexs, doc, c.req.Parameters.CampaignTheme)
	}
	return doc, warnings, nil
}

// unusedPlaces warns about the places the campaign theme names ("a
// lighthouse", "the jungle") that the plot, beyond echoing the theme, does
// not: a place the tables know (a land or a kind of location) that the
// story moved elsewhere. The land's own name ("city" for a city) is used
// by being the land.
func (c *campaign) unusedPlaces(plot *dnd.Plot) []string {
	theme := c.req.Parameters.CampaignTheme
	if theme == "" {
		return nil
	}
	b, _ := json.Marshal(plot)
	text := strings.ToLower(strings.ReplaceAll(string(b), theme, ""))
	var unused []string
	for _, w := range tokensOf(theme) {
		kinds := c.t.campaign.KindWords[w]
		place := len(kinds) > 0 || len(encounter.ThemeHints(w).Terrains) > 0
		// Used: the land is that place, the main location is that kind
		// (sewers, a sewer), or the plot says it or its stem ("snowed in"
		// for snowbound).
		used := placeStem(w) == c.terrainKey || slices.Contains(kinds, c.kindKey) || strings.Contains(text, placeStem(w))
		if place && !used && !slices.Contains(unused, strconv.Quote(w)) {
			unused = append(unused, strconv.Quote(w))
		}
	}
	if len(unused) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("campaign_theme: the plot does not use the place%s %s", plural(len(unused), "", "s"), joinAnd(unused))}
}

// placeStem is the stem of a place word: "sewer" for sewers, "snow" for
// snowbound.
func placeStem(w string) string {
	for _, suffix := range []string{"bound", "swept", "s"} {
		if stem, ok := strings.CutSuffix(w, suffix); ok && len(stem) >= 3 {
			return stem
		}
	}
	return w
}

// missingFamily warns when the theme named a creature family none of whose
// monsters can fight this party (a werewolf is beyond twice the deadly
// threshold for a lone level-1 character).
func (c *campaign) missingFamily(loc *dnd.Location) string {
	if len(c.hints.Families) == 0 {
		return ""
	}
	tags := encounter.FamilyTags(c.family)
	for _, e := range loc.Encounters {
		for _, m := range e.Monsters {
			if srd, _ := encounter.Lookup(m.Name); srd.HasTag(tags...) {
				return ""
			}
		}
	}
	return fmt.Sprintf("no %s make a fair fight for %s; the location's fights use other creatures", strings.TrimPrefix(c.creatures, "the "), partyDesc(c.size, c.level))
}

// partyDesc describes the party: "a party of 4 level-3 adventurers".
func partyDesc(size, level int) string {
	if size == 1 {
		return fmt.Sprintf("a single level-%d adventurer", level)
	}
	return fmt.Sprintf("a party of %d level-%d adventurers", size, level)
}

// assumedNote says, after a reward sized for the party, which party that
// is when the request named none: " (for an assumed party of 4 level-3
// adventurers)", else "".
func (c *campaign) assumedNote() string {
	if !c.assumed {
		return ""
	}
	return " (for an assumed " + strings.TrimPrefix(partyDesc(c.size, c.level), "a ") + ")"
}

// gold is a reward that grows with the square of the level and the party.
func (c *campaign) gold() int {
	g := c.level * c.level * 25 * c.size / 4
	return max(10, g/10*10)
}

func (t *tables) randomName(r *rand.Rand) string {
	_, full := t.personName(r, pick(r, t.srd.Races).Names)
	return full
}

func (c *campaign) plot(r *rand.Rand, acts int) *dnd.Plot {
	e := c.expander(r)
	e.set("title_adj", pick(r, c.theme.TitleAdj), "title_noun", pick(r, c.theme.TitleNoun))
	plan := c.planActs(r, acts)
	out := make([]dnd.Act, len(plan))
	for i, tmpl := range plan {
		// A template's summaries and goals are aligned: the goal answers
		// the summary it is written for.
		k := c.summaryOf(r, tmpl)
		out[i] = dnd.Act{Title: headline(e.one(tmpl.Title)), Summary: e.must(tmpl.Summary[k]), Goal: e.must(tmpl.Goal[k])}
	}
	if len(c.setPieces) > 0 {
		climax := &out[len(out)-1]
		if acts >= 5 {
			climax = &out[len(out)-2]
		}
		climax.Summary += " Set piece: " + pick(r, c.setPieces) + "."
	}
	return &dnd.Plot{
		Title:   e.one(c.t.campaign.PlotTitles),
		Summary: e.one(c.t.campaign.PlotSummaries),
		Setting: e.vars["setting"],
		Acts:    out,
		Antagonist: dnd.Antagonist{
			Name:        e.vars["antagonist"],
			Description: e.vars["antagonist_desc"],
			Motivation:  capitalize(e.vars["motivation"]) + ".",
			Creature:    c.boss.Name,
		},
		Hooks:      e.some(c.usable(c.t.campaign.PlotHooks), 2),
		Twists:     e.some(c.usable(c.t.campaign.PlotTwists), 1+r.IntN(2)),
		PartyLevel: c.level,
		PartySize:  c.size,
	}
}

// summaryOf picks which of an act template's summaries to write: any,
// unless the minions are animals (a beast, an ooze, a purple worm), who
// get none that gives them a person's work, or the villain is a beast,
// who sends no messengers and pays no one.
func (c *campaign) summaryOf(r *rand.Rand, tmpl actTemplate) int {
	animals, beast := c.minion.Animal(), c.nature == beastNature
	if !animals && !beast {
		return r.IntN(len(tmpl.Summary))
	}
	var fit []int
	for k, s := range tmpl.Summary {
		if !(animals && personWork.MatchString(s)) && !(beast && villainWork.MatchString(s)) {
			fit = append(fit, k)
		}
	}
	if len(fit) == 0 {
		return r.IntN(len(tmpl.Summary))
	}
	return pick(r, fit)
}

// personWork matches act summaries in which the minions do a person's
// work: keep a ledger, live in a hut, carry sealed orders, talk where the
// party can overhear.
var personWork = regexp.MustCompile(`\{minions\}[^.]*\b(ledger|in the hut|overhears)\b|orders sealed|\{minions\}, with a ledger`)

// villainWork matches act summaries in which the villain does a person's
// work: sends messengers, seals orders, pays for news.
var villainWork = regexp.MustCompile(`\{antagonist\}'s messengers|sealed by \{antagonist\}|\{antagonist\} (has paid|will pay)`)

// planActs picks a template for each phase of an n-act plot, each one
// whose needs the acts before it have given.
func (c *campaign) planActs(r *rand.Rand, n int) []actTemplate {
	facts := map[string]bool{}
	var plan []actTemplate
	for _, phase := range c.t.campaign.ActShapes[strconv.Itoa(n)] {
		var ok []actTemplate
		for _, tmpl := range c.t.campaign.Acts[phase] {
			if !slices.ContainsFunc(tmpl.Needs, func(f string) bool { return !facts[f] }) {
				ok = append(ok, tmpl)
			}
		}
		tmpl := pick(r, ok)
		for _, f := range tmpl.Gives {
			facts[f] = true
		}
		plan = append(plan, tmpl)
	}
	return plan
}

func (c *campaign) npc(r *rand.Rand, e *expander, role string) dnd.NPC {
	return dnd.NPC{Name: c.t.randomName(r), Role: role, Description: c.describe(e, role)}
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
	giver, _ := c.person(r, e, pick(r, qt.Givers), map[string]bool{}, nil, nil)
	e.set("giver", giver.Name, "macguffin_short", e.vars["macguffin"])
	// One of each for the whole quest: the letter's title, objective and
	// steps name the same recipient.
	for _, sym := range []string{"captive", "recipient", "faction", "item_word", "mystery_word"} {
		e.set(sym, e.pickFrag(sym))
	}
	var steps []string
	for _, group := range qt.Steps {
		steps = append(steps, e.one(group))
	}
	return &dnd.Quest{
		Title:     headline(e.one(qt.Titles)),
		Objective: e.one(qt.Objectives),
		Giver:     giver,
		Steps:     steps,
		Rewards: []string{
			fmt.Sprintf("%d gold pieces, to be split among the party", c.gold()) + c.assumedNote(),
			c.rewardItem(r),
			capitalize(e.one(c.t.campaign.RewardsExtra)),
		},
		Complications:    e.some(qt.Complications, 1+r.IntN(2)),
		RecommendedLevel: c.level,
	}
}

func (c *campaign) event(r *rand.Rand) *dnd.Event {
	e := c.expander(r)
	et := pickUsable(r, c, c.t.campaign.eventNames, c.t.campaign.Events, func(ev eventType) []string { return ev.Needs })
	sight := e.pickFrag("omen_sight")
	k := r.IntN(len(c.t.grammar["disaster"]))
	disaster := e.frag(c.t.grammar["disaster"][k])
	e.set("omen_sight", sight, "omen_sight_cap", capitalize(sight), "omen_event", e.pickFrag("omen_event"),
		"disaster", disaster, "disaster_cap", capitalize(disaster), "disaster_word", e.frag(c.t.grammar["disaster_word"][k]))
	var checks []dnd.SkillCheck
	for i, k := range r.Perm(len(et.Checks))[:min(2, len(et.Checks))] {
		ct := et.Checks[k]
		dc := min(max(10+c.level/2+2*i+r.IntN(3), 5), 30)
		checks = append(checks, dnd.SkillCheck{Skill: ct.Skill, DC: dc, Success: e.must(ct.Success), Failure: e.must(ct.Failure)})
	}
	d := r.IntN(len(et.Descriptions))
	desc := e.must(et.Descriptions[d])
	if !tiedToTheStory(et.Descriptions[d]) {
		desc += " " + e.pick("event_tie") // a plague in town is part of the campaign, not beside it
	}
	return &dnd.Event{
		Title:        e.one(et.Titles[d]),
		Description:  desc,
		Triggers:     e.some(et.Triggers, 2),
		Consequences: e.some(et.Consequences, 2),
		SkillChecks:  checks,
	}
}

// storyVars are the world variables that tie a text to the campaign's
// villain and threat.
var storyVars = []string{"{antagonist", "{creatures", "{minions", "{threat", "{place}"}

// tiedToTheStory reports whether a template names the villain, its
// creatures, its threat or its lair.
func tiedToTheStory(tmpl string) bool {
	return slices.ContainsFunc(storyVars, func(v string) bool { return strings.Contains(tmpl, v) })
}

// joinAnd joins items as "a", "a and b" or "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// headline capitalises a title as titles are: every word but the small
// ones inside it ("A Letter for a Retired General").
func headline(s string) string {
	ws := strings.Fields(s)
	for i, w := range ws {
		if i == 0 || !smallWords[w] {
			ws[i] = capitalize(w)
		}
	}
	return strings.Join(ws, " ")
}

var smallWords = map[string]bool{"a": true, "an": true, "the": true, "of": true, "for": true, "to": true, "in": true,
	"on": true, "at": true, "and": true, "or": true, "by": true, "with": true, "from": true}

// titleCase capitalises every word.
func titleCase(s string) string {
	ws := strings.Fields(s)
	for i, w := range ws {
		ws[i] = capitalize(w)
	}
	return strings.Join(ws, " ")
}
