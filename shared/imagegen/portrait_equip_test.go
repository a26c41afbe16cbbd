package imagegen

import (
	"image"
	"slices"
	"strings"
	"testing"
)

// figureFor builds the figure a portrait request draws, and the warnings.
func figureFor(tb testing.TB, r GenerateRequest) (*figure, []string) {
	tb.Helper()
	r.Type = TypeCharacterPortrait
	sc := newScene(r)
	f := newFigure(sc, 1.0/256)
	return f, sc.warnings
}

// gearNames are the gear constants' names, for failure messages.
var gearNames = map[int]string{
	gearStaff: "staff", gearSword: "sword", gearShield: "shield", gearDaggers: "daggers", gearBow: "bow",
	gearGreataxe: "greataxe", gearLute: "lute", gearHolySymbol: "holy symbol", gearMace: "mace", gearOrb: "orb",
	gearBeads: "beads", gearTabard: "tabard", gearCloak: "cloak", gearSpear: "spear", gearHammer: "hammer", gearAxe: "axe",
}

func gearList(f *figure) []string {
	var out []string
	for _, g := range f.class.gear {
		out = append(out, gearNames[g])
	}
	return out
}

// TestPortraitWearsItsEquipment checks that a character's armour, shield
// and weapons, from its sheet or the prompt, replace its class's, and
// that the figure shows the race's cues.
func TestPortraitWearsItsEquipment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		req                 GenerateRequest
		outfit              int
		want, absent        []string
		beard, small, horns bool
	}{
		{"hill dwarf cleric's sheet", GenerateRequest{Race: "Hill Dwarf", Class: "Cleric", Pronouns: "she/her",
			Equipment: []Item{{"Mace", "weapon"}, {"Chain Mail", "armor"}, {"Shield", "shield"}}},
			outfitMail, []string{"mace", "shield", "holy symbol"}, []string{"staff"}, false, false, false},
		{"the hints route", GenerateRequest{Race: "Hill Dwarf", Class: "Cleric", Prompt: "A female hill dwarf cleric in chain mail with a mace and shield"},
			outfitMail, []string{"mace", "shield"}, nil, false, false, false},
		{"a dwarf man keeps his beard", GenerateRequest{Race: "Mountain Dwarf", Class: "Fighter", Pronouns: "he/him",
			Equipment: []Item{{"Battleaxe", "weapon"}, {"Half Plate", "armor"}, {"Shield", "shield"}}},
			outfitPlate, []string{"axe", "shield"}, []string{"sword"}, true, false, false},
		{"tiefling warlock's sheet", GenerateRequest{Race: "Tiefling", Class: "Warlock", Pronouns: "they/them",
			Equipment: []Item{{"Dagger", "weapon"}, {"Staff of the Magi", "weapon"}, {"Studded Leather Armor", "armor"}}},
			outfitLeather, []string{"staff"}, []string{"orb", "daggers"}, false, false, true},
		{"halfling rogue", GenerateRequest{Race: "Lightfoot Halfling", Class: "Rogue", Equipment: []Item{{"Shortsword", "weapon"}, {"Leather Armor", "armor"}}},
			outfitLeather, []string{"sword"}, []string{"daggers"}, false, true, false},
		{"dragonborn paladin with a warhammer", GenerateRequest{Race: "Red Dragonborn", Class: "Paladin",
			Equipment: []Item{{"Warhammer", "weapon"}, {"Plate Armor +3", "armor"}, {"Shield", "shield"}}},
			outfitPlate, []string{"hammer", "shield", "tabard"}, []string{"sword"}, false, false, false},
		{"a fighter's sheet without armour wears no plate", GenerateRequest{Race: "Human", Class: "Fighter", Pronouns: "she/her", Equipment: []Item{{"Spear", "weapon"}}},
			outfitTunic, []string{"spear"}, []string{"shield", "sword"}, false, false, false},
		{"a ranger with a bow and a sword", GenerateRequest{Race: "Wood Elf", Class: "Ranger", Equipment: []Item{{"Longbow", "weapon"}, {"Shortsword", "weapon"}}},
			outfitLeather, []string{"bow", "sword"}, nil, false, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.req.Seed = 11
			f, warnings := figureFor(t, tc.req)
			if f.class.outfit != tc.outfit {
				t.Errorf("outfit = %d, want %d", f.class.outfit, tc.outfit)
			}
			got := gearList(f)
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("gear = %v, want it to hold %s", got, w)
				}
			}
			for _, a := range tc.absent {
				if slices.Contains(got, a) {
					t.Errorf("gear = %v, want no %s", got, a)
				}
			}
			if f.beard != tc.beard {
				t.Errorf("beard = %v, want %v", f.beard, tc.beard)
			}
			if f.race.horns != tc.horns || (f.race.scale() < 0.85) != tc.small {
				t.Errorf("race %s: horns %v, size %v; want horns %v, small %v", f.race.name, f.race.horns, f.race.scale(), tc.horns, tc.small)
			}
			if len(warnings) > 0 && !strings.Contains(tc.name, "tiefling") {
				t.Errorf("warnings = %q, want none", warnings)
			}
		})
	}
}

