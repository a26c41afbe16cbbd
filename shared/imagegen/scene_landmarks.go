package imagegen

import "math"

// landmarkShape returns a landmark's shape in units of its height (u to
// the right, v up from its base): the signed distance at a point, the part
// there, and that part's centre line for lighting.
func landmarkShape(kind string, ruined bool, seed uint64) func(u, v float64) (float64, int, float64) {
	jag := func(u, at float64) float64 {
		return at + 0.08*unit(hash2(int(math.Floor(u*25)), 1, seed)) + 0.05*math.Sin(u*13)
	}
	switch kind {
	case markTower:
		return func(u, v float64) (float64, int, float64) {
			body := sdPoly(u, v, [][2]float64{{-0.1, 0}, {0.1, 0}, {0.08, 0.8}, {-0.08, 0.8}})
			if ruined {
				body = max(body, v-jag(u, 0.55))
			}
			if d, ok := windowsAt(u, v, []float64{0}, []float64{0.3, 0.5, 0.68}, 0.018, 0.03); ok && body < 0 {
				return d, partWindow, 0
			}
			if door := sdBox(u, v-0.05, 0.03, 0.05); door < 0 {
				return door, partDark, 0
			}
			if !ruined {
				if roof := sdTriangle(u, v, -0.12, 0.79, 0.12, 0.79, 0.01, 1.12); roof < body {
					return roof, partRoof, 0
				}
			}
			return body, partStone, 0
		}
	case markTemple:
		return templeShape(ruined, seed)
	case markLight:
		return func(u, v float64) (float64, int, float64) {
			tower := sdPoly(u, v, [][2]float64{{-0.07, 0.08}, {0.07, 0.08}, {0.05, 0.75}, {-0.05, 0.75}})
			lamp := sdBox(u, v-0.83, 0.042, 0.05)
			cap := sdTriangle(u, v, -0.058, 0.88, 0.058, 0.88, 0, 0.97)
			gallery := sdBox(u, v-0.77, 0.075, 0.014)
			hut := sdBox(u-0.12, v-0.05, 0.12, 0.05)
			switch d := min(min(tower, lamp), min(min(cap, gallery), hut)); {
			case lamp <= d:
				return lamp, partLamp, 0
			case cap <= d:
				return cap, partRoof, 0
			case tower <= d && int(math.Floor((v-0.08)/0.11))%2 == 0:
				return tower, partStripe, 0
			case hut <= d:
				return hut, partStone, 0.12
			default:
				return d, partStone, 0
			}
		}
	case markStones:
		return func(u, v float64) (float64, int, float64) {
			best, cu := math.Inf(1), 0.0
			for k := range 7 {
				x := -0.5 + float64(k)/6
				h := 0.13 + 0.1*unit(hash2(k, 2, seed))
				if d := sdBox(u-x, v-h/2, 0.035, h/2) - 0.01; d < best {
					best, cu = d, x
				}
			}
			return best, partStone, cu
		}
	case markPyramid:
		return func(u, v float64) (float64, int, float64) {
			d := sdTriangle(u, v, -0.62, 0, 0.62, 0, 0, 0.56)
			if math.Mod(v, 0.05) < 0.007 {
				return d, partShade, 0
			}
			return d, partStone, 0
		}
	case markCave:
		return func(u, v float64) (float64, int, float64) {
			mound := max(sdEllipse(u, v, 0.6, 0.42), -v)
			if mouth := max(sdEllipse(u, v, 0.17, 0.24), -v); mouth < 0 {
				return mouth, partDark, 0
			}
			return mound, partStone, -0.1
		}
	case markHouse:
		return houseShape()
	}
	return castleShape(ruined, jag)
}

// windowsAt is the distance to the nearest of a grid of windows at
// columns us and rows vs, and whether the point lies in one.
func windowsAt(u, v float64, us, vs []float64, hw, hh float64) (float64, bool) {
	for _, wu := range us {
		for _, wv := range vs {
			if d := sdBox(u-wu, v-wv, hw, hh); d < 0 {
				return d, true
			}
		}
	}
	return 0, false
}

// castleShape is a curtain wall with crenels, two corner towers and a keep
// with a turret; roofless and broken when ruined.
func castleShape(ruined bool, jag func(u, at float64) float64) func(u, v float64) (float64, int, float64) {
	return func(u, v float64) (float64, int, float64) {
		crenel := max(sdBox(u, v-0.34, 0.55, 0.03), (math.Mod(u+5.55, 0.08)-0.04)*0.5)
		wall := min(sdBox(u, v-0.16, 0.55, 0.16), crenel)
		stone, cu := wall, 0.0
		roof := math.Inf(1)
		for _, tx := range []float64{-0.58, 0.58} {
			t := sdBox(u-tx, v-0.26, 0.09, 0.26)
			if t < stone {
				stone, cu = t, tx
			}
			roof = min(roof, sdTriangle(u, v, tx-0.11, 0.51, tx+0.11, 0.51, tx, 0.72))
		}
		keep := min(sdBox(u+0.05, v-0.32, 0.2, 0.32), sdBox(u-0.1, v-0.46, 0.05, 0.46))
		if keep < stone {
			stone, cu = keep, -0.05
		}
		roof = min(roof, sdTriangle(u, v, -0.27, 0.63, 0.17, 0.63, -0.05, 0.82))
		roof = min(roof, sdTriangle(u, v, 0.04, 0.91, 0.16, 0.91, 0.1, 1.08))
		if ruined {
			return ruinedCastle(u, v, stone, cu, jag)
		}
		if gate := min(sdBox(u+0.05, v-0.06, 0.055, 0.06), sdCircle(u+0.05, v-0.12, 0.055)); gate < 0 && v > 0 {
			return gate, partDark, cu
		}
		if d, ok := windowsAt(u, v, []float64{-0.15, 0.05, 0.1, -0.58, 0.58}, []float64{0.45, 0.55, 0.75, 0.38}, 0.015, 0.025); ok && stone < 0 {
			return d, partWindow, cu
		}
		if roof < stone {
			return roof, partRoof, cu
		}
		return stone, partStone, cu
	}
}

