package imagegen

import "strings"

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
}

type wordRule struct {
	value string
	words []string
}

var landWords = []wordRule{
	{landSwamp, []string{"swamp", "marsh", "bog", "fen", "bayou", "mire", "wetland", "wetlands", "everglade"}},
	{landDesert, []string{"desert", "dune", "dunes", "sands", "oasis", "wasteland", "badlands", "mesa", "canyon", "savanna"}},
	{landCoast, []string{"coast", "coastline", "sea", "ocean", "beach", "shore", "seashore", "harbor", "harbour", "port", "bay", "cove", "island", "lighthouse", "pier", "docks", "lake", "fjord", "seaside", "cliffs"}},
	{landCity, []string{"city", "metropolis", "capital", "streets", "skyline", "rooftops", "cityscape"}},
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
	if !ok && location {
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
	return s
}

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