// TestPortraitWarnsAboutWhatItCannotDraw checks that every item the figure
// does not show is named.
func TestPortraitWarnsAboutWhatItCannotDraw(t *testing.T) {
	t.Parallel()
	tests := []struct {
		req  GenerateRequest
		want []string
	}{
		{GenerateRequest{Race: "Tiefling", Class: "Warlock", Equipment: []Item{{"Dagger", "weapon"}, {"Staff of the Magi", "weapon"},
			{"Studded Leather Armor", "armor"}, {"Robe of Stars", "wondrous"}, {"Staff of Fire", "focus"}, {"Wand of Magic Missiles", "focus"}}},
			[]string{`"Dagger": the figure's hands already hold Staff of the Magi`, `"Staff of Fire"`, `"Robe of Stars": drew the studded leather armor`, `"Wand of Magic Missiles"`}},
		{GenerateRequest{Race: "Human", Class: "Fighter", Equipment: []Item{{"Whip", "weapon"}, {"Mithril Thing", "armor"}}},
			[]string{`"Whip"`, `"Mithril Thing": the offline renderer has no look for this armour`}},
		{GenerateRequest{Race: "Human", Class: "Fighter", Equipment: []Item{{"Light Crossbow", "weapon"}, {"Longsword", "weapon"}, {"Shield", "shield"}}},
			[]string{`"Light Crossbow": drew a bow for it`, `"Light Crossbow": the figure's hands already hold a shield`}},
		{GenerateRequest{Race: "Human", Class: "Bard", Prompt: "a bard with a whip and curling horns"}, []string{`prompt "whip"`}},
	}
	for _, tc := range tests {
		_, warnings := figureFor(t, tc.req)
		joined := strings.Join(warnings, "\n")
		for _, w := range tc.want {
			if !strings.Contains(joined, w) {
				t.Errorf("warnings for %v %q = %q, want one containing %q", tc.req.Equipment, tc.req.Prompt, warnings, w)
			}
		}
		if strings.Contains(joined, "horn") {
			t.Errorf("warnings = %q: horns on a head are not a weapon", warnings)
		}
	}
}

// TestPortraitShowsGearAndSize checks the pictures: a shield covers the
// figure's off side, and a halfling's head sits lower than a human's.
func TestPortraitShowsGearAndSize(t *testing.T) {
	t.Parallel()
	const side = 256
	draw := func(r GenerateRequest) image.Image {
		r.Type, r.Width, r.Height, r.Seed = TypeCharacterPortrait, side, side, 4
		return decodePNG(t, generate(t, r))
	}
	bare := draw(GenerateRequest{Race: "Human", Class: "Cleric", Equipment: []Item{{"Mace", "weapon"}, {"Chain Mail", "armor"}}})
	shielded := draw(GenerateRequest{Race: "Human", Class: "Cleric", Equipment: []Item{{"Mace", "weapon"}, {"Chain Mail", "armor"}, {"Shield", "shield"}}})
	offSide := image.Rect(side/8, side*3/4, side/2, side)
	if d := changedIn(bare, shielded, offSide); d < 0.25 {
		t.Errorf("a shield changed %.2f of the figure's off side, want at least 0.25", d)
	}
	top := func(img image.Image) int {
		for y := range side {
			for x := range side {
				if alphaAt(img, x, y) == 255 {
					return y
				}
			}
		}
		return side
	}
	human := draw(GenerateRequest{Race: "Human", Class: "Rogue", Prompt: "short hair"})
	halfling := draw(GenerateRequest{Race: "Halfling", Class: "Rogue", Prompt: "short hair"})
	if th, tl := top(human), top(halfling); tl < th+side/12 {
		t.Errorf("top of the head: human at %d px, halfling at %d; want the halfling lower by %d", th, tl, side/12)
	}
}

// changedIn is the share of pixels in r that differ by more than 24 in a
// channel or in alpha.
func changedIn(a, b image.Image, r image.Rectangle) float64 {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, aa := a.At(x, y).RGBA()
			br, bg, bb, ba := b.At(x, y).RGBA()
			if max(absDiff(uint8(ar>>8), uint8(br>>8)), absDiff(uint8(ag>>8), uint8(bg>>8)), absDiff(uint8(ab>>8), uint8(bb>>8)), absDiff(uint8(aa>>8), uint8(ba>>8))) > 24 {
				n++
			}
		}
	}
	return float64(n) / float64(r.Dx()*r.Dy())
}
