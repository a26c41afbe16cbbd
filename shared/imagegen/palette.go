package imagegen

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// floorStyle is how a battle map's floor is textured.
type floorStyle int

const (
	flagstones floorStyle = iota // 2×2 stones per square
	panels                       // one riveted metal plate per square
	planks                       // wooden boards
)

// palette holds the colours of one genre and tone.
type palette struct {
	name        string
	bg, bg2     rgb // backdrop, top and bottom
	floor       rgb // map floor
	wall        rgb // map rock or wall near the floor
	wallDeep    rgb // map rock far from the floor, hatching
	ink         rgb // outlines
	grid        rgb // battle grid lines
	door        rgb
	water       rgb
	metal       rgb // token rings, item settings
	accent      rgb
	glow        rgb // magic
	sky0, sky1  rgb // landscape sky, zenith and horizon
	land        rgb // landscape near ridge
	floorStyle  floorStyle
	hatch       bool // hatch the rock around map floors
	night       bool // stars in the sky
	spires      bool // landscape foreground: towers instead of trees
	deadTrees   bool // landscape foreground: bare trees
	grainAmount float64
}

var palettes = map[string]palette{
	"fantasy": {
		bg: hex(0x2b2118), bg2: hex(0x120d09),
		floor: hex(0xc9b896), wall: hex(0x6f6254), wallDeep: hex(0x3a322a),
		ink: hex(0x1d1712), grid: hex(0x3b2f22), door: hex(0x8a5a2b), water: hex(0x3f6f8f),
		metal: hex(0xd4a62a), accent: hex(0x9c2b23), glow: hex(0xffb347),
		sky0: hex(0x3a6ea5), sky1: hex(0xf3d7a0), land: hex(0x3d5a3a),
		hatch: true, grainAmount: 0.03,
	},
	"horror": {
		bg: hex(0x151716), bg2: hex(0x050606),
		floor: hex(0x6f7268), wall: hex(0x2c2f2b), wallDeep: hex(0x111312),
		ink: hex(0x050505), grid: hex(0x1a1d1a), door: hex(0x4a2a20), water: hex(0x2d3b2f),
		metal: hex(0x8d8d86), accent: hex(0x7a0f12), glow: hex(0x9fe870),
		sky0: hex(0x0d1014), sky1: hex(0x4a5049), land: hex(0x1a1f1b),
		hatch: true, night: true, deadTrees: true, grainAmount: 0.06,
	},
	"scifi": {
		bg: hex(0x0f1a24), bg2: hex(0x05090d),
		floor: hex(0x8d98a3), wall: hex(0x3a4550), wallDeep: hex(0x1b2229),
		ink: hex(0x0b1016), grid: hex(0x2fd0e0), door: hex(0x3fa7c4), water: hex(0x1f5f7a),
		metal: hex(0xb8c4cf), accent: hex(0x2fd0e0), glow: hex(0x52e5ff),
		sky0: hex(0x05070f), sky1: hex(0x2b3f66), land: hex(0x232b36),
		floorStyle: panels, night: true, spires: true, grainAmount: 0.015,
	},
	"cyberpunk": {
		bg: hex(0x1a0b24), bg2: hex(0x07030c),
		floor: hex(0x4b4a5e), wall: hex(0x221c33), wallDeep: hex(0x0e0b16),
		ink: hex(0x050308), grid: hex(0xff2fd2), door: hex(0x20e3ff), water: hex(0x16325a),
		metal: hex(0x9aa5b8), accent: hex(0xff2fd2), glow: hex(0x20e3ff),
		sky0: hex(0x0a0418), sky1: hex(0x7a1f6b), land: hex(0x1a1430),
		floorStyle: panels, night: true, spires: true, grainAmount: 0.02,
	},
	"steampunk": {
		bg: hex(0x2e1f12), bg2: hex(0x130c06),
		floor: hex(0xb49a72), wall: hex(0x5a4632), wallDeep: hex(0x2c2117),
		ink: hex(0x1a120a), grid: hex(0x4a3520), door: hex(0xb0702c), water: hex(0x4d6660),
		metal: hex(0xc08a3e), accent: hex(0x8c5a2b), glow: hex(0xffc66b),
		sky0: hex(0x6b7a80), sky1: hex(0xe6c08a), land: hex(0x4f4030),
		floorStyle: planks, hatch: true, spires: true, grainAmount: 0.04,
	},
	"postapoc": {
		bg: hex(0x2e2418), bg2: hex(0x120e08),
		floor: hex(0xa8926f), wall: hex(0x5e4f3c), wallDeep: hex(0x30281e),
		ink: hex(0x17120c), grid: hex(0x3d3022), door: hex(0x7a4a28), water: hex(0x5a5a3a),
		metal: hex(0x9a7a55), accent: hex(0xc25b1e), glow: hex(0xd6f25a),
		sky0: hex(0x8a7a5a), sky1: hex(0xe0b070), land: hex(0x5a4a32),
		hatch: true, deadTrees: true, grainAmount: 0.05,
	},
	"western": {
		bg: hex(0x3a2416), bg2: hex(0x170e08),
		floor: hex(0xd2b283), wall: hex(0x8a5a38), wallDeep: hex(0x4a2e1c),
		ink: hex(0x24160c), grid: hex(0x5a3a20), door: hex(0x7a4f2a), water: hex(0x4f7a8a),
		metal: hex(0xb98c4e), accent: hex(0xa8431e), glow: hex(0xffd27a),
		sky0: hex(0x4a86b8), sky1: hex(0xf6d39a), land: hex(0x9a6238),
		floorStyle: planks, hatch: true, grainAmount: 0.04,
	},
	"nautical": {
		bg: hex(0x10222e), bg2: hex(0x060d12),
		floor: hex(0xa88a62), wall: hex(0x3c4a52), wallDeep: hex(0x1a2328),
		ink: hex(0x0c1216), grid: hex(0x2a2016), door: hex(0x6a4424), water: hex(0x1f5f80),
		metal: hex(0xc9a050), accent: hex(0x1f5f80), glow: hex(0x6fe3d0),
		sky0: hex(0x2e6fa0), sky1: hex(0xcfe3e8), land: hex(0x2a4a50),
		floorStyle: planks, hatch: true, grainAmount: 0.03,
	},
	"fey": {
		bg: hex(0x241a33), bg2: hex(0x0e0a16),
		floor: hex(0xb7c99a), wall: hex(0x4d6b4a), wallDeep: hex(0x24331f),
		ink: hex(0x18201a), grid: hex(0x3a4a30), door: hex(0xa06ac0), water: hex(0x5fa8c0),
		metal: hex(0xe0c8f0), accent: hex(0xd05ab0), glow: hex(0xf0a0ff),
		sky0: hex(0x6a5ab0), sky1: hex(0xf8c8d8), land: hex(0x3a6a48),
		hatch: true, grainAmount: 0.02,
	},
}

