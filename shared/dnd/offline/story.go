package offline

import (
	"context"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// maxKeyEvents is how many key events a backstory lists (dnd.Backstory's
// bound).
const maxKeyEvents = 8

// backstory writes a backstory whose arc suits the alignment (an evil
// character gets no heroic turn) or the prompt's statements, whose story
// fits the level, and whose key events are in the order they happened:
// birth, the origin, youth, the class's calling, the subclass, the arc's
// later events, then the deeds of the tier. Every part of it comes from
// one variant of one arc and one origin, so its summary, events, hooks
// and secrets agree; the facts it names are the character's (person.f).
func (p *person) backstory(r *rand.Rand) *dnd.BackstoryDraft {
	e := p.expander(r)
	st := p.chooseStory(r)
	v := st.variant
	if kin := kinSought(st); kin != "" {
		e.set("mentor_role", e.vars["their"]+" "+kin) // the one the prompt says is missing
	}
	if kin := kinNamed(st); kin != "" {
		e.set("lost_kin", kin) // "a werewolf that killed his brother"
	}
	note := e.pick(p.symbol("race_note_"+strings.ToLower(p.s.Race), "race_note"))
	first := e.must(st.origin.Story) + " " + note
	if pl := p.prompt.place; pl != "" {
		first += " " + e.must("{hometown} was "+pl+".") // the kind of place the prompt gives
	}
	trade := p.tradeLine(e, false) // a grown-up's trade, after the childhood
	// The calling and the subclass are told once, in the story and in the
	// key events alike, so the two never disagree.
	calling := p.calling(e)
	sub := p.subclassEvent(e)
	inciting := e.one(v.Inciting)
	summary := e.one(v.Summaries)
	var now []string       // what the prompt says the character is or does today
	var childhood []string // what the prompt says of the character's childhood
	for _, sm := range p.prompt.statements {
		text := sm.text
		switch {
		case sm.youth:
			childhood = append(childhood, text)
		case !sm.past:
			now = append(now, text)
		case st.told != nil && st.told.past && st.told.text == sm.text:
			inciting = text // the statement is the arc's turning point
		default:
			inciting = text + " " + inciting
		}
	}
	if lifeStages[st.origin.Stage] > stageChildhood { // a childhood comes before a trade
		first = strings.Join(append(childhood, first), " ")
	} else {
		first = strings.Join(append([]string{first}, childhood...), " ")
	}
	first = strings.TrimSpace(first + " " + trade)
	now = append(now, p.descriptorLines(e, func(d descriptor) string { return d.story })...)
	paragraphs := []string{
		first, strings.TrimSpace(calling + " " + sub), inciting,
		strings.Join(slices.Concat([]string{e.pick(p.symbol("tier"+strconv.Itoa(p.tier())+"_"+p.moral, "tier"+strconv.Itoa(p.tier())))}, now, []string{e.one(v.Present)}), " "),
	}
	// A home town the story burns or empties has no people left to talk.
	if strings.Contains(note, "still talk") && ruined(strings.Join(paragraphs, " ")+" "+summary, e.vars["hometown"]) {
		paragraphs[0] = strings.Replace(paragraphs[0], note, e.must("{first} carries the customs of {homeland} wherever {they} go{es}."), 1)
	}
	events := eventTexts(p.timeline(e, st, calling, sub))
	if p.prompt.age.Young { // a child did nothing "at sixteen"
		for i := range paragraphs {
			paragraphs[i] = olderAgeRe.ReplaceAllString(paragraphs[i], "")
		}
		for i := range events {
			events[i] = olderAgeRe.ReplaceAllString(events[i], "")
		}
	}
	var secrets []string
	if r.IntN(10) < 7 && len(v.Secrets) > 0 {
		secrets = e.some(v.Secrets, 1)
	}
	return &dnd.BackstoryDraft{
		Character: p.echo(),
		Title:     storyTitle(e.one(st.arc.Titles)),
		Summary:   summary,
		Backstory: strings.Join(paragraphs, "\n\n"),
		KeyEvents: events,
		Hooks:     e.some(v.Hooks, 2+r.IntN(2)),
		Secrets:   nonNil(secrets),
	}
}

// kinSought is the kin a prompt statement says the character searches for
// ("searching for their missing father"), when it chose the search arc.
func kinSought(st story) string {
	if st.arc.Key != "search" {
		return ""
	}
	return kinNamed(st)
}

// kinNamed is the kin the statement the arc was chosen for speaks of, or "".
func kinNamed(st story) string {
	if st.told == nil {
		return ""
	}
	for _, k := range []string{"father", "mother", "brother", "sister", "son", "daughter", "husband", "wife", "uncle", "aunt", "grandfather", "grandmother", "twin"} {
		if st.told.words[k] {
			return k
		}
	}
	return ""
}

// calling tells how the character took up the class: a calling of the
// class and alignment, one with a teacher when a prompt statement speaks
// of the character's mentor (who taught them, not a stolen book).
func (p *person) calling(e *expander) string {
	sym := p.symbol("calling_"+strings.ToLower(p.class)+"_"+p.moral, "calling_"+strings.ToLower(p.class), "calling_generic")
	if slices.ContainsFunc(p.prompt.statements, func(sm statement) bool { return sm.words["mentor"] || sm.words["master"] || sm.words["teacher"] }) {
		if taught := slices.DeleteFunc(slices.Clone(p.t.grammar[sym]), func(s string) bool { return !strings.Contains(s, "{mentor}") }); len(taught) > 0 {
			return e.one(taught)
		}
	}
	return e.pick(sym)
}

// storyTitle capitalises a title's words but its small ones: "The Ledger
// of the Thieves' Guild".
func storyTitle(s string) string {
	ws := strings.Fields(s)
	for i, w := range ws {
		if i == 0 || !slices.Contains(titleSmallWords, w) {
			ws[i] = capitalize(w)
		}
	}
	return strings.Join(ws, " ")
}

var titleSmallWords = []string{"a", "an", "the", "of", "for", "to", "in", "on", "at", "and", "or", "by", "with", "from"}

// symbol returns the first of the grammar symbols that exists.
func (p *person) symbol(names ...string) string {
	for _, n := range names {
		if _, ok := p.t.grammar[n]; ok {
			return n
		}
	}
	return names[len(names)-1]
}

// Stages of a life, in order: the stage of every key event comes from the
// data (an origin's stage, an arc event's "when") or from what the event is
// (the calling, the subclass, a prompt statement, the deeds of the tier).
const (
	stageBirth = iota
	stageChildhood
	stageYouth // about sixteen, before a trade
	stageAdult // the trade or background of a grown-up
	stageCalling
	stageSubclass
	stageTold
	stageAfter
	stageDeeds
)

// lifeStages are the stages data may name.
var lifeStages = map[string]int{"birth": stageBirth, "childhood": stageChildhood, "youth": stageYouth, "adult": stageAdult, "after": stageAfter}

// timedEvent is a key event and the stage of life it belongs to; spare
// events go first when there are too many.
type timedEvent struct {
	stage int
	text  string
	spare bool
}

// timeline lists the key events in the order they happened; calling and
// sub are the story's lines for the class's calling and the subclass. A
// prompt statement that happened is an event of its own, in childhood or
// after the calling; the statement the arc was chosen for stands in for
// the arc's first event of the same time of life.
func (p *person) timeline(e *expander, st story, calling, sub string) []timedEvent {
	var evs []timedEvent
	add := func(stage int, text string, spare bool) {
		if text != "" {
			evs = append(evs, timedEvent{stage, text, spare})
		}
	}
	// The origin starts its stage of life.
	add(lifeStages[st.origin.Stage], e.must(st.origin.Event), true)
	// The statement stands in for the arc's first event of its time of life.
	skipped := st.told == nil || !st.told.past
	for _, ev := range st.variant.Events {
		stage := lifeStages[ev.When]
		if !skipped && standsIn(*st.told, stage) {
			skipped = true
			continue
		}
		add(stage, e.must(ev.Text), false)
	}
	for _, sm := range p.prompt.statements {
		switch {
		case sm.youth:
			add(stageChildhood, sm.text, false)
		case sm.past:
			add(stageTold, sm.text, false)
		}
	}
	add(stageAdult, p.tradeLine(e, true), false)
	add(stageCalling, calling, false)
	add(stageSubclass, sub, true)
	if t := p.tier(); t > 1 {
		add(stageDeeds, e.pick(p.symbol("milestone"+strconv.Itoa(t)+"_"+p.moral, "milestone"+strconv.Itoa(t))), false)
	}
	// Stable: events of one stage keep the arc's order.
	slices.SortStableFunc(evs, func(x, y timedEvent) int { return x.stage - y.stage })
	for len(evs) > maxKeyEvents {
		i := slices.IndexFunc(evs, func(x timedEvent) bool { return x.spare })
		if i < 0 {
			i = len(evs) - 1
		}
		evs = slices.Delete(evs, i, i+1)
	}
	return evs
}

// standsIn reports whether a statement stands in for an arc event of a
// stage: one of childhood for one of childhood or youth, else one after.
func standsIn(sm statement, stage int) bool {
	if sm.youth {
		return stage == stageChildhood || stage == stageYouth
	}
	return stage == stageAfter
}

// eventTexts are the texts of timed events.
func eventTexts(evs []timedEvent) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.text
	}
	return out
}

