package offline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/provider"
)

const seedsPerType = 1000

func ptr[T any](v T) *T { return &v }

// Parameter variations cycled through by seed, including homebrew values
// the tables do not know.
var (
	classes    = []string{"", "Wizard", "fighter", "Rogue", "Cleric", "Barbarian", "Bard", "Druid", "Monk", "Paladin", "Ranger", "Sorcerer", "Warlock", "Blood Hunter"}
	races      = []string{"", "Dwarf", "high elf", "Halfling", "Human", "Dragonborn", "Gnome", "Half-Elf", "Half-Orc", "Tiefling", "Tabaxi"}
	alignments = []string{"", "lawful good", "chaotic evil", "neutral", "LE", "unaligned"}
	bgs        = []string{"", "Acolyte", "Sage", "Soldier", "Urchin", "folk hero", "Pirate Captain"}
	themes     = []dnd.Theme{{}, {Genre: "sci-fi"}, {Tone: "dark"}, {Genre: "pirate", Tone: "lighthearted", Style: "terse"}, {Genre: "noir", Style: "formal"}, {Genre: "whatever-punk"}}
	campThemes = []string{"", "undead uprising", "a heist in the capital", "pirates and sea monsters", "something homebrew", "war"}
	durations  = []string{"", "one-shot", "3 sessions", "long campaign", "short"}
	texts      = []string{
		"Sir Aldric rode 3 days to reach Castle Vey. The old wizard waited by the gate with a sword.",
		"The tavern was loud. Mira paid 30 gold for a map of the caves, and a very small lantern.",
		"Very well. The dragon slept beneath the mountain, dreaming of the 7 kings it had eaten.",
		"  \"Run!\" shouted Tam. The goblins and the wolves chased them through the dark forest.",
	}
	prompts = []string{"Name five dwarves", "Describe a tavern", "A quest hook for level 5", "Some loot for level 12", "A deadly encounter", "A spooky village", "a riddle", "The backstory of an elf wizard", "a sinister npc", "hello there"}
)

func characterReq(typ string, seed int) dnd.CharacterRequest {
	return dnd.CharacterRequest{
		Type: typ,
		Parameters: dnd.CharacterParams{
			CharacterClass: classes[seed%len(classes)],
			CharacterRace:  races[seed/3%len(races)],
			CharacterLevel: optional(seed % 21),
			Alignment:      alignments[seed/7%len(alignments)],
			Background:     bgs[seed/11%len(bgs)],
		},
		Theme: themes[seed/13%len(themes)],
		Seed:  ptr(int64(seed)),
	}
}

func campaignReq(typ string, seed int) dnd.CampaignRequest {
	return dnd.CampaignRequest{
		Type: typ,
		Parameters: dnd.CampaignParams{
			CampaignTheme: campThemes[seed%len(campThemes)],
			PartyLevel:    optional(seed % 21),
			PartySize:     optional(seed % 11),
			Duration:      durations[seed/5%len(durations)],
		},
		Theme: themes[seed/7%len(themes)],
		Seed:  ptr(int64(seed)),
	}
}

func themeReq(seed int) dnd.ThemeRequest {
	th := themes[1+seed%(len(themes)-1)]
	return dnd.ThemeRequest{
		Content:    texts[seed%len(texts)],
		Theme:      th,
		Parameters: dnd.ThemeParams{Strength: ptr(float64(seed%11) / 10), PreserveKeyElements: ptr(seed%3 != 0)},
		Seed:       ptr(int64(seed)),
	}
}

func freeformReq(seed int) dnd.FreeformRequest {
	return dnd.FreeformRequest{Prompt: prompts[seed%len(prompts)], Context: campThemes[seed/3%len(campThemes)], Seed: ptr(int64(seed))}
}

// generate runs one request of kind/typ for seed.
func generate(t testing.TB, g *Generator, kind, typ string, seed int) Output {
	t.Helper()
	ctx := context.Background()
	var out Output
	var err error
	switch kind {
	case dnd.KindCharacter:
		out, err = g.Character(ctx, characterReq(typ, seed))
	case dnd.KindCampaign:
		out, err = g.Campaign(ctx, campaignReq(typ, seed))
	case dnd.KindTheme:
		out, err = g.Theme(ctx, themeReq(seed))
	case dnd.KindFreeform:
		out, err = g.Freeform(ctx, freeformReq(seed))
	}
	if err != nil {
		t.Fatalf("%s/%s seed %d: %v", kind, typ, seed, err)
	}
	return out
}

