package imagegen

import (
	"fmt"
	"strings"
)

// Landforms a scene shows.
const (
	landMountains = "mountains"
	landHills     = "hills"
	landForest    = "forest"
	landSwamp     = "swamp"
	landDesert    = "desert"
	landCoast     = "coast"
	landCity      = "city"
	landCave      = "cave"
	landVolcanic  = "volcanic"
)

// Climates colour the land.
const (
	climateTemperate = "temperate"
	climateSnow      = "snow"
	climateDesert    = "desert"
	climateTropical  = "tropical"
	climateMarsh     = "marsh"
	climateAsh       = "ash"
)

// Weathers.
const (
	weatherClear = "clear"
	weatherMist  = "mist"
	weatherRain  = "rain"
	weatherSnow  = "snow"
	weatherStorm = "storm"
	weatherSand  = "sandstorm"
)

// Times of day.
const (
	timeDawn  = "dawn"
	timeDay   = "day"
	timeDusk  = "dusk"
	timeNight = "night"
)

// Landmarks a location shows.
const (
	markNone        = ""
	markCastle      = "castle"
	markTower       = "tower"
	markTemple      = "temple"
	markVillage     = "village"
	markHouse       = "house"
	markCave        = "cave mouth"
	markLight       = "lighthouse"
	markStones      = "standing stones"
	markPyramid     = "pyramid"
	markUnderground = "underground"
	markCity        = "city"
)

// sceneSpec is what a scene shows, read from the prompt.
type sceneSpec struct {
	land     string
	climate  string
	weather  string
	time     string
	landmark string
	ruined   bool
	pass     bool // a mountain pass: steep slopes either side of a trail
	stilts   bool // houses stand on stilts over water
}

type wordRule struct {
	value string
	words []string
}

var landWords = []wordRule{
	{landSwamp, []string{"swamp", "marsh", "bog", "fen", "bayou", "mire", "wetland", "wetlands", "everglade"}},
	{landDesert, []string{"desert", "dune", "dunes", "sands", "oasis", "wasteland", "badlands", "mesa", "canyon", "savanna"}},
	{landCoast, []string{"coast", "coastline", "sea", "ocean", "beach", "shore", "seashore", "harbor", "harbour", "port", "bay", "cove", "island", "lighthouse", "pier", "docks", "lake", "fjord", "seaside", "cliffs"}},
	{landCity, []string{"city", "metropolis", "capital", "streets", "skyline", "rooftops", "cityscape", "town square"}},
	{landCave, []string{"cave", "cavern", "caves", "grotto", "underdark", "mine", "tunnel", "underground", "subterranean"}},
	{landVolcanic, []string{"volcano", "volcanic", "lava", "magma", "inferno", "hell", "hellscape", "infernal"}},
	{landForest, []string{"forest", "woods", "woodland", "grove", "jungle", "glade", "clearing", "rainforest", "thicket", "taiga"}},
	{landMountains, []string{"mountain", "mountains", "peak", "peaks", "pass", "alpine", "highlands", "crag", "summit", "range", "glacier", "ridge"}},
	{landHills, []string{"hills", "hill", "plains", "plain", "fields", "field", "meadow", "valley", "moor", "moors", "heath", "grassland", "farmland", "steppe", "countryside", "village", "hamlet", "farm", "road", "tundra", "icefield", "snowfield", "prairie"}},
}

var climateWords = []wordRule{
	{climateSnow, []string{"snow", "snowy", "snowfall", "arctic", "tundra", "glacier", "frozen", "winter", "icy", "ice", "blizzard", "frost", "frosty", "polar", "taiga"}},
	{climateDesert, []string{"desert", "dune", "dunes", "sands", "oasis", "arid", "wasteland", "badlands", "mesa", "canyon", "savanna"}},
	{climateTropical, []string{"jungle", "tropical", "rainforest", "island", "lagoon"}},
	{climateMarsh, []string{"swamp", "marsh", "bog", "fen", "bayou", "mire", "wetland", "wetlands"}},
	{climateAsh, []string{"volcano", "volcanic", "lava", "magma", "inferno", "hell", "hellscape", "infernal", "ashen"}},
}

