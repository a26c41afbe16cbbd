package imagegen

import (
	"context"
	"image"
	"math"
	"math/rand/v2"
	"strings"
)

// Ear shapes.
const (
	earRound = iota
	earPointed
	earLong
)

// Hair styles.
const (
	hairShort = iota
	hairLong
	hairBald
	hairTopknot
	hairCurly
	hairBraids
	hairMohawk
	numHairStyles
)

// race is how a people looks: the head's build and the face's features.
type race struct {
	name      string
	words     []string
	rx, ry    float64 // head radii, in units
	jaw       float64 // jaw width, times the head's
	headY     float64 // head centre
	neck      float64 // neck half width
	shoulders float64 // shoulder half width
	ears      int
	beard     float64 // chance of a beard
	tusks     bool
	horns     bool
	snout     bool // dragonborn
	halo      bool
	marks     bool // goliath skin markings
	bigNose   bool
	solidEyes bool // no whites: tiefling eyes
	skins     []uint32
	hairs     []uint32
	eyes      []uint32
	styles    []int
	// size scales the figure in its frame (0 is 1): a halfling's bust is
	// smaller than a human's and sits lower, with more room above.
	size float64
}

// scale is the race's size in its frame.
func (r race) scale() float64 {
	if r.size == 0 {
		return 1
	}
	return r.size
}

var (
	humanSkins = []uint32{0xf1c6a3, 0xe3b08a, 0xc98d62, 0xa86d45, 0x80512f, 0x5e3a22}
	humanHairs = []uint32{0x2a1d15, 0x4a2f1c, 0x7a4a26, 0xb0702e, 0xd9b46a, 0x1c1c1e, 0x8a8a8a}
	humanEyes  = []uint32{0x3a5f8a, 0x4a7a3a, 0x5a3a20, 0x6b7b8c}
)

