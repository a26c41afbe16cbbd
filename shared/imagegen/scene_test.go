package imagegen

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func TestParseScene(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prompt   string
		location bool
		want     sceneSpec
	}{
		{"a misty swamp", false, sceneSpec{land: landSwamp, climate: climateMarsh, weather: weatherMist, time: timeDay}},
		{"a snowy mountain pass", false, sceneSpec{land: landMountains, climate: climateSnow, weather: weatherClear, time: timeDay, pass: true}},
		{"desert dunes at dusk", false, sceneSpec{land: landDesert, climate: climateDesert, weather: weatherClear, time: timeDusk}},
		{"a stormy coast at night", false, sceneSpec{land: landCoast, climate: climateTemperate, weather: weatherStorm, time: timeNight}},
		{"a rainy forest at dawn", false, sceneSpec{land: landForest, climate: climateTemperate, weather: weatherRain, time: timeDawn}},
		{"the city of brass", true, sceneSpec{land: landCity, climate: climateTemperate, weather: weatherClear, time: timeDay}},
		{"a ruined temple in the jungle", true, sceneSpec{land: landForest, climate: climateTropical, weather: weatherClear, time: timeDay, landmark: markTemple, ruined: true}},
		{"goblin warrens", true, sceneSpec{land: landHills, climate: climateTemperate, weather: weatherClear, time: timeDay, landmark: markVillage}},
		{"the underdark", true, sceneSpec{land: landCave, climate: climateTemperate, weather: weatherClear, time: timeDay, landmark: markUnderground}},
		{"a lighthouse on the coast in fog", true, sceneSpec{land: landCoast, climate: climateTemperate, weather: weatherMist, time: timeDay, landmark: markLight}},
	}
	for _, tc := range tests {
		if got := parseScene(tc.prompt, tc.location, palettes["fantasy"]); got != tc.want {
			t.Errorf("parseScene(%q, location %v) = %+v, want %+v", tc.prompt, tc.location, got, tc.want)
		}
	}
}

// stats are a picture's mean colour, luminance and saturation, the
// luminance of its top tenth, and the mean colour of its bottom third
// (the land) and top tenth (the sky).
type stats struct {
	mean          [3]float64
	lum, sat, sky float64
	land, top     [3]float64
}

func pictureStats(img image.Image) stats {
	b := img.Bounds()
	var s stats
	var skySum float64
	skyN, landN := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			r, g, bl := float64(c.R), float64(c.G), float64(c.B)
			l := 0.299*r + 0.587*g + 0.114*bl
			s.mean[0] += r
			s.mean[1] += g
			s.mean[2] += bl
			s.lum += l
			s.sat += (max(r, g, bl) - min(r, g, bl)) / 255
			if y < b.Dy()/10 {
				skySum += l
				skyN++
				s.top[0] += r
				s.top[1] += g
				s.top[2] += bl
			}
			if y >= b.Dy()*2/3 {
				s.land[0] += r
				s.land[1] += g
				s.land[2] += bl
				landN++
			}
		}
	}
	n := float64(b.Dx() * b.Dy())
	for i := range s.mean {
		s.mean[i] /= n
		s.land[i] /= float64(landN)
		s.top[i] /= float64(skyN)
	}
	s.lum /= n
	s.sat /= n
	s.sky = skySum / float64(skyN)
	return s
}

func colourDistance(a, b [3]float64) float64 {
	return math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
}