var weatherWords = []wordRule{
	{weatherSand, []string{"sandstorm", "sand storm", "dust storm", "duststorm", "haboob", "simoom", "blowing sand", "sandstorms"}},
	{weatherStorm, []string{"storm", "stormy", "thunder", "thunderstorm", "lightning", "tempest", "hurricane"}},
	{weatherSnow, []string{"snowfall", "snowing", "blizzard", "snowstorm", "falling snow", "snowflakes"}},
	{weatherRain, []string{"rain", "rainy", "raining", "drizzle", "downpour", "showers", "wet"}},
	{weatherMist, []string{"mist", "misty", "fog", "foggy", "haze", "hazy", "murky", "smoky"}},
	{weatherClear, []string{"clear", "sunny", "cloudless", "bright"}},
}

var timeWords = []wordRule{
	{timeDawn, []string{"dawn", "sunrise", "daybreak", "morning", "first light"}},
	{timeDusk, []string{"dusk", "sunset", "twilight", "evening", "sundown", "gloaming"}},
	{timeNight, []string{"night", "midnight", "nighttime", "moon", "moonlit", "moonlight", "starlit", "stars", "starry", "nocturnal"}},
	{timeDay, []string{"day", "noon", "midday", "afternoon", "daylight", "sunlit", "daytime"}},
}

var landmarkWords = []wordRule{
	{markCastle, []string{"castle", "fortress", "keep", "citadel", "stronghold", "fort", "palace", "bastion"}},
	{markTower, []string{"tower", "spire", "watchtower", "wizard tower", "minaret"}},
	{markTemple, []string{"temple", "shrine", "monastery", "church", "chapel", "cathedral", "abbey", "sanctuary"}},
	{markLight, []string{"lighthouse", "beacon"}},
	{markStones, []string{"standing stones", "stone circle", "monolith", "monoliths", "henge", "menhir", "obelisk"}},
	{markPyramid, []string{"pyramid", "ziggurat", "tomb"}},
	{markVillage, []string{"village", "town", "hamlet", "settlement", "outpost"}},
	{markHouse, []string{"tavern", "inn", "hut", "cabin", "cottage", "house", "farmhouse", "mill", "lodge", "homestead"}},
	{markCave, []string{"cave entrance", "cave mouth", "cavern entrance", "mine entrance", "lair"}},
}

// firstRule returns the value of the rule whose word comes first in the
// lower-case text, and whether any did.
func firstRule(lower string, rules []wordRule) (string, bool) {
	best, at := "", -1
	for _, r := range rules {
		for _, w := range r.words {
			if i := wholeWordIndex(lower, w); i >= 0 && (at < 0 || i < at) {
				best, at = r.value, i
			}
		}
	}
	return best, at >= 0
}

// parseScene reads a scene from the prompt; a location asks for a
// landmark, which the landform picks when the prompt names none.
func parseScene(prompt string, location bool, pal palette) sceneSpec {
	lower := lowerNorm(prompt)
	var s sceneSpec
	var ok bool
	if s.land, ok = firstRule(lower, landWords); !ok {
		s.land = landMountains
		if location {
			s.land = landHills
		}
	}
	s.climate, ok = firstRule(lower, climateWords)
	if !ok {
		s.climate = map[string]string{landSwamp: climateMarsh, landDesert: climateDesert, landVolcanic: climateAsh}[s.land]
		if s.climate == "" {
			s.climate = climateTemperate
		}
	}
	if s.weather, ok = firstRule(lower, weatherWords); !ok {
		s.weather = weatherClear
		switch {
		case s.land == landSwamp:
			s.weather = weatherMist
		case s.climate == climateSnow && hasAnyWord(lower, "blizzard", "snowstorm"):
			s.weather = weatherSnow
		}
	}
	if s.time, ok = firstRule(lower, timeWords); !ok {
		s.time = timeDay
		if pal.night {
			s.time = timeNight
		}
	}
	s.landmark, ok = firstRule(lower, landmarkWords)
	_, city := firstRule(lower, []wordRule{{landCity, cityWords}})
	switch {
	case s.land != landCity && city && (!ok || s.landmark == markVillage):
		s.landmark = markCity // a city in other land ("a desert city") stands on it
	case !ok && location:
		s.landmark = defaultLandmark(s.land)
	}
	switch {
	case s.land == landCave && hasAnyWord(lower, "underdark", "underground", "subterranean", "mine", "tunnel"):
		s.landmark = markUnderground
	case s.land == landCave && s.landmark == markCave:
		// A cave's entrance is seen from outside.
		s.land = landMountains
		if l, ok := firstRule(strings.Replace(lower, "cave", "", 1), landWords); ok && l != landCave {
			s.land = l
		}
	}
	s.ruined = hasAnyWord(lower, "ruin", "ruined", "ruins", "abandoned", "crumbling", "broken", "derelict", "ancient")
	s.pass = s.land == landMountains && strings.Contains(lower, "pass")
	s.stilts = s.land == landSwamp && (s.landmark == markVillage || s.landmark == markHouse) || hasAnyWord(lower, "stilt", "stilts", "stilted")
	return s
}

