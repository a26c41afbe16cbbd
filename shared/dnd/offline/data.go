package offline

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
)

//go:embed data/*.json
var dataFS embed.FS

// race is an SRD race with the offline generator's flavour.
type race struct {
	Name      string   `json:"name"`
	Aliases   []string `json:"aliases"`
	Names     string   `json:"names"` // key into the name styles
	Homelands []string `json:"homelands"`
}

type background struct {
	Key   string   `json:"key"`
	Name  string   `json:"name"`
	Items []string `json:"items"`
}

type magicItem struct {
	Name        string `json:"name"`
	Rarity      string `json:"rarity"`
	Category    string `json:"category"`
	Attunement  bool   `json:"attunement"`
	Description string `json:"description"`
}

// srdTables are the SRD names the campaign and free-form writers use:
// races (for name styles and homelands), backgrounds, magic items and
// skills. Characters take their game facts from package rules.
type srdTables struct {
	Races       []race       `json:"races"`
	Backgrounds []background `json:"backgrounds"`
	MagicItems  []magicItem  `json:"magic_items"`
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

type storyTables struct {
	Grammar grammar `json:"grammar"`
}

// characterTables hold the words of combat profiles, sheets and equipment
// lists, and the free-form riddles and scenes.
type characterTables struct {
	Grammar    grammar             `json:"grammar"`
	SpellNotes map[string]string   `json:"spell_notes"`
	SpellUses  map[string]string   `json:"spell_uses"` // what a spell of each use does, for spells without a note
	ItemLines  map[string][]string `json:"item_lines"` // lines for mundane items by name
	// SpellSituations say when a spell is cast, for spells whose use
	// alone does not (Counterspell, Lesser Restoration).
	SpellSituations map[string][]string `json:"spell_situations"`
	Freeform        struct {
		Riddles []string `json:"riddles"`
		Scene   []string `json:"scene"`
	} `json:"freeform"`
}

// classPersona is what a class adds to a character's words.
type classPersona struct {
	Traits       []string `json:"traits"`
	DarkTraits   []string `json:"dark_traits"` // how an evil character practises the class
	Ideals       []ideal  `json:"ideals"`
	Bonds        []string `json:"bonds"`
	Flaws        []string `json:"flaws"`
	Mannerisms   []string `json:"mannerisms"`
	Voice        []string `json:"voice"`
	Catchphrases []string `json:"catchphrases"`
	Mentors      []string `json:"mentors"` // who teaches the class: the mentor's role
	Looks        []string `json:"looks"`
}

// racePersona is what a race adds: its ways, and how its people look.
type racePersona struct {
	Traits     []string `json:"traits"`
	Mannerisms []string `json:"mannerisms"`
	Voice      []string `json:"voice"`
	Physique   []string `json:"physique"`
	Features   []string `json:"features"`
	Hair       []string `json:"hair"`
	Eyes       []string `json:"eyes"`
	Skin       []string `json:"skin"`
}

// tierPersona is what the level adds: how experience shows.
type tierPersona struct {
	Traits []string `json:"traits"`
	Voice  []string `json:"voice"`
	Flaws  []string `json:"flaws"`
}

type alignPersona struct {
	Traits []string `json:"traits"`
	Flaws  []string `json:"flaws"`
	Bonds  []string `json:"bonds"`
}

// trade is a former trade a prompt can give a character ("a former
// pirate"): an event of their youth and a line for their origin.
type trade struct {
	Youth  string `json:"youth"`
	Origin string `json:"origin"`
}

type lookTables struct {
	Clothes        map[string][]string `json:"clothes"` // by background key
	GenericClothes []string            `json:"generic_clothes"`
	Age            [4][]string         `json:"age"`       // by tier
	ElfAge         [4][]string         `json:"elf_age"`   // elves and half-elves age slowly
	DwarfAge       [4][]string         `json:"dwarf_age"` // and dwarves
}

type personaTables struct {
	Classes      map[string]classPersona `json:"classes"` // by SRD class name
	Races        map[string]racePersona  `json:"races"`   // by SRD race name
	GenericRace  racePersona             `json:"generic_race"`
	Tiers        [4]tierPersona          `json:"tiers"`
	Alignments   map[string]alignPersona `json:"alignments"` // good, evil, lawful, chaotic
	Looks        lookTables              `json:"looks"`
	Trades       map[string]trade        `json:"trades"`
	TradeAliases map[string]string       `json:"trade_aliases"`
}

// antagonistArchetype is a kind of villain a theme can have.
type antagonistArchetype struct {
	Title        string   `json:"title"`
	Creatures    []string `json:"creatures"` // SRD stat blocks, ascending challenge rating
	Motivations  []string `json:"motivations"`
	Descriptions []string `json:"descriptions"`
	// DescriptionFits lists, for each description in order, the stat
	// blocks it fits: "a scarred hobgoblin" is a Hobgoblin, or a Veteran
	// standing in for one, never a Bugbear. A missing or empty list fits
	// every creature.
	DescriptionFits [][]string `json:"description_fits"`
	// Nature is how the antagonist can take part in scenes: "person"
	// (talks and can be bargained with like a person), "monster" (talks,
	// but from its lair) or "beast" (does not talk). Empty means decided
	// by the stat block.
	Nature string   `json:"nature"`
	Names  []string `json:"names"` // name templates; empty means a person's name
	Race   string   `json:"race"`  // name style for a person's name; empty means human
	Kin    bool     `json:"kin"`   // could be related to the townsfolk
}

// threat is what a theme's antagonist does to the town, as a clause and
// as a short noun phrase ("the goblin raids").
type threat struct {
	Text  string `json:"text"`
	Short string `json:"short"`
}

// castRole is a role a theme fills with its own people, and the name style
// they are named in.
type castRole struct {
	Role  string `json:"role"`
	Names string `json:"names"`
}

type campaignTheme struct {
	Key         string                `json:"key"`
	Label       string                `json:"label"`
	Families    []string              `json:"families"` // creature families (encounter.ThemeHints) it answers
	Plots       []string              `json:"plots"`    // kinds of story it answers
	Terrains    []string              `json:"terrains"` // terrains it is set in when none is asked for
	MinionTags  []string              `json:"minion_tags"`
	AllyTags    []string              `json:"ally_tags"`   // stronger creatures that lead its minions
	Noun        string                `json:"noun"`        // its creatures in prose when no family is asked for
	MinionNoun  string                `json:"minion_noun"` // its rank and file in prose when they are people ("pirates")
	Threats     []threat              `json:"threats"`
	Kinds       []string              `json:"kinds"`
	TitleAdj    []string              `json:"title_adj"`
	TitleNoun   []string              `json:"title_noun"`
	Macguffins  []string              `json:"macguffins"`
	Antagonists []antagonistArchetype `json:"antagonists"`
	QuestTypes  []string              `json:"quest_types"`
	Captives    []castRole            `json:"captives"`
	Envoys      []castRole            `json:"envoys"`
	Servants    []castRole            `json:"servants"`
}

// terrain is the land a campaign is set in.
type terrain struct {
	Regions   []string `json:"regions"`
	Settings  []string `json:"settings"`
	Views     []string `json:"views"`
	Locals    []string `json:"locals"`
	Patrons   []string `json:"patrons"`
	Merchants []string `json:"merchants"`
	Kinds     []string `json:"kinds"`
	Weather   []string `json:"weather"`
}

// spot is a named part of a location where an encounter happens.
type spot struct {
	Name  string `json:"name"`
	Where string `json:"where"`
}

type locationKind struct {
	Label               string              `json:"label"`
	Terrains            []string            `json:"terrains"`     // where it can be; empty means anywhere
	Environments        []string            `json:"environments"` // monster environments found inside it
	Outdoor             bool                `json:"outdoor"`      // open to the weather and the land's hazards
	Hall                string              `json:"hall"`         // where its master receives visitors ("the command tent")
	Names               []string            `json:"names"`
	Descriptions        []string            `json:"descriptions"`
	TerrainDescriptions map[string][]string `json:"terrain_descriptions"`
	Features            []string            `json:"features"`
	Roles               []string            `json:"roles"`
	Secrets             []string            `json:"secrets"`
	Spots               []spot              `json:"spots"`
}

// actTemplate is one way to write an act of a given phase. Goal[i]
// answers Summary[i]. Needs are story facts earlier acts must have
// established; gives are the facts it establishes.
type actTemplate struct {
	Title   []string `json:"title"`
	Summary []string `json:"summary"`
	Goal    []string `json:"goal"`
	Needs   []string `json:"needs"`
	Gives   []string `json:"gives"`
}

// textItem is a template usable only when the world has every need
// (person, monster, beast, speaks, kin, horde).
type textItem struct {
	Text  string   `json:"text"`
	Needs []string `json:"needs"`
}

type questType struct {
	Givers        []string   `json:"givers"` // roles of who offers it; @ roles as in dialogues
	Titles        []string   `json:"titles"`
	Objectives    []string   `json:"objectives"`
	Steps         [][]string `json:"steps"`
	Complications []string   `json:"complications"`
}

// dialogueLine is speaker ("0", "1" or "p" for the party), text and
// direction.
type dialogueLine [3]string

// exchange is one way a stretch of conversation can go: lines that answer
// each other, usable when the world has every need.
type exchange struct {
	Needs []string       `json:"needs"`
	Lines []dialogueLine `json:"lines"`
}

type dialogueSituation struct {
	Needs    []string     `json:"needs"`
	Settings []string     `json:"settings"`
	Roles    [][]string   `json:"roles"`
	Slots    [][]exchange `json:"slots"`
}

type checkTemplate struct {
	Skill   string `json:"skill"`
	Success string `json:"success"`
	Failure string `json:"failure"`
}

type eventType struct {
	Needs        []string        `json:"needs"`
	Titles       [][]string      `json:"titles"` // Titles[i] fit Descriptions[i]
	Descriptions []string        `json:"descriptions"`
	Triggers     []string        `json:"triggers"`
	Consequences []string        `json:"consequences"`
	Checks       []checkTemplate `json:"checks"`
}

// hazardTemplate is a trap or natural hazard; its name and description
// always travel together.
type hazardTemplate struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Save        string   `json:"save"`
	DamageType  string   `json:"damage_type"`
	Kinds       []string `json:"kinds"`      // location kinds it fits
	Terrains    []string `json:"terrains"`   // terrains it fits outdoors in (a hazard of the land)
	Severities  []string `json:"severities"` // how bad it can be (a fouled well is never deadly)
}