// subclassEvent tells how the character came to its subclass.
func (p *person) subclassEvent(e *expander) string {
	if p.s.Subclass == "" {
		return ""
	}
	return e.pick(p.symbol("subclass_"+p.s.Subclass+"_"+p.moral, "subclass_"+p.s.Subclass, "subclass_generic"))
}

// tradeLine is the former trade the prompt gave the character: an event
// of youth, or a line for the origin paragraph; "" without one.
func (p *person) tradeLine(e *expander, event bool) string {
	u := p.prompt
	if u.tradeWord == "" {
		return ""
	}
	tr, ok := p.t.persona.Trades[u.trade]
	if !ok {
		e.set("trade", u.tradeWord, "trade_a", article(u.tradeWord)+" "+u.tradeWord)
		tr = trade{Youth: "{first} worked as {trade_a} in {hometown}.", Origin: "{first} was {trade_a} before anything else."}
	}
	p.prompt.toldTrade = true
	if event {
		return e.must(tr.Youth)
	}
	return e.must(tr.Origin)
}

// freeformBackstory answers a free-form request for a backstory: the title
// and prose of a character the text describes (its race, class and so on
// are read from it) or of a random one.
func (g *Generator) freeformBackstory(seed int64, text string) string {
	req := dnd.CharacterRequest{Type: dnd.TypeBackstory, Prompt: strings.TrimSpace(text)}
	req.Normalize()
	if len(req.Valid(context.Background())) > 0 {
		req.Prompt = ""
	}
	ch, err := dnd.ResolveCharacter(req, seed)
	if err != nil {
		panic(dataError{err})
	}
	b := g.newPerson(ch).backstory(newRand(seed, "freeform/backstory"))
	return b.Title + "\n\n" + b.Backstory
}

// olderAgeRe finds an age a child character has not reached.
var olderAgeRe = regexp.MustCompile(` at (?:sixteen|seventeen|eighteen|nineteen|twenty)\b`)

// ruinRe finds words that tell a place was destroyed or emptied.
var ruinRe = regexp.MustCompile(`(?i)\b(burn\w*|razed|destroyed|abandoned|empty|emptied|is gone|was gone|vanished|in ruins|ruined|wiped out|overrun)\b`)

// ruined reports whether a text tells, in a sentence naming the town,
// that the town was destroyed or emptied.
func ruined(text, town string) bool {
	if town == "" {
		return false
	}
	for _, sentence := range sentenceRe.Split(text, -1) {
		if strings.Contains(sentence, town) && ruinRe.MatchString(sentence) {
			return true
		}
	}
	return false
}
