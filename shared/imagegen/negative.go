package imagegen

import (
	"fmt"
	"slices"
	"strings"
)

// Elements a negative prompt (or a "no …" phrase in the prompt) removes.
const (
	rmGrid      = "grid"
	rmTrees     = "trees"
	rmWater     = "water"
	rmFrame     = "frame"
	rmWeapons   = "weapons"
	rmShield    = "shield"
	rmHeadgear  = "headgear"
	rmBeard     = "beard"
	rmFurniture = "furniture"
	rmRocks     = "rocks"
	rmDoors     = "doors"
	rmBuildings = "buildings"
	rmMountains = "mountains"
	rmClouds    = "clouds"
	rmMist      = "mist"
	rmRain      = "rain"
	rmSnow      = "snow"
	rmSky       = "sun, moon and stars"
	rmGlow      = "glow"
	rmGrain     = "grain"
	rmText      = "text"
	rmPeople    = "people"
)

// element is something a negative prompt can name: the words that name it
// and the image types that draw it. Text is never drawn, people only as the
// subject of a portrait, so naming them is always met.
type element struct {
	name  string
	words []string
	where string
}

var elements = []element{
	{rmGrid, []string{"grid", "squares", "gridline", "grid line"}, "map_background: no grid lines (metadata.grid still gives the squares)"},
	{rmTrees, []string{"tree", "forest", "woods", "woodland", "vegetation", "plant", "bush", "bushes", "foliage", "pine", "shrub"}, "maps and scenes: no trees or bushes"},
	{rmWater, []string{"water", "pool", "pond", "puddle", "flood", "lake", "river", "stream", "sea", "ocean"}, "maps and scenes: no water (except where water is the subject: a river, coast or swamp)"},
	{rmFrame, []string{"frame", "border", "vignette", "token ring"}, "portraits: no token frame; maps, scenes and items: no vignette"},
	{rmWeapons, []string{"weapon", "sword", "staff", "dagger", "axe", "bow", "mace", "lute", "instrument"}, "portraits: no weapons, staff or instrument"},
	{rmShield, []string{"shield"}, "portraits: no shield"},
	{rmHeadgear, []string{"hat", "hood", "helm", "headgear", "cap", "goggles", "circlet"}, "portraits: no hat, hood, goggles or circlet"},
	{rmBeard, []string{"beard", "facial hair", "moustache", "mustache"}, "portraits: no beard"},
	{rmFurniture, []string{"furniture", "table", "chair", "bench", "bar", "counter", "shelf", "shelves", "bed", "barrel", "crate", "pew"}, "interior maps: no furniture"},
	{rmRocks, []string{"rock", "boulder", "rubble", "pillar", "column", "debris", "stone"}, "maps: no boulders, rubble or pillars"},
	{rmDoors, []string{"door"}, "maps: no doors"},
	{rmBuildings, []string{"building", "house", "castle", "tower", "structure", "ruin", "architecture", "landmark"}, "scenes: no landmark or buildings (a city keeps its skyline); maps: no buildings outside a town"},
	{rmMountains, []string{"mountain", "peak", "cliff"}, "scenes: hills instead of mountains"},
	{rmClouds, []string{"cloud", "cloudy", "overcast"}, "scenes: a clear sky"},
	{rmMist, []string{"mist", "misty", "fog", "foggy", "haze", "hazy", "smoke"}, "scenes: no mist or fog"},
	{rmRain, []string{"rain", "rainy", "storm", "stormy", "lightning", "downpour"}, "scenes: no rain or lightning"},
	{rmSnow, []string{"snowfall", "falling snow", "snowflake", "blizzard"}, "scenes: no falling snow"},
	{rmSky, []string{"sun", "moon", "star", "celestial"}, "scenes: no sun, moon or stars"},
	{rmGlow, []string{"glow", "aura", "light effect", "magic effect", "sparkle"}, "items and portraits: no magic glow"},
	{rmGrain, []string{"grain", "noise", "noisy"}, "maps and scenes: no film grain or speckle"},
	{rmText, []string{"text", "letter", "word", "label", "caption", "writing", "watermark", "signature", "logo", "username"}, "never drawn"},
	{rmPeople, []string{"people", "person", "human", "character", "figure", "crowd", "man", "men", "woman", "women", "creature", "monster", "animal"}, "never drawn outside portraits"},
}

// qualityWords are negative terms about picture quality, which the offline
// renderer always meets: it never blurs, deforms or crops its subject.
var qualityWords = []string{
	"blur", "low quality", "lowres", "low res", "worst", "bad", "jpeg", "artifact", "artefact", "deformed", "disfigured",
	"ugly", "extra", "mutat", "malformed", "poorly", "cropped", "out of frame", "duplicate", "error", "distort",
	"missing", "fused", "long neck", "tiling", "overexposed", "underexposed", "oversaturated", "nsfw", "nude",
	"gore", "grotesque", "disproportion", "gross", "morbid", "mutilated",
}