// races lists the peoples a portrait draws; the first is the default.
var races = []race{
	{name: "human", words: []string{"human", "man", "woman"}, rx: 0.14, ry: 0.175, jaw: 0.8, headY: 0.36, neck: 0.055, shoulders: 0.34,
		beard: 0.3, skins: humanSkins, hairs: humanHairs, eyes: humanEyes, styles: []int{hairShort, hairLong, hairCurly, hairTopknot}},
	{name: "dwarf", words: []string{"dwarf", "dwarven", "dwarves", "duergar"}, rx: 0.155, ry: 0.16, jaw: 0.95, headY: 0.4, neck: 0.07, shoulders: 0.42,
		ears: earRound, beard: 1, bigNose: true, skins: []uint32{0xe8b893, 0xd29a72, 0xb57850, 0x8a5a3a},
		hairs: []uint32{0xa8421c, 0x6a3a1c, 0x2a1d15, 0x9a9a9a, 0xc8782e}, eyes: humanEyes, styles: []int{hairBraids, hairShort, hairBald}, size: 0.92},
	{name: "elf", words: []string{"elf", "elven", "elves", "eladrin", "high elf", "wood elf"}, rx: 0.125, ry: 0.18, jaw: 0.62, headY: 0.35, neck: 0.042, shoulders: 0.29,
		ears: earLong, skins: []uint32{0xf4d3b8, 0xe8c4a0, 0xc99a70, 0xa87850},
		hairs: []uint32{0xe8d8a0, 0xd0d0d8, 0x2a1d15, 0xa0482a, 0x5a3a1c}, eyes: []uint32{0x3aa070, 0x4a8ad0, 0x8a6ad0, 0xc0a040}, styles: []int{hairLong}},
	{name: "half-elf", words: []string{"half-elf", "half elf", "halfelf"}, rx: 0.135, ry: 0.175, jaw: 0.72, headY: 0.36, neck: 0.05, shoulders: 0.32,
		ears: earPointed, skins: humanSkins, hairs: humanHairs, eyes: []uint32{0x3aa070, 0x4a8ad0, 0x5a3a20}, styles: []int{hairLong, hairShort}},
	{name: "drow", words: []string{"drow", "dark elf"}, rx: 0.125, ry: 0.18, jaw: 0.62, headY: 0.35, neck: 0.042, shoulders: 0.29,
		ears: earLong, skins: []uint32{0x4a4458, 0x3c3650, 0x5a506a}, hairs: []uint32{0xf0f0f4, 0xd8d8e8},
		eyes: []uint32{0xe03030, 0xc080f0}, styles: []int{hairLong}},
	{name: "halfling", words: []string{"halfling", "hobbit", "hin"}, rx: 0.15, ry: 0.155, jaw: 0.85, headY: 0.4, neck: 0.05, shoulders: 0.3,
		ears: earPointed, skins: []uint32{0xf1c6a3, 0xe3b08a, 0xc98d62, 0xa86d45}, hairs: []uint32{0x4a2f1c, 0x7a4a26, 0xb0702e, 0x2a1d15},
		eyes: humanEyes, styles: []int{hairCurly}, size: 0.8},
	{name: "gnome", words: []string{"gnome", "gnomish", "svirfneblin"}, rx: 0.15, ry: 0.15, jaw: 0.8, headY: 0.4, neck: 0.045, shoulders: 0.28,
		ears: earPointed, bigNose: true, beard: 0.3, skins: []uint32{0xf1c6a3, 0xe3b08a, 0xc98d62},
		hairs: []uint32{0xf0f0f0, 0xe06a20, 0xd04a8a, 0x4a8ad0}, eyes: []uint32{0x4a8ad0, 0x3aa070, 0x8a6ad0}, styles: []int{hairCurly, hairMohawk}, size: 0.78},
	{name: "half-orc", words: []string{"half-orc", "half orc", "halforc", "orc", "orcish", "orc-blooded"}, rx: 0.155, ry: 0.17, jaw: 1.02, headY: 0.37, neck: 0.075, shoulders: 0.43,
		ears: earPointed, tusks: true, skins: []uint32{0x8a9a6a, 0x7a8a5a, 0x9aa07a, 0x6a7a58},
		hairs: []uint32{0x1c1c1e, 0x2a1d15, 0x4a2f1c}, eyes: []uint32{0x8a2a1a, 0x5a3a20, 0xa08020}, styles: []int{hairTopknot, hairMohawk, hairBald}},
	{name: "tiefling", words: []string{"tiefling", "fiendish", "cambion"}, rx: 0.135, ry: 0.175, jaw: 0.72, headY: 0.37, neck: 0.05, shoulders: 0.32,
		ears: earPointed, horns: true, solidEyes: true, skins: []uint32{0xb0403a, 0x8a3a5a, 0x6a4a8a, 0xc06050},
		hairs: []uint32{0x1c1c1e, 0x2a1a2a, 0x4a1a3a}, eyes: []uint32{0xf0c030, 0xe03030, 0xf0f0f0}, styles: []int{hairLong, hairShort}},
	{name: "dragonborn", words: []string{"dragonborn", "draconic", "lizardfolk", "kobold"}, rx: 0.15, ry: 0.17, jaw: 0.9, headY: 0.36, neck: 0.07, shoulders: 0.42,
		ears: -1, snout: true, skins: []uint32{0xa83a2a, 0x2a5aa8, 0x3a8a3a, 0xc09a3a, 0xb06a3a, 0x9aa0a8},
		eyes: []uint32{0xf0c030}, styles: []int{hairBald}},
	{name: "aasimar", words: []string{"aasimar", "celestial", "angelic"}, rx: 0.135, ry: 0.175, jaw: 0.75, headY: 0.37, neck: 0.05, shoulders: 0.33,
		halo: true, skins: []uint32{0xf4d8c0, 0xe8c4a0, 0xc99a70}, hairs: []uint32{0xf0e0a0, 0xf4f4f4, 0xd8b060},
		eyes: []uint32{0xf8e8a0}, styles: []int{hairLong, hairShort}},
	{name: "goliath", words: []string{"goliath", "giant-kin", "firbolg"}, rx: 0.15, ry: 0.18, jaw: 0.95, headY: 0.35, neck: 0.075, shoulders: 0.44,
		marks: true, skins: []uint32{0x9aa0a4, 0x8a8e90, 0xa8a49a}, hairs: []uint32{0x1c1c1e},
		eyes: []uint32{0x4a8ad0, 0x6b7b8c}, styles: []int{hairBald}},
}

