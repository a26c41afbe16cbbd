package offline

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

// dmThemes are campaign themes a game master wrote, in their own words.
var dmThemes = []string{
	"a haunted lighthouse where smugglers vanish", "giants raiding the hill farms after a storm",
	"a tournament at the duke's castle goes wrong", "a haunted forest where the trees walk",
	"githyanki raiders on red dragons over the astral sea", "a frontier town beset by goblins",
	"a hag coven stealing children from a marsh village", "undead in a drowned city",
	"a vampire lord ruling a misty valley", "devils bargaining in a city", "a beholder's lair under a merchant city",
}

// TestThemeWarningsNameContentWords checks the campaign_theme warnings of
// many worlds: an ignored word is never a function word ("where",
// "after", "goes", "wrong"), and the githyanki, who are humanoids, are not
// stood in by aberrations.
func TestThemeWarningsNameContentWords(t *testing.T) {
	t.Parallel()
	g := New()
	for seed := range 200 {
		theme := dmThemes[seed%len(dmThemes)]
		c, _ := world(t, g, theme, seed)
		for _, w := range c.warnings {
			if strings.Contains(w, "aberrations stand in") && strings.Contains(w, "githyanki") {
				t.Fatalf("seed %d %q: %q: githyanki are humanoids", seed, theme, w)
			}
			if !strings.Contains(w, "ignored") {
				continue
			}
			for _, q := range strings.Split(w, `"`)[1:] {
				if isFunctionWord(q) {
					t.Fatalf("seed %d %q: warning %q names the function word %q", seed, theme, w, q)
				}
			}
		}
	}
	for _, m := range encounter.Monsters() {
		if m.HasTag(encounter.FamilyTags(encounter.ThemeHints("githyanki").Families[0])...) && m.Type != "humanoid" {
			t.Errorf("githyanki stand-in %s is a %s, want humanoids", m.Name, m.Type)
		}
	}
}

// docStrings lists every string of a document.
func docStrings(t testing.TB, doc any) []string {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return stringsOf(v)
}

// campaignTypes are the five campaign document types.
var campaignTypes = []string{dnd.TypePlot, dnd.TypeLocation, dnd.TypeQuest, dnd.TypeDialogue, dnd.TypeEvent}

// TestNamesFitTheSetting checks 1,000 worlds: no name is crude or a
// modern English name ("Merkin", "Stanley Hall", "Fort Haley"), and no
// villain or priest has a comic name ("Fondle Whistlecap").
func TestNamesFitTheSetting(t *testing.T) {
	t.Parallel()
	g := New()
	unfit, comic := 0, 0
	for seed := range campaignSeeds {
		theme := reviewThemes[seed%len(reviewThemes)]
		_, docs := world(t, g, theme, seed, campaignTypes...)
		for typ, doc := range docs {
			for _, s := range docStrings(t, doc) {
				for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
					if unicode.IsUpper([]rune(w)[0]) && unfitName(w) {
						unfit++
						t.Logf("seed %d %s: %q in %q", seed, typ, w, s)
					}
				}
			}
		}
		plot := docs[dnd.TypePlot].(*dnd.Plot)
		people := []dnd.NPC{{Name: plot.Antagonist.Name, Role: "villain"}}
		people = append(people, docs[dnd.TypeDialogue].(*dnd.Dialogue).Participants...)
		for _, p := range people {
			if (p.Role == "villain" || seriousRole(p.Role)) && !strings.HasPrefix(p.Name, "the ") && slices.ContainsFunc(strings.Fields(p.Name), comicName) {
				comic++
				t.Logf("seed %d: the %s is called %q", seed, p.Role, p.Name)
			}
		}
	}
	if unfit+comic > 0 {
		t.Errorf("%d unfit names and %d comic names of villains and priests in %d worlds, want 0", unfit, comic, campaignSeeds)
	}
}

// TestEventsVary checks the events of 1,000 worlds, in runs of 25 as a
// game master reads them: no title comes twice in a run, and a run draws
// on more than 5 kinds of event.
func TestEventsVary(t *testing.T) {
	t.Parallel()
	g := New()
	const run = 25
	repeats := 0
	for start := 0; start < campaignSeeds; start += run {
		titles := map[string]int{}
		kinds := map[string]bool{}
		for seed := start; seed < start+run; seed++ {
			theme := dmThemes[seed%len(dmThemes)]
			ev := worldDocs(t, g, theme, seed, dnd.TypeEvent)[dnd.TypeEvent].(*dnd.Event)
			if titles[ev.Title]++; titles[ev.Title] > 1 {
				repeats++
				t.Logf("seeds %d-%d: event title %q again", start, start+run-1, ev.Title)
			}
			kinds[eventKind(g, ev)] = true
		}
		if len(kinds) <= 5 {
			t.Errorf("seeds %d-%d: %d kinds of event, want more than 5", start, start+run-1, len(kinds))
		}
	}
	if repeats > 0 {
		t.Errorf("%d event titles repeat within a run of %d worlds, want 0", repeats, run)
	}
}