// ruinedCastle is a castle's shape broken down: towers snapped off at
// different heights, the keep a jagged shell, a breach through the
// curtain wall, gaping windows and rubble heaped at its foot.
func ruinedCastle(u, v, stone, cu float64, jag func(u, at float64) float64) (float64, int, float64) {
	height := 0.22 // the curtain wall
	switch {
	case u < -0.46:
		height = 0.42 // the left tower
	case u > 0.46:
		height = 0.27 // the right tower
	case u > -0.28 && u < 0.18:
		height = 0.58 // the keep
	}
	stone = max(stone, v-jag(u, height))
	breach := sdTriangle(u, v, 0.2, 0.5, 0.44, 0.5, 0.33, 0.03)
	stone = max(stone, -breach)
	rubble := math.Inf(1)
	for k, x := range []float64{0.24, 0.33, 0.41, 0.3, 0.37, -0.62} {
		rubble = min(rubble, sdCircle(u-x, v-0.02-0.025*float64(k%2), 0.035+0.01*float64(k%3)))
	}
	rubble = max(rubble, -v)
	if rubble < stone {
		return rubble, partShade, cu
	}
	for _, w := range [][2]float64{{-0.15, 0.4}, {0.05, 0.45}, {-0.58, 0.3}, {-0.1, 0.15}, {0.58, 0.18}} {
		if d := sdBox(u-w[0], v-w[1], 0.022, 0.035); d < 0 && stone < -0.01 {
			return d, partDark, cu
		}
	}
	if gate := min(sdBox(u+0.05, v-0.06, 0.055, 0.06), sdCircle(u+0.05, v-0.12, 0.055)); gate < 0 && v > 0 {
		return gate, partDark, cu
	}
	return stone, partStone, cu
}

// templeShape is a colonnade on steps under a pediment; with columns and
// half the pediment gone when ruined.
func templeShape(ruined bool, seed uint64) func(u, v float64) (float64, int, float64) {
	return func(u, v float64) (float64, int, float64) {
		steps := min(sdBox(u, v-0.03, 0.5, 0.03), sdBox(u, v-0.075, 0.45, 0.02))
		stone, cu := steps, 0.0
		for k := range 6 {
			x := -0.36 + float64(k)*0.144
			if ruined && (k == 1 || k == 4) {
				continue
			}
			top := 0.41
			if ruined && unit(hash2(k, 5, seed)) < 0.4 {
				top = 0.25
			}
			if c := sdBox(u-x, v-(0.095+top)/2, 0.028, (top-0.095)/2); c < stone {
				stone, cu = c, x
			}
		}
		beam := sdBox(u, v-0.44, 0.43, 0.03)
		ped := sdTriangle(u, v, -0.45, 0.47, 0.45, 0.47, 0, 0.62)
		if ruined {
			beam = max(beam, u-0.15)
			ped = max(ped, u+0.05)
		}
		if min(beam, ped) < stone {
			stone, cu = min(beam, ped), 0
		}
		if inner := sdBox(u, v-0.25, 0.38, 0.16); inner < 0 && stone > 0 && !ruined {
			return inner, partDark, 0
		}
		return stone, partStone, cu
	}
}

// houseShape is a large house or inn: walls, roof, chimney, door, windows
// and a hanging sign.
func houseShape() func(u, v float64) (float64, int, float64) {
	return func(u, v float64) (float64, int, float64) {
		body := sdBox(u, v-0.18, 0.36, 0.18)
		roof := min(sdTriangle(u, v, -0.44, 0.35, 0.44, 0.35, 0, 0.6), sdBox(u-0.22, v-0.55, 0.04, 0.1))
		sign := min(sdBox(u-0.45, v-0.2, 0.05, 0.04), sdBox(u-0.42, v-0.27, 0.035, 0.006))
		if d := sdBox(u+0.05, v-0.08, 0.05, 0.08); d < 0 {
			return d, partDark, 0
		}
		if d, ok := windowsAt(u, v, []float64{-0.22, 0.15}, []float64{0.2}, 0.05, 0.04); ok {
			return d, partWindow, 0
		}
		if roof < body && roof < sign {
			return roof, partRoof, 0
		}
		if sign < body {
			return sign, partRoof, 0.45
		}
		return body, partStone, 0
	}
}
