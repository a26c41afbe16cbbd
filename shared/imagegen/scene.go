package imagegen

import (
	"context"
	"image"
	"math"
)

// sceneLight is the light and colours of a scene's time, weather and
// climate.
type sceneLight struct {
	skyTop, skyLow rgb // zenith and horizon
	sun            rgb // the sun's or moon's colour
	haze           rgb // what distance fades toward
	ambient        rgb // multiplies every lit colour
	clouds         float64
	cloudC         rgb
	stars, moon    bool
	body           bool    // the sun or moon shows
	bodyX, bodyY   float64 // as fractions of the picture
	hazeK          float64 // haze strength
	fog            float64 // ground fog strength
	windows        bool    // windows are lit
}

// newSceneLight picks colours for the scene's time and weather, then
// shifts them by the theme's palette.
func newSceneLight(s sceneSpec, sc *scene) sceneLight {
	var l sceneLight
	switch s.time {
	case timeDawn:
		l = sceneLight{skyTop: hex(0x3a4a8a), skyLow: hex(0xf4a886), sun: hex(0xffd0a0), ambient: rgb{1, 0.86, 0.8}, bodyX: 0.22, bodyY: 0.5}
	case timeDusk:
		l = sceneLight{skyTop: hex(0x2a2a6a), skyLow: hex(0xf08a48), sun: hex(0xffa860), ambient: rgb{0.95, 0.72, 0.6}, bodyX: 0.78, bodyY: 0.5, windows: true}
	case timeNight:
		l = sceneLight{skyTop: hex(0x050916), skyLow: hex(0x22345a), sun: hex(0xe0e8ff), ambient: rgb{0.36, 0.42, 0.62}, bodyX: 0.7, bodyY: 0.18, stars: true, moon: true, windows: true}
	default:
		l = sceneLight{skyTop: hex(0x3a72b0), skyLow: hex(0xb8d8ec), sun: hex(0xfff4d8), ambient: rgb{1, 1, 1}, bodyX: 0.62, bodyY: 0.16}
	}
	l.body = true
	l.haze = mix(l.skyLow, l.skyTop, 0.25)
	l.cloudC = mix(rgb{1, 1, 1}, l.sun, 0.4)
	l.clouds = 0.3
	l.hazeK = 1
	switch s.weather {
	case weatherMist:
		l.haze = mix(l.skyLow, rgb{0.8, 0.84, 0.84}.scale(l.ambient.lum()*0.9+0.1), 0.7)
		l.skyLow = mix(l.skyLow, l.haze, 0.8)
		l.skyTop = mix(l.skyTop, l.haze, 0.55)
		l.sun = mix(l.sun, l.haze, 0.5)
		l.hazeK, l.fog, l.clouds = 1.7, 0.8, 0.15
		l.stars = false
		l.ambient = l.ambient.saturate(0.7)
	case weatherRain, weatherSnow, weatherStorm:
		grey := rgb{0.55, 0.58, 0.62}
		if s.weather == weatherStorm {
			grey = rgb{0.25, 0.27, 0.32}
		}
		if s.weather == weatherSnow {
			grey = rgb{0.78, 0.8, 0.84}
		}
		grey = grey.scale(0.3 + 0.7*l.ambient.lum())
		l.skyTop, l.skyLow = mix(l.skyTop, grey.scale(0.8), 0.8), mix(l.skyLow, grey, 0.8)
		l.haze = mix(l.haze, grey, 0.7)
		l.cloudC = grey.scale(0.85)
		l.clouds, l.hazeK, l.body, l.stars = 0.9, 1.3, false, false
		l.ambient = l.ambient.scale(0.75).saturate(0.7)
	}
	if s.weather == weatherSand {
		// Blowing sand: an ochre murk, no stars, a sun dimmed to a disk,
		// darker by night.
		dust := hex(0xc8965a).scale(0.22 + 0.78*l.ambient.lum())
		l.skyTop, l.skyLow = mix(l.skyTop, dust.scale(0.75), 0.85), mix(l.skyLow, dust, 0.9)
		l.haze, l.cloudC = mix(l.haze, dust, 0.85), dust.scale(0.8)
		l.sun = mix(l.sun, dust.scale(1.4), 0.5)
		l.clouds, l.hazeK, l.fog, l.stars = 0.75, 1.8, 0.5, false
		l.body = s.time != timeNight
		l.ambient = rgb{l.ambient.r, l.ambient.g * 0.9, l.ambient.b * 0.72}
	}
	if s.climate == climateAsh {
		// Ash and smoke: a low red sky, a dim red sun.
		l.skyTop, l.skyLow = mix(l.skyTop, hex(0x2a1414), 0.7), mix(l.skyLow, hex(0xa0502a), 0.6)
		l.haze = mix(l.haze, hex(0x6a3a2a), 0.6)
		l.sun, l.cloudC = mix(l.sun, hex(0xff6a2a), 0.6), hex(0x3a3030)
		l.clouds = max(l.clouds, 0.55)
		l.ambient = rgb{l.ambient.r, l.ambient.g * 0.8, l.ambient.b * 0.7}
		l.stars = false
	}
	if s.weather == weatherMist && s.climate == climateMarsh {
		// Marsh mist is green-grey, not blue.
		murk := rgb{0.62, 0.66, 0.56}.scale(l.ambient.lum()*0.8 + 0.2)
		l.haze, l.skyLow = mix(l.haze, murk, 0.6), mix(l.skyLow, murk, 0.6)
		l.skyTop = mix(l.skyTop, murk, 0.4)
	}
	rm := sc.rm
	if rm.has(rmClouds) {
		l.clouds = 0
	}
	if rm.has(rmSky) {
		l.body, l.stars = false, false
	}
	if rm.has(rmMist) {
		l.fog, l.hazeK = 0, 0.6
	}
	mo := mood(sc.pal)
	for _, c := range []*rgb{&l.skyTop, &l.skyLow, &l.haze, &l.cloudC} {
		*c = mo(*c)
	}
	return l
}