// eventKind names the event type one of whose consequences the event
// drew.
func eventKind(g *Generator, ev *dnd.Event) string {
	for _, name := range g.t.campaign.eventNames {
		for _, tmpl := range g.t.campaign.Events[name].Consequences {
			re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(regexp.QuoteMeta(tmpl), ".+") + "$")
			if re.MatchString(ev.Consequences[0]) {
				return name
			}
		}
	}
	return ""
}

// templateMatcher tells which of a list of templates wrote a text: each
// {placeholder} matches any words.
type templateMatcher []*regexp.Regexp

func newTemplateMatcher(templates []string) templateMatcher {
	var m templateMatcher
	for _, tmpl := range templates {
		body := regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(regexp.QuoteMeta(tmpl), ".+")
		m = append(m, regexp.MustCompile("(?i)^"+body+"$"))
	}
	return m
}

// of returns the index of the template that wrote s, or -1.
func (m templateMatcher) of(s string) int {
	for i, re := range m {
		if re.MatchString(s) {
			return i
		}
	}
	return -1
}

// maxStockRepeats is how often one hook, twist, act title or act summary
// may come back in a run of 25 plots. Drawn at random from a list, a
// phrase can come back; an act summary more often, as most plots have
// a rising act and a climax.
var maxStockRepeats = map[string]int{"hook": 6, "twist": 6, "act title": 8, "act summary": 10}

// TestPlotsVary checks 1,000 plots in runs of 25, as a game master reads
// them: no hook, twist, act title or act summary comes back more than
// maxStockRepeats allows in a run ("has stopped answering letters" came 9
// times in 25, the act "Dangerous Roads" 9 times).
func TestPlotsVary(t *testing.T) {
	t.Parallel()
	g := New()
	var hooks, twists, titles, summaries []string
	for _, h := range g.t.campaign.PlotHooks {
		hooks = append(hooks, h.Text)
	}
	for _, h := range g.t.campaign.PlotTwists {
		twists = append(twists, h.Text)
	}
	for _, phase := range sortedKeys(g.t.campaign.Acts) {
		for _, a := range g.t.campaign.Acts[phase] {
			for _, title := range a.Title {
				if !strings.Contains(title, "{") {
					titles = append(titles, title) // one with a name varies by world
				}
			}
			summaries = append(summaries, a.Summary...)
		}
	}
	lists := map[string]templateMatcher{"hook": newTemplateMatcher(hooks), "twist": newTemplateMatcher(twists),
		"act title": newTemplateMatcher(titles), "act summary": newTemplateMatcher(summaries)}
	const run = 25
	worst := map[string]int{}
	sumWorst := map[string]int{}
	over := 0
	for start := 0; start < campaignSeeds; start += run {
		counts := map[string]int{}
		for seed := start; seed < start+run; seed++ {
			theme := dmThemes[seed%len(dmThemes)]
			req := variedReq(dnd.TypePlot, theme, seed)
			req.Parameters.Duration = []string{"a one-shot", "two sessions", "three sessions", "a short arc", "five sessions", "a long campaign"}[seed%6]
			req.Normalize()
			doc, _, err := g.newCampaign(int64(seed), req).content(dnd.TypePlot)
			if err != nil {
				t.Fatal(err)
			}
			p := doc.(*dnd.Plot)
			texts := map[string][]string{"hook": p.Hooks, "twist": p.Twists}
			for _, a := range p.Acts {
				texts["act title"] = append(texts["act title"], a.Title)
				texts["act summary"] = append(texts["act summary"], strings.Split(a.Summary, " Set piece:")[0])
			}
			for kind, ts := range texts {
				for _, s := range ts {
					if i := lists[kind].of(s); i >= 0 {
						counts[kind+"/"+lists[kind][i].String()]++
					}
				}
			}
		}
		runWorst := map[string]int{}
		for k, n := range counts {
			kind, _, _ := strings.Cut(k, "/")
			worst[kind] = max(worst[kind], n)
			runWorst[kind] = max(runWorst[kind], n)
			if n > maxStockRepeats[kind] {
				over++
				t.Logf("seeds %d-%d: %s %d times: %s", start, start+run-1, kind, n, k)
			}
		}
		for kind, n := range runWorst {
			sumWorst[kind] += n
		}
	}
	t.Logf("most repeats of one phrase in a run of %d plots: %v; summed over the %d runs: %v", run, worst, campaignSeeds/run, sumWorst)
	if over > 0 {
		t.Errorf("%d phrases came back more often than %v in a run of %d plots, want 0", over, maxStockRepeats, run)
	}
}

