package offline

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// childhoodRe and youthAgeRe find, in a key event's own words, that it
// happened in childhood or at about sixteen; adultRe, that it is the work of
// a grown-up.
var (
	childhoodRe = regexp.MustCompile(`(?i)\bwas born\b|\bborn (heir|into|to)\b|as a child|as a baby|grew up|was raised by|orphaned young|at twelve|family gave`)
	youthAgeRe  = regexp.MustCompile(`(?i)\bat sixteen\b`)
	grewUpRe    = regexp.MustCompile(`(?i)\bgrew up (?:in|on|among|with)\b`)
	adultRe     = regexp.MustCompile(`(?i)catalogued|crewed|fell into debt|guided travellers|went to war|mercenary company|joined the artisans|played for coins|live alone|withdrew|worked as|former`)
)

// lifePrompts are prompts that add a childhood or a trade to a life.
var lifePrompts = []string{"", "", "She grew up in a lighthouse on the northern coast.", "A former smith.",
	"He was raised by wolves. He worked as a miner.", "They grew up on a barge and were orphaned young.",
	"An orphan who grew up in a temple of healing."}

// lifeRequest is the i-th random backstory request, with one of the
// prompts that add a childhood or a trade.
func lifeRequest(r *rand.Rand, i int) dnd.CharacterRequest {
	req := randomRequest(r, int64(i))
	req.Type = dnd.TypeBackstory
	req.Prompt = lifePrompts[i%len(lifePrompts)]
	return req
}

// TestKeyEventsFollowALife reads the key events of 1,200 backstories in
// their own words: nothing of a childhood comes after an event of youth or
// of a grown-up's trade, nothing "at sixteen" after a grown-up's trade,
// and a prompt's childhood is the only one told.
func TestKeyEventsFollowALife(t *testing.T) {
	t.Parallel()
	g := New()
	r := rand.New(rand.NewPCG(16, 3))
	for i := range 1200 {
		var b dnd.Backstory
		generateInto(t, g, dnd.TypeBackstory, lifeRequest(r, i), &b)
		grown, young, upbringing := "", "", ""
		for _, ev := range b.KeyEvents {
			if grewUpRe.MatchString(ev) && !strings.Contains(ev, "in the care of") {
				if upbringing != "" {
					t.Errorf("backstory %d: two upbringings, %q and %q", i, upbringing, ev)
				}
				upbringing = ev
			}
			switch {
			case childhoodRe.MatchString(ev) && young != "":
				t.Errorf("backstory %d: the childhood %q comes after %q: %q", i, ev, young, b.KeyEvents)
			case youthAgeRe.MatchString(ev) && grown != "":
				t.Errorf("backstory %d: the youth %q comes after the trade %q: %q", i, ev, grown, b.KeyEvents)
			}
			if adultRe.MatchString(ev) && grown == "" {
				grown = ev
			}
			if !childhoodRe.MatchString(ev) && young == "" {
				young = ev
			}
		}
	}
}

// TestTimelineStagesNeverDecrease checks the timeline itself over 1,200
// characters: every key event carries a stage of life, and the stages
// never go back.
func TestTimelineStagesNeverDecrease(t *testing.T) {
	t.Parallel()
	g := New()
	r := rand.New(rand.NewPCG(16, 4))
	for i := range 1200 {
		req := lifeRequest(r, i)
		req.Normalize()
		ch, err := dnd.ResolveCharacter(req, int64(i))
		if err != nil {
			t.Fatal(err)
		}
		p := g.newPerson(ch)
		rr := newRand(int64(i), "test/timeline")
		e := p.expander(rr)
		st := p.chooseStory(rr)
		evs := p.timeline(e, st, p.calling(e), p.subclassEvent(e))
		last := stageBirth
		for _, ev := range evs {
			if ev.stage < stageBirth || ev.stage > stageDeeds {
				t.Errorf("character %d: %q has no stage of life (%d)", i, ev.text, ev.stage)
			}
			if ev.stage < last {
				t.Errorf("character %d: %q (stage %d) comes after stage %d", i, ev.text, ev.stage, last)
			}
			last = ev.stage
		}
	}
}

// TestLivesStages checks that every origin of the lives data names its
// stage of life.
func TestLivesStages(t *testing.T) {
	for bg, os := range New().t.lives.Origins {
		for _, o := range os {
			if _, ok := lifeStages[o.Stage]; !ok || o.Stage == "after" {
				t.Errorf("origin %q of %s: stage %q", o.Event, bg, o.Stage)
			}
		}
	}
}