// sceneCanvas is a scene being drawn: the picture, its spec and light, and
// the land's colours.
type sceneCanvas struct {
	img     *image.RGBA
	w, h    int
	spec    sceneSpec
	light   sceneLight
	sc      *scene
	tex     *noise
	mo      func(rgb) rgb
	ground  rgb // near ground
	rock    rgb
	foliage rgb
	snow    rgb
	water   rgb
	stone   rgb // buildings
}

func newSceneCanvas(img *image.RGBA, sc *scene, spec sceneSpec) *sceneCanvas {
	cv := &sceneCanvas{img: img, w: img.Rect.Dx(), h: img.Rect.Dy(), spec: spec, sc: sc, tex: newNoise(sc.seed ^ 0x7363656e65), mo: mood(sc.pal)}
	cv.light = newSceneLight(spec, sc)
	ground, rock, foliage, water := hex(0x587a34), hex(0x6e6a66), hex(0x2f4a26), hex(0x3a6a8a)
	switch spec.climate {
	case climateSnow:
		ground, rock, foliage, water = hex(0xe4ecf4), hex(0x5a6068), hex(0x24382e), hex(0x5a7a96)
	case climateDesert:
		ground, rock, foliage, water = hex(0xd8b070), hex(0xb0704a), hex(0x6a7a3a), hex(0x3a8aa0)
	case climateTropical:
		ground, foliage, water = hex(0x4f8a2e), hex(0x1f5a24), hex(0x2a8aa0)
	case climateMarsh:
		ground, rock, foliage, water = hex(0x4a4a2e), hex(0x4a4a40), hex(0x343a24), hex(0x2e3a30)
	case climateAsh:
		ground, rock, foliage, water = hex(0x2e2a2c), hex(0x24201e), hex(0x1a1a18), hex(0xff5a14)
	}
	cv.ground, cv.rock, cv.foliage, cv.water = cv.mo(ground), cv.mo(rock), cv.mo(foliage), cv.mo(water)
	cv.snow = cv.mo(hex(0xeef3f8))
	cv.stone = cv.mo(hex(0xa49c90))
	return cv
}

// lit applies the scene's light to a colour at depth (0 near, 1 far):
// ambient light, then haze.
func (cv *sceneCanvas) lit(c rgb, depth float64) rgb {
	a := cv.light.ambient
	c = rgb{c.r * a.r, c.g * a.g, c.b * a.b}
	k := clamp01((0.08 + 0.6*depth*depth) * cv.light.hazeK)
	return mix(c, cv.light.haze, k)
}

// drawEnvironment draws a wide scene of the landform, climate, weather and
// time of day the prompt names.
func drawEnvironment(ctx context.Context, img *image.RGBA, sc *scene) error {
	spec := parseScene(sc.prompt, false, sc.pal)
	return drawScene(ctx, img, sc, spec)
}

// drawLocation draws a scene with a landmark: the castle, tower, temple,
// village or other place the prompt names, or one that suits the land.
func drawLocation(ctx context.Context, img *image.RGBA, sc *scene) error {
	spec := parseScene(sc.prompt, true, sc.pal)
	return drawScene(ctx, img, sc, spec)
}

