package imagegen

import (
	"image"
	"image/color"
	"strings"
	"testing"
)

// TestParseSceneWords checks the scene words a game master asked for and
// once did not get: snow and a ruin at dusk, a city in a desert sandstorm
// at night, a village of stilt houses in a swamp.
func TestParseSceneWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prompt   string
		location bool
		want     sceneSpec
	}{
		{"A ruined castle on a snowy mountain at dusk", true,
			sceneSpec{land: landMountains, climate: climateSnow, weather: weatherClear, time: timeDusk, landmark: markCastle, ruined: true}},
		{"A desert city at night during a sandstorm", false,
			sceneSpec{land: landDesert, climate: climateDesert, weather: weatherSand, time: timeNight, landmark: markCity}},
		{"A desert city at night during a sand storm", true,
			sceneSpec{land: landDesert, climate: climateDesert, weather: weatherSand, time: timeNight, landmark: markCity}},
		{"A swamp village of stilt houses and rope walkways over black water", true,
			sceneSpec{land: landSwamp, climate: climateMarsh, weather: weatherMist, time: timeDay, landmark: markVillage, stilts: true}},
		{"the ruins of a city at dusk", false,
			sceneSpec{land: landCity, climate: climateTemperate, weather: weatherClear, time: timeDusk, ruined: true}},
	}
	for _, tc := range tests {
		if got := parseScene(tc.prompt, tc.location, palettes["fantasy"]); got != tc.want {
			t.Errorf("parseScene(%q, location %v) = %+v, want %+v", tc.prompt, tc.location, got, tc.want)
		}
	}
}

// snowShare is the share of bright, near-grey pixels: snow, even in the
// warm light of dusk.
func snowShare(img image.Image) float64 {
	return shareOf(img, func(c color.NRGBA) bool {
		lum := (int(c.R)*299 + int(c.G)*587 + int(c.B)*114) / 1000
		return lum >= 150 && int(max(c.R, c.G, c.B))-int(min(c.R, c.G, c.B)) <= 50
	})
}

// litWindowShare is the share of pixels in the warm glow of a lit window.
func litWindowShare(img image.Image) float64 {
	return shareOf(img, func(c color.NRGBA) bool { return c.R > 220 && c.G > 160 && c.B < 150 && int(c.R)-int(c.B) > 90 })
}

func shareOf(img image.Image, is func(color.NRGBA) bool) float64 {
	b := img.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if is(color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)) {
				n++
			}
		}
	}
	return float64(n) / float64(b.Dx()*b.Dy())
}

// TestScenesDrawWhatWasAsked draws the three scenes of a review and their
// counterparts without the words that were missed, and measures the
// difference: snow shows at dusk, a ruin has no lit windows, a sandstorm
// hides the stars under an ochre sky, and a city stands in it.
func TestScenesDrawWhatWasAsked(t *testing.T) {
	t.Parallel()
	draw := func(typ, prompt string, seed int64, negative string) image.Image {
		return decodePNG(t, generate(t, GenerateRequest{Type: typ, Prompt: prompt, Width: 256, Height: 256, Seed: seed, NegativePrompt: negative}))
	}
	snowy := draw(TypeLocationVisual, "A ruined castle on a snowy mountain at dusk", 17, "")
	bare := draw(TypeLocationVisual, "A ruined castle on a mountain at dusk", 17, "")
	if s, b := snowShare(snowy), snowShare(bare); s < 0.25 || s < b+0.2 {
		t.Errorf("snow share at dusk: snowy mountain %.3f, bare mountain %.3f; want at least 0.25 and 0.2 more", s, b)
	}
	whole := draw(TypeLocationVisual, "A castle on a snowy mountain at dusk", 17, "")
	if r, w := litWindowShare(snowy), litWindowShare(whole); r != 0 || w < 0.001 {
		t.Errorf("lit windows at dusk: ruined castle %.4f, whole castle %.4f; want none in the ruin, some in the castle", r, w)
	}
	if d := changedIn(snowy, whole, image.Rect(64, 64, 192, 160)); d < 0.08 {
		t.Errorf("a ruined and a whole castle differ in %.3f of the castle's pixels, want at least 0.08", d)
	}

	storm := draw(TypeEnvironmentScene, "A desert city at night during a sandstorm", 18, "")
	clearNight := draw(TypeEnvironmentScene, "A desert city at night", 18, "")
	st, cl := pictureStats(storm), pictureStats(clearNight)
	if st.top[0] < st.top[2]+20 || cl.top[2] < cl.top[0] {
		t.Errorf("sky at night: sandstorm %v (want ochre, red over blue by 20), clear %v (want blue)", st.top, cl.top)
	}
	if starry := shareOf(storm, func(c color.NRGBA) bool { return c.R > 200 && c.G > 200 && c.B > 200 }); starry > 0.0005 {
		t.Errorf("a sandstorm at night has %.4f white pixels (stars, a moon), want none", starry)
	}
	noCity := draw(TypeEnvironmentScene, "A desert city at night during a sandstorm", 18, "buildings")
	if c, n := litWindowShare(storm), litWindowShare(noCity); c < 0.0005 || n != 0 {
		t.Errorf("lit windows in a desert city in a sandstorm %.4f, without buildings %.4f; want the city's and none", c, n)
	}
}

