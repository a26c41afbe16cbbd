package offline

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// TestCharacterWordsReadAsWritten checks many drawn characters for the
// slips a Dungeon Master read: an "X or Y" left for the reader to choose
// ("a faint warmth or chill"), "an agent of an agent", "a equipment" in a
// warning, a drawn name that sounds like another gender's than the
// pronouns, a dragonborn whose breath or eyes belong to another
// dragon, people who still talk in a home town the story burned, and a
// keepsake sword or ring the equipment lacks, and a voice that contradicts
// itself or breaks a vow of silence.
func TestCharacterWordsReadAsWritten(t *testing.T) {
	t.Parallel()
	g := New()
	undecided := regexp.MustCompile(`warmth or chill|smoke or frost|sparks or frost|brimstone or old paper|spectacles or sleeves|leaves or feathers|twig or a straw|mother or father|loose or in a`)
	doubled := regexp.MustCompile(`(?i)\b(agents?|servants?) of (an? |the )?(agents?|servants?) of\b`)
	badArticle := regexp.MustCompile(`\ba [aeio]\w`)
	heNames := regexp.MustCompile(`(?i)(a|ette|elle|iel|ine)$`)
	sheNames := regexp.MustCompile(`(?i)(k|g|gar|mok|gul|rik)$`)
	wrongDragon := map[string]*regexp.Regexp{ // ancestry → words of another dragon's breath or eyes
		"White": regexp.MustCompile(`smoke|embers|sparks`), "Silver": regexp.MustCompile(`smoke|embers|sparks`),
		"Red": regexp.MustCompile(`frost|sparks|vapour`), "Gold": regexp.MustCompile(`frost|sparks|vapour`),
		"Blue": regexp.MustCompile(`smoke|embers|frost`), "Green": regexp.MustCompile(`smoke|embers|frost|sparks`),
	}
	stillTalk := regexp.MustCompile(`People in (\p{Lu}\w+) still talk`)
	townLost := regexp.MustCompile(`burned|abandoned|empty|is gone|emptied`)
	hiss := regexp.MustCompile(`hiss of [a-z ]+`)
	prompts := []string{"", "a woman who was raised by wolves", "a disgraced knight seeking to redeem himself", "a dragonborn sorcerer",
		"an old monk who has taken a vow of silence"}
	fast, slow := regexp.MustCompile(`\b(fast|quick)\b`), regexp.MustCompile(`\b(slow|unhurried|long pauses)\b`)
	loud, quiet := regexp.MustCompile(`\bloud\b`), regexp.MustCompile(`\b(quiet|low|soft)\b`)
	for i := range 96 {
		seed := int64(i)*7717 + 3
		req := dnd.CharacterRequest{Type: dnd.TypeSheet, Prompt: prompts[i%len(prompts)], Seed: &seed}
		if i%5 == 0 {
			req.Parameters = dnd.CharacterParams{CharacterRace: "Dragonborn", Subrace: []string{"White", "Red", "Blue", "Green", "Silver", "Gold"}[i/5%6]}
		}
		out, err := g.Character(context.Background(), req)
		if err != nil {
			t.Fatalf("sheet %d: %v", i, err)
		}
		var sheet dnd.Sheet
		mustUnmarshal(t, out.Content, &sheet)
		texts := []string{sheet.Appearance, sheet.Personality}
		warnings := out.Warnings
		for _, typ := range []string{dnd.TypePersonality, dnd.TypeBackstory, dnd.TypeEquipment} {
			s := seed + 1
			o, err := g.Character(context.Background(), dnd.CharacterRequest{Type: typ, Character: json.RawMessage(out.Content), Prompt: req.Prompt, Seed: &s})
			if err != nil {
				t.Fatalf("%s %d: %v", typ, i, err)
			}
			texts = append(texts, string(o.Content))
			warnings = append(warnings, o.Warnings...)
		}
		all := strings.Join(texts, "\n")
		if m := undecided.FindString(all); m != "" {
			t.Errorf("character %d leaves %q undecided", i, m)
		}
		if m := doubled.FindString(all); m != "" {
			t.Errorf("character %d: %q", i, m)
		}
		for _, w := range warnings {
			if m := badArticle.FindString(w); m != "" {
				t.Errorf("character %d: warning %q says %q", i, w, m)
			}
		}
		first := strings.Fields(sheet.Name)[0]
		if sheet.Race == "Dragonborn" && len(strings.Fields(sheet.Name)) > 1 {
			first = strings.Fields(sheet.Name)[1]
		}
		switch {
		case sheet.Pronouns == "he/him" && heNames.MatchString(first),
			sheet.Pronouns == "she/her" && sheNames.MatchString(first):
			t.Errorf("character %d: %s is %s", i, sheet.Name, sheet.Pronouns)
		}
		var b dnd.Backstory
		mustUnmarshal(t, []byte(texts[3]), &b)
		if m := stillTalk.FindStringSubmatch(b.Backstory); m != nil {
			for _, sentence := range strings.Split(b.Summary+" "+b.Backstory, ". ") {
				if strings.Contains(sentence, m[1]) && townLost.MatchString(sentence) {
					t.Errorf("character %d: people in %s still talk, yet %q", i, m[1], sentence)
				}
			}
		}
		var pers dnd.Personality
		mustUnmarshal(t, []byte(texts[2]), &pers)
		if fast.MatchString(pers.Voice) && slow.MatchString(pers.Voice) || loud.MatchString(pers.Voice) && quiet.MatchString(pers.Voice) {
			t.Errorf("character %d: the voice contradicts itself: %s", i, pers.Voice)
		}
		if strings.Contains(req.Prompt, "vow of silence") && strings.Contains(pers.Voice, "saying") {
			t.Errorf("character %d keeps a vow of silence, yet: %s", i, pers.Voice)
		}
		var items []string
		for _, it := range sheet.Equipment {
			items = append(items, it.Name)
		}
		story := b.Summary + " " + b.Backstory + " " + strings.Join(b.KeyEvents, " ") + " " + strings.Join(b.Hooks, " ")
		if strings.Contains(story, "family sword") && !dnd.Carries(items, "sword") {
			t.Errorf("character %d: the backstory's family sword is not in the equipment %q", i, items)
		}
		if strings.Contains(story, "ring that once belonged") && !slices.ContainsFunc(items, func(n string) bool { return strings.HasPrefix(n, "Ring of") }) {
			t.Errorf("character %d: the backstory's ring is not in the equipment %q", i, items)
		}
		if re := wrongDragon[sheet.Subrace]; re != nil && sheet.Race == "Dragonborn" {
			if m := re.FindString(sheet.Appearance + " " + hiss.FindString(texts[2])); m != "" {
				t.Errorf("character %d, a %s dragonborn: %q in %s", i, sheet.Subrace, m, sheet.Appearance)
			}
		}
	}
}
