package imagegen

import (
	"context"
	"math"
	"math/rand/v2"
)

// drawWeather lays ground fog, rain, snow and lightning over the scene.
func (cv *sceneCanvas) drawWeather(ctx context.Context) error {
	if cv.light.fog > 0 {
		if err := cv.fogPass(ctx); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(cv.sc.seed, 0x77656174686572))
	fw, fh := float64(cv.w), float64(cv.h)
	switch cv.spec.weather {
	case weatherStorm:
		cv.lightning(rng)
		cv.rain(rng, fw*fh/180, 0.45)
	case weatherRain:
		cv.rain(rng, fw*fh/300, 0.35)
	case weatherSnow:
		cv.snowfall(rng, fw*fh/260)
	}
	return nil
}

// fogPass whitens the low ground in drifting bands.
func (cv *sceneCanvas) fogPass(ctx context.Context) error {
	fw, fh := float64(cv.w), float64(cv.h)
	fog := cv.light.haze.scale(1.05)
	for y := range cv.h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		py := float64(y)
		low := smoothstep(fh*0.4, fh*0.75, py) * (1 - 0.5*smoothstep(fh*0.85, fh, py))
		for x := range cv.w {
			band := cv.tex.fbm(float64(x)/(fw*0.3)+9, py/(fh*0.05), 4)
			k := cv.light.fog * low * smoothstep(0.3, 0.7, band)
			if k <= 0 {
				continue
			}
			i := y*cv.img.Stride + x*4
			put(cv.img.Pix, i, mix(get(cv.img.Pix, i), fog, k))
		}
	}
	return nil
}

// rain draws n slanting streaks.
func (cv *sceneCanvas) rain(rng *rand.Rand, n, alpha float64) {
	fh := float64(cv.h)
	streak := mix(cv.light.haze, rgb{1, 1, 1}, 0.5)
	for range int(n) {
		x, y := rng.Float64()*float64(cv.w), rng.Float64()*fh
		l := fh * (0.015 + 0.025*rng.Float64())
		x1, y1 := x-l*0.25, y+l
		a := alpha * (0.5 + 0.5*rng.Float64())
		eachPixel(cv.img, min(x, x1)-1, y-1, max(x, x1)+1, y1+1, func(i int, px, py float64) {
			d := sdSegment(px, py, x, y, x1, y1)
			if k := a * cover(d-0.4); k > 0 {
				put(cv.img.Pix, i, mix(get(cv.img.Pix, i), streak, k))
			}
		})
	}
}

// snowfall draws n flakes, larger toward the bottom (nearer).
func (cv *sceneCanvas) snowfall(rng *rand.Rand, n float64) {
	fh := float64(cv.h)
	for range int(n) {
		x, y := rng.Float64()*float64(cv.w), rng.Float64()*fh
		r := 0.6 + 2.2*rng.Float64()*(0.3+y/fh)
		eachPixel(cv.img, x-r-1, y-r-1, x+r+1, y+r+1, func(i int, px, py float64) {
			if k := 0.85 * cover(math.Hypot(px-x, py-y)-r); k > 0 {
				put(cv.img.Pix, i, mix(get(cv.img.Pix, i), rgb{0.96, 0.97, 1}, k))
			}
		})
	}
}

// lightning draws a forked bolt from the clouds to the land, glowing.
func (cv *sceneCanvas) lightning(rng *rand.Rand) {
	fw, fh := float64(cv.w), float64(cv.h)
	x, y := fw*(0.2+0.6*rng.Float64()), fh*0.05
	var segs [][4]float64
	for y < fh*0.6 {
		nx, ny := x+(rng.Float64()-0.5)*fw*0.06, y+fh*(0.03+0.04*rng.Float64())
		segs = append(segs, [4]float64{x, y, nx, ny})
		if rng.IntN(5) == 0 {
			bx, by := nx+(rng.Float64()-0.5)*fw*0.1, ny+fh*0.06
			segs = append(segs, [4]float64{nx, ny, bx, by})
		}
		x, y = nx, ny
	}
	bolt := hex(0xe8f0ff)
	gw := min(fw, fh) * 0.012
	eachPixel(cv.img, 0, 0, fw, fh*0.65, func(i int, px, py float64) {
		d := math.Inf(1)
		for _, s := range segs {
			d = min(d, sdSegment(px, py, s[0], s[1], s[2], s[3]))
		}
		g := gw / (d + gw)
		c := get(cv.img.Pix, i).add(bolt.scale(0.5 * g * g))
		put(cv.img.Pix, i, mix(c, rgb{1, 1, 1}, cover(d-1)))
	})
}