// Outfits.
const (
	outfitTunic = iota
	outfitRobe
	outfitPlate
	outfitLeather
	outfitFur
	outfitVestment
	outfitGi
	outfitDoublet
	outfitApron
	outfitMail
)

// Headgear.
const (
	headNone = iota
	headWizardHat
	headHood
	headBeret
	headLeaves
	headGoggles
)

// Gear.
const (
	gearStaff = iota
	gearSword
	gearShield
	gearDaggers
	gearBow
	gearGreataxe
	gearLute
	gearHolySymbol
	gearMace
	gearOrb
	gearBeads
	gearTabard
	gearCloak
	gearSpear
	gearHammer
	gearAxe
)

// class is what a calling wears and carries.
type class struct {
	name   string
	words  []string
	outfit int
	head   int
	gear   []int
	cloth  uint32 // main colour, before the alignment shifts it
	orb    uint32 // magic colour
	charge int    // heraldic charge on a shield
}

// classes lists the callings a portrait draws; the last is the fallback.
var classes = []class{
	{name: "wizard", words: []string{"wizard", "mage", "magus", "archmage", "magician", "necromancer", "enchanter", "illusionist", "conjurer"}, outfit: outfitRobe, head: headWizardHat, gear: []int{gearStaff}, cloth: 0x2f4fa0, orb: 0x70c8ff},
	{name: "sorcerer", words: []string{"sorcerer", "sorceress", "sorcer"}, outfit: outfitRobe, gear: []int{gearOrb}, cloth: 0x7a2a6a, orb: 0xff7a2a},
	{name: "warlock", words: []string{"warlock", "witch", "hexblade", "cultist"}, outfit: outfitRobe, head: headHood, gear: []int{gearOrb}, cloth: 0x3a2a4a, orb: 0x7aff6a},
	{name: "fighter", words: []string{"fighter", "warrior", "soldier", "knight", "guard", "mercenary", "gladiator", "champion", "swordsman"}, outfit: outfitPlate, gear: []int{gearSword, gearShield}, cloth: 0x8a2a2a, charge: chSword},
	{name: "paladin", words: []string{"paladin", "templar", "crusader"}, outfit: outfitPlate, gear: []int{gearTabard, gearSword, gearShield}, cloth: 0xe8e0d0, charge: chCross},
	{name: "cleric", words: []string{"cleric", "priest", "priestess", "acolyte", "oracle", "healer"}, outfit: outfitVestment, gear: []int{gearHolySymbol, gearMace}, cloth: 0xe8e2d4, orb: 0xffe08a},
	{name: "rogue", words: []string{"rogue", "thief", "assassin", "scoundrel", "spy", "burglar", "cutpurse"}, outfit: outfitLeather, head: headHood, gear: []int{gearDaggers}, cloth: 0x3a3a40},
	{name: "ranger", words: []string{"ranger", "hunter", "archer", "scout", "tracker"}, outfit: outfitLeather, head: headHood, gear: []int{gearCloak, gearBow}, cloth: 0x3a5a30},
	{name: "barbarian", words: []string{"barbarian", "berserker", "savage", "reaver"}, outfit: outfitFur, gear: []int{gearGreataxe}, cloth: 0x6a4a2a},
	{name: "bard", words: []string{"bard", "minstrel", "troubadour", "skald", "performer"}, outfit: outfitDoublet, head: headBeret, gear: []int{gearLute}, cloth: 0xa02a4a},
	{name: "druid", words: []string{"druid", "shaman", "wilder", "circle"}, outfit: outfitRobe, head: headLeaves, gear: []int{gearStaff}, cloth: 0x4a6a2a, orb: 0x9aff7a},
	{name: "monk", words: []string{"monk", "mystic", "ascetic"}, outfit: outfitGi, gear: []int{gearBeads}, cloth: 0xd08a2a},
	{name: "artificer", words: []string{"artificer", "engineer", "tinker", "inventor", "alchemist"}, outfit: outfitApron, head: headGoggles, gear: []int{gearOrb}, cloth: 0x6a4a3a, orb: 0x5ae0ff},
	{name: "adventurer", outfit: outfitTunic, gear: []int{gearCloak}, cloth: 0x6a5a3a},
}