// TestPeopleFitTheirRoles checks the people of 1,000 worlds' locations,
// quests and dialogues: one whose role names a creature ("imp secretary",
// "captured goblin scout", "satyr piper", "familiar") is not described as
// a person ("a bald youth with tattooed forearms", "an elegant old-timer
// who quotes scripture"), and a person's looks do not contradict the role
// ("grieving parent": "a cheerful youth"; "retired adventurer": "youth").
func TestPeopleFitTheirRoles(t *testing.T) {
	t.Parallel()
	g := New()
	tb, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	var human []string // the words of a person's looks and manners
	for _, sym := range []string{"npc_age", "npc_manner"} {
		human = append(human, tb.grammar[sym]...)
	}
	var creature []string
	for _, m := range encounter.Monsters() {
		if m.Type != "humanoid" || slices.Contains([]string{"Goblin", "Hobgoblin", "Bugbear", "Kobold", "Orc", "Gnoll"}, m.Name) {
			creature = append(creature, regexp.QuoteMeta(strings.ToLower(m.Name)))
		}
	}
	creatureRole := regexp.MustCompile(`\b(` + strings.Join(creature, "|") + `|familiar)s?\b`)
	tradeRole := regexp.MustCompile(`\b(hunter|catcher|tamer|handler|keeper|herder|driver|trader|seller|dealer|merchant)\b`) // a camel trader is a person
	clash := []struct{ role, desc *regexp.Regexp }{
		{regexp.MustCompile(`\b(retired|elder|grieving parent|widow)\b`), regexp.MustCompile(`\byouth\b|\byoung\b`)},
		{regexp.MustCompile(`\b(grieving|captive|prisoner|wounded|hostage)\b`), regexp.MustCompile(`(?i)\bcheerful\b|laughs too loudly`)},
	}
	bad := 0
	for seed := range campaignSeeds {
		theme := reviewThemes[seed%len(reviewThemes)]
		docs := worldDocs(t, g, theme, seed, dnd.TypeLocation, dnd.TypeQuest, dnd.TypeDialogue)
		people := slices.Concat(docs[dnd.TypeLocation].(*dnd.Location).NPCs, docs[dnd.TypeDialogue].(*dnd.Dialogue).Participants,
			[]dnd.NPC{docs[dnd.TypeQuest].(*dnd.Quest).Giver})
		for _, p := range people {
			role := strings.ToLower(p.Role)
			if creatureRole.MatchString(role) && !tradeRole.MatchString(role) && p.Role != p.Description {
				if i := slices.IndexFunc(human, func(h string) bool { return strings.Contains(p.Description, h) }); i >= 0 {
					bad++
					t.Logf("seed %d: the %s is %q", seed, p.Role, p.Description)
				}
				continue
			}
			for _, c := range clash {
				if c.role.MatchString(role) && c.desc.MatchString(p.Description) {
					bad++
					t.Logf("seed %d: the %s is %q", seed, p.Role, p.Description)
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d people of %d worlds are described against their role, want 0", bad, campaignSeeds)
	}
}

// sceneSlips are lines a conversation's setting rules out: a witness found
// in a ditch does not fall back on a pillow; a prisoner cornered in a barn
// was not caught at the gate.
var sceneSlips = []struct{ setting, line *regexp.Regexp }{
	{regexp.MustCompile(`ditch|cart|road`), regexp.MustCompile(`pillow|\bbed\b|curtain`)},
	{regexp.MustCompile(`barn|cell|watch-house`), regexp.MustCompile(`[Cc]aught at the .* gate`)},
}

// maxLineRepeats is how often one line of the tables may be spoken in a
// run of 16 dialogues.
const maxLineRepeats = 4

// TestDialoguesVary checks 1,000 dialogues in runs of 16, as a game master
// reads them: no line of the tables is spoken more than maxLineRepeats
// times in a run ("They'll come back for me. You'll see." came in 4 of
// 16), no line
// contradicts the setting, only an innkeeper hands over a room's key, and
// two haggles in a run seldom name the same price.
func TestDialoguesVary(t *testing.T) {
	t.Parallel()
	g := New()
	var templates []string
	for _, name := range g.t.campaign.dialogueNames {
		for _, slot := range g.t.campaign.Dialogues[name].Slots {
			for _, ex := range slot {
				for _, l := range ex.Lines {
					if len(l[1]) > 30 { // short lines ("Go on.") may come back
						templates = append(templates, l[1])
					}
				}
			}
		}
	}
	lines := newTemplateMatcher(templates)
	const run = 16
	over, slips := 0, 0
	worst := 0
	for start := 0; start < campaignSeeds; start += run {
		counts := map[int]int{}
		for seed := start; seed < min(start+run, campaignSeeds); seed++ {
			theme := dmThemes[seed%len(dmThemes)]
			d := worldDocs(t, g, theme, seed, dnd.TypeDialogue)[dnd.TypeDialogue].(*dnd.Dialogue)
			roles := map[string]string{}
			for _, p := range d.Participants {
				roles[p.Name] = p.Role
			}
			for _, l := range d.Lines {
				if i := lines.of(l.Text); i >= 0 {
					counts[i]++
				}
				for _, s := range sceneSlips {
					if s.setting.MatchString(d.Setting) && s.line.MatchString(l.Text+" "+l.Direction) {
						slips++
						t.Logf("seed %d: %q, then %q (%s)", seed, d.Setting, l.Text, l.Direction)
					}
				}
				if strings.Contains(l.Direction, "key") && roles[l.Speaker] != "innkeeper" {
					slips++
					t.Logf("seed %d: the %s hands over a key", seed, roles[l.Speaker])
				}
			}
		}
		for i, n := range counts {
			worst = max(worst, n)
			if n > maxLineRepeats {
				over++
				t.Logf("seeds %d-%d: %d times %q", start, start+run-1, n, templates[i])
			}
		}
	}
	t.Logf("most uses of one line in a run of %d dialogues: %d", run, worst)
	if over+slips > 0 {
		t.Errorf("%d lines spoken more than %d times in a run of %d dialogues, and %d slips, want 0", over, maxLineRepeats, run, slips)
	}
}

// TestPrisonersKeepTheirKind checks 1,000 interrogations: a prisoner whose
// role names a creature ("satyr piper") is not spoken of as another kind
// ("Not much loyalty among sprites").
func TestPrisonersKeepTheirKind(t *testing.T) {
	t.Parallel()
	g := New()
	bad, seen := 0, 0
	for seed := range campaignSeeds {
		theme := []string{"fey", "a fey court in the enchanted wood", "goblins", "a kobold warren", "demons"}[seed%5]
		d := worldDocs(t, g, theme, seed, dnd.TypeDialogue)[dnd.TypeDialogue].(*dnd.Dialogue)
		kind, ok := roleCreature(d.Participants[0].Role)
		if !ok || !strings.Contains(d.Setting, "cornered "+d.Participants[0].Name) && !strings.Contains(d.Setting, "chained") && !strings.Contains(d.Setting, d.Participants[0].Name+" has been here") {
			continue
		}
		seen++
		for _, l := range d.Lines {
			for noun, other := range creatureNouns() {
				if other.noun != kind.noun && strings.HasSuffix(noun, "s") && regexp.MustCompile(`\bamong `+noun+`\b|\bto `+noun+` in\b`).MatchString(l.Text) {
					bad++
					t.Logf("seed %d: the %s hears %q", seed, d.Participants[0].Role, l.Text)
				}
			}
		}
	}
	if seen == 0 || bad > 0 {
		t.Errorf("%d of %d prisoners of a creature kind are spoken of as another kind, want 0 of more than 0", bad, seen)
	}
}

// TestExchangesEndAnswered checks the dialogue tables: no exchange ends on
// a question of the party's when an exchange that may follow opens with
// the party again, leaving the question unanswered ("Whose wedding has the captain's name crossed out? We can
// protect you, but only if you tell us everything.").
func TestExchangesEndAnswered(t *testing.T) {
	g := New()
	for _, name := range g.t.campaign.dialogueNames {
		for i, slot := range g.t.campaign.Dialogues[name].Slots {
			if i == len(g.t.campaign.Dialogues[name].Slots)-1 {
				continue // the last word may be the party's
			}
			next := g.t.campaign.Dialogues[name].Slots[i+1]
			partyNext := slices.ContainsFunc(next, func(ex exchange) bool { return ex.Lines[0][0] == "p" })
			for _, ex := range slot {
				last := ex.Lines[len(ex.Lines)-1]
				if partyNext && last[0] == "p" && strings.HasSuffix(strings.TrimSpace(last[1]), "?") {
					t.Errorf("%s slot %d: the exchange ends on the party's question %q", name, i, last[1])
				}
			}
		}
	}
}
