package offline

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// livesTables are the lives a backstory tells: where a character comes
// from, by background, and the arcs of what happened since. An arc is
// told in variants, each whole in itself: its summary, inciting event,
// key events, hooks and secrets tell one story, so a backstory never says
// both that the town burned and that its people simply vanished.
type livesTables struct {
	Origins map[string][]origin `json:"origins"` // by background key; "generic" for any other
	Years   [4][]string         `json:"years"`   // how long an old life lasted, by tier of play
	Arcs    []arc               `json:"arcs"`
}

// origin is where a character comes from: the backstory's opening lines
// and the same told as a key event, and the stage of life the event
// belongs to. Tags say what it makes of the character ("orphan"), for the
// arcs that could not follow it.
type origin struct {
	Story string   `json:"story"`
	Event string   `json:"event"`
	Stage string   `json:"stage"` // birth, childhood, youth (about sixteen) or adult
	Tags  []string `json:"tags"`
}

// arcEvent is a key event of an arc and when it happens: at birth, in
// childhood, in youth (before the character takes up the class), or after.
type arcEvent struct {
	When string `json:"when"` // birth, childhood, youth or after
	Text string `json:"text"`
}

// arc is a kind of story: whom it fits, the prompt words that ask for it,
// its titles and its variants.
type arc struct {
	Key        string       `json:"key"`
	Alignments []string     `json:"alignments"` // good, neutral, evil: whom the arc fits
	Words      []string     `json:"words"`      // words of a prompt's statement that ask for it
	Titles     []string     `json:"titles"`
	Variants   []arcVariant `json:"variants"`
}

// arcVariant is one way an arc's story goes, every part in agreement.
type arcVariant struct {
	Summaries []string   `json:"summaries"`
	Inciting  []string   `json:"inciting"`
	Present   []string   `json:"present"`
	Events    []arcEvent `json:"events"`
	Hooks     []string   `json:"hooks"`
	Secrets   []string   `json:"secrets"`
	Excludes  []string   `json:"excludes"` // origin tags it cannot follow
}

func (l *livesTables) check() error {
	if len(l.Origins["generic"]) == 0 {
		return fmt.Errorf("lives: no generic origins")
	}
	for bg, os := range l.Origins {
		for _, o := range os {
			if o.Story == "" || o.Event == "" {
				return fmt.Errorf("lives: origin of %s: a story and an event are required", bg)
			}
			if !slices.Contains([]string{"birth", "childhood", "youth", "adult"}, o.Stage) {
				return fmt.Errorf("lives: origin %q of %s: stage %q", o.Event, bg, o.Stage)
			}
		}
	}
	for i, ys := range l.Years {
		if len(ys) == 0 {
			return fmt.Errorf("lives: no years for tier %d", i+1)
		}
	}
	for _, a := range l.Arcs {
		if len(a.Titles) == 0 || len(a.Variants) == 0 || len(a.Alignments) == 0 {
			return fmt.Errorf("arc %s: incomplete", a.Key)
		}
		for _, v := range a.Variants {
			if len(v.Summaries) == 0 || len(v.Inciting) == 0 || len(v.Present) == 0 || len(v.Events) == 0 || len(v.Hooks) < 2 {
				return fmt.Errorf("arc %s: incomplete variant", a.Key)
			}
			for _, e := range v.Events {
				if !slices.Contains([]string{"birth", "childhood", "youth", "after"}, e.When) {
					return fmt.Errorf("arc %s: event %q happens %q", a.Key, e.Text, e.When)
				}
			}
		}
	}
	return nil
}

// story is the arc and variant a backstory tells, and the origin it
// starts from.
type story struct {
	arc     arc
	variant arcVariant
	origin  origin
	// told is the prompt statement the arc was chosen for, which stands
	// in for the arc's first event; nil when none.
	told *statement
}

// chooseStory picks the arc a backstory tells: the one a statement of the
// prompt asks for when it fits the alignment, else one that fits; then a
// variant, and an origin the variant can follow.
func (p *person) chooseStory(r *rand.Rand) story {
	var fit []arc
	for _, a := range p.t.lives.Arcs {
		if slices.Contains(a.Alignments, p.moral) {
			fit = append(fit, a)
		}
	}
	st := story{arc: pick(r, fit)}
	for i := range p.prompt.statements {
		sm := &p.prompt.statements[i]
		if a, ok := askedArc(fit, sm.words); ok {
			st.arc, st.told = a, sm
			break
		}
	}
	variants := st.arc.Variants
	if p.prompt.orphan { // an orphan's story needs no family
		variants = orElse(slices.DeleteFunc(slices.Clone(variants), func(v arcVariant) bool { return slices.Contains(v.Excludes, "orphan") }), variants)
	}
	st.variant = pick(r, variants)
	origins := p.t.lives.Origins[p.bgKey()]
	if len(origins) == 0 {
		origins = p.t.lives.Origins["generic"]
	}
	fits := func(os []origin) []origin {
		return slices.DeleteFunc(slices.Clone(os), func(o origin) bool {
			return slices.ContainsFunc(o.Tags, func(tag string) bool {
				return slices.Contains(st.variant.Excludes, tag) || p.prompt.orphan && tag == "family"
			})
		})
	}
	if slices.ContainsFunc(p.prompt.statements, func(sm statement) bool { return sm.youth }) {
		// The prompt tells the childhood: an origin that tells another
		// comes only when there is no other.
		told := func(o origin) bool { return lifeStages[o.Stage] <= stageChildhood }
		generic := slices.DeleteFunc(slices.Clone(p.t.lives.Origins["generic"]), told)
		origins = orElse(slices.DeleteFunc(slices.Clone(origins), told), orElse(generic, origins))
	}
	st.origin = pick(r, orElse(fits(origins), orElse(fits(p.t.lives.Origins["generic"]), origins)))
	return st
}

// orElse is xs, or else when xs is empty.
func orElse[T any](xs, alt []T) []T {
	if len(xs) == 0 {
		return alt
	}
	return xs
}

// askedArc is the arc whose words a statement uses most, if any.
func askedArc(arcs []arc, words map[string]bool) (arc, bool) {
	best, hits := arc{}, 0
	for _, a := range arcs {
		n := 0
		for _, w := range a.Words {
			if words[w] {
				n++
			}
		}
		if n > hits {
			best, hits = a, n
		}
	}
	return best, hits > 0
}

// yearsFor is how long an old life lasted, fit for the tier: a level 1
// character is barely past their first adventures, so never twenty years
// in a war.
func (l *livesTables) yearsFor(r *rand.Rand, tier int) string {
	return pick(r, l.Years[min(max(tier, 1), 4)-1])
}
