package imagegen

import (
	"math"
	"math/rand/v2"
)

// Heraldic tinctures.
var (
	tOr       = hex(0xd9a91f)
	tArgent   = hex(0xe9e9e4)
	tGules    = hex(0xb3191f)
	tAzure    = hex(0x1f4fa3)
	tVert     = hex(0x1f7a3a)
	tPurpure  = hex(0x6b2d87)
	tSable    = hex(0x202024)
	tSanguine = hex(0x7b1c1f)
	tTenne    = hex(0xc0641d)
	colours   = []rgb{tGules, tAzure, tVert, tPurpure, tSable, tSanguine, tTenne}
)

// Tincture preferences by words found in the alignment and race.
var tinctureWords = []struct {
	word string
	pref []rgb
}{
	{"good", []rgb{tAzure, tGules, tVert}},
	{"evil", []rgb{tSable, tSanguine, tPurpure}},
	{"lawful", []rgb{tAzure, tGules}},
	{"chaotic", []rgb{tVert, tTenne, tGules}},
	{"neutral", []rgb{tVert, tPurpure, tAzure}},
	{"drow", []rgb{tSable, tPurpure}},
	{"elf", []rgb{tVert, tAzure}},
	{"dwarf", []rgb{tGules, tSable}},
	{"halfling", []rgb{tVert, tTenne}},
	{"gnome", []rgb{tPurpure, tAzure}},
	{"dragonborn", []rgb{tGules, tAzure}},
	{"tiefling", []rgb{tSanguine, tSable, tPurpure}},
	{"orc", []rgb{tSable, tGules}},
	{"half-orc", []rgb{tSable, tGules}},
	{"aasimar", []rgb{tAzure}},
	{"human", []rgb{tGules, tAzure}},
	{"goliath", []rgb{tAzure, tSable}},
}

// Field divisions.
const (
	divPlain = iota
	divPale
	divFess
	divBend
	divBendSinister
	divQuarterly
	divSaltire
	divChevron
	divPaly
	divBarry
	divBendy
	divChequy
	numDivisions
)

// Ordinaries.
const (
	ordNone = iota
	ordFess
	ordPale
	ordBend
	ordCross
	ordSaltire
	ordChevron
	ordChief
	ordBordure
)

// Charges.
const (
	chRoundel = iota
	chAnnulet
	chLozenge
	chMullet
	chCross
	chCrescent
	chSun
	chCog
	chSword
	chTower
	chArrow
	chTree
	chEye
	chAxe
	numCharges
)

// classCharges maps words in a character class to its charge.
var classCharges = []struct {
	word   string
	charge int
}{
	{"fighter", chSword}, {"warrior", chSword}, {"soldier", chSword}, {"knight", chSword}, {"swashbuckler", chSword},
	{"paladin", chCross}, {"templar", chCross}, {"crusader", chCross},
	{"cleric", chSun}, {"priest", chSun}, {"oracle", chSun},
	{"wizard", chMullet}, {"mage", chMullet}, {"magus", chMullet},
	{"sorcer", chLozenge},
	{"warlock", chEye}, {"witch", chEye}, {"seer", chEye},
	{"rogue", chCrescent}, {"thief", chCrescent}, {"assassin", chCrescent},
	{"ranger", chArrow}, {"hunter", chArrow}, {"archer", chArrow},
	{"druid", chTree}, {"shaman", chTree},
	{"barbarian", chAxe}, {"berserker", chAxe},
	{"monk", chRoundel},
	{"bard", chAnnulet},
	{"artificer", chCog}, {"engineer", chCog}, {"tinker", chCog},
	{"noble", chTower}, {"lord", chTower}, {"guard", chTower}, {"castellan", chTower},
}

// shieldGeom is a heater shield: half width a, height h, top edge at top,
// centred on cx.
type shieldGeom struct{ cx, top, a, h float64 }

// fessY is the height of the fess point, where divisions cross.
func (g shieldGeom) fessY() float64 { return g.top + 0.42*g.h }

// sdf is the signed distance, in pixels, to the shield's edge.
func (g shieldGeom) sdf(px, py float64) float64 {
	const k = 0.42 // the sides start to curve in here
	u := math.Abs(px-g.cx) / g.a
	v := (py - g.top) / g.h
	dTop := g.top - py
	var dSide float64
	switch {
	case v <= k:
		dSide = (u - 1) * g.a
	case v >= 1:
		dSide = math.Hypot(px-g.cx, py-g.top-g.h)
	default:
		t := (v - k) / (1 - k)
		dw := -2 * t / (1 - k)
		dSide = (u - (1 - t*t)) / math.Hypot(1/g.a, dw/g.h)
	}
	return max(dTop, dSide)
}