// encounterWords name and describe fights.
type encounterWords struct {
	NameOne    []string                       `json:"name_one"`
	NameMany   []string                       `json:"name_many"`
	NameMixed  []string                       `json:"name_mixed"`
	Bands      map[string][]string            `json:"bands"`     // nature → group nouns
	Followers  map[string][]string            `json:"followers"` // nature of the leader → what its band is called
	Behaviour  map[string]map[string][]string `json:"behaviour"` // nature → "one"/"many" → verb phrases
	Twists     map[string][]string            `json:"twists"`    // nature → closing phrases
	CountWords []string                       `json:"count_words"`
}

type campaignTables struct {
	Themes        []campaignTheme              `json:"themes"`
	Terrains      map[string]terrain           `json:"terrains"`
	Kinds         map[string]locationKind      `json:"kinds"`
	KindWords     map[string][]string          `json:"kind_words"` // theme word → location kinds it asks for
	Words         grammar                      `json:"words"`
	PlotSummaries []string                     `json:"plot_summaries"`
	PlotTitles    []string                     `json:"plot_titles"`
	Acts          map[string][]actTemplate     `json:"acts"`
	ActShapes     map[string][]string          `json:"act_shapes"` // act count → phases in order
	PlotHooks     []textItem                   `json:"plot_hooks"`
	PlotTwists    []textItem                   `json:"plot_twists"`
	Quests        map[string]questType         `json:"quests"`
	Dialogues     map[string]dialogueSituation `json:"dialogues"`
	Servants      map[string][]string          `json:"servants"` // antagonist nature → roles
	Jailers       []string                     `json:"jailers"`
	Rumours       []textItem                   `json:"rumours"`
	Events        map[string]eventType         `json:"events"`
	RewardsExtra  []string                     `json:"rewards_extra"`
	Hazards       []hazardTemplate             `json:"hazards"`
	Encounter     encounterWords               `json:"encounter"`
	dialogueNames []string                     // sorted keys, for deterministic picks
	eventNames    []string
}