// figure is everything a portrait's layers are built from.
type figure struct {
	race    race
	class   class
	rng     *rand.Rand
	seed    uint64
	px      float64 // one pixel, in units
	evil    bool
	good    bool
	skin    rgb
	hair    rgb
	eye     rgb
	cloth   rgb
	cloth2  rgb // second colour: undershirt, lining
	trim    rgb
	metal   rgb
	leather rgb
	orb     rgb
	ink     rgb
	style   int
	beard   bool
	marks   faceMarks
	rm      *removals
	tex     *noise
	canvas  canvas
}

// newFigure decides race, class, palette and features from the request's
// hints and prompt, warning about hints it does not know.
func newFigure(sc *scene, px float64) *figure {
	req := sc.req
	text := strings.Join([]string{req.Race, req.Class, req.Alignment, sc.prompt}, " ")
	rc, rcOK := pickRace(req.Race, sc.prompt)
	if !rcOK && strings.TrimSpace(req.Race) != "" {
		sc.warn("character_race %q is not a race the offline renderer draws; drew a human (it draws %s)", truncateTerm(req.Race), raceNames())
	}
	cl, clOK := pickClass(req.Class, sc.prompt)
	if !clOK && strings.TrimSpace(req.Class) != "" {
		sc.warn("character_class %q is not a class the offline renderer draws; drew a travelling adventurer (it draws %s)", truncateTerm(req.Class), classNames())
	}
	rng := sc.rng
	f := &figure{race: rc, class: cl, rng: rng, seed: sc.seed, px: px, rm: sc.rm, tex: newNoise(sc.seed ^ 0x6669677572)}
	f.evil = hasAnyWord(req.Alignment+" "+sc.prompt, "evil", "villain", "wicked", "sinister", "corrupt", "dark lord", "necromancer", "cultist", "fiend")
	f.good = !f.evil && hasAnyWord(req.Alignment+" "+sc.prompt, "good", "holy", "noble", "righteous", "heroic", "kind")
	f.skin = hex(pick(rng, rc.skins))
	if rc.name == "dragonborn" {
		if c, ok := dragonColour(text); ok {
			f.skin = c
		}
	}
	f.hair = hairColour(rng, rc, sc.prompt)
	f.eye = hex(pick(rng, rc.eyes))
	f.style = pick(rng, rc.styles)
	if cl.name == "monk" && rc.name != "dragonborn" {
		f.style = hairBald
	}
	f.beard = rng.Float64() < rc.beard && !f.rm.has(rmBeard)
	if feminine(req.Pronouns, sc.prompt) {
		f.beard = false
		if f.style == hairBald || rc.name == "dwarf" {
			f.style = rc.styles[0] // the race's first style is never bald unless it has no other: a dwarf's braids
		}
	}
	if hasAnyWord(sc.prompt, "beard", "bearded") && !f.rm.has(rmBeard) && rc.name != "dragonborn" {
		f.beard = true
	}
	f.marks = faceMarksIn(sc.prompt + " " + req.Character)
	f.equip(sc)
	f.dress(sc)
	return f
}

