package offline

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// senseSamples hold the phrases whose meaning a word-for-word restyle
// corrupted in generated campaign documents: an old tongue, favour and
// wound, the old city, speech in the first person, a pirate scene in
// narration, a dungeon and a window, a town crier, lights that went out,
// cages for small prisoners.
var senseSamples = []string{
	"A sealed sarcophagus is carved with warnings in an old tongue. The gardener walks with a limp from an old wound, and Peleth calls in an old favour. The trouble centres on the old city.",
	`"We came to talk, Castivane. Not to scream," the party said. "We heard them before we saw them. Then the lights went out," Nesia said. The lights went out in the hall, and the candles ran out before midnight.`,
	"Two mages are dragging off a prisoner in the drowned chamber. The party is paid in advance by an employer who has since vanished. The captain is going to sell the map.",
	"A dungeon whose cells are still locked lies under the keep. The acolyte never sits with their back to the window. A cellar with a trapdoor opens on the crypt.",
	"A village of rafts and stilt houses crowds a bend in a slow channel; the town crier reads the news by the town hall. Cages for small prisoners hang from the rafters in the kitchen.",
	"The old priest waited by the gate. The old road runs past an old house and a small village to the old tower, where a small door opens on the cellar.",
	"The road to the manor runs through the forest. They took the road north, crossed the bridge and waited in the street by the market.",
}

// Nouns by what they name, for the checks below.
const (
	abstractNouns = `tongue|tongues|language|favou?rs?|wounds?|debts?|grudges?|feuds?|rivalry|promises?|oaths?|habits?|customs?|laws?|names?|scores?|secrets?|scars?|injury|injuries|tales?|stories|story|sayings?|tricks?|hatred|fears?|friendships?|alliances?|bargains?|pacts?|quarrels?|wrongs?|ways|days|times|ties|war|wars`
	indoorNouns   = `dungeons?|cellars?|crypts?|tombs?|vaults?|cells?|rooms?|chambers?|corridors?|tunnels?|sewers?|mines?|caves?|caverns?|lairs?|dens?|prisons?|jails?|barracks|halls?|library|libraries|stairs?|hulls?|basements?|attics?|kitchens?|larders?|cages?|catacombs|undercity|warrens?`
	settlements   = `city|cities|town|towns|village|villages|road|roads|tower|towers|castle|castles|house|houses|harbou?r|market|quarter|streets?`
)