func allTypes() [][2]string {
	var out [][2]string
	for _, k := range []string{dnd.KindCharacter, dnd.KindCampaign, dnd.KindTheme, dnd.KindFreeform} {
		for _, typ := range dnd.Types(k) {
			out = append(out, [2]string{k, typ})
		}
	}
	return out
}

func TestEveryOutputValidates(t *testing.T) {
	t.Parallel()
	g := New()
	for _, kt := range allTypes() {
		t.Run(kt[0]+"/"+kt[1], func(t *testing.T) {
			t.Parallel()
			for seed := range seedsPerType {
				out := generate(t, g, kt[0], kt[1], seed)
				if err := dnd.ValidateContent(kt[0], kt[1], out.Content); err != nil {
					t.Fatalf("seed %d: ValidateContent = %v\n%s", seed, err, out.Content)
				}
				if out.Seed != int64(seed) {
					t.Fatalf("seed %d: Output.Seed = %d", seed, out.Seed)
				}
				if kt[0] != dnd.KindTheme && bytes.ContainsAny(out.Content, "{}[]") && hasTemplateLeak(out.Content) {
					t.Fatalf("seed %d: template syntax leaked into content:\n%s", seed, out.Content)
				}
			}
		})
	}
}

// hasTemplateLeak reports a {symbol} left in any string of the document.
func hasTemplateLeak(doc []byte) bool {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return true
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case string:
			return strings.ContainsAny(v, "{}")
		case []any:
			for _, e := range v {
				if walk(e) {
					return true
				}
			}
		case map[string]any:
			for _, e := range v {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	a, b := New(), New()
	for _, kt := range allTypes() {
		for _, seed := range []int{0, 1, 42, 977} {
			x, y := generate(t, a, kt[0], kt[1], seed), generate(t, b, kt[0], kt[1], seed)
			if !bytes.Equal(x.Content, y.Content) {
				t.Errorf("%s/%s seed %d differs between runs:\n%s\n%s", kt[0], kt[1], seed, x.Content, y.Content)
			}
		}
	}
}

func TestSeedsVaryContent(t *testing.T) {
	t.Parallel()
	g := New()
	for _, kt := range allTypes() {
		seen := map[string]bool{}
		for seed := range 20 {
			seen[string(generate(t, g, kt[0], kt[1], seed*len(texts)*len(prompts)).Content)] = true
		}
		if len(seen) < 10 {
			t.Errorf("%s/%s: only %d distinct documents from 20 seeds", kt[0], kt[1], len(seen))
		}
	}
}

func TestUnseededReturnsReproducibleSeed(t *testing.T) {
	t.Parallel()
	g := New()
	ctx := context.Background()
	req := dnd.CharacterRequest{Type: dnd.TypeBackstory}
	first, err := g.Character(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	req.Seed = &first.Seed
	again, err := g.Character(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Content, again.Content) {
		t.Errorf("re-running with Output.Seed %d gave different content", first.Seed)
	}
	fixed := &Generator{t: g.t, newSeed: func() int64 { return 12345 }}
	out, err := fixed.Campaign(ctx, dnd.CampaignRequest{Type: dnd.TypeQuest})
	if err != nil || out.Seed != 12345 {
		t.Errorf("Campaign() seed = %d, %v; want the drawn seed 12345", out.Seed, err)
	}
}

func TestCharacterRespectsParameters(t *testing.T) {
	t.Parallel()
	g := New()
	tests := []struct {
		params dnd.CharacterParams
		want   dnd.CharacterInfo // Name and Pronouns are ignored
	}{
		{dnd.CharacterParams{CharacterClass: "Wizard", CharacterRace: "High Elf", CharacterLevel: dnd.Int(7), Alignment: "NG", Background: "Sage"},
			dnd.CharacterInfo{Race: "Elf", Subrace: "High Elf", Class: "Wizard", Subclass: "Evocation", Level: 7, Alignment: "neutral good", Background: "Sage"}},
		{dnd.CharacterParams{CharacterClass: "Blood Hunter", CharacterRace: "Tabaxi", CharacterLevel: dnd.Int(20), Alignment: "chaotic evil", Background: "Pirate Captain"},
			dnd.CharacterInfo{Race: "Tabaxi", Subrace: "", Class: "Blood Hunter", Subclass: "Champion", Level: 20, Alignment: "chaotic evil", Background: "Pirate Captain"}},
		{dnd.CharacterParams{CharacterClass: "monk", CharacterRace: "dwarf", CharacterLevel: dnd.Int(1), Alignment: "lawful-good", Background: "hermit"},
			dnd.CharacterInfo{Race: "Dwarf", Subrace: "Hill Dwarf", Class: "Monk", Level: 1, Alignment: "lawful good", Background: "Hermit"}},
	}
	for _, tc := range tests {
		for _, typ := range dnd.Types(dnd.KindCharacter) {
			out, err := g.Character(context.Background(), dnd.CharacterRequest{Type: typ, Parameters: tc.params, Seed: ptr(int64(3))})
			if err != nil {
				t.Fatalf("Character(%+v) error: %v", tc.params, err)
			}
			got := identityOf(t, typ, out.Content)
			got.Name, got.Pronouns = "", ""
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Character(%s, %+v) character mismatch (-want +got):\n%s", typ, tc.params, diff)
			}
		}
	}
}

// identityOf reads who a character document is about: a sheet's top
// fields, or the character field of the other types.
func identityOf(t testing.TB, typ string, content []byte) dnd.CharacterInfo {
	t.Helper()
	if typ == dnd.TypeSheet {
		var s dnd.Sheet
		if err := json.Unmarshal(content, &s); err != nil {
			t.Fatal(err)
		}
		return s.Identity()
	}
	var doc struct{ Character dnd.CharacterInfo }
	if err := json.Unmarshal(content, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Character
}

func TestSameCharacterAcrossTypes(t *testing.T) {
	t.Parallel()
	g := New()
	ctx := context.Background()
	var infos []dnd.CharacterInfo
	for _, typ := range dnd.Types(dnd.KindCharacter) {
		out, err := g.Character(ctx, dnd.CharacterRequest{Type: typ, Prompt: "A grumpy old sailor.", Seed: ptr(int64(99))})
		if err != nil {
			t.Fatal(err)
		}
		infos = append(infos, identityOf(t, typ, out.Content))
	}
	for _, info := range infos[1:] {
		if diff := cmp.Diff(infos[0], info); diff != "" {
			t.Errorf("character differs between types (-first +other):\n%s", diff)
		}
	}
	if infos[0].Background != "Sailor" {
		t.Errorf("background = %q, want Sailor from the prompt", infos[0].Background)
	}
}

func TestCampaignRespectsParameters(t *testing.T) {
	t.Parallel()
	g := New()
	ctx := context.Background()
	for _, tc := range []struct {
		params dnd.CampaignParams
		acts   [2]int
	}{
		{dnd.CampaignParams{CampaignTheme: "the restless dead of Harrowmere", PartyLevel: dnd.Int(3), PartySize: dnd.Int(4), Duration: "one-shot"}, [2]int{1, 1}},
		{dnd.CampaignParams{CampaignTheme: "pirates", PartyLevel: dnd.Int(17), PartySize: dnd.Int(7), Duration: "long campaign"}, [2]int{6, 6}},
		{dnd.CampaignParams{CampaignTheme: "clockwork bees", PartyLevel: dnd.Int(1), PartySize: dnd.Int(1), Duration: "3 sessions"}, [2]int{3, 3}},
	} {
		out, err := g.Campaign(ctx, dnd.CampaignRequest{Type: dnd.TypePlot, Parameters: tc.params, Seed: ptr(int64(5))})
		if err != nil {
			t.Fatal(err)
		}
		var p dnd.Plot
		if err := json.Unmarshal(out.Content, &p); err != nil {
			t.Fatal(err)
		}
		if p.PartyLevel != dnd.Value(tc.params.PartyLevel) || p.PartySize != dnd.Value(tc.params.PartySize) {
			t.Errorf("plot party = level %d size %d, want %d/%d", p.PartyLevel, p.PartySize, dnd.Value(tc.params.PartyLevel), dnd.Value(tc.params.PartySize))
		}
		if !strings.Contains(p.Summary, tc.params.CampaignTheme) {
			t.Errorf("plot summary %q does not mention the campaign theme %q", p.Summary, tc.params.CampaignTheme)
		}
		if n := len(p.Acts); n < tc.acts[0] || n > tc.acts[1] {
			t.Errorf("duration %q gave %d acts, want %d-%d", tc.params.Duration, n, tc.acts[0], tc.acts[1])
		}

		out, err = g.Campaign(ctx, dnd.CampaignRequest{Type: dnd.TypeQuest, Parameters: tc.params, Seed: ptr(int64(5))})
		if err != nil {
			t.Fatal(err)
		}
		var q dnd.Quest
		if err := json.Unmarshal(out.Content, &q); err != nil {
			t.Fatal(err)
		}
		if q.RecommendedLevel != dnd.Value(tc.params.PartyLevel) {
			t.Errorf("quest level = %d, want %d", q.RecommendedLevel, dnd.Value(tc.params.PartyLevel))
		}
	}
}

func TestThemeChangesCharacterProse(t *testing.T) {
	t.Parallel()
	g := New()
	ctx := context.Background()
	base := dnd.CharacterRequest{Type: dnd.TypeCombat, Parameters: dnd.CharacterParams{CharacterClass: "Fighter", CharacterLevel: dnd.Int(5)}, Seed: ptr(int64(8))}
	plain, err := g.Character(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	themed := base
	themed.Theme = dnd.Theme{Genre: "sci-fi", Tone: "epic"}
	styled, err := g.Character(ctx, themed)
	if err != nil {
		t.Fatal(err)
	}
	var a, b dnd.Combat
	_ = json.Unmarshal(plain.Content, &a)
	_ = json.Unmarshal(styled.Content, &b)
	if a.Tactics == b.Tactics {
		t.Errorf("sci-fi/epic theme left the tactics unchanged: %q", a.Tactics)
	}
	if a.Character != b.Character || a.AbilityScores != b.AbilityScores || a.ArmorClass != b.ArmorClass {
		t.Errorf("theme changed game facts: %+v vs %+v", a.Character, b.Character)
	}
}

func TestRequestErrors(t *testing.T) {
	t.Parallel()
	g := New()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		call func(ctx context.Context) error
		ctx  context.Context
		kind provider.Kind
		msg  string
	}{
		{"bad character type", func(ctx context.Context) error {
			_, err := g.Character(ctx, dnd.CharacterRequest{Type: "dance"})
			return err
		}, context.Background(), provider.BadRequest, "type must be one of"},
		{"bad campaign level", func(ctx context.Context) error {
			_, err := g.Campaign(ctx, dnd.CampaignRequest{Type: "plot", Parameters: dnd.CampaignParams{PartyLevel: dnd.Int(40)}})
			return err
		}, context.Background(), provider.BadRequest, "parameters.party_level must be between 1 and 20"},
		{"theme without genre", func(ctx context.Context) error {
			_, err := g.Theme(ctx, dnd.ThemeRequest{Content: "x"})
			return err
		}, context.Background(), provider.BadRequest, "theme must name a genre or a tone"},
		{"empty prompt", func(ctx context.Context) error {
			_, err := g.Freeform(ctx, dnd.FreeformRequest{})
			return err
		}, context.Background(), provider.BadRequest, "prompt is required"},
		{"canceled", func(ctx context.Context) error {
			_, err := g.Character(ctx, dnd.CharacterRequest{Type: "combat"})
			return err
		}, canceled, provider.Canceled, "cancelled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.call(tc.ctx)
			pe, ok := provider.As(err)
			if !ok || pe.Kind != tc.kind || pe.Provider != ProviderName || !strings.Contains(pe.Message, tc.msg) {
				t.Errorf("error = %v, want offline %v containing %q", err, tc.kind, tc.msg)
			}
			if tc.kind == provider.Canceled && !errors.Is(err, context.Canceled) {
				t.Errorf("errors.Is(%v, context.Canceled) = false", err)
			}
		})
	}
}

func TestFreeformFollowsKeywords(t *testing.T) {
	t.Parallel()
	g := New()
	tests := []struct {
		prompt string
		want   []string
	}{
		{"Give me some dwarf names", []string{"Names:", "(Dwarf)"}},
		{"Name a few taverns", []string{"Tavern names:"}},
		{"Three riddles please", []string{"Riddles for the table:"}},
		{"A quest for my level 5 party", []string{"Steps:", "Rewards:", "Recommended level: 5."}},
		{"treasure for level 18", []string{"Treasure:"}},
		{"a deadly encounter", []string{"(deadly,", "Creatures:"}},
	}
	for _, tc := range tests {
		out, err := g.Freeform(context.Background(), dnd.FreeformRequest{Prompt: tc.prompt, Seed: ptr(int64(1))})
		if err != nil {
			t.Fatal(err)
		}
		var f dnd.FreeformText
		_ = json.Unmarshal(out.Content, &f)
		for _, w := range tc.want {
			if !strings.Contains(f.Text, w) {
				t.Errorf("Freeform(%q) = %q, want it to contain %q", tc.prompt, f.Text, w)
			}
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	g := New()
	want := generate(t, g, dnd.KindCampaign, dnd.TypeLocation, 7).Content
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			out, err := g.Campaign(context.Background(), campaignReq(dnd.TypeLocation, 7))
			if err == nil && !bytes.Equal(out.Content, want) {
				err = fmt.Errorf("concurrent result differs")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	g := New()
	for _, kt := range allTypes() {
		b.Run(kt[0]+"/"+kt[1], func(b *testing.B) {
			seed := 0
			for b.Loop() {
				generate(b, g, kt[0], kt[1], seed)
				seed++
			}
		})
	}
}

// TestGenerateAnyRequest checks that Generate serves every text kind, by
// value and by pointer, with the same document as the kind's own method.
func TestGenerateAnyRequest(t *testing.T) {
	t.Parallel()
	g := New()
	samples := map[string]dnd.TextRequest{
		dnd.KindCharacter: characterReq(dnd.TypeBackstory, 42),
		dnd.KindCampaign:  campaignReq(dnd.TypePlot, 42),
		dnd.KindTheme:     themeReq(42),
		dnd.KindFreeform:  freeformReq(42),
	}
	for _, kind := range dnd.TextKinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			req, ok := samples[kind]
			if !ok {
				t.Fatalf("no sample request of kind %s", kind)
			}
			want := generate(t, g, kind, req.ContentType(), 42)
			byPointer := reflect.New(reflect.TypeOf(req))
			byPointer.Elem().Set(reflect.ValueOf(req))
			for _, r := range []dnd.TextRequest{req, byPointer.Interface().(dnd.TextRequest)} {
				got, err := g.Generate(context.Background(), r)
				if err != nil {
					t.Fatalf("Generate(%T) error: %v", r, err)
				}
				if !bytes.Equal(got.Content, want.Content) || got.Seed != want.Seed {
					t.Errorf("Generate(%T) = %s (seed %d), want %s (seed %d)", r, got.Content, got.Seed, want.Content, want.Seed)
				}
			}
		})
	}
}

// optional is n as an optional request number: 0 leaves it out.
func optional(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// cancelsAfter is a context that is live for its first n Err calls and
// canceled from then on: a cancel that arrives while the work runs,
// without timing.
type cancelsAfter struct {
	context.Context
	mu    sync.Mutex
	n     int
	calls int
}

func (c *cancelsAfter) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.calls > c.n {
		return context.Canceled
	}
	return nil
}

// TestCanceledWhileGenerating cancels after the check that starts the
// work: the generator must stop at a later checkpoint, never answer.
func TestCanceledWhileGenerating(t *testing.T) {
	t.Parallel()
	g := New()
	seed := ptr(int64(7))
	for _, req := range []dnd.TextRequest{
		dnd.CharacterRequest{Type: "equipment", Seed: seed},
		dnd.CampaignRequest{Type: "plot", Seed: seed},
		dnd.ThemeRequest{Content: "Sir Aldric rode to the keep.", Theme: dnd.Theme{Genre: "noir"}, Seed: seed},
		dnd.FreeformRequest{Prompt: "a tavern", Seed: seed},
	} {
		t.Run(req.Kind(), func(t *testing.T) {
			t.Parallel()
			ctx := &cancelsAfter{Context: context.Background(), n: 1}
			out, err := g.Generate(ctx, req)
			pe, ok := provider.As(err)
			if !ok || pe.Kind != provider.Canceled || !errors.Is(err, context.Canceled) {
				t.Errorf("Generate(canceled after the first check) = %.80s, %v, want a canceled provider error", out.Content, err)
			}
		})
	}
}
