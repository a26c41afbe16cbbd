package offline

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

// Natures of an antagonist, and the world flags templates can need.
const (
	personNature  = "person"
	monsterNature = "monster"
	beastNature   = "beast"
)

// worldFlags are the needs a template may list.
var worldFlags = []string{personNature, monsterNature, beastNature, "speaks", "kin", "horde"}

// check catches campaign data mistakes: missing lists, unknown references,
// monsters outside the SRD, and needs no world can have.
func (c *campaignTables) check() error {
	for _, th := range c.Themes {
		if err := c.checkTheme(th); err != nil {
			return fmt.Errorf("theme %s: %w", th.Key, err)
		}
	}
	for _, check := range []func() error{c.checkPlaces, c.checkStory, c.checkEncounters} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// checkPlaces checks terrains and location kinds.
func (c *campaignTables) checkPlaces() error {
	for key, tr := range c.Terrains {
		if len(tr.Regions) == 0 || len(tr.Settings) == 0 || len(tr.Views) == 0 || len(tr.Locals) < 2 ||
			len(tr.Patrons) == 0 || len(tr.Merchants) == 0 || len(tr.Kinds) == 0 || len(tr.Weather) == 0 {
			return fmt.Errorf("terrain %s: incomplete", key)
		}
		if len(encounter.TerrainEnvironments(key)) == 0 {
			return fmt.Errorf("terrain %s: unknown to the encounter hints", key)
		}
		for _, k := range tr.Kinds {
			if kd, ok := c.Kinds[k]; !ok || !kd.allows(key) {
				return fmt.Errorf("terrain %s: location kind %s unknown or not allowed there", key, k)
			}
		}
	}
	for key, k := range c.Kinds {
		if len(k.Spots) < 3 || len(k.Names) == 0 || len(k.Descriptions) == 0 || len(k.Features) < 4 || len(k.Roles) < 3 || k.Hall == "" {
			return fmt.Errorf("location kind %s: incomplete", key)
		}
		for _, tr := range append(slices.Clone(k.Terrains), sortedKeys(k.TerrainDescriptions)...) {
			if _, ok := c.Terrains[tr]; !ok {
				return fmt.Errorf("location kind %s: unknown terrain %s", key, tr)
			}
		}
	}
	return nil
}

// checkStory checks act plans, dialogues, events, quests and the needs
// templates list.
func (c *campaignTables) checkStory() error {
	for n := 1; n <= dnd.MaxActs; n++ {
		shape := c.ActShapes[strconv.Itoa(n)]
		if len(shape) != n {
			return fmt.Errorf("act shape %d has %d phases", n, len(shape))
		}
		for _, phase := range shape {
			if len(c.Acts[phase]) == 0 {
				return fmt.Errorf("act shape %d: no templates for phase %s", n, phase)
			}
			for _, a := range c.Acts[phase] {
				if len(a.Title) == 0 || len(a.Summary) == 0 || len(a.Goal) != len(a.Summary) {
					return fmt.Errorf("act phase %s: a template needs titles and one goal per summary", phase)
				}
			}
		}
	}
	for w, kinds := range c.KindWords {
		for _, k := range kinds {
			if _, ok := c.Kinds[k]; !ok {
				return fmt.Errorf("kind word %s: unknown location kind %s", w, k)
			}
		}
	}
	for name, d := range c.Dialogues {
		if err := checkDialogue(d); err != nil {
			return fmt.Errorf("dialogue %s: %w", name, err)
		}
	}
	return c.checkNeeds()
}

// checkEncounters checks hazards and the words that describe fights.
func (c *campaignTables) checkEncounters() error {
	for _, h := range c.Hazards {
		for _, k := range h.Kinds {
			if _, ok := c.Kinds[k]; !ok {
				return fmt.Errorf("hazard %s: unknown location kind %s", h.Name, k)
			}
		}
		if h.Save == "" || h.DamageType == "" || (len(h.Kinds) == 0) == (len(h.Terrains) == 0) || len(h.Severities) == 0 {
			return fmt.Errorf("hazard %s: incomplete", h.Name)
		}
		for _, sev := range h.Severities {
			if !slices.Contains(encounter.Severities(), sev) {
				return fmt.Errorf("hazard %s: severity %q", h.Name, sev)
			}
		}
	}
	for _, nature := range []string{"folk", "beast", "dead", "thing", "spirit", "dragon", "lord"} {
		b := c.Encounter.Behaviour[nature]
		if len(b["one"]) == 0 || len(b["many"]) == 0 || len(c.Encounter.Twists[nature]) == 0 || len(c.Encounter.Bands[nature]) == 0 ||
			len(c.Encounter.Followers[nature]) == 0 {
			return fmt.Errorf("encounter words: nature %s incomplete", nature)
		}
	}
	if len(c.Encounter.CountWords) != encounter.MaxCreatures+1 {
		return fmt.Errorf("encounter words: want count words up to %d", encounter.MaxCreatures)
	}
	return nil
}

// checkNeeds checks that hooks, twists, rumours, events and quests are
// well formed and need only flags a world can have.
func (c *campaignTables) checkNeeds() error {
	var needs [][]string
	for _, list := range [][]textItem{c.PlotHooks, c.PlotTwists, c.Rumours} {
		for _, it := range list {
			needs = append(needs, it.Needs)
		}
	}
	for name, ev := range c.Events {
		needs = append(needs, ev.Needs)
		if len(ev.Titles) != len(ev.Descriptions) || len(ev.Descriptions) == 0 {
			return fmt.Errorf("event %s: want one list of titles per description", name)
		}
	}
	for name, q := range c.Quests {
		if len(q.Givers) == 0 || len(q.Titles) == 0 {
			return fmt.Errorf("quest %s: incomplete", name)
		}
	}
	if len(c.Words["disaster"]) != len(c.Words["disaster_word"]) {
		return fmt.Errorf("words: disaster and disaster_word must pair up")
	}
	for _, n := range needs {
		for _, f := range n {
			if !slices.Contains(worldFlags, f) {
				return fmt.Errorf("unknown need %q", f)
			}
		}
	}
	return nil
}

func (c *campaignTables) checkTheme(th campaignTheme) error {
	if len(th.Kinds) == 0 || len(th.Antagonists) == 0 || len(th.QuestTypes) == 0 || len(th.Macguffins) == 0 ||
		len(th.Threats) == 0 || len(th.Terrains) == 0 || len(th.MinionTags) == 0 || len(th.Captives) == 0 ||
		len(th.Envoys) == 0 || th.Noun == "" {
		return fmt.Errorf("incomplete")
	}
	for _, k := range th.Kinds {
		if _, ok := c.Kinds[k]; !ok {
			return fmt.Errorf("unknown location kind %s", k)
		}
	}
	for _, q := range th.QuestTypes {
		if _, ok := c.Quests[q]; !ok {
			return fmt.Errorf("unknown quest type %s", q)
		}
	}
	for _, tr := range th.Terrains {
		if _, ok := c.Terrains[tr]; !ok {
			return fmt.Errorf("unknown terrain %s", tr)
		}
	}
	for _, f := range th.Families {
		if encounter.FamilyNoun(f) == "" {
			return fmt.Errorf("unknown creature family %s", f)
		}
	}
	for _, a := range th.Antagonists {
		if len(a.Creatures) == 0 || len(a.Motivations) == 0 || len(a.Descriptions) == 0 {
			return fmt.Errorf("antagonist %s: incomplete", a.Title)
		}
		if !slices.Contains([]string{"", personNature, monsterNature, beastNature}, a.Nature) {
			return fmt.Errorf("antagonist %s: nature %q", a.Title, a.Nature)
		}
		if len(a.DescriptionFits) > len(a.Descriptions) {
			return fmt.Errorf("antagonist %s: more description fits than descriptions", a.Title)
		}
		for _, fits := range a.DescriptionFits {
			for _, name := range fits {
				if !slices.Contains(a.Creatures, name) {
					return fmt.Errorf("antagonist %s: a description fits %s, which is not one of its creatures", a.Title, name)
				}
			}
		}
		last := -1
		for _, name := range a.Creatures {
			if len(a.describing(name)) == 0 {
				return fmt.Errorf("antagonist %s: no description fits %s", a.Title, name)
			}
			m, ok := encounter.Lookup(name)
			if !ok || m.Name != name {
				return fmt.Errorf("antagonist %s: %s is not an SRD monster", a.Title, name)
			}
			if encounter.CRRank(m.CR) < last {
				return fmt.Errorf("antagonist %s: creatures not in ascending challenge rating at %s", a.Title, name)
			}
			last = encounter.CRRank(m.CR)
		}
	}
	return nil
}

func checkDialogue(d dialogueSituation) error {
	if len(d.Slots) < 3 || len(d.Roles) == 0 || len(d.Settings) == 0 {
		return fmt.Errorf("needs settings, roles and three slots")
	}
	for _, roles := range d.Roles {
		if len(roles) != 2 {
			return fmt.Errorf("roles %v: want two", roles)
		}
	}
	for i, slot := range d.Slots {
		if len(slot) < 3 {
			return fmt.Errorf("slot %d: want three or more exchanges", i)
		}
		for _, ex := range slot {
			if len(ex.Lines) == 0 {
				return fmt.Errorf("slot %d: empty exchange", i)
			}
			for _, l := range ex.Lines {
				if !slices.Contains([]string{"0", "1", "p"}, l[0]) || l[1] == "" {
					return fmt.Errorf("slot %d: bad line %q", i, l)
				}
			}
			for _, f := range ex.Needs {
				if !slices.Contains(worldFlags, f) {
					return fmt.Errorf("slot %d: unknown need %q", i, f)
				}
			}
		}
	}
	return nil
}

// allows reports whether the kind can stand in the terrain.
func (k locationKind) allows(terrainKey string) bool {
	return len(k.Terrains) == 0 || slices.Contains(k.Terrains, terrainKey)
}