// feminine reports whether the pronouns or the prompt make the character
// a woman: she/her, or words like "female" or "priestess".
func feminine(pronouns, prompt string) bool {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(pronouns)), "she") {
		return true
	}
	return namesAny(lowerNorm(prompt), []string{"female", "woman", "she", "lady", "girl", "priestess", "sorceress", "queen", "matron", "heroine", "huntress", "shieldmaiden"})
}

// dress picks the figure's colours from class, alignment, prompt and theme.
func (f *figure) dress(sc *scene) {
	c := f.class
	f.cloth = hex(c.cloth)
	if pc, ok := clothColour(sc.prompt); ok {
		f.cloth = pc
	}
	f.metal = hex(0xb8bec6)
	f.trim = hex(0xd4a62a)
	f.leather = hex(0x6a4426)
	f.orb = hex(c.orb)
	if f.orb == (rgb{}) {
		f.orb = sc.pal.glow
	}
	f.ink = hex(0x1a1418)
	switch {
	case f.evil:
		f.cloth = mix(f.cloth.scale(0.45), hex(0x4a0e16), 0.35)
		f.metal = hex(0x4a4a54)
		f.trim = hex(0x9a1a22)
		f.leather = hex(0x2e2220)
		if c.orb != 0 {
			f.orb = mix(f.orb, hex(0xd02040), 0.5)
		}
	case f.good:
		f.cloth = f.cloth.scale(1.08)
		f.metal = hex(0xd0d6de)
	}
	f.cloth2 = mix(f.cloth, hex(0xe8e0cc), 0.55)
	if f.evil {
		f.cloth2 = mix(f.cloth, hex(0x1a1014), 0.6)
	}
	// The theme's palette tints clothes a little.
	f.cloth = mix(f.cloth, sc.pal.accent, 0.12)
}

// pickRace finds the race named by the hint, else by the prompt.
func pickRace(hint, prompt string) (race, bool) {
	for _, text := range []string{hint, prompt} {
		best, at := -1, -1
		lower := strings.ToLower(strings.ReplaceAll(text, "_", " "))
		for i, r := range races {
			for _, w := range r.words {
				// Longer names first: "half-elf" is not an elf.
				if j := wordIndex(lower, w); j >= 0 && (at < 0 || j < at || (j == at && len(w) > len(races[best].name))) {
					best, at = i, j
				}
			}
		}
		if best >= 0 {
			return races[best], true
		}
	}
	return races[0], false
}

// pickClass finds the class named by the hint, else by the prompt.
func pickClass(hint, prompt string) (class, bool) {
	for _, text := range []string{hint, prompt} {
		best, at := -1, -1
		lower := strings.ToLower(text)
		for i, c := range classes {
			for _, w := range c.words {
				if j := wordIndex(lower, w); j >= 0 && (at < 0 || j < at) {
					best, at = i, j
				}
			}
		}
		if best >= 0 {
			return classes[best], true
		}
	}
	return classes[len(classes)-1], false
}

func raceNames() string {
	names := make([]string, len(races))
	for i, r := range races {
		names[i] = r.name
	}
	return strings.Join(names, ", ")
}