type lexiconData struct {
	Kind     string         `json:"kind"` // genre, tone or style
	Mood     string         `json:"mood"` // dark, light or epic (tones only)
	Words    map[string]any `json:"words"`
	Speech   map[string]any `json:"speech"`   // dialect words, only inside quoted speech: "is" → "be"
	Openers  []string       `json:"openers"`  // open any sentence
	Closers  []string       `json:"closers"`  // end a sentence, after a comma
	Epithets []string       `json:"epithets"` // adjectives for things and places
	Adverbs  []string       `json:"adverbs"`  // adverbs for verbs in the past
	Asides   []string       `json:"asides"`   // short sentences to follow a statement
	SplitAnd bool           `json:"split_and"`
}

type restyleTables struct {
	Lexicons map[string]lexiconData `json:"lexicons"`
	Aliases  map[string][]string    `json:"aliases"` // other spellings of known words
	Closest  map[string][]string    `json:"closest"` // related words and the known ones nearest them
}

// tables is every embedded data file, parsed.
type tables struct {
	srd         srdTables
	names       map[string]nameStyle
	personality personalityTables
	persona     personaTables
	story       storyTables
	lives       livesTables
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
		{"persona.json", &t.persona},
		{"story.json", &t.story},
		{"lives.json", &t.lives},
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
	for _, r := range t.srd.Races {
		if _, ok := t.names[r.Names]; !ok || len(r.Homelands) == 0 {
			return fmt.Errorf("race %s: unknown name style or no homelands", r.Name)
		}
	}
	if err := t.campaign.check(); err != nil {
		return err
	}
	if err := t.lives.check(); err != nil {
		return err
	}
	return t.persona.check()
}

func (p *personaTables) check() error {
	for name, c := range p.Classes {
		for _, l := range [][]string{c.Traits, c.Bonds, c.Flaws, c.Mannerisms, c.Voice, c.Catchphrases, c.Looks} {
			if len(l) == 0 {
				return fmt.Errorf("persona class %s: an empty list", name)
			}
		}
	}
	for name, r := range p.Races {
		for _, l := range [][]string{r.Traits, r.Mannerisms, r.Voice, r.Physique, r.Features} {
			if len(l) == 0 {
				return fmt.Errorf("persona race %s: an empty list", name)
			}
		}
	}
	for i, tr := range p.Tiers {
		if len(tr.Traits) == 0 || len(tr.Voice) == 0 || len(p.Looks.Age[i]) == 0 || len(p.Looks.ElfAge[i]) == 0 || len(p.Looks.DwarfAge[i]) == 0 {
			return fmt.Errorf("persona tier %d: an empty list", i+1)
		}
	}
	for k, v := range p.TradeAliases {
		if _, ok := p.Trades[v]; !ok {
			return fmt.Errorf("trade alias %q: unknown trade %q", k, v)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