// senseRules are collocations a restyle must not write where the text had
// none: decay or age adjectives on what cannot decay, a person's adjective
// on a place, weather and daylight on what is indoors, an epithet that
// states a fact (a "secret" window), a verb of going whose subject cannot
// go, and an adjective that fits the noun's class only by accident.
var senseRules = []struct {
	name string
	re   *regexp.Regexp
}{
	{"a decay adjective on an abstract noun", regexp.MustCompile(`(?i)\b(?:decrepit|decaying|rotting|crumbling|mouldering|weathered|rusted|tarnished|enigmatic|trusty old|delightfully ancient)\s+(?:` + abstractNouns + `)\b`)},
	{"a person's adjective on a place", regexp.MustCompile(`(?i)\b(?:enigmatic|secretive|haggard|gaunt|pompous|befuddled|chatty|kindly|jolly|hollow-eyed|trusty old)\s+(?:` + settlements + `)\b`)},
	{"weather or daylight indoors", regexp.MustCompile(`(?i)\b(?:sunny|sunlit|sun-bleached|moonlit|starry|rain-slick|rain-soaked|rain-slicked|rosy|blossoming)\s+(?:` + indoorNouns + `)\b`)},
	{"a room's epithet in the open air", regexp.MustCompile(`(?i)\b(?:cobwebbed|pressurised|hermetically sealed)\s+(?:roads?|paths?|streets?|lanes?|alleys?|markets?|bridges?|docks?|harbou?rs?|fields?|forests?|woods|rivers?|lakes?|sea|valleys?|hills?|villages?|towns?|city)\b`)},
	{"an epithet that states a fact", regexp.MustCompile(`(?i)\b(?:secret|hidden|half-hidden)\s+(?:` + indoorNouns + `|windows?|doors?|gates?|paths?)\b`)},
	{"an epithet inside a compound noun", regexp.MustCompile(`(?i)\b(?:shadowed|dying|rotting|bright|grim|veiled|great|rebuilding|storybook|proud|ravaged|quiet|frontier|harbour|sprawl|factory)\s+(?:town|village|city) (?:crier|criers|hall|halls|square|guard|guards|watch|council|gate|gates|elders?|folk|walls?|well|records|drunk)\b`)},
	{"humble on what is not a home or a person", regexp.MustCompile(`(?i)\bhumble\s+(?:prisoners?|cages?|chests?|boxes|doors?|windows?|wounds?|creatures?|animals?|beasts?|rooms?|cells?)\b`)},
	{"a verb of going with a particle that is not going", regexp.MustCompile(`(?i)\b(?:ventured|charged|strode|crept|trudged|slogged|pranced|skipped|scampered|strolled|wandered|stepped|proceeded|headed|slipped|bailed|fled)\s+(?:out(?: of)?|off|missing|dark|quiet|silent|wrong|bad|cold|still|dry|numb|astray|unanswered|unnoticed)\s*(?:[.,;!?"]|before|in|of|at|when|$)`)},
	{"an inanimate subject that goes", regexp.MustCompile(`(?i)\b(?:lights?|candles?|lamps?|torches|fires?|years?|days?|time|rumou?rs?|news|money|coin|supplies)\s+(?:ventured|charged|strode|crept|trudged|slogged|pranced|skipped|scampered|strolled|wandered|stepped|proceeded|slipped)\b`)},
}

// dialectBe finds a pirate's "be" for "is" or "are" after its subject:
// "Two mages be dragging", "The party be paid".
var dialectBe = regexp.MustCompile(`(?i)\b([\p{L}'’]+)\s+be\s+([\p{L}'’]+)`)

// notBeSubjects come before a plain "be": "to be", "will be", "may yet be".
var notBeSubjects = setOf(strings.Fields(`to will would can could may might must shall should cannot not never always also
	ever then and or but yet still just only once let`))

// adverbInSpeech finds a lexicon's manner adverb put between a speaker's
// "I", "we" or "you" and the verb: "We secretly came to talk".
var adverbInSpeech = regexp.MustCompile(`(?i)\b(?:I|we|you|ye)\s+(?:quietly|secretly|strangely|furtively|grimly|silently|warily|wearily|doggedly|bitterly|stubbornly|cheerfully|happily|breezily|merrily|jauntily|blithely|dreamily|boldly|valiantly|proudly|mightily|steadily|bravely|gently|patiently|slowly|wordlessly|softly|solemnly|swiftly|efficiently|remotely|automatically|coolly|smoothly|wirelessly|fearfully|stiffly|casually|briskly|mechanically|punctually|roughly|cheekily|easy-like|squarely|desperately|duly|promptly|properly|totally|kinda)\s+\w+ed\b|\b(?:I|we|you|ye)\s+(?:quietly|secretly|strangely|furtively|grimly|silently|warily|wearily|bravely|boldly|valiantly|proudly|solemnly|swiftly|slowly|softly|gently|merrily|cheerfully)\s+(?:came|went|saw|heard|ran|fought|fled|found|told|took|gave|stood|sat|left|met|paid|spoke|knew|felt|thought|got)\b`)