func classNames() string {
	names := make([]string, 0, len(classes))
	for _, c := range classes[:len(classes)-1] {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// dragonColour reads a dragon's colour from words like "red" or "gold".
func dragonColour(text string) (rgb, bool) {
	for _, dc := range []struct {
		word string
		c    uint32
	}{
		{"red", 0xa83a2a}, {"blue", 0x2a5aa8}, {"green", 0x3a8a3a}, {"black", 0x3a3440}, {"white", 0xd8dce4},
		{"gold", 0xc8a03a}, {"silver", 0xa8b0bc}, {"bronze", 0xa86a34}, {"copper", 0xb8643a}, {"brass", 0xc0983a},
	} {
		if hasWholeWord(text, dc.word) {
			return hex(dc.c), true
		}
	}
	return rgb{}, false
}

// hairColour reads "red hair", "white-bearded", "blonde" and the like from
// the prompt, else picks one the race has.
func hairColour(rng *rand.Rand, rc race, prompt string) rgb {
	c := hex(0x2a1d15)
	if len(rc.hairs) > 0 {
		c = hex(pick(rng, rc.hairs))
	}
	lower := strings.ToLower(prompt)
	for _, hc := range []struct {
		words []string
		c     uint32
	}{
		{[]string{"blonde", "blond", "golden-haired", "golden hair", "fair-haired"}, 0xe0c070},
		{[]string{"red hair", "red-haired", "red beard", "red-bearded", "ginger", "auburn", "copper hair"}, 0xb0441c},
		{[]string{"white hair", "white-haired", "white beard", "white-bearded", "silver hair", "silver-haired", "grey hair", "gray hair", "grey beard", "grey-bearded", "gray-bearded", "old", "elderly", "aged"}, 0xd8d8dc},
		{[]string{"black hair", "black-haired", "raven-haired", "black beard"}, 0x1a1618},
		{[]string{"brown hair", "brown-haired", "brunette", "brown beard"}, 0x5a3a1c},
	} {
		for _, w := range hc.words {
			if wordIndex(lower, w) >= 0 {
				return hex(hc.c)
			}
		}
	}
	return c
}

// clothColour is the colour of words like "in blue robes" or "crimson
// cloak": a colour word not about hair, eyes or skin.
func clothColour(prompt string) (rgb, bool) {
	lower := strings.ToLower(prompt)
	for _, pc := range promptColours {
		for _, w := range pc.words {
			at := wordIndex(lower, w)
			if at < 0 {
				continue
			}
			rest := strings.Fields(lower[at:])
			if len(rest) > 1 && hasAnyWord(rest[1], "hair", "haired", "beard", "bearded", "eye", "eyed", "skin", "skinned", "scale", "dragonborn", "dragon") {
				continue
			}
			if strings.Contains(rest[0], "-") && hasAnyWord(rest[0][strings.Index(rest[0], "-"):], "haired", "bearded", "eyed", "skinned") {
				continue
			}
			return pc.c.saturate(0.8).scale(0.8), true
		}
	}
	return rgb{}, false
}

// drawPortrait draws a character bust on a transparent background: build,
// face, clothes and gear follow race, class and alignment. A round token
// frame puts it on a disk inside a metal ring; outside the ring the picture
// stays transparent.
func drawPortrait(ctx context.Context, img *image.RGBA, sc *scene) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	S := float64(min(w, h))
	framed := sc.req.TokenFrame == TokenFrameRound
	if framed && sc.rm.has(rmFrame) {
		sc.warn("parameters.token_frame is round but negative_prompt removes the frame; drew the frame")
	}
	scale := S
	if framed {
		scale = S * 0.9
	}
	f := newFigure(sc, 1/scale)
	cv := portraitCanvas(w, h, scale, f.race.scale())
	if framed {
		cv.oy += S * 0.03
	}
	f.px = 1 / cv.scale
	f.canvas = cv
	layers := f.layers()
	lw := max(1, S/256)
	var clip func(px, py float64) float64
	if framed {
		ring := newTokenRing(sc, f, float64(w)/2, float64(h)/2, S)
		if err := ring.drawBackdrop(ctx, img); err != nil {
			return err
		}
		clip = ring.clip
		if err := renderLayers(ctx, img, cv, layers, f.ink, lw, clip); err != nil {
			return err
		}
		return ring.drawRing(ctx, img)
	}
	return renderLayers(ctx, img, cv, layers, f.ink, lw, nil)
}

// portraitCanvas maps a figure's unit square onto a w×h picture at scale
// pixels a unit, shrunk by size about the bottom centre, so a small
// people's bust still runs off the bottom with room above its head.
func portraitCanvas(w, h int, scale, size float64) canvas {
	bottom := float64(h)/2 + scale*0.5
	return canvas{scale: scale * size, ox: float64(w) / 2, oy: bottom - scale*size}
}

// layers lists the figure's parts back to front.
func (f *figure) layers() []layer {
	var ls []layer
	ls = append(ls, f.backGear()...)
	ls = append(ls, f.backHair()...)
	ls = append(ls, f.torso()...)
	ls = append(ls, f.neckAndHead()...)
	ls = append(ls, f.headgear()...)
	ls = append(ls, f.frontGear()...)
	return ls
}

// tokenRing is a round token: a tinted disk behind the figure and a
// bevelled metal ring round it.
type tokenRing struct {
	cx, cy, R, ri float64
	disk, metal   rgb
	ink           rgb
	tex           *noise
}

func newTokenRing(sc *scene, f *figure, cx, cy, S float64) *tokenRing {
	R := 0.49 * S
	disk := mix(sc.pal.bg, sc.pal.accent, 0.3)
	metal := hex(0xc9a04a)
	switch {
	case f.evil:
		disk = mix(hex(0x2a0a10), sc.pal.bg2, 0.3)
		metal = hex(0x5a5a64)
	case f.good:
		disk = mix(hex(0x4a6a9a), sc.pal.sky1, 0.25)
		metal = hex(0xe0b850)
	default:
		disk = mix(hex(0x4a5a44), disk, 0.4)
	}
	return &tokenRing{cx: cx, cy: cy, R: R, ri: R * 0.9, disk: disk, metal: metal, ink: f.ink, tex: newNoise(sc.seed ^ 0x746f6b)}
}

// clip is negative inside the ring's inner edge.
func (t *tokenRing) clip(px, py float64) float64 { return math.Hypot(px-t.cx, py-t.cy) - t.ri }

// drawBackdrop paints the disk behind the figure, light at its centre.
func (t *tokenRing) drawBackdrop(ctx context.Context, img *image.RGBA) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	return forPixels(ctx, w, h, func(x, y int, px, py float64) {
		r := math.Hypot(px-t.cx, py-t.cy)
		a := cover(r - t.ri - 1)
		if a <= 0 {
			return
		}
		k := 1.25 - 0.75*r/t.ri
		c := t.disk.scale(k * (0.92 + 0.16*t.tex.fbm(px/(t.R*0.15), py/(t.R*0.15), 3)))
		i := y*img.Stride + x*4
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = to8(c.r*a), to8(c.g*a), to8(c.b*a), to8(a)
	})
}

