package offline

import (
	"math/rand/v2"
	"testing"
)

func TestExpander(t *testing.T) {
	t.Parallel()
	g := grammar{
		"beast":       {"owl"},
		"spirit@dark": {"wraith"},
		"greeting":    {"{beast.a} greets {who}.", "{beast.cap} greets {who}."},
		"loop":        {"{loop}"},
	}
	tests := []struct {
		name, tmpl, mood, want string
	}{
		{"article", "{beast.a}", "", "an owl"},
		{"capital", "{beast.cap}", "", "Owl"},
		{"mood variant", "{spirit}", "dark", "wraith"},
		{"variables are literal", "{who}", "", "{beast} & co"},
		{"lower case", "{up.lc}", "", "loud"},
	}
	for _, tc := range tests {
		e := newExpander(g, rand.New(rand.NewPCG(1, 1)), tc.mood)
		e.set("who", "{beast} & co", "up", "LOUD")
		got, err := e.expand(tc.tmpl)
		if err != nil || got != tc.want {
			t.Errorf("%s: expand(%q) = %q, %v; want %q", tc.name, tc.tmpl, got, err, tc.want)
		}
	}
	e := newExpander(g, rand.New(rand.NewPCG(1, 1)), "")
	for _, bad := range []string{"{loop}", "{missing}", "{beast.shout}", "{beast", "{spirit}"} {
		if _, err := e.expand(bad); err == nil {
			t.Errorf("expand(%q) succeeded, want an error", bad)
		}
	}
}

func TestTidy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		capFirst bool
		want     string
	}{
		{"the  end .", true, "The end."},
		{"a thing , then. another! and? more", true, "A thing, then. Another! And? More"},
		{"the guild", false, "the guild"},
		{"That's... that's not mine.", true, "That's... that's not mine."},
		{"  spaced   out  ", false, "spaced out"},
		{"Done.. next", true, "Done. Next"},
	}
	for _, tc := range tests {
		if got := tidy(tc.in, tc.capFirst); got != tc.want {
			t.Errorf("tidy(%q, %v) = %q, want %q", tc.in, tc.capFirst, got, tc.want)
		}
	}
}

func TestArticle(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"owl": "an", "sword": "a", "unicorn": "a", "honest man": "an", "hour": "an",
		"elf": "an", "one-eyed cat": "a", "European": "a", "Ogre": "an", "": "a",
		"8th-level": "an", "11th-level": "an", "18-foot": "an", "1st-level": "a", "80-foot": "an", "110th": "a",
	} {
		if got := article(in); got != want {
			t.Errorf("article(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPluralize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"glowrod": "glowrods", "plasma blade": "plasma blades", "watchman": "watchmen",
		"box": "boxes", "sky": "skies", "day": "days", "city watch": "city watches",
	} {
		if got := pluralize(in); got != want {
			t.Errorf("pluralize(%q) = %q, want %q", in, got, want)
		}
	}
}