type charge struct {
	kind    int
	x, y, s float64 // centre and scale in pixels
	tinct   rgb
	counter bool // counterchanged over the division line
}

// arms is a coat of arms on a shield.
type arms struct {
	g             shieldGeom
	tA, tB        rgb
	division      int
	divisions     float64 // stripe count for paly, barry, bendy, chequy
	ordinary      int
	ordTinct      rgb
	charges       []charge
	rim, ink      rgb
	lw, rimW, off float64
}

// newArms blazons a coat of arms from the character hints and the
// generator: tinctures from alignment and race, the charge from the class.
func newArms(rng *rand.Rand, g shieldGeom, race, class, alignment string, rim rgb) *arms {
	var pref []rgb
	for _, tw := range tinctureWords {
		if hasWord(alignment, tw.word) || hasWord(race, tw.word) {
			pref = append(pref, tw.pref...)
		}
	}
	if len(pref) == 0 {
		pref = colours
	}
	colour := pref[rng.IntN(len(pref))]
	metal := tOr
	if rng.IntN(2) == 0 {
		metal = tArgent
	}
	kind := -1
	for _, cc := range classCharges {
		if hasWord(class, cc.word) {
			kind = cc.charge
			break
		}
	}
	if kind < 0 {
		kind = rng.IntN(numCharges)
	}
	a := &arms{
		g: g, rim: rim, ink: hex(0x141414),
		lw: max(1, g.a/70), rimW: g.a * 0.055, off: max(1, g.a*0.025),
	}
	big := func(t rgb, counter bool) charge {
		return charge{kind: kind, x: g.cx, y: g.fessY() + 0.02*g.h, s: 0.5 * g.a, tinct: t, counter: counter}
	}
	switch layout := rng.IntN(20); {
	case layout < 9: // a divided field, one counterchanged charge
		a.tA, a.tB = colour, metal
		if rng.IntN(2) == 0 {
			a.tA, a.tB = metal, colour
		}
		a.division = 1 + rng.IntN(numDivisions-1)
		a.divisions = float64(4 + 2*rng.IntN(2))
		if a.division >= divPaly {
			// A busy field: the charge sits on a plain roundel.
			a.charges = append(a.charges,
				charge{kind: chRoundel, x: g.cx, y: g.fessY() + 0.02*g.h, s: 0.56 * g.a, tinct: colour},
				charge{kind: kind, x: g.cx, y: g.fessY() + 0.02*g.h, s: 0.36 * g.a, tinct: metal})
		} else {
			a.charges = append(a.charges, big(rgb{}, true))
		}
	case layout < 15: // a plain field, an ordinary between small charges
		field, other := colour, metal
		if rng.IntN(3) == 0 {
			field, other = metal, colour
		}
		a.tA, a.tB = field, field
		a.ordinary = ordFess + rng.IntN(ordChevron-ordFess+1)
		a.ordTinct = other
		a.charges = append(a.charges, smallCharges(a.ordinary, kind, g, other)...)
	case layout < 17: // a bordure round one great charge
		a.tA, a.tB = colour, colour
		a.ordinary, a.ordTinct = ordBordure, metal
		a.charges = append(a.charges, big(metal, false))
	default: // a chief charged with three, one great charge below
		a.tA, a.tB = colour, colour
		a.ordinary, a.ordTinct = ordChief, metal
		s := 0.16 * g.a
		for _, x := range []float64{-0.55, 0, 0.55} {
			a.charges = append(a.charges, charge{kind: kind, x: g.cx + x*g.a, y: g.top + 0.14*g.h, s: s, tinct: colour})
		}
		c := big(metal, false)
		c.y, c.s = g.top+0.6*g.h, 0.4*g.a
		a.charges = append(a.charges, c)
	}
	return a
}

// smallCharges places charges round an ordinary the way heralds do.
func smallCharges(ord, kind int, g shieldGeom, t rgb) []charge {
	s := 0.2 * g.a
	at := func(u, v float64) charge {
		return charge{kind: kind, x: g.cx + u*g.a, y: g.top + v*g.h, s: s, tinct: t}
	}
	switch ord {
	case ordPale:
		return []charge{at(-0.62, 0.3), at(0.62, 0.3), at(-0.55, 0.6), at(0.55, 0.6)}
	case ordBend:
		return []charge{at(0.42, 0.2), at(-0.45, 0.62)}
	case ordCross, ordSaltire:
		return []charge{at(-0.55, 0.17), at(0.55, 0.17), at(-0.45, 0.68), at(0.45, 0.68)}
	default: // fess, chevron: two and one
		return []charge{at(-0.5, 0.17), at(0.5, 0.17), at(0, 0.75)}
	}
}

