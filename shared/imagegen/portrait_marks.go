package imagegen

import "math"

// faceMarks are marks on a portrait's face that a prompt or a character's
// description names.
type faceMarks struct {
	eyepatch  bool // one eye lost: a patch over it
	blindfold bool // a cloth band over both eyes
	clouded   bool // blind: milky eyes without pupils
	scar      bool // a scar across one eye
}

// faceMarksIn reads the marks text names: "one-eyed", "an eye patch",
// "blind", "a blindfold", "scarred".
func faceMarksIn(text string) faceMarks {
	lower := lowerNorm(text)
	m := faceMarks{
		eyepatch:  namesAny(lower, []string{"one-eyed", "one eyed", "one eye", "eyepatch", "eye patch", "eye-patch", "lost an eye", "lost her eye", "lost his eye", "lost their eye", "missing an eye", "missing eye"}),
		blindfold: namesAny(lower, []string{"blindfold", "blindfolded"}),
		scar:      namesAny(lower, []string{"scar", "scars", "scarred", "scar-faced"}),
	}
	m.clouded = !m.blindfold && namesAny(lower, []string{"blind", "sightless", "clouded eyes", "milky eyes", "unseeing"})
	return m
}

// faceMarks draws the marks over the face: a scar down the figure's
// right cheek, a patch over its left, a band over both.
func (f *figure) faceMarks(c rgb, u, v float64) rgb {
	m := f.marks
	if m == (faceMarks{}) {
		return c
	}
	r := f.race
	hy, px := r.headY, f.px
	ex, ey, eh := r.rx*0.4, hy+0.005, r.rx*0.085
	if r.snout {
		ex, ey, eh = r.rx*0.48, hy-0.01, r.rx*0.13
	}
	if m.scar {
		// Down the figure's right cheek, from the brow to the jaw.
		x := u + ex
		d := sdCapsule(x, v, -0.012, ey-eh*3.6, 0.02, ey+eh*6, px*1.8)
		c = mix(c, mix(f.skin, hex(0xb04858), 0.6).scale(0.75), 0.9*cover(d/px))
	}
	if m.blindfold {
		band := math.Abs(v-ey) - eh*1.9
		c = mix(c, hex(0x2e2a30).scale(1-0.25*smoothstep(-eh*1.9, eh*1.9, v-ey)), cover(band/px))
		return c
	}
	if m.eyepatch {
		patch := sdEllipse(u-ex, v-ey, r.rx*0.26, eh*2.3)
		strap := sdCapsule(u, v, -r.rx*1.1, ey-eh*4.5, r.rx*1.1, ey+eh*0.5, px*1.3)
		c = mix(c, hex(0x1c1618), cover(min(patch, strap)/px))
		c = mix(c, hex(0x3a3034), 0.5*cover((patch+eh*0.6)/px))
	}
	return c
}