// genreKeys maps words found in a genre to a palette; earlier entries win.
var genreKeys = []struct{ word, palette string }{
	{"cyberpunk", "cyberpunk"}, {"cyber", "cyberpunk"}, {"neon", "cyberpunk"},
	{"steampunk", "steampunk"}, {"clockwork", "steampunk"}, {"victorian", "steampunk"},
	{"sci", "scifi"}, {"science", "scifi"}, {"space", "scifi"}, {"futur", "scifi"}, {"star", "scifi"},
	{"post", "postapoc"}, {"apocalyp", "postapoc"}, {"wasteland", "postapoc"},
	{"horror", "horror"}, {"gothic", "horror"}, {"lovecraft", "horror"}, {"cosmic", "horror"}, {"undead", "horror"},
	{"western", "western"}, {"desert", "western"}, {"frontier", "western"},
	{"pirate", "nautical"}, {"nautical", "nautical"}, {"sea", "nautical"}, {"ocean", "nautical"},
	{"fey", "fey"}, {"fairy", "fey"}, {"whimsical", "fey"},
}

// paletteName picks the palette for a genre; fantasy when nothing matches.
func paletteName(genre string) string {
	for _, k := range genreKeys {
		if hasWord(genre, k.word) {
			return k.palette
		}
	}
	return "fantasy"
}

// themePalette returns the palette for a genre, shifted by the tone.
func themePalette(genre, tone string) palette {
	name := paletteName(genre)
	p := palettes[name]
	p.name = name
	if hasWord(genre, "grimdark") || hasWord(genre, "dark") {
		p = p.shade(0.85, 0.7, rgb{})
	}
	switch {
	case hasAnyWord(tone, "dark", "grim", "gritty", "bleak", "sinister", "ominous", "somber", "sombre", "horror"):
		p = p.shade(0.72, 0.75, rgb{})
		p.night = true
		p.grainAmount += 0.02
	case hasAnyWord(tone, "light", "cheer", "whimsical", "hopeful", "playful", "bright", "comedic", "happy"):
		p = p.shade(1.15, 1.15, rgb{})
		p.night = false
	case hasAnyWord(tone, "myster", "eerie", "arcane", "dream", "ethereal"):
		p = p.shade(0.9, 0.85, hex(0x5a4aa0))
	case hasAnyWord(tone, "epic", "heroic", "grand", "triumph"):
		p = p.shade(1.05, 1.15, hex(0xc08a30))
	}
	return p
}

