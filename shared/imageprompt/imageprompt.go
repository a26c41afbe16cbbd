// Package imageprompt builds the text prompt and negative prompt sent to an
// image model for one image request. Each image type gets its own framing (a
// portrait asks for head and shoulders, a map for a top-down gridded battle
// map, and so on); the theme and style preset are folded in, and a negative
// prompt with sensible defaults for the type is followed by the caller's own.
//
// Build is deterministic and never fails: unknown types get a neutral
// framing, free text is cleaned of control characters and extra whitespace,
// and the result is capped in length.
package imageprompt

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Length caps, in bytes, of the built prompts.
const (
	MaxPromptLen   = 2000
	MaxNegativeLen = 1000
)

// maxHintLen caps each short free-text field (theme, preset, race...), so a
// long one cannot crowd the subject out of the prompt.
const maxHintLen = 80

// maxCharacterLen caps a described character, so the framing and the
// caller's prompt keep their room.
const maxCharacterLen = 1200

// Theme is the genre, tone and style a request asks for.
type Theme struct {
	Genre string
	Tone  string
	Style string
}

// Input is what Build needs from an image request. Race, Class and Alignment
// are optional character hints, used by character portraits; Character, a
// whole character described (who they are, how they look, what they
// carry), takes their place when set.
type Input struct {
	Type           string // character_portrait, item_illustration, location_visual, map_background, environment_scene, magical_effect
	Prompt         string
	StylePreset    string
	NegativePrompt string
	Theme          Theme
	Race           string
	Class          string
	Alignment      string
	Character      string
}

// Output is the prompt pair to send to the image model.
type Output struct {
	Prompt         string
	NegativePrompt string
}

// framing is how one image type is asked for.
type framing struct {
	lead     string   // words before the subject
	subject  string   // subject when the caller gave no prompt
	tail     []string // composition words after the subject
	negative []string // default negative terms
}

var framings = map[string]framing{
	"character_portrait": {
		lead:     "head and shoulders portrait of",
		subject:  "an adventurer",
		tail:     []string{"detailed face", "expressive eyes", "centered composition", "character art"},
		negative: []string{"deformed hands", "extra fingers", "extra limbs", "disfigured face", "cropped head", "blurry", "text", "watermark", "signature"},
	},
	"item_illustration": {
		lead:     "item illustration of",
		subject:  "a magic item",
		tail:     []string{"single isolated object", "centered", "plain neutral background", "studio lighting", "clean silhouette"},
		negative: []string{"hands", "people", "cluttered background", "multiple objects", "cropped", "text", "watermark"},
	},
	"location_visual": {
		lead:     "establishing shot of",
		subject:  "a fantasy location",
		tail:     []string{"wide angle", "sense of scale", "environmental storytelling", "detailed architecture"},
		negative: []string{"people in foreground", "close-up", "blurry", "text", "watermark"},
	},
	"map_background": {
		lead:     "top-down battle map of",
		subject:  "a dungeon",
		tail:     []string{"orthographic overhead view", "square grid", "no perspective", "tabletop RPG encounter map", "clear walkable floor"},
		negative: []string{"perspective", "isometric", "horizon", "people", "characters", "text", "labels", "watermark"},
	},
	"environment_scene": {
		lead:     "wide atmospheric scene of",
		subject:  "a wild landscape",
		tail:     []string{"panoramic vista", "volumetric light", "atmospheric perspective", "depth"},
		negative: []string{"people in foreground", "frame", "border", "blurry", "text", "watermark"},
	},
	"magical_effect": {
		lead:     "magical effect of",
		subject:  "arcane power",
		tail:     []string{"glowing energy", "luminous particles", "radiant light", "dark background"},
		negative: []string{"people", "dull colors", "muddy", "text", "watermark"},
	},
}

var defaultFraming = framing{
	subject:  "a fantasy illustration",
	tail:     []string{"highly detailed"},
	negative: []string{"blurry", "text", "watermark"},
}