// divisionSDF is negative where the field shows tincture B.
func (a *arms) divisionSDF(px, py float64) float64 {
	g := a.g
	dx, dy := px-g.cx, py-g.fessY()
	const r2 = math.Sqrt2 / 2
	stripes := func(pos, width float64) float64 {
		// Distance to the nearest stripe edge, signed by stripe parity.
		q := pos / width
		f := q - math.Floor(q)
		d := min(f, 1-f) * width
		if int64(math.Floor(q))%2 == 0 {
			return d
		}
		return -d
	}
	switch a.division {
	case divPale:
		return dx
	case divFess:
		return -dy
	case divBend:
		return (dy - dx) * r2
	case divBendSinister:
		return (dy + dx) * r2
	case divQuarterly:
		return signedMin(dx, dy)
	case divSaltire:
		return signedMin((dx-dy)*r2, (dx+dy)*r2)
	case divChevron:
		// An inverted V with its apex above the fess point.
		return -((py - (g.top + 0.3*g.h + math.Abs(dx)*0.55*g.h/g.a)) / math.Hypot(1, 0.55*g.h/g.a))
	case divPaly:
		return stripes(px-g.cx+g.a, 2*g.a/a.divisions)
	case divBarry:
		return stripes(py-g.top, g.h/(a.divisions+1))
	case divBendy:
		return stripes((dx+dy)*r2+4*g.a, 2.4*g.a/a.divisions)
	case divChequy:
		w := 2 * g.a / a.divisions
		return signedMin(stripes(px-g.cx+g.a, w), stripes(py-g.top, w))
	}
	return 1
}

// signedMin is the distance to the nearer of two lines, signed so that
// opposite quarters share a tincture.
func signedMin(a, b float64) float64 {
	d := min(math.Abs(a), math.Abs(b))
	if (a < 0) != (b < 0) {
		return -d
	}
	return d
}

// ordinarySDF is the signed distance to the ordinary.
func (a *arms) ordinarySDF(px, py float64) float64 {
	g := a.g
	dx, dy := px-g.cx, py-g.fessY()
	band := 0.11 * g.h
	const r2 = math.Sqrt2 / 2
	switch a.ordinary {
	case ordFess:
		return math.Abs(dy) - band
	case ordPale:
		return math.Abs(dx) - band
	case ordBend:
		return math.Abs((dy-dx)*r2) - band*0.85
	case ordCross:
		return min(math.Abs(dx), math.Abs(dy)) - band*0.75
	case ordSaltire:
		return min(math.Abs((dx-dy)*r2), math.Abs((dx+dy)*r2)) - band*0.7
	case ordChevron:
		k := 0.5 * g.h / g.a
		line := (py - (g.top + 0.36*g.h + math.Abs(dx)*k)) / math.Hypot(1, k)
		return math.Abs(line) - band*0.8
	case ordChief:
		return py - (g.top + 0.28*g.h)
	case ordBordure:
		d := g.sdf(px, py)
		w := 0.12 * g.a
		return math.Abs(d+w/2) - w/2
	}
	return math.Inf(1)
}

// shade returns the colour of the arms at a pixel and the shield's coverage
// there (with its outline).
func (a *arms) shade(px, py float64, tex *noise) (rgb, float64) {
	d := a.g.sdf(px, py)
	outer := cover(d - a.lw)
	if outer <= 0 {
		return rgb{}, 0
	}
	t := cover(a.divisionSDF(px, py))
	c := mix(a.tA, a.tB, t)
	if a.ordinary != ordNone {
		od := a.ordinarySDF(px, py)
		// A soft shadow under the ordinary, then the ordinary, then its line.
		c = c.scale(1 - 0.25*cover(a.ordinarySDF(px-a.off, py-a.off)/(2*a.off))*(1-cover(od)))
		c = mix(c, a.ordTinct, cover(od))
		c = mix(c, a.ink, 0.8*cover(math.Abs(od)-a.lw/2))
	}
	for _, ch := range a.charges {
		if math.Abs(px-ch.x) > ch.s*1.3 || math.Abs(py-ch.y) > ch.s*1.3 {
			continue
		}
		cd := chargeSDF(ch.kind, (px-ch.x)/ch.s, (py-ch.y)/ch.s) * ch.s
		sd := chargeSDF(ch.kind, (px-ch.x-a.off*1.5)/ch.s, (py-ch.y-a.off*1.5)/ch.s) * ch.s
		c = c.scale(1 - 0.3*cover(sd)*(1-cover(cd)))
		tinct := ch.tinct
		if ch.counter {
			tinct = mix(a.tB, a.tA, t)
		}
		// Light from the upper left across the charge.
		tinct = tinct.scale(1.08 - 0.16*((px-ch.x)+(py-ch.y))/(2*ch.s))
		c = mix(c, tinct, cover(cd))
		c = mix(c, a.ink, 0.85*cover(math.Abs(cd)-a.lw/2))
	}
	// Cloth texture and a broad highlight from the upper left.
	hx, hy := (px-a.g.cx+0.45*a.g.a)/a.g.a, (py-a.g.top-0.2*a.g.h)/a.g.h
	light := 1.12 - 0.22*math.Hypot(hx, hy*1.4)
	c = c.scale(light * (0.94 + 0.12*tex.fbm(px/3, py/3, 2)))
	// Inner shade along the rim, the metal rim, and the outline.
	c = c.scale(1 - 0.3*smoothstep(-a.rimW*3, -a.rimW, d))
	rim := a.rim.scale(1.05 - 0.35*((px-a.g.cx)/a.g.a+(py-a.g.top)/a.g.h-0.5))
	c = mix(c, rim, cover(-(d + a.rimW)))
	c = mix(c, a.ink, cover(math.Abs(d+a.rimW)-a.lw/2))
	c = mix(c, a.ink, cover(math.Abs(d)-a.lw))
	return c, outer
}