func drawScene(ctx context.Context, img *image.RGBA, sc *scene, spec sceneSpec) error {
	sc.warnings = append(sc.warnings, sceneWarnings(sc.prompt, spec)...)
	rm := sc.rm
	if rm.has(rmMountains) && spec.land == landMountains {
		spec.land = landHills
	}
	if rm.has(rmBuildings) {
		if spec.land == landCity {
			sc.warn("negative_prompt names buildings, but a city is made of them; drew its skyline")
		}
		spec.landmark = markNone
	}
	if rm.has(rmWater) && (spec.land == landCoast || spec.land == landSwamp) {
		sc.warn("negative_prompt names water, but water is the subject of this scene; drew it")
	}
	if rm.has(rmMist) && spec.weather == weatherMist {
		spec.weather = weatherClear
	}
	if rm.has(rmRain) && (spec.weather == weatherRain || spec.weather == weatherStorm) {
		spec.weather = weatherClear
	}
	if rm.has(rmSnow) && spec.weather == weatherSnow {
		spec.weather = weatherClear
	}
	cv := newSceneCanvas(img, sc, spec)
	if spec.landmark == markUnderground {
		if err := cv.drawUnderground(ctx); err != nil {
			return err
		}
	} else if err := cv.drawOutdoors(ctx); err != nil {
		return err
	}
	if err := cv.drawWeather(ctx); err != nil {
		return err
	}
	if spec.land == landCave && spec.landmark != markUnderground {
		if err := cv.caveFrame(ctx); err != nil {
			return err
		}
	}
	if !rm.has(rmFrame) {
		return vignette(ctx, img, 0.25)
	}
	return nil
}

// drawOutdoors paints sky, far, middle and near land, sprites and the
// landmark, back to front.
func (cv *sceneCanvas) drawOutdoors(ctx context.Context) error {
	if err := cv.paintSky(ctx); err != nil {
		return err
	}
	layers := cv.layers()
	for _, l := range layers {
		if err := cv.paintLayer(ctx, l); err != nil {
			return err
		}
		for _, s := range l.sprites {
			cv.drawSprite(s, l.depth)
		}
		if l.holds && cv.spec.landmark != markNone {
			cv.drawLandmark(l)
		}
	}
	return nil
}

// paintSky fills the picture with sky: a gradient, clouds, stars and the
// sun or moon with its glow.
func (cv *sceneCanvas) paintSky(ctx context.Context) error {
	l := cv.light
	fw, fh := float64(cv.w), float64(cv.h)
	S := min(fw, fh)
	bx, by := l.bodyX*fw, l.bodyY*fh
	br := S * 0.045
	if l.moon {
		br = S * 0.04
	}
	for y := range cv.h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		py := float64(y) + 0.5
		t := math.Pow(clamp01(py/(fh*0.6)), 0.9)
		for x := range cv.w {
			px := float64(x) + 0.5
			c := mix(l.skyTop, l.skyLow, t)
			if l.stars && unit(hash2(x, y, cv.sc.seed)) < 0.0015 {
				c = c.add(rgb{1, 1, 1}.scale(0.4 + 0.6*unit(hash2(y, x, cv.sc.seed))))
			}
			if l.body {
				d := math.Hypot(px-bx, py-by) - br
				g := br / (max(d, 0) + br)
				glowK := 0.35
				if cv.spec.time == timeDawn || cv.spec.time == timeDusk {
					glowK = 0.6
				}
				c = c.add(l.sun.scale(glowK * g * g))
				face := l.sun
				if l.moon {
					face = l.sun.scale(0.85 + 0.2*cv.tex.fbm(px/(br*0.4), py/(br*0.4), 3))
				}
				c = mix(c, face, cover(d))
			}
			if l.clouds > 0 {
				n := cv.tex.fbm(px/(fw*0.28)+300, py/(fh*0.08), 5)
				cover := smoothstep(0.75-0.45*l.clouds, 0.95-0.35*l.clouds, n) * (1 - 0.6*t)
				under := cv.tex.fbm(px/(fw*0.28)+300, py/(fh*0.08)+0.4, 5)
				cc := mix(l.cloudC, l.cloudC.scale(0.6), smoothstep(0.4, 0.8, under))
				c = mix(c, cc, cover*min(1, l.clouds+0.4))
			}
			put(cv.img.Pix, y*cv.img.Stride+x*4, c)
		}
	}
	return nil
}