// senseProblems lists the collocations of senseRules, the dialect "be"
// outside quoted speech and the adverbs in a speaker's first or second
// person that out holds more often than in.
func senseProblems(in, out string) []string {
	var p []string
	for _, rule := range senseRules {
		if got, had := rule.re.FindAllString(out, -1), rule.re.FindAllString(in, -1); len(got) > len(had) {
			p = append(p, fmt.Sprintf("%s: %q", rule.name, got))
		}
	}
	if got, had := dialectBes(withoutQuotes(out)), dialectBes(withoutQuotes(in)); len(got) > len(had) {
		p = append(p, fmt.Sprintf("a dialect verb outside speech: %q", got))
	}
	if got, had := adverbInSpeech.FindAllString(out, -1), adverbInSpeech.FindAllString(in, -1); len(got) > len(had) {
		p = append(p, fmt.Sprintf("an adverb in a speaker's own words: %q", got))
	}
	return p
}

// dialectBes lists each "be" used as "is" or "are" in s.
func dialectBes(s string) []string {
	var out []string
	for _, m := range dialectBe.FindAllStringSubmatch(s, -1) {
		w := strings.ToLower(strings.ReplaceAll(m[1], "’", "'"))
		if !notBeSubjects[w] && !strings.HasSuffix(w, "'ll") && !strings.HasSuffix(w, "'d") {
			out = append(out, m[0])
		}
	}
	return out
}

// TestSenseProblemsFindsDefects checks the checker on what restyles of
// campaign documents once wrote, and that it passes the samples as
// written.
func TestSenseProblemsFindsDefects(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		"A sarcophagus carved with warnings in a decrepit tongue.",
		"A limp from a decaying wound.",
		"Peleth calls in a decaying favour.",
		"The trouble centres on the enigmatic city.",
		"We secretly came to talk, Castivane.",
		"A bright-eyed youth who never sits with their back to a secret window.",
		"Cages for humble prisoners hang from the rafters.",
		"Two mages be dragging off a prisoner.",
		"The party be paid in advance.",
		"A sunny dungeon whose cells are still locked.",
		"A shadowed town crier reads yesterday's news.",
		"Then the lights ventured out.",
		"Take the cobwebbed road to the manor.",
	} {
		if len(senseProblems("", bad)) == 0 {
			t.Errorf("senseProblems(%q) = none, want one", bad)
		}
	}
	for _, good := range slices.Concat(senseSamples, registerSamples) {
		if p := senseProblems("", good); len(p) > 0 {
			t.Errorf("senseProblems(sample) = %q, want none in %q", p, good)
		}
	}
	if p := senseProblems("", `"Ye be paid, matey," the captain said. The party will be paid.`); len(p) > 0 {
		t.Errorf("senseProblems(speech and a plain be) = %q, want none", p)
	}
}

// TestRestyleKeepsTheSense restyles the sense samples and the other
// samples with every known value, alone and in combinations, at several
// strengths and many seeds: no rewrite may put in a collocation that
// corrupts the meaning.
func TestRestyleKeepsTheSense(t *testing.T) {
	t.Parallel()
	g := New()
	tb, _ := loadTables()
	rs := tb.restyle
	themes := knownThemes()
	for _, genre := range []string{"pirate", "western", "horror", "fantasy"} {
		for _, tone := range dnd.KnownTones() {
			themes = append(themes, dnd.Theme{Genre: genre, Tone: tone})
		}
	}
	texts := slices.Concat(senseSamples, restyleSamples)
	seeds := int64(6)
	if testing.Short() {
		seeds = 3
	}
	for _, th := range themes {
		for i, text := range texts {
			for seed := range seeds {
				for _, strength := range []float64{dnd.DefaultStrength, 1} {
					res, _ := restyled(t, g, text, th, strength, 31*seed+int64(i))
					for _, p := range senseProblems(text, res.Content) {
						t.Errorf("Theme(%+v, strength %v, seed %d) of text %d: %s in %q", th, strength, 31*seed+int64(i), i, p, res.Content)
					}
				}
				// A campaign document's field, as restyleDoc rewrites it.
				out, _ := rs.restyle(newRand(seed, "sense"), text, rs.resolve(th), 0.6, true, docSentenceShare)
				for _, p := range senseProblems(text, out) {
					t.Errorf("restyleDoc field (%+v, seed %d) of text %d: %s in %q", th, seed, i, p, out)
				}
			}
		}
	}
}