// caveFrame frames the scene in a cave's mouth: rock all round a ragged
// opening, icicles of stone hanging from its top.
func (cv *sceneCanvas) caveFrame(ctx context.Context) error {
	fw, fh := float64(cv.w), float64(cv.h)
	rock := cv.rock.scale(0.5)
	return forPixels(ctx, cv.w, cv.h, func(x, y int, px, py float64) {
		dx, dy := (px-fw*0.5)/(fw*0.4), (py-fh*0.52)/(fh*0.42)
		a := math.Atan2(dy, dx)
		open := math.Hypot(dx, dy) - (1 + 0.08*cv.tex.fbm(math.Cos(a)*3+7, math.Sin(a)*3+7, 4))
		if py > fh*0.86 {
			open = max(open, -(fh*0.98-py)/(fh*0.42)) // the cave floor
		}
		// Stalactites hang into the top of the opening.
		if dy < 0 {
			k := math.Floor(px / (fw * 0.04))
			tipLen := 0.15 + 0.35*cv.hash01(int(k), 7)
			cx := (k + 0.5) * fw * 0.04
			st := math.Abs(px-cx)/(fw*0.02) - (1 - clamp01((dy+1.05)/tipLen))
			if dy < -1+tipLen && st < 0 {
				open = min(-open, 0)
				open = 0.01
			}
		}
		if open <= 0 {
			return
		}
		n := cv.tex.fbm(px/(fh*0.04), py/(fh*0.04), 4)
		c := cv.lit(rock.scale(0.6+0.6*n), 0).scale(1 - 0.6*smoothstep(0, 0.5, open))
		rim := smoothstep(0.15, 0, open)
		c = c.add(cv.light.skyLow.scale(0.25 * rim))
		i := y*cv.img.Stride + x*4
		put(cv.img.Pix, i, mix(get(cv.img.Pix, i), c, clamp01(open*fh*0.42)))
	})
}

// drawUnderground draws a cavern deep underground: a dark vault, rock
// pillars, glowing crystals and fungi, and a still lake mirroring them.
func (cv *sceneCanvas) drawUnderground(ctx context.Context) error {
	fw, fh := float64(cv.w), float64(cv.h)
	glowC := cv.sc.pal.glow
	if c, ok := promptColour(cv.sc.prompt); ok {
		glowC = c
	} else {
		glowC = mix(glowC, hex(0x7a5aff), 0.5)
	}
	rock := cv.rock.scale(0.45)
	lake := fh * 0.74
	type crystal struct{ x, y, r float64 }
	var crystals []crystal
	for k := range 9 {
		crystals = append(crystals, crystal{cv.hash01(k, 51) * fw, fh * (0.45 + 0.25*cv.hash01(k, 52)), fh * (0.02 + 0.03*cv.hash01(k, 53))})
	}
	return forPixels(ctx, cv.w, cv.h, func(x, y int, px, py float64) {
		n := cv.tex.fbm(px/(fh*0.08), py/(fh*0.08), 5)
		c := rock.scale(0.4 + 0.9*n)
		// Pillars: columns of rock from floor to roof.
		col := math.Abs(math.Sin(px/fw*9 + cv.tex.at(py/fh*3, 1)*2))
		c = c.scale(0.7 + 0.5*smoothstep(0.7, 0.95, col))
		glow := 0.0
		for _, cr := range crystals {
			d := math.Hypot(px-cr.x, (py-cr.y)*1.3)
			glow += cr.r * cr.r / (d*d + cr.r*cr.r)
			if d < cr.r && math.Abs(px-cr.x) < cr.r*(1-(cr.y-py)/cr.r)*0.6 {
				c = mix(glowC, rgb{1, 1, 1}, 0.3)
			}
		}
		c = c.add(glowC.scale(0.6 * glow))
		if py > lake {
			ry := int(2*lake - py)
			if ry >= 0 && ry < y {
				c = mix(get(cv.img.Pix, ry*cv.img.Stride+x*4), hex(0x0a1418), 0.45)
			}
		}
		put(cv.img.Pix, y*cv.img.Stride+x*4, c)
	})
}
