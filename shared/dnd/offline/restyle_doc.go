package offline

import (
	"math/rand/v2"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// restyleDoc gives a document's prose the request's genre, tone and style,
// leaving names, numbers and game terms in structured fields untouched,
// and each of keep (the request's own words, echoed) as it was written.
func restyleDoc(rs *restyler, r *rand.Rand, lexs []*lexicon, doc any, keep ...string) {
	f := func(s *string) {
		if out, _ := rs.restyle(r, *s, lexs, 0.6, true, docSentenceShare, keep...); strings.TrimSpace(out) != "" {
			*s = out
		}
	}
	fs := func(xs []string) {
		for i := range xs {
			f(&xs[i])
		}
	}
	switch d := doc.(type) {
	case *dnd.Personality:
		fs(d.Traits)
		fs(d.Ideals)
		fs(d.Bonds)
		fs(d.Flaws)
		fs(d.Mannerisms)
		f(&d.Voice)
	case *dnd.Backstory:
		f(&d.Summary)
		f(&d.Backstory)
		fs(d.KeyEvents)
		fs(d.Hooks)
		fs(d.Secrets)
	case *dnd.Combat:
		f(&d.Tactics)
		fs(d.Weaknesses)
		for i := range d.SignatureMoves {
			f(&d.SignatureMoves[i].Description)
		}
	case *dnd.Equipment:
		f(&d.Notes)
		for i := range d.Items {
			f(&d.Items[i].Description)
		}
	case *dnd.Plot:
		f(&d.Summary)
		f(&d.Setting)
		for i := range d.Acts {
			f(&d.Acts[i].Summary)
			f(&d.Acts[i].Goal)
		}
		f(&d.Antagonist.Description)
		f(&d.Antagonist.Motivation)
		fs(d.Hooks)
		fs(d.Twists)
	case *dnd.Location:
		f(&d.Description)
		fs(d.Features)
		for i := range d.NPCs {
			f(&d.NPCs[i].Description)
		}
		for i := range d.Encounters {
			f(&d.Encounters[i].Description)
		}
		for i := range d.Hazards {
			f(&d.Hazards[i].Description)
		}
		fs(d.Secrets)
	case *dnd.Quest:
		f(&d.Objective)
		f(&d.Giver.Description)
		fs(d.Steps)
		fs(d.Complications)
	case *dnd.Dialogue:
		f(&d.Setting)
		for i := range d.Participants {
			f(&d.Participants[i].Description)
		}
		for i := range d.Lines {
			f(&d.Lines[i].Text)
		}
	case *dnd.Event:
		f(&d.Description)
		fs(d.Triggers)
		fs(d.Consequences)
		for i := range d.SkillChecks {
			f(&d.SkillChecks[i].Success)
			f(&d.SkillChecks[i].Failure)
		}
	}
}
