package offline

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// templateVars are the variables the generator binds before expanding
// templates; every other {name} must be a grammar symbol.
var templateVars = []string{
	// character
	"they", "them", "their", "themself", "They", "Their", "s", "es", "are", "were", "have", "does", "tries", "carries",
	"first", "name", "race", "race_lc", "race_a", "class", "class_lc", "class_a", "subclass", "background", "background_a",
	"level", "alignment", "homeland", "mentor", "rival", "hometown", "mentor_role", "deity", "org", "lost_thing", "villain",
	"ancestry", "bloodline", "patron", "hair", "eyes", "skin", "trade", "trade_a", "attack", "attack_lc", "range", "long",
	"item", "item_lc", "move", "feature", "spell", "spell_level", "spell_situation", "escape", "far", "melee", "times",
	"save", "save_bonus", "ac", "hp", "near", "years", "breath_wisp", "dragon_eyes", "lost_kin",
	// campaign
	"antagonist", "antagonist_short", "antagonist_call", "antagonist_title", "antagonist_desc", "ally", "campaign_theme",
	"party_desc", "first_name", "family", "minions", "minions_cap", "creatures", "creatures_cap",
	"creatures_title", "creature", "creature_lc", "town", "place", "tavern", "macguffin", "macguffin_cap",
	"motivation", "motivation_cap", "threat", "threat_cap", "threat_short", "rumour", "rumour_cap",
	"reward", "region", "setting", "title_adj", "title_noun", "monster_lc", "giver", "macguffin_short",
	"captive", "npc0", "npc1", "npc0_first", "npc1_first", "price", "price_low", "weather",
	"omen_sight", "omen_sight_cap", "omen_event", "disaster", "disaster_cap",
	"Monster", "Monsters", "Spot", "Band", "Followers", "place_name", "allies_line", "motivation_first", "hall", "hall_cap",
	"craft", "craft_a", "weapon",
}

var refRE = regexp.MustCompile(`\{([^{}]*)\}`)

func TestDataTemplatesResolve(t *testing.T) {
	t.Parallel()
	tb, err := loadTables()
	if err != nil {
		t.Fatalf("loadTables: %v", err)
	}
	files, err := dataFS.ReadDir("data")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".json") || f.Name() == "restyle.json" {
			continue
		}
		b, _ := dataFS.ReadFile("data/" + f.Name())
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		eachString(v, func(s string) {
			if strings.Count(s, "{") != strings.Count(s, "}") {
				t.Errorf("%s: unbalanced braces in %q", f.Name(), s)
			}
			for _, m := range refRE.FindAllStringSubmatch(s, -1) {
				checked++
				name, mod, _ := strings.Cut(m[1], ".")
				if mod != "" && mod != "cap" && mod != "a" && mod != "lc" {
					t.Errorf("%s: unknown modifier in {%s}", f.Name(), m[1])
				}
				if _, ok := tb.grammar[name]; !ok && !slices.Contains(templateVars, name) {
					t.Errorf("%s: {%s} is neither a grammar symbol nor a bound variable (in %q)", f.Name(), name, s)
				}
			}
		})
	}
	if checked < 500 {
		t.Errorf("checked only %d references; is the walk broken?", checked)
	}
	for k := range tb.grammar {
		if base, _, ok := strings.Cut(k, "@"); ok {
			if _, exists := tb.grammar[base]; !exists {
				t.Errorf("mood variant %q has no base symbol", k)
			}
		}
	}
}

func eachString(v any, fn func(string)) {
	switch v := v.(type) {
	case string:
		fn(v)
	case []any:
		for _, e := range v {
			eachString(e, fn)
		}
	case map[string]any:
		for _, e := range v {
			eachString(e, fn)
		}
	}
}

func TestEveryGrammarSymbolExpands(t *testing.T) {
	t.Parallel()
	tb, _ := loadTables()
	for _, mood := range []string{"", "dark", "light", "epic"} {
		e := newExpander(tb.grammar, rand.New(rand.NewPCG(1, 1)), mood)
		for _, v := range templateVars {
			e.set(v, "X")
		}
		for _, sym := range sortedKeys(tb.grammar) {
			for i := range tb.grammar[sym] {
				if _, err := e.expand(tb.grammar[sym][i]); err != nil {
					t.Errorf("symbol %s[%d] (mood %q): %v", sym, i, mood, err)
				}
			}
		}
	}
}

func TestSRDTablesMakeSense(t *testing.T) {
	t.Parallel()
	tb, _ := loadTables()
	rarities := []string{"common", "uncommon", "rare", "very rare", "legendary", "artifact"}
	for _, m := range tb.srd.MagicItems {
		if !slices.Contains(rarities, m.Rarity) || m.Description == "" {
			t.Errorf("magic item %+v: bad rarity or no description", m)
		}
	}
	for _, ideals := range tb.personality.Backgrounds {
		for _, i := range ideals.Ideals {
			if !slices.Contains([]string{"lawful", "chaotic", "good", "evil", "neutral", "any"}, i.Tag) {
				t.Errorf("ideal %q has tag %q", i.Text, i.Tag)
			}
		}
	}
	for _, th := range tb.campaign.Themes {
		for _, ev := range tb.campaign.Events {
			for _, c := range ev.Checks {
				if !slices.Contains(tb.srd.Skills, c.Skill) {
					t.Errorf("theme %s: check skill %q is not an SRD skill", th.Key, c.Skill)
				}
			}
		}
	}
}

func TestNamesLookRight(t *testing.T) {
	t.Parallel()
	tb, _ := loadTables()
	r := rand.New(rand.NewPCG(5, 5))
	for _, race := range tb.srd.Races {
		for range 200 {
			first, full := tb.personName(r, race.Names)
			if first == "" || !strings.Contains(full, first) || strings.ContainsAny(full, "{}") {
				t.Fatalf("%s name %q / %q", race.Name, first, full)
			}
			for _, w := range strings.Fields(full) {
				if w[:1] != strings.ToUpper(w[:1]) || strings.ToLower(w[1:]) != w[1:] {
					t.Fatalf("%s name %q is not capitalised like a name", race.Name, full)
				}
			}
		}
	}
}

func FuzzTheme(f *testing.F) {
	f.Add("Sir Aldric rode 3 days to reach Castle Vey.", "sci-fi", "dark", uint8(80), true)
	f.Add("Very very very.", "pirate", "", uint8(100), false)
	f.Add("A an a. I'm 1st! ’tis", "noir", "whimsical", uint8(50), true)
	g := New()
	f.Fuzz(func(t *testing.T, content, genre, tone string, strength uint8, preserve bool) {
		req := dnd.ThemeRequest{
			Content: content, Theme: dnd.Theme{Genre: genre, Tone: tone},
			Parameters: dnd.ThemeParams{Strength: ptr(float64(strength%101) / 100), PreserveKeyElements: ptr(preserve)},
			Seed:       ptr(int64(strength)),
		}
		if len(req.Valid(context.Background())) > 0 {
			return
		}
		out, err := g.Theme(context.Background(), req)
		if err != nil {
			t.Fatalf("Theme(%q) error: %v", content, err)
		}
		var res dnd.ThemeResult
		if err := json.Unmarshal(out.Content, &res); err != nil {
			t.Fatal(err)
		}
		for _, n := range digitsRE.FindAllString(res.OriginalContent, -1) {
			if !strings.Contains(res.Content, n) {
				t.Fatalf("number %q lost: %q → %q", n, res.OriginalContent, res.Content)
			}
		}
	})
}