// genres maps genre keywords to descriptive words. The first entry whose key
// starts a word of the lower-cased genre wins, so longer keys come first.
var genres = []struct{ key, words string }{
	{"dark fantasy", "dark fantasy, grim and gothic"},
	{"grimdark", "grimdark, bleak and brutal"},
	{"high fantasy", "high fantasy"},
	{"fantasy", "high fantasy"},
	{"horror", "horror, eerie and unsettling"},
	{"gothic", "gothic horror, eerie and unsettling"},
	{"cyberpunk", "cyberpunk, neon-lit high tech"},
	{"sci-fi", "science fiction, futuristic technology"},
	{"scifi", "science fiction, futuristic technology"},
	{"science fiction", "science fiction, futuristic technology"},
	{"space", "space opera, futuristic technology"},
	{"steampunk", "steampunk, brass and clockwork"},
	{"post-apocalyptic", "post-apocalyptic, ruined and overgrown"},
	{"apocalyp", "post-apocalyptic, ruined and overgrown"},
	{"western", "weird west, dusty frontier"},
	{"pirate", "swashbuckling pirate adventure"},
	{"nautical", "nautical adventure"},
	{"fairy", "fairy tale, whimsical"},
	{"fey", "fey wilds, whimsical and enchanted"},
	{"mythic", "mythic, legendary"},
}

// tones maps tone keywords to lighting and mood words.
var tones = []struct{ key, words string }{
	{"dark", "dark, moody lighting"},
	{"grim", "grim, desaturated, moody lighting"},
	{"gritty", "gritty, weathered, moody lighting"},
	{"ominous", "ominous, foreboding shadows"},
	{"sinister", "sinister, foreboding shadows"},
	{"light", "bright, cheerful lighting"},
	{"whimsical", "whimsical, playful, bright colors"},
	{"cheerful", "bright, cheerful lighting"},
	{"hopeful", "hopeful, warm golden light"},
	{"heroic", "heroic, dramatic lighting"},
	{"epic", "epic, heroic, dramatic lighting"},
	{"myster", "mysterious, misty, soft shadows"},
	{"eerie", "eerie, cold mist"},
	{"serene", "serene, calm, soft light"},
	{"comedic", "lighthearted, playful"},
}

// presets maps known style presets to descriptive words.
var presets = []struct{ key, words string }{
	{"fantasy-art", "fantasy art, painterly illustration"},
	{"digital-art", "digital art"},
	{"concept-art", "concept art"},
	{"photographic", "photorealistic, photographic"},
	{"cinematic", "cinematic lighting, film still"},
	{"anime", "anime style, cel shading"},
	{"comic-book", "comic book style, bold ink lines"},
	{"line-art", "line art, clean ink linework"},
	{"pixel-art", "pixel art, limited palette"},
	{"watercolor", "watercolor painting"},
	{"oil-painting", "oil painting, visible brush strokes"},
	{"low-poly", "low poly 3D render"},
	{"isometric", "isometric view"},
	{"3d-model", "3D render"},
	{"analog-film", "analog film photo, film grain"},
	{"neon-punk", "neon punk, vivid neon colors"},
	{"origami", "origami, folded paper"},
	{"enhance", "enhanced detail"},
}

// Build returns the prompt and negative prompt for in.
func Build(in Input) Output {
	f, ok := framings[clean(in.Type)]
	if !ok {
		f = defaultFraming
	}

	extra := append([]string(nil), f.tail...)
	if g := truncate(clean(in.Theme.Genre), maxHintLen); g != "" {
		extra = append(extra, lookup(genres, g, g+" genre"))
	}
	if t := truncate(clean(in.Theme.Tone), maxHintLen); t != "" {
		extra = append(extra, lookup(tones, t, t+" mood"))
	}
	if s := truncate(clean(in.Theme.Style), maxHintLen); s != "" {
		extra = append(extra, s+" style")
	}
	if p := truncate(clean(in.StylePreset), maxHintLen); p != "" {
		extra = append(extra, presetWords(p))
	}
	suffix := strings.Join(extra, ", ")

	subject := subjectText(in, f)
	// The subject gets whatever room the framing leaves.
	room := MaxPromptLen - len(f.lead) - len(suffix) - len(", ") - len(" ")
	subject = truncate(subject, max(room, 0))
	if subject == "" {
		subject = f.subject
	}

	var b strings.Builder
	if f.lead != "" {
		b.WriteString(f.lead)
		b.WriteByte(' ')
	}
	b.WriteString(subject)
	if suffix != "" {
		b.WriteString(", ")
		b.WriteString(suffix)
	}
	return Output{
		Prompt:         truncate(b.String(), MaxPromptLen),
		NegativePrompt: negative(f.negative, in.NegativePrompt),
	}
}