// shade scales brightness by v and saturation by s, and tints toward tint
// (a zero tint leaves the hue alone). Grid, glow and accent keep their
// brightness so they stay legible.
func (p palette) shade(v, s float64, tint rgb) palette {
	f := func(c rgb) rgb {
		c = c.saturate(s).scale(v)
		if tint != (rgb{}) {
			c = mix(c, tint.scale(c.lum()*1.6), 0.15)
		}
		return c
	}
	for _, c := range []*rgb{&p.bg, &p.bg2, &p.floor, &p.wall, &p.wallDeep, &p.ink, &p.door, &p.water, &p.metal, &p.sky0, &p.sky1, &p.land} {
		*c = f(*c)
	}
	for _, c := range []*rgb{&p.accent, &p.glow} {
		*c = c.saturate(s)
	}
	return p
}

// hasWord reports whether word starts a word of text, ignoring case: "sci"
// matches "Sci-Fi" but not "conscience".
func hasWord(text, word string) bool {
	return wordIndex(strings.ToLower(text), word) >= 0
}

func hasAnyWord(text string, words ...string) bool {
	for _, w := range words {
		if hasWord(text, w) {
			return true
		}
	}
	return false
}

// hasWholeWord reports whether phrase occurs in text as whole words,
// ignoring case and treating '-' and '_' as spaces.
func hasWholeWord(text, phrase string) bool {
	norm := strings.NewReplacer("-", " ", "_", " ")
	text = strings.ToLower(norm.Replace(text))
	phrase = strings.ToLower(norm.Replace(phrase))
	for i := 0; ; {
		j := strings.Index(text[i:], phrase)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(phrase)
		startOK := j == 0 || !isWordByte(text, j, true)
		endOK := end == len(text) || !isWordByte(text, end, false)
		if startOK && endOK {
			return true
		}
		i = j + 1
	}
}

// isWordByte reports whether the rune before (before=true) or at i is a
// letter or digit.
func isWordByte(s string, i int, before bool) bool {
	var r rune
	if before {
		r, _ = utf8.DecodeLastRuneInString(s[:i])
	} else {
		r, _ = utf8.DecodeRuneInString(s[i:])
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// promptColours maps colour words in a prompt to a colour.
var promptColours = []struct {
	words []string
	c     rgb
}{
	{[]string{"red", "crimson", "scarlet", "ruby", "blood", "fire", "flam", "burning", "infernal"}, hex(0xe0342c)},
	{[]string{"orange", "topaz", "ember", "amber"}, hex(0xf08a24)},
	{[]string{"gold", "yellow", "sun", "holy", "radiant", "divine", "citrine"}, hex(0xf2c744)},
	{[]string{"green", "emerald", "jade", "poison", "venom", "verdant", "nature", "acid"}, hex(0x3cc864)},
	{[]string{"teal", "cyan", "turquoise", "aqua"}, hex(0x2fd0d0)},
	{[]string{"blue", "sapphire", "azure", "ice", "frost", "cold", "water", "lightning", "storm"}, hex(0x3c7cf0)},
	{[]string{"purple", "violet", "amethyst", "arcane", "psychic"}, hex(0xa050f0)},
	{[]string{"pink", "rose"}, hex(0xf070b0)},
	{[]string{"shadow", "necrotic", "void", "obsidian", "black", "dark"}, hex(0x6a3aa0)},
	{[]string{"white", "silver", "pearl", "moon", "diamond", "crystal"}, hex(0xe8f0ff)},
}

// promptColour returns the colour of the first colour word in the prompt.
func promptColour(prompt string) (rgb, bool) {
	best, bestAt := rgb{}, -1
	lower := strings.ToLower(prompt)
	for _, pc := range promptColours {
		for _, w := range pc.words {
			at := wordIndex(lower, w)
			if at >= 0 && (bestAt < 0 || at < bestAt) {
				best, bestAt = pc.c, at
			}
		}
	}
	return best, bestAt >= 0
}

// wordIndex returns where word starts a word of text, or -1.
func wordIndex(text, word string) int {
	for i := 0; ; {
		j := strings.Index(text[i:], word)
		if j < 0 {
			return -1
		}
		j += i
		if j == 0 || !isWordByte(text, j, true) {
			return j
		}
		i = j + 1
	}
}