// Removable describes what a negative prompt can remove in the offline
// renderer: each element, the words that name it and where it applies.
func Removable() []string {
	out := make([]string, len(elements))
	for i, e := range elements {
		out[i] = fmt.Sprintf("%s (%s): %s", e.name, strings.Join(e.words, ", "), e.where)
	}
	return out
}

// removals is the set of elements a request asked to leave out, and the
// terms that named nothing the renderer knows.
type removals struct {
	names   map[string]bool
	unknown []string
}

// parseRemovals reads a comma-separated negative prompt and the terms a
// prompt negated itself.
func parseRemovals(negative string, negated []string) *removals {
	rm := &removals{names: map[string]bool{}}
	terms := slices.Concat(splitTerms(negative), negated)
	for _, t := range terms {
		found := false
		for _, e := range elements {
			if namesAny(t, e.words) {
				rm.names[e.name] = true
				found = true
			}
		}
		if !found && !matchesAny(t, qualityWords) && !slices.Contains(rm.unknown, t) {
			rm.unknown = append(rm.unknown, t)
		}
	}
	return rm
}

// has reports whether the element was asked to be left out.
func (rm *removals) has(name string) bool { return rm.names[name] }

// unmet returns a warning naming the terms nothing could remove.
func (rm *removals) unmet() []string {
	if len(rm.unknown) == 0 {
		return nil
	}
	quoted := make([]string, len(rm.unknown))
	for i, t := range rm.unknown {
		quoted[i] = fmt.Sprintf("%q", truncateTerm(t))
	}
	return []string{fmt.Sprintf("negative_prompt: the offline renderer cannot leave out %s; it can leave out %s",
		strings.Join(quoted, ", "), removableNames())}
}

func removableNames() string {
	var names []string
	for _, e := range elements {
		if e.name != rmText && e.name != rmPeople {
			names = append(names, e.name)
		}
	}
	return strings.Join(names, ", ")
}

func truncateTerm(t string) string {
	if r := []rune(t); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return t
}

// namesAny reports whether text holds one of words (or its plural) as
// whole words.
func namesAny(text string, words []string) bool {
	for _, w := range words {
		if hasWholeWord(text, w) || hasWholeWord(text, w+"s") || hasWholeWord(text, w+"es") {
			return true
		}
	}
	return false
}

// matchesAny reports whether a word of text starts with one of words.
func matchesAny(text string, words []string) bool {
	for _, w := range words {
		if hasWord(text, w) {
			return true
		}
	}
	return false
}

// splitTerms splits a negative prompt into lower-case terms, without
// leading "no", "without" or "any".
func splitTerms(s string) []string {
	s = strings.ToLower(s)
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '|' }) {
		for _, t := range strings.Split(part, " and ") {
			t = strings.Trim(strings.TrimSpace(t), ".()[]{}!:\"'")
			for _, lead := range []string{"no ", "without ", "any ", "not "} {
				t = strings.TrimPrefix(t, lead)
			}
			if t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// splitNegations takes "no …", "without …" and "…less" phrases out of a
// prompt: "a tavern, no grid" becomes "a tavern," and the term "grid", so
// "no water" neither floods the map nor picks a river.
func splitNegations(prompt string) (string, []string) {
	words := strings.Fields(prompt)
	var kept, negated []string
	for i := 0; i < len(words); i++ {
		w := strings.ToLower(strings.Trim(words[i], ".,;:!?\"'()"))
		if (w == "no" || w == "without") && i+1 < len(words) {
			var phrase []string
			flush := func() {
				if len(phrase) > 0 {
					negated = append(negated, strings.Join(phrase, " "))
					phrase = nil
				}
			}
			for i++; i < len(words); i++ {
				next := words[i]
				bare := strings.ToLower(strings.Trim(next, ".,;:!?\"'()"))
				if bare == "and" || bare == "or" || bare == "nor" {
					// "no trees or water" negates both; "no trees and a
					// river" only the trees.
					if i+1 < len(words) && !isArticle(words[i+1]) {
						flush()
						continue
					}
					i--
					break
				}
				if bare == "with" || bare == "but" {
					i--
					break
				}
				phrase = append(phrase, bare)
				if strings.ContainsAny(next, ",.;:!?") {
					break
				}
			}
			flush()
			continue
		}
		if stem, ok := strings.CutSuffix(w, "less"); ok && len(stem) >= 3 {
			for _, e := range elements {
				if namesAny(stem, e.words) {
					negated = append(negated, stem)
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
		}
		kept = append(kept, words[i])
	}
	return strings.Join(kept, " "), negated
}

func isArticle(w string) bool {
	switch strings.ToLower(w) {
	case "a", "an", "the", "some", "one", "two", "three", "many", "several":
		return true
	}
	return false
}