var (
	mullet  = newStar(0.95, 5, 3)
	sunRays = newStar(0.98, 12, 4)
)

// chargeSDF is the signed distance to a charge of unit size, pointing up.
func chargeSDF(kind int, x, y float64) float64 {
	switch kind {
	case chRoundel:
		return sdCircle(x, y, 0.8)
	case chAnnulet:
		return math.Abs(math.Hypot(x, y)-0.62) - 0.2
	case chLozenge:
		return (math.Abs(x)*0.95 + math.Abs(y)*0.62 - 0.6) * 0.85
	case chMullet:
		return mullet.sd(x, -y+0.05)
	case chCross:
		return min(sdBox(x, y, 0.2, 0.92), sdBox(x, y+0.22, 0.66, 0.2))
	case chCrescent:
		return max(sdCircle(x, y, 0.85), -sdCircle(x, y+0.38, 0.7))
	case chSun:
		return min(sdCircle(x, y, 0.48), sunRays.sd(x, y))
	case chCog:
		r, th := math.Hypot(x, y), math.Atan2(y, x)
		tooth := clamp01((math.Cos(8*th) - 0.05) * 4)
		return max(r-(0.68+0.2*tooth), 0.27-r)
	case chSword:
		w := 0.13 * min(1, (y+0.95)/0.3)
		blade := max(math.Abs(x)-w, max(-0.95-y, y-0.45))
		guard := sdBox(x, y-0.5, 0.46, 0.065)
		grip := sdBox(x, y-0.72, 0.065, 0.17)
		pommel := sdCircle(x, y-0.92, 0.1)
		return min(min(blade, guard), min(grip, pommel))
	case chTower:
		body := sdBox(x, y-0.15, 0.42, 0.7)
		for _, m := range []float64{-0.32, 0, 0.32} {
			body = min(body, sdBox(x-m, y+0.62, 0.1, 0.14))
		}
		gate := min(sdBox(x, y-0.68, 0.14, 0.18), sdCircle(x, y-0.5, 0.14))
		window := sdBox(x, y+0.1, 0.05, 0.13)
		return max(body, -min(gate, window))
	case chArrow:
		shaft := sdBox(x, y-0.08, 0.05, 0.72)
		head := sdTriangle(x, y, 0, -0.98, -0.26, -0.55, 0.26, -0.55)
		fletch := min(
			sdTriangle(x, y, -0.05, 0.5, -0.25, 0.95, -0.05, 0.8),
			sdTriangle(x, y, 0.05, 0.5, 0.25, 0.95, 0.05, 0.8))
		return min(min(shaft, head), fletch)
	case chTree:
		canopy := min(sdCircle(x, y+0.32, 0.5), min(sdCircle(x-0.36, y+0.02, 0.38), sdCircle(x+0.36, y+0.02, 0.38)))
		trunk := sdBox(x, y-0.52, 0.11, 0.42)
		return min(canopy, trunk)
	case chEye:
		lens := max(sdCircle(x, y-0.55, 0.95), sdCircle(x, y+0.55, 0.95))
		return min(math.Abs(lens)-0.07, sdCircle(x, y, 0.24))
	case chAxe:
		// A double-bitted axe: two blades flaring from a haft.
		haft := sdBox(x, y, 0.06, 0.95)
		ax, by := math.Abs(x), y+0.42
		blade := max(sdCircle(ax-0.02, by, 0.62), 0.05-ax, (math.Abs(by)-(0.1+0.75*(ax-0.05)))/1.25)
		return min(haft, blade)
	}
	return 1
}
