package dnd

import "slices"

// The genres, tones and styles the offline restyler has rules for. A
// theme may name any other word: a model receives it as written, and the
// offline generator uses the closest of these (and says so in the
// result's warnings).
var (
	knownGenres = []string{"fantasy", "sci-fi", "cyberpunk", "horror", "noir", "steampunk", "pirate", "western", "post-apocalyptic"}
	knownTones  = []string{"dark", "grim", "lighthearted", "whimsical", "epic", "mysterious", "hopeful"}
	knownStyles = []string{"formal", "casual", "archaic", "terse", "poetic"}
)

// KnownGenres lists the genres the offline restyler knows, in
// documentation order.
func KnownGenres() []string { return slices.Clone(knownGenres) }

// KnownTones lists the tones the offline restyler knows.
func KnownTones() []string { return slices.Clone(knownTones) }

// KnownStyles lists the styles the offline restyler knows.
func KnownStyles() []string { return slices.Clone(knownStyles) }
