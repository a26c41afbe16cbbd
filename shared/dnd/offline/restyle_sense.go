package offline

import "strings"

// Sense guards: a word list swaps words without knowing what they mean
// where they stand. These guards keep a swap, an epithet or an adverb to
// the places where it keeps the meaning: an adjective only on the kind of
// noun it fits ("a decrepit tower", not "a decrepit tongue"), an added
// epithet never inside a compound ("town crier"), weather and daylight
// never indoors ("a sunny dungeon"), a verb of going only where someone
// goes ("the lights went out" stays), an adverb only on the act of a
// third person ("We secretly came" is not what the speaker said).

// adjectiveFits lists, for each adjective a lexicon swaps in for another
// ("old" → "decrepit"), the nouns it may stand before. An adjective not
// listed fits any noun.
var adjectiveFits = map[string]func(noun string) bool{
	"decrepit":             isAny(isPerson, isBuilt),
	"decaying":             isBuilt,
	"weathered":            isAny(isPerson, isPlaceOrThing),
	"enigmatic":            isPerson,
	"trusty old":           isAny(isTool, isAnimal),
	"delightfully ancient": isAny(isPerson, isPlaceOrThing),
	"ancient":              isAny(isPerson, isPlaceOrThing, inSet(lore)),
	"humble":               isAny(isPerson, inSet(dwellings)),
	"meagre":               inSet(provisions),
	"teeny":                isAny(isPerson, isPlaceOrThing, isAnimal),
	"looming":              isAny(isPerson, isPlaceOrThing, isAnimal),
	"bitter":               inSet(weather),
	"crisp":                inSet(weather),
	"stifling":             isAny(inSet(weather), inSet(indoors)),
	"mending":              isAny(isPerson, inSet(mendable)),
	"pallid":               isAny(isPerson, inSet(lights)),
}

func isAny(fs ...func(string) bool) func(string) bool {
	return func(n string) bool {
		for _, f := range fs {
			if f(n) {
				return true
			}
		}
		return false
	}
}

func inSet(set map[string]bool) func(string) bool {
	return func(n string) bool { return set[n] || set[strings.TrimSuffix(n, "s")] }
}

var (
	isPerson       = inSet(persons)
	isAnimal       = inSet(animals)
	isTool         = inSet(tools)
	isPlaceOrThing = inSet(placesAndThings)
	isBuilt        = func(n string) bool { return isPlaceOrThing(n) && !inSet(naturalPlaces)(n) }
)

var (
	persons = setOf(strings.Fields(`man woman men women boy girl child children lad lass person people folk man-at-arms
		wizard witch mage sorcerer priest priestess monk nun knight soldier guard captain sailor pirate merchant trader
		peddler smith blacksmith farmer hunter ranger thief bandit king queen lord lady prince princess duke baron noble
		servant stranger traveller traveler pilgrim hermit beggar veteran widow widower elder elders mayor reeve sheriff
		innkeeper barkeep keeper miner woodcutter fisherman fishermen sage scholar bard minstrel healer herbalist
		apothecary crone hag ogre giant dwarf elf gnome halfling orc goblin troll vampire druid cleric paladin warlock
		rogue fighter acolyte cultist guide gardener steward butler cook maid squire page herald messenger crier
		watchman sergeant hero heroes villain ghost spirit wraith`))
	animals = setOf(strings.Fields("horse pony mule dog hound cat ox donkey goat wolf raven crow owl hawk"))
	tools   = setOf(strings.Fields(`sword axe bow crossbow dagger spear shield hammer map lantern torch cart wagon boat
		ship cloak hat boots pack staff wand pipe lute compass rope pick shovel`))
	lore       = setOf(strings.Fields("tongue tongues language script rune runes law laws custom customs tale tales song songs rite rites pact oath curse magic order"))
	dwellings  = setOf(strings.Fields("house home cottage hut hovel cabin farm inn tavern shop village hamlet room chapel shrine"))
	provisions = setOf(strings.Fields("meal meals portion portions ration rations supply supplies fire harvest crop crops reward share sum savings stock stores fare wage wages pay"))
	weather    = setOf(strings.Fields("wind winds night nights winter air morning dawn rain frost weather day days evening breeze gale snow"))
	indoors    = setOf(strings.Fields(`dungeon cellar crypt tomb vault cell room chamber corridor tunnel sewer mine cave
		cavern lair den prison jail barracks hall library stair stairs hull basement attic kitchen larder cage
		catacomb catacombs undercity warren hold`))
	mendable = setOf(strings.Fields("heart hearts bone bones arm leg wing family friendship alliance town village city kingdom realm"))
	lights   = setOf(strings.Fields("light lights glow moon sun star stars face faces eyes skin"))
)

