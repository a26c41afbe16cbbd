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
	case weatherSand:
		if err := cv.dustVeil(ctx); err != nil {
			return err
		}
		cv.sandStreaks(rng, fw*fh/220)
	}
	return nil
}

// dustVeil lays drifting bands of blown sand over the whole picture.
func (cv *sceneCanvas) dustVeil(ctx context.Context) error {
	fw, fh := float64(cv.w), float64(cv.h)
	dust := cv.light.haze
	return forPixels(ctx, cv.w, cv.h, func(x, y int, px, py float64) {
		band := cv.tex.fbm(px/(fw*0.45)+17, py/(fh*0.07), 4)
		k := 0.15 + 0.3*smoothstep(0.35, 0.75, band)
		i := y*cv.img.Stride + x*4
		put(cv.img.Pix, i, mix(get(cv.img.Pix, i), dust, k))
	})
}

// sandStreaks draws n streaks of sand blown almost level across the
// picture.
func (cv *sceneCanvas) sandStreaks(rng *rand.Rand, n float64) {
	fw, fh := float64(cv.w), float64(cv.h)
	streak := mix(cv.light.haze, rgb{1, 0.9, 0.7}, 0.35)
	for range int(n) {
		x, y := rng.Float64()*fw, rng.Float64()*fh
		l := fw * (0.03 + 0.06*rng.Float64())
		x1, y1 := x+l, y+l*0.08
		a := 0.2 + 0.25*rng.Float64()
		eachPixel(cv.img, x-1, y-1, x1+1, y1+1, func(i int, px, py float64) {
			if k := a * cover(sdSegment(px, py, x, y, x1, y1)-0.5); k > 0 {
				put(cv.img.Pix, i, mix(get(cv.img.Pix, i), streak, k))
			}
		})
	}
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

// drawUnderground draws a cavern deep underground: a dark vault hung with
// stalactites, ranks of stalagmites fading into the gloom, glowing
// crystals on the rocks and a still lake mirroring them.
func (cv *sceneCanvas) drawUnderground(ctx context.Context) error {
	fw, fh := float64(cv.w), float64(cv.h)
	glowC := mix(cv.sc.pal.glow, hex(0x8a5aff), 0.6)
	if c, ok := promptColour(cv.sc.prompt); ok {
		glowC = c
	}
	cv.light.ambient = rgb{0.5, 0.48, 0.62}
	cv.light.haze = mix(glowC.scale(0.18), hex(0x0a0a12), 0.5)
	cv.light.hazeK = 1.2
	rock := cv.rock.scale(0.6)
	vault := cv.tex
	// The vault: dark rock, a little light from the crystals below.
	if err := forPixels(ctx, cv.w, cv.h, func(x, y int, px, py float64) {
		n := vault.fbm(px/(fh*0.06), py/(fh*0.06), 5)
		c := cv.light.haze.scale(0.8 + 0.6*n).add(glowC.scale(0.12 * py / fh))
		put(cv.img.Pix, y*cv.img.Stride+x*4, c)
	}); err != nil {
		return err
	}
	far := cv.mountainLayer(0.62, 0.2, 0.9, 0.8)
	far.paint = func(x, y int, under float64) rgb {
		return rock.scale(0.6 + 0.4*vault.fbm(float64(x)/(fh*0.03), float64(y)/(fh*0.08), 3))
	}
	far.top = cv.ridge(0.6, 0.16, 9, 3, true, 0.8)
	mid := &sceneLayer{top: cv.ridge(0.72, 0.08, 4, 4, true, 1.9), depth: 0.45, holds: true}
	mid.paint = func(x, y int, under float64) rgb {
		light, n := cv.rockLight(x, y, under, mid.top, 1.9)
		return rock.scale(light * (0.7 + 0.4*n))
	}
	for k := range 7 {
		x := fw * (0.08 + 0.84*cv.hash01(k, 61))
		mid.sprites = append(mid.sprites, cv.crystalSprite(x, mid.top[min(int(x), cv.w-1)]+fh*0.02, fh*(0.06+0.07*cv.hash01(k, 62)), glowC, k))
	}
	lake := &sceneLayer{top: make([]float64, cv.w), depth: 0.1}
	for x := range lake.top {
		lake.top[x] = fh * 0.8
	}
	lake.paint = func(x, y int, under float64) rgb { return cv.reflect(x, y, fh*0.8, hex(0x06080c), 0.35) }
	for _, l := range []*sceneLayer{far, mid, lake} {
		if err := cv.paintLayer(ctx, l); err != nil {
			return err
		}
		for _, s := range l.sprites {
			cv.drawSprite(s, l.depth)
		}
	}
	return cv.stalactites(ctx, rock)
}

// crystalSprite is a cluster of glowing crystals standing at (x, base).
func (cv *sceneCanvas) crystalSprite(x, base, hgt float64, glowC rgb, salt int) sprite {
	type shard struct{ dx, lean, h, w float64 }
	var shards []shard
	for k := range 4 {
		shards = append(shards, shard{(cv.hash01(salt, k) - 0.5) * hgt * 0.5, (cv.hash01(k, salt) - 0.5) * 0.6, hgt * (0.4 + 0.6*cv.hash01(salt+k, 3)), hgt * 0.09})
	}
	return sprite{x0: x - hgt*1.5, y0: base - hgt*1.6, x1: x + hgt*1.5, y1: base + hgt*0.5, shade: func(px, py float64) (rgb, float64, float64) {
		best := math.Inf(1)
		for _, s := range shards {
			bx := x + s.dx
			tx, ty := bx+s.lean*s.h, base-s.h
			best = min(best, sdTaper(px, py, bx, base, tx, ty, s.w, s.w*0.2))
		}
		if best < 0.5 {
			return mix(glowC, rgb{1, 1, 1}, 0.35+0.3*clamp01((x-px)/hgt+0.5)), cover(best), 1
		}
		g := hgt * 0.4 / (best + hgt*0.4)
		return glowC, 0.55 * g * g, 1
	}}
}

// stalactites hangs points of rock from the top of the picture.
func (cv *sceneCanvas) stalactites(ctx context.Context, rock rgb) error {
	fw, fh := float64(cv.w), float64(cv.h)
	return forPixels(ctx, cv.w, cv.h, func(x, y int, px, py float64) {
		if py > fh*0.4 {
			return
		}
		k := math.Floor(px / (fw * 0.035))
		cx := (k + 0.5) * fw * 0.035
		length := fh * (0.06 + 0.3*math.Pow(cv.hash01(int(k), 71), 2))
		width := fw * 0.018 * (1 - py/length)
		d := math.Abs(px-cx) - width
		ceiling := fh * 0.05 * (1 + cv.tex.fbm(px/(fw*0.1), 1, 2))
		if d > 0.5 && py > ceiling {
			return
		}
		a := 1.0
		if py > ceiling {
			a = cover(d)
		}
		n := cv.tex.fbm(px/(fh*0.02), py/(fh*0.05), 3)
		c := cv.lit(rock.scale(0.5+0.5*n), 0.3)
		i := y*cv.img.Stride + x*4
		put(cv.img.Pix, i, mix(get(cv.img.Pix, i), c, a))
	})
}