// cityWords name a city: the whole scene when nothing else is named, else
// a city standing on the land.
var cityWords = []string{"city", "metropolis", "capital", "skyline", "cityscape"}

// defaultLandmark is what a location shows when its prompt names no
// landmark.
func defaultLandmark(land string) string {
	switch land {
	case landCoast:
		return markLight
	case landMountains, landVolcanic:
		return markCastle
	case landForest, landSwamp:
		return markTower
	case landDesert:
		return markPyramid
	case landCity, landCave:
		return markNone
	}
	return markVillage
}

// unreadWords are scene words the renderer reads but has no drawing for,
// by what they are.
var unreadWords = []struct {
	kind  string
	words []string
}{
	{"weather", []string{"hail", "hailstorm", "sleet", "wind", "windy", "gale", "aurora", "rainbow", "tornado", "whirlwind", "heatwave"}},
	{"time of day", []string{"eclipse", "blood moon"}},
	{"terrain", []string{"river", "stream", "creek", "waterfall", "canal", "geyser", "crater"}},
	{"settlement", []string{"bridge", "camp", "encampment", "tents", "farmland", "port"}},
}

// landTogether are landforms a scene of the first shows as well: trees on
// hills and mountains, mountains behind a coast.
var landTogether = map[[2]string]bool{
	{landMountains, landForest}: true, {landHills, landForest}: true, {landCoast, landMountains}: true,
	{landSwamp, landForest}: true, {landHills, landMountains}: true, {landCave, landMountains}: true,
	{landVolcanic, landMountains}: true, {landMountains, landHills}: true,
}

// ruinable landmarks have a ruined form.
var ruinable = map[string]bool{markCastle: true, markTower: true, markTemple: true, markVillage: true, markHouse: true, markCity: true}

// sceneWarnings says which of the prompt's scene words the picture does
// not show: a second weather, time of day or landform beside the one
// drawn, a ruin of what has no ruined form, and words it has no drawing
// for.
func sceneWarnings(prompt string, s sceneSpec) []string {
	lower := lowerNorm(prompt)
	var out []string
	lost := func(kind string, rules []wordRule, drawn string, skip func(v string) bool) {
		for _, r := range rules {
			if r.value == drawn || skip(r.value) {
				continue
			}
			for _, w := range r.words {
				if wholeWordIndex(lower, w) >= 0 {
					out = append(out, fmt.Sprintf("%s %q: the offline renderer draws one %s a scene and drew %s", kind, w, kind, drawn))
					break
				}
			}
		}
	}
	lost("weather", weatherWords, s.weather, func(v string) bool { return v == weatherClear || v == weatherSnow && s.climate == climateSnow })
	lost("time of day", timeWords, s.time, func(string) bool { return false })
	lost("terrain", landWords, s.land, func(v string) bool {
		return v == landHills || v == landCity || landTogether[[2]string{s.land, v}] || v == landCave && s.landmark == markCave
	})
	if s.ruined && !ruinable[s.landmark] && !(s.land == landCity && s.landmark == markNone) {
		what := s.landmark
		if what == markNone {
			what = s.land
		}
		out = append(out, fmt.Sprintf("ruin: the offline renderer draws ruined castles, towers, temples, houses and cities; drew the %s whole", what))
	}
	for _, u := range unreadWords {
		for _, w := range u.words {
			if wholeWordIndex(lower, w) >= 0 {
				out = append(out, fmt.Sprintf("%s %q: the offline renderer has no drawing for it; not drawn", u.kind, w))
			}
		}
	}
	return out
}