// TestSwampVillageMapHasHouses draws a swamp village as a battle map: a
// town of stilt houses on decks and boardwalks over water, not an empty
// swamp.
func TestSwampVillageMapHasHouses(t *testing.T) {
	t.Parallel()
	const prompt = "A swamp village of stilt houses and rope walkways over black water"
	if kind, _ := mapKind(prompt); kind != mapTown {
		t.Errorf("mapKind(%q) = %s, want %s", prompt, kind, mapTown)
	}
	for _, p := range []string{"a row of houses in the woods", "a hamlet in the hills", "a forest clearing"} {
		kind, _ := mapKind(p)
		if want := map[bool]string{true: mapTown, false: mapWilderness}[p != "a forest clearing"]; kind != want {
			t.Errorf("mapKind(%q) = %s, want %s", p, kind, want)
		}
	}
	planks := func(img image.Image) float64 {
		return shareOf(img, func(c color.NRGBA) bool {
			return c.R > c.G+15 && c.G > c.B+15 && c.R > 90 && c.R < 190 // weathered wood
		})
	}
	village := decodePNG(t, generate(t, GenerateRequest{Type: TypeMapBackground, Prompt: prompt, Width: 256, Height: 256, Seed: 15}))
	swamp := decodePNG(t, generate(t, GenerateRequest{Type: TypeMapBackground, Prompt: "A swamp over black water", Width: 256, Height: 256, Seed: 15}))
	if v, s := planks(village), planks(swamp); v < 0.15 || v < s+0.1 {
		t.Errorf("share of planks and decks: swamp village %.3f, empty swamp %.3f; want at least 0.15 and 0.1 more", v, s)
	}
}

// TestSceneWarnsAboutWordsItCannotDraw checks that every scene word the
// picture leaves out is named, and that the review's scenes need none.
func TestSceneWarnsAboutWordsItCannotDraw(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prompt string
		want   []string
	}{
		{"Hills under a hailstorm with a rainbow and a river", []string{`weather "hailstorm"`, `weather "rainbow"`, `terrain "river"`}},
		{"A ruined lighthouse on the coast", []string{"ruin:", "lighthouse whole"}},
		{"A forest by the sea at dawn under the stars", []string{`terrain "sea"`, `time of day "stars"`}},
		{"A stormy swamp in thick fog", []string{`weather "fog"`}},
		{"A ruined castle on a snowy mountain at dusk", nil},
		{"A desert city at night during a sandstorm", nil},
		{"A swamp village of stilt houses and rope walkways over black water", nil},
		{"a snowy mountain pass in a blizzard", nil},
	}
	for _, tc := range tests {
		pic, err := New().Generate(t.Context(), GenerateRequest{Type: TypeLocationVisual, Prompt: tc.prompt, Width: 128, Height: 128, Seed: 1})
		if err != nil {
			t.Fatalf("Generate(%q): %v", tc.prompt, err)
		}
		joined := strings.Join(pic.Warnings, "\n")
		for _, w := range tc.want {
			if !strings.Contains(joined, w) {
				t.Errorf("warnings for %q = %q, want one containing %q", tc.prompt, pic.Warnings, w)
			}
		}
		if tc.want == nil && len(pic.Warnings) > 0 {
			t.Errorf("warnings for %q = %q, want none", tc.prompt, pic.Warnings)
		}
	}
}
