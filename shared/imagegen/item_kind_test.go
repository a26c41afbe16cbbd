package imagegen

import (
	"image/color"
	"strings"
	"testing"
)

func TestPickItem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prompt string
		want   int
		warn   string // a part of the warning, or "" for none
	}{
		{"a golden crown", itemCrown, ""},
		{"the Crown of the Lich King", itemCrown, ""},
		{"an elven tiara", itemCrown, ""},
		{"an enchanted sapphire amulet", itemAmulet, ""},
		{"a crown set on an amulet", itemCrown, ""},
		{"a ring of protection", itemRing, ""},
		{"a bag of holding", itemBag, ""},
		{"a spellbook bound in dragon hide", itemBook, ""},
		{"a flaming longsword", itemSword, ""},
		{"a dwarven warhammer", itemHammer, ""},
		{"a wand of magic missiles", itemWand, ""},
		{"a jewelled goblet", itemPotion, `no goblet shape; drew the closest, a potion`},
		{"bracers of defense", itemShield, `drew the closest, a shield`},
		{"a silver mirror", itemAmulet, `drew the closest, an amulet`},
		{"a cursed swrod", itemSword, `read as "sword"`},
		{"a strange whatsit", itemAmulet, `item "whatsit": no item shape matches`},
	}
	for _, tc := range tests {
		got, warning := pickItem(tc.prompt)
		if got != tc.want {
			t.Errorf("pickItem(%q) = %s, want %s", tc.prompt, kindOf(got).name, kindOf(tc.want).name)
		}
		switch {
		case tc.warn == "" && warning != "":
			t.Errorf("pickItem(%q) warning = %q, want none", tc.prompt, warning)
		case tc.warn != "" && !strings.Contains(warning, tc.warn):
			t.Errorf("pickItem(%q) warning = %q, want one containing %q", tc.prompt, warning, tc.warn)
		}
	}
}

func TestCrownIsNotAnAmulet(t *testing.T) {
	t.Parallel()
	const side = 256
	draw := func(prompt string) (*Picture, func(x, y float64) color.NRGBA) {
		pic, err := New().Generate(t.Context(), GenerateRequest{Type: TypeItemIllustration, Prompt: prompt, Width: side, Height: side, Seed: 1})
		if err != nil {
			t.Fatalf("Generate(%q): %v", prompt, err)
		}
		img := decodePNG(t, pic.PNG)
		return &pic, func(x, y float64) color.NRGBA {
			return color.NRGBAModel.Convert(img.At(int(x*side), int(y*side))).(color.NRGBA)
		}
	}
	crown, atCrown := draw("a golden crown")
	amulet, atAmulet := draw("a golden amulet")
	if len(crown.Warnings) != 0 || len(amulet.Warnings) != 0 {
		t.Errorf("warnings: crown %q, amulet %q; want none", crown.Warnings, amulet.Warnings)
	}
	isGold := func(c color.NRGBA) bool { return c.R > 150 && c.R > c.B+60 && c.G > c.B+30 }
	// The crown's middle point rises to about 0.25 of the side above the
	// centre; the amulet's centre is its gem, its bail is at the top.
	tip := [2]float64{0.5, 0.5 - 0.2}
	if c := atCrown(tip[0], tip[1]); !isGold(c) {
		t.Errorf("crown at its middle point %v: colour %v, want gold", tip, c)
	}
	if c := atAmulet(0.5+0.14, 0.5-0.2); isGold(c) {
		t.Errorf("amulet beside its bail: colour %v, want backdrop or filigree, not a crown's point", c)
	}
	if c := atCrown(0.5, 0.5+0.3); isGold(c) {
		t.Errorf("crown below its band: colour %v, want backdrop", c)
	}
	if c := atAmulet(0.5, 0.5+0.3); !isGold(c) {
		t.Errorf("amulet at the bottom of its ring: colour %v, want gold", c)
	}
}

func TestItemWarningsReachThePicture(t *testing.T) {
	t.Parallel()
	pic, err := New().Generate(t.Context(), GenerateRequest{Type: TypeItemIllustration, Prompt: "an ornate chalice", Width: 128, Height: 128})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if len(pic.Warnings) != 1 || !strings.Contains(pic.Warnings[0], `"chalice"`) || !strings.Contains(pic.Warnings[0], "potion") {
		t.Errorf("Generate(chalice) warnings = %q, want one saying a potion was drawn for the chalice", pic.Warnings)
	}
}