func TestScenesFollowTerrainWeatherAndTime(t *testing.T) {
	t.Parallel()
	scene := func(typ, prompt string) stats {
		return pictureStats(decodePNG(t, generate(t, GenerateRequest{Type: typ, Prompt: prompt, Width: 256, Height: 160, Seed: 9})))
	}
	swamp := scene(TypeEnvironmentScene, "a misty swamp")
	pass := scene(TypeEnvironmentScene, "a snowy mountain pass")
	if d := colourDistance(swamp.land, pass.land); d < 60 {
		t.Errorf("land colour of a misty swamp %v and a snowy pass %v differ by %.1f, want at least 60", swamp.land, pass.land, d)
	}
	if pass.land[2] < pass.land[0] || swamp.land[1] < swamp.land[2] {
		t.Errorf("land colour: snowy pass %v (want blue over red), misty swamp %v (want green over blue)", pass.land, swamp.land)
	}
	desert := scene(TypeEnvironmentScene, "desert dunes")
	if desert.land[0] < desert.land[2]+40 {
		t.Errorf("desert land colour %v, want red over blue by 40", desert.land)
	}
	day, night := scene(TypeEnvironmentScene, "a forest at noon"), scene(TypeEnvironmentScene, "a forest at night")
	if night.lum > day.lum-30 {
		t.Errorf("forest luminance at noon %.1f, at night %.1f; want night darker by 30", day.lum, night.lum)
	}
	clear, rain := scene(TypeEnvironmentScene, "hills on a clear day"), scene(TypeEnvironmentScene, "hills in the rain")
	chroma := func(c [3]float64) float64 { return max(c[0], c[1], c[2]) - min(c[0], c[1], c[2]) }
	if rain.sat > clear.sat*0.8 || chroma(rain.top) > chroma(clear.top)*0.6 {
		t.Errorf("hills: saturation clear %.3f rain %.3f, sky colour clear %v rain %v; want rain greyer and its sky grey", clear.sat, rain.sat, clear.top, rain.top)
	}
	dusk := scene(TypeEnvironmentScene, "hills at dusk")
	if dusk.mean[0] < dusk.mean[2]+10 || clear.mean[2] < clear.mean[0]-10 {
		t.Errorf("hills mean colour at dusk %v (want warm), by day %v", dusk.mean, clear.mean)
	}
}

func TestLocationIsASceneNotABattleMap(t *testing.T) {
	t.Parallel()
	for _, prompt := range []string{"goblin warrens", "a castle on a hill", "a ruined temple in a swamp"} {
		pic, err := New().Generate(t.Context(), GenerateRequest{Type: TypeLocationVisual, Prompt: prompt, Width: 256, Height: 160, Seed: 1})
		if err != nil {
			t.Fatalf("Generate(%q): %v", prompt, err)
		}
		if pic.Grid != nil {
			t.Errorf("location_visual %q has a grid %+v, want a scene", prompt, *pic.Grid)
		}
		s := pictureStats(decodePNG(t, pic.PNG))
		// A sky at the top, bluer than the land below.
		if s.top[2]-s.top[0] < s.land[2]-s.land[0]+20 {
			t.Errorf("location_visual %q: top %v, bottom %v; want a sky above the land", prompt, s.top, s.land)
		}
	}
	// With a landmark the picture differs from the bare land.
	bare := pictureStats(decodePNG(t, generate(t, GenerateRequest{Type: TypeLocationVisual, Prompt: "a castle on a hill", Width: 256, Height: 160, Seed: 1, NegativePrompt: "buildings"})))
	castle := pictureStats(decodePNG(t, generate(t, GenerateRequest{Type: TypeLocationVisual, Prompt: "a castle on a hill", Width: 256, Height: 160, Seed: 1})))
	if d := colourDistance(bare.mean, castle.mean); d < 0.5 {
		t.Errorf("a castle with and without buildings differ by %.2f in mean colour, want a visible castle", d)
	}
}

func TestSceneNegativePrompt(t *testing.T) {
	t.Parallel()
	draw := func(prompt, negative string) image.Image {
		return decodePNG(t, generate(t, GenerateRequest{Type: TypeEnvironmentScene, Prompt: prompt, Width: 256, Height: 160, Seed: 6, NegativePrompt: negative}))
	}
	misty, clear := pictureStats(draw("a misty swamp", "")), pictureStats(draw("a misty swamp", "fog"))
	if clear.sat < misty.sat*1.15 {
		t.Errorf("a misty swamp: saturation %.3f, with negative_prompt fog %.3f; want clearer without fog", misty.sat, clear.sat)
	}
	storm, calm := draw("a storm over the hills", ""), draw("a storm over the hills", "rain")
	if changed(storm, calm) < 0.3 {
		t.Errorf("a storm with negative_prompt rain changed %.2f of the pixels, want at least 0.3", changed(storm, calm))
	}
}

// changed is the share of pixels that differ by more than 24 in a channel.
func changed(a, b image.Image) float64 {
	bd := a.Bounds()
	n := 0
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			ca := color.NRGBAModel.Convert(a.At(x, y)).(color.NRGBA)
			cb := color.NRGBAModel.Convert(b.At(x, y)).(color.NRGBA)
			if max(absDiff(ca.R, cb.R), absDiff(ca.G, cb.G), absDiff(ca.B, cb.B)) > 24 {
				n++
			}
		}
	}
	return float64(n) / float64(bd.Dx()*bd.Dy())
}

func absDiff(a, b uint8) int { return abs(int(a) - int(b)) }