// drawRing paints the bevelled metal ring over the figure's edge and
// leaves everything outside it transparent.
func (t *tokenRing) drawRing(ctx context.Context, img *image.RGBA) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	lw := max(1, t.R/100)
	return forPixels(ctx, w, h, func(x, y int, px, py float64) {
		dx, dy := px-t.cx, py-t.cy
		r := math.Hypot(dx, dy)
		i := y*img.Stride + x*4
		if r > t.R+1 || r < t.ri-lw*2 {
			return
		}
		// Lit from the upper left: the outer bevel bright there, the
		// inner bevel bright opposite.
		lx, ly := dx/max(r, 1e-9), dy/max(r, 1e-9)
		facing := -(lx + ly) * math.Sqrt2 / 2
		tt := (r - t.ri) / (t.R - t.ri)
		c := t.metal.scale(0.8 + 0.35*facing*(2*tt-1))
		c = c.add(rgb{1, 1, 1}.scale(0.4 * math.Pow(max(0, facing*(2*tt-1)), 6)))
		c = c.scale(0.95 + 0.1*t.tex.fbm(px/4, py/4, 2))
		c = mix(c, t.ink, cover(math.Abs(r-t.R+lw)-lw))
		compositeOver(img.Pix, i, c, cover(r-t.R)*cover(t.ri-r))
		compositeOver(img.Pix, i, t.ink, cover(math.Abs(r-t.ri)-lw))
	})
}
