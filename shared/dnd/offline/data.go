package offline

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed data/*.json
var dataFS embed.FS

// race is an SRD race with the offline generator's flavour.
type race struct {
	Name      string         `json:"name"`
	Aliases   []string       `json:"aliases"`
	Bonuses   map[string]int `json:"bonuses"`
	Flex      int            `json:"flex"` // extra +1 bonuses the player chooses (half-elf)
	Speed     int            `json:"speed"`
	Names     string         `json:"names"` // key into the name styles
	Traits    []string       `json:"traits"`
	Homelands []string       `json:"homelands"`
}

// build is one way to play a class: ability priorities, range and roles.
type build struct {
	Priority []string `json:"priority"`
	Range    string   `json:"range"`
	Roles    []string `json:"roles"`
	Weapons  []string `json:"weapons"` // overrides the class weapons when set
}

type feature struct {
	Level       int    `json:"level"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

type class struct {
	Name      string              `json:"name"`
	Aliases   []string            `json:"aliases"`
	HitDie    int                 `json:"hit_die"`
	Saves     []string            `json:"saves"`
	Builds    []build             `json:"builds"`
	Armor     string              `json:"armor"`
	Shield    bool                `json:"shield"`
	Weapons   map[string][]string `json:"weapons"` // "str" and "dex" builds
	Secondary []string            `json:"secondary"`
	Caster    string              `json:"caster"` // none, full, half, pact
	Pack      string              `json:"pack"`
	Kit       []string            `json:"kit"`
	KitPick   int                 `json:"kit_pick"` // choose this many from Kit; 0 means all
	ExtraASI  []int               `json:"extra_asi"`
	Features  []feature           `json:"features"`
	Spells    map[string][]string `json:"spells"` // spell level ("0" for cantrips) → names
}

type background struct {
	Key   string   `json:"key"`
	Name  string   `json:"name"`
	Items []string `json:"items"`
}

type weapon struct {
	Name       string   `json:"name"`
	Damage     string   `json:"damage"`
	Kind       string   `json:"kind"`
	Properties []string `json:"properties"`
}

func (w weapon) has(prop string) bool { return slices.Contains(w.Properties, prop) }

func (w weapon) ranged() bool { return strings.HasSuffix(w.Kind, "ranged") }

type armorPiece struct {
	Name     string `json:"name"`
	Type     string `json:"type"` // light, medium, heavy
	Base     int    `json:"base"`
	MinLevel int    `json:"min_level"`
}

type kitItem struct {
	Name        string `json:"name"`
	Category    string `json:"category"`
	Description string `json:"description"`
}

type magicItem struct {
	Name        string `json:"name"`
	Rarity      string `json:"rarity"`
	Category    string `json:"category"`
	Attunement  bool   `json:"attunement"`
	Description string `json:"description"`
}

type monster struct {
	Name   string   `json:"name"`
	CR     float64  `json:"cr"`
	Tags   []string `json:"tags"`
	Plural string   `json:"plural"`
}

func (m monster) plural() string {
	if m.Plural != "" {
		return m.Plural
	}
	return m.Name + "s"
}

// count renders "1 Ogre" or "3 Goblins".
func (m monster) count(n int) string {
	if n == 1 {
		return "1 " + m.Name
	}
	return strconv.Itoa(n) + " " + m.plural()
}

type srdTables struct {
	Races       []race       `json:"races"`
	Classes     []class      `json:"classes"`
	Backgrounds []background `json:"backgrounds"`
	Weapons     []weapon     `json:"weapons"`
	Armor       []armorPiece `json:"armor"`
	Packs       []kitItem    `json:"packs"`
	Kit         []kitItem    `json:"kit"`
	MagicItems  []magicItem  `json:"magic_items"`
	Monsters    []monster    `json:"monsters"`
	Skills      []string     `json:"skills"`
}

type nameStyle struct {
	Starts  []string `json:"starts"`
	Middles []string `json:"middles"`
	Ends    []string `json:"ends"`
	FamilyA []string `json:"family_a"`
	FamilyB []string `json:"family_b"`
	Virtues []string `json:"virtues"`
	StyleOf []string `json:"style_of"`
}

type ideal struct {
	Tag  string `json:"tag"` // lawful, chaotic, good, evil, neutral or any
	Text string `json:"text"`
}

type personalityTable struct {
	Traits []string `json:"traits"`
	Ideals []ideal  `json:"ideals"`
	Bonds  []string `json:"bonds"`
	Flaws  []string `json:"flaws"`
}

type personalityTables struct {
	Backgrounds map[string]personalityTable `json:"backgrounds"`
	Generic     personalityTable            `json:"generic"`
	Mannerisms  []string                    `json:"mannerisms"`
}

type arc struct {
	Key        string   `json:"key"`
	Alignments []string `json:"alignments"`
	Titles     []string `json:"titles"`
	Summaries  []string `json:"summaries"`
	Inciting   []string `json:"inciting"`
	Present    []string `json:"present"`
	Events     []string `json:"events"`
	Hooks      []string `json:"hooks"`
	Secrets    []string `json:"secrets"`
}

type storyTables struct {
	Grammar grammar `json:"grammar"`
	Arcs    []arc   `json:"arcs"`
}

type characterTables struct {
	Grammar         grammar           `json:"grammar"`
	SpellNotes      map[string]string `json:"spell_notes"`
	GenericFeatures []feature         `json:"generic_features"`
	Freeform        struct {
		Riddles []string `json:"riddles"`
		Scene   []string `json:"scene"`
	} `json:"freeform"`
}

type antagonistArchetype struct {
	Title        string   `json:"title"`
	Creatures    []string `json:"creatures"` // ascending challenge rating
	Motivations  []string `json:"motivations"`
	Descriptions []string `json:"descriptions"`
}

type campaignTheme struct {
	Key         string                `json:"key"`
	Label       string                `json:"label"`
	Keywords    []string              `json:"keywords"`
	Tags        []string              `json:"tags"`
	Kinds       []string              `json:"kinds"`
	TitleAdj    []string              `json:"title_adj"`
	TitleNoun   []string              `json:"title_noun"`
	Macguffins  []string              `json:"macguffins"`
	Antagonists []antagonistArchetype `json:"antagonists"`
	QuestTypes  []string              `json:"quest_types"`
}

type locationKind struct {
	Label        string   `json:"label"`
	Names        []string `json:"names"`
	Tags         []string `json:"tags"`
	Descriptions []string `json:"descriptions"`
	Features     []string `json:"features"`
	Roles        []string `json:"roles"`
	Secrets      []string `json:"secrets"`
}

type actTemplate struct {
	Title   []string `json:"title"`
	Summary []string `json:"summary"`
	Goal    []string `json:"goal"`
}

type questType struct {
	Titles        []string   `json:"titles"`
	Objectives    []string   `json:"objectives"`
	Steps         [][]string `json:"steps"`
	Complications []string   `json:"complications"`
}

// speakerRef is a dialogue beat's speaker: "party" or a participant index.
type speakerRef struct {
	party bool
	index int
}

func (s *speakerRef) UnmarshalJSON(b []byte) error {
	if string(b) == `"party"` {
		s.party = true
		return nil
	}
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 0 || n > 1 {
		return fmt.Errorf("speaker must be \"party\", 0 or 1, not %s", b)
	}
	s.index = n
	return nil
}

type dialogueBeat struct {
	Speaker   speakerRef `json:"speaker"`
	Text      []string   `json:"text"`
	Direction []string   `json:"direction"`
}

type dialogueSituation struct {
	Settings []string       `json:"settings"`
	Roles    [][]string     `json:"roles"`
	Beats    []dialogueBeat `json:"beats"`
}

type checkTemplate struct {
	Skill   string `json:"skill"`
	Success string `json:"success"`
	Failure string `json:"failure"`
}

type eventType struct {
	Titles       []string        `json:"titles"`
	Descriptions []string        `json:"descriptions"`
	Triggers     []string        `json:"triggers"`
	Consequences []string        `json:"consequences"`
	Checks       []checkTemplate `json:"checks"`
}

type campaignTables struct {
	Themes         []campaignTheme              `json:"themes"`
	Kinds          map[string]locationKind      `json:"kinds"`
	Words          grammar                      `json:"words"`
	PlotSummaries  []string                     `json:"plot_summaries"`
	PlotTitles     []string                     `json:"plot_titles"`
	Acts           map[string][]actTemplate     `json:"acts"`
	Inciting       []string                     `json:"inciting"`
	PlotHooks      []string                     `json:"plot_hooks"`
	PlotTwists     []string                     `json:"plot_twists"`
	Quests         map[string]questType         `json:"quests"`
	Dialogues      map[string]dialogueSituation `json:"dialogues"`
	Rumours        []string                     `json:"rumours"`
	Events         map[string]eventType         `json:"events"`
	RewardsExtra   []string                     `json:"rewards_extra"`
	questTypeNames []string                     // sorted keys, for deterministic picks
	dialogueNames  []string
	eventNames     []string
}

type lexiconData struct {
	Kind  string         `json:"kind"` // genre, tone or style
	Mood  string         `json:"mood"` // dark, light or epic (tones only)
	Words map[string]any `json:"words"`
}

type restyleTables struct {
	Lexicons map[string]lexiconData `json:"lexicons"`
	Aliases  map[string][]string    `json:"aliases"`
}

// tables is every embedded data file, parsed.
type tables struct {
	srd         srdTables
	names       map[string]nameStyle
	personality personalityTables
	story       storyTables
	character   characterTables
	campaign    campaignTables
	restyle     *restyler
	grammar     grammar // story, character and campaign word grammars merged
}

var loadTables = sync.OnceValues(func() (*tables, error) {
	t := &tables{}
	for _, f := range []struct {
		name string
		dst  any
	}{
		{"srd.json", &t.srd},
		{"names.json", &t.names},
		{"personality.json", &t.personality},
		{"story.json", &t.story},
		{"character.json", &t.character},
		{"campaign.json", &t.campaign},
	} {
		if err := readStrict("data/"+f.name, f.dst); err != nil {
			return nil, err
		}
	}
	var rs restyleTables
	if err := readStrict("data/restyle.json", &rs); err != nil {
		return nil, err
	}
	var err error
	if t.restyle, err = newRestyler(rs); err != nil {
		return nil, fmt.Errorf("data/restyle.json: %w", err)
	}
	t.grammar = grammar{}
	for _, g := range []grammar{t.story.Grammar, t.character.Grammar, t.campaign.Words} {
		for k, v := range g {
			if _, dup := t.grammar[k]; dup {
				return nil, fmt.Errorf("grammar symbol %q is defined twice", k)
			}
			t.grammar[k] = v
		}
	}
	c := &t.campaign
	c.questTypeNames = sortedKeys(c.Quests)
	c.dialogueNames = sortedKeys(c.Dialogues)
	c.eventNames = sortedKeys(c.Events)
	if err := t.check(); err != nil {
		return nil, err
	}
	return t, nil
})

func readStrict(name string, dst any) error {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("parse %s: %w", name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("parse %s: trailing data", name)
	}
	return nil
}

// check catches data mistakes the generator would otherwise trip over at
// random: empty pick lists and references to unknown entries.
func (t *tables) check() error {
	weapons := map[string]bool{}
	for _, w := range t.srd.Weapons {
		weapons[w.Name] = true
	}
	kit := map[string]bool{}
	for _, k := range t.srd.Kit {
		kit[k.Name] = true
	}
	packs := map[string]bool{}
	for _, p := range t.srd.Packs {
		packs[p.Name] = true
	}
	monsters := map[string]bool{}
	for _, m := range t.srd.Monsters {
		monsters[m.Name] = true
	}
	for _, r := range t.srd.Races {
		if _, ok := t.names[r.Names]; !ok || len(r.Homelands) == 0 {
			return fmt.Errorf("race %s: unknown name style or no homelands", r.Name)
		}
	}
	for _, c := range t.srd.Classes {
		if len(c.Builds) == 0 || len(c.Saves) != 2 || c.HitDie == 0 || !packs[c.Pack] || len(c.Features) == 0 {
			return fmt.Errorf("class %s: incomplete", c.Name)
		}
		for _, b := range c.Builds {
			if len(b.Priority) != 6 || len(b.Roles) == 0 {
				return fmt.Errorf("class %s: build needs six priorities and a role", c.Name)
			}
			for _, w := range b.Weapons {
				if !weapons[w] {
					return fmt.Errorf("class %s: unknown weapon %s", c.Name, w)
				}
			}
		}
		for _, list := range [][]string{c.Weapons["str"], c.Weapons["dex"], c.Secondary} {
			if len(list) == 0 {
				return fmt.Errorf("class %s: missing weapons", c.Name)
			}
			for _, w := range list {
				if !weapons[w] {
					return fmt.Errorf("class %s: unknown weapon %s", c.Name, w)
				}
			}
		}
		for _, k := range c.Kit {
			if !kit[k] {
				return fmt.Errorf("class %s: unknown kit %s", c.Name, k)
			}
		}
		if c.Caster != "none" && len(c.Spells) == 0 {
			return fmt.Errorf("class %s: caster without spells", c.Name)
		}
	}
	for _, th := range t.campaign.Themes {
		if len(th.Kinds) == 0 || len(th.Antagonists) == 0 || len(th.QuestTypes) == 0 || len(th.Macguffins) == 0 {
			return fmt.Errorf("theme %s: incomplete", th.Key)
		}
		for _, k := range th.Kinds {
			if _, ok := t.campaign.Kinds[k]; !ok {
				return fmt.Errorf("theme %s: unknown location kind %s", th.Key, k)
			}
		}
		for _, q := range th.QuestTypes {
			if _, ok := t.campaign.Quests[q]; !ok {
				return fmt.Errorf("theme %s: unknown quest type %s", th.Key, q)
			}
		}
		for _, a := range th.Antagonists {
			for _, c := range a.Creatures {
				if !monsters[c] {
					return fmt.Errorf("theme %s: unknown creature %s", th.Key, c)
				}
			}
		}
	}
	for name, d := range t.campaign.Dialogues {
		if len(d.Beats) < 2 || len(d.Roles) == 0 {
			return fmt.Errorf("dialogue %s: needs two beats and roles", name)
		}
	}
	for _, a := range t.story.Arcs {
		if len(a.Titles) == 0 || len(a.Summaries) == 0 || len(a.Inciting) == 0 || len(a.Present) == 0 || len(a.Events) == 0 || len(a.Hooks) < 2 {
			return fmt.Errorf("arc %s: incomplete", a.Key)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
