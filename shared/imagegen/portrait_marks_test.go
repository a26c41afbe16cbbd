package imagegen

import (
	"context"
	"image"
	"testing"
)

// TestPortraitsShowFaceMarks checks that a one-eyed, blind, blindfolded or
// scarred character, named in the prompt or in the character's
// description, is drawn so: the face differs from the same figure
// without the mark, and only the face.
func TestPortraitsShowFaceMarks(t *testing.T) {
	t.Parallel()
	e := New()
	draw := func(prompt, character string) image.Image {
		t.Helper()
		pic, err := e.Generate(context.Background(), GenerateRequest{Type: TypeCharacterPortrait, Prompt: prompt, Character: character,
			Width: 256, Height: 256, Seed: 5, Race: "Dwarf", Class: "Fighter", Pronouns: "she/her"})
		if err != nil {
			t.Fatal(err)
		}
		return decodePNG(t, pic.PNG)
	}
	for _, tc := range []struct{ base, prompt, character string }{
		{"", "", "a hill dwarf woman, fighter. Torga is old, with one eye lost to a dragon's claw."},
		{"", "", "a hill dwarf woman, fighter. Torga is blind, with clouded eyes."},
		{"", "", "a hill dwarf woman, fighter, blindfolded"},
		{"", "", "a hill dwarf woman, fighter. Torga has a scarred face."},
	} {
		plain := draw(tc.base, "a hill dwarf woman, fighter")
		marked := draw(tc.prompt, tc.character)
		changed := 0
		b := plain.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r1, g1, b1, _ := plain.At(x, y).RGBA()
				r2, g2, b2, _ := marked.At(x, y).RGBA()
				if r1 != r2 || g1 != g2 || b1 != b2 {
					changed++
				}
			}
		}
		if share := float64(changed) / float64(b.Dx()*b.Dy()); share < 0.001 || share > 0.1 {
			t.Errorf("prompt %q, character %q: %.4f of the pixels differ from the unmarked face, want a mark on the face (0.001–0.1)", tc.prompt, tc.character, share)
		}
	}
}

// TestFaceMarksIn checks which words name a mark.
func TestFaceMarksIn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text string
		want faceMarks
	}{
		{"a one-eyed dwarf smith", faceMarks{eyepatch: true}},
		{"a blind elven archer", faceMarks{clouded: true}},
		{"blindfolded, with a scar", faceMarks{blindfold: true, scar: true}},
		{"scarlet robes, a blinding light", faceMarks{}},
	} {
		if got := faceMarksIn(tc.text); got != tc.want {
			t.Errorf("faceMarksIn(%q) = %+v, want %+v", tc.text, got, tc.want)
		}
	}
}