// subjectText is the caller's prompt, led for portraits by the character
// (in.Character) or the character hints ("a lawful good dwarf cleric").
func subjectText(in Input, f framing) string {
	prompt := strings.TrimRight(clean(in.Prompt), " ,.;:")
	if in.Type != "character_portrait" {
		return prompt
	}
	if who := strings.TrimRight(truncate(clean(in.Character), maxCharacterLen), " ,.;:"); who != "" {
		if prompt == "" {
			return who
		}
		return who + ", " + prompt
	}
	var hints []string
	for _, h := range []string{in.Alignment, in.Race, in.Class} {
		h = truncate(clean(strings.ReplaceAll(h, "_", " ")), maxHintLen)
		if h != "" {
			hints = append(hints, strings.ToLower(h))
		}
	}
	if len(hints) == 0 {
		return prompt
	}
	who := strings.Join(hints, " ")
	who = article(who) + " " + who
	if prompt == "" {
		return who
	}
	return who + ", " + prompt
}

// negative joins the type's default terms and the caller's comma-separated
// terms, dropping duplicates (case-insensitive) and empty terms.
func negative(defaults []string, caller string) string {
	seen := make(map[string]bool)
	var terms []string
	add := func(t string) {
		t = strings.Trim(clean(t), " .;:")
		k := strings.ToLower(t)
		if t == "" || seen[k] {
			return
		}
		seen[k] = true
		terms = append(terms, t)
	}
	for _, t := range defaults {
		add(t)
	}
	for _, t := range strings.Split(caller, ",") {
		add(t)
	}
	var b strings.Builder
	for _, t := range terms {
		sep := 0
		if b.Len() > 0 {
			sep = len(", ")
		}
		if b.Len()+sep+len(t) > MaxNegativeLen {
			if b.Len() == 0 {
				b.WriteString(truncate(t, MaxNegativeLen))
			}
			break
		}
		if sep > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t)
	}
	return b.String()
}

func lookup(table []struct{ key, words string }, text, fallback string) string {
	lower := strings.ToLower(text)
	for _, e := range table {
		if hasWordPrefix(lower, e.key) {
			return e.words
		}
	}
	return fallback
}

// hasWordPrefix reports whether key occurs in s at the start of a word, so
// "light" matches "lighthearted" but not "twilight".
func hasWordPrefix(s, key string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], key)
		if j < 0 {
			return false
		}
		j += i
		if j == 0 {
			return true
		}
		r, _ := utf8.DecodeLastRuneInString(s[:j])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return true
		}
		i = j + 1
	}
}

func presetWords(p string) string {
	norm := strings.ToLower(strings.NewReplacer("_", "-", " ", "-").Replace(p))
	for _, e := range presets {
		if norm == e.key {
			return e.words
		}
	}
	return strings.NewReplacer("-", " ", "_", " ").Replace(p) + " style"
}

// clean drops control and format characters, turns any run of whitespace
// into one space and trims the ends.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// truncate shortens s to at most n bytes, cutting at the last space that keeps
// at least half the text, else at a rune boundary, and trims what is left.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(s[:cut], ' '); i >= n/2 {
		cut = i
	}
	return strings.TrimRight(s[:cut], " ,.;:")
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiouAEIOU", rune(s[0])) {
		return "an"
	}
	return "a"
}