// adjectiveFitsAt reports whether replacement adjective rep fits the noun
// after token end: an adjective with a sense of its own fits only before
// a noun it suits, never standing alone ("the tower was old").
func adjectiveFitsAt(toks []token, end int, rep string) bool {
	fits, ok := adjectiveFits[rep]
	if !ok {
		return true
	}
	if !nounFollows(toks, end) {
		return false
	}
	return fits(strings.ToLower(toks[end+2].text))
}

// compoundFollows reports whether a noun follows token end and makes a
// compound with it ("town crier", "town hall"): a word that is neither a
// function word nor a verb. An epithet put before the first noun would
// cut the compound ("a shadowed town crier").
func compoundFollows(toks []token, end int) bool {
	return nounFollows(toks, end) && !hasVerb(toks[end+2:end+3])
}

// goingVerbs say that someone goes; lexicons swap them for a manner of
// going ("went" → "ventured").
var goingVerbs = setOf(strings.Fields("went go goes going gone ran run runs running walked walk walks came come comes fled"))

// notGoing follow a verb of going that is not going: "the lights went
// out", "the well ran dry", "two children went missing".
var notGoing = setOf(strings.Fields(`out off on missing dark quiet silent wrong bad cold still dry numb astray
	unanswered unnoticed unpunished mad low short deep high wild blank pale white by without through`))

// inanimate nouns do not go of their own will: "the lights", "the
// years", "the rumours".
var inanimate = setOf(strings.Fields(`light lights candle candles lamp lamps torch torches fire fires year years day days
	time times rumour rumours rumor rumors news money coin coins supplies supply water river rivers road roads path
	paths wind winds rain blood word words letter letters tide tides`))

// goesHere reports whether the verb of going at token i, ending at token
// end, means going: its subject can go and no particle turns it into
// something else.
func goesHere(toks []token, i, end int) bool {
	if end+2 < len(toks) && toks[end+1].text == " " && notGoing[strings.ToLower(toks[end+2].text)] {
		return false
	}
	if i >= 2 && toks[i-1].text == " " && toks[i-2].word {
		prev := strings.ToLower(toks[i-2].text)
		return !inanimate[prev] && !isPlaceOrThing(prev)
	}
	return true
}

// outdoorEpithets speak of weather or daylight: they do not fit what is
// indoors or underground.
var outdoorEpithets = setOf(strings.Fields(`sunny sunlit sun-bleached moonlit starry rain-slick rain-soaked rain-slicked
	blossoming`))

// indoorEpithets speak of rooms and what is shut up in them: they do not
// fit what lies open to the sky ("a cobwebbed road").
var indoorEpithets = map[string]bool{"cobwebbed": true, "pressurised": true, "hermetically sealed": true}

// openAirPlaces are the places and made things under the open sky.
var openAirPlaces = setOf(strings.Fields(`road path street lane alley market bridge dock docks pier wharf quay harbour harbor
	port plaza courtyard village town city field farm camp graveyard garden`))

// epithetFits reports whether epithet w fits the noun n.
func epithetFits(w, n string) bool {
	if indoorEpithets[w] && (inSet(openAirPlaces)(n) || inSet(naturalPlaces)(n)) {
		return false
	}
	return !outdoorEpithets[w] || !inSet(indoors)(n)
}

// speakers are the first and second person: an adverb between them and
// their verb puts words in a speaker's mouth ("We secretly came").
var speakers = setOf(strings.Fields("i we you ye"))
