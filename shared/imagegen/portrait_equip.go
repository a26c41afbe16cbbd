package imagegen

import (
	"fmt"
	"slices"
	"strings"
)

// Item is something a portrait's figure wears or carries, as a character
// sheet lists it: "Chain Mail" (armor), "Shield" (shield), "Mace"
// (weapon), "Staff of Fire" (focus).
type Item struct {
	Name     string `json:"name"`
	Category string `json:"category,omitempty"` // armor, shield, weapon, focus, wondrous, gear...
}

// armourLooks are the outfits armour words draw, plate first so "half
// plate" is plate and "dragon scale mail" is mail.
var armourLooks = []struct {
	words  []string
	outfit int
	name   string
}{
	{[]string{"half plate", "plate", "breastplate", "splint", "armor of invulnerability", "armour of invulnerability", "demon armor", "demon armour", "adamantine armor", "adamantine armour", "full plate", "cuirass"}, outfitPlate, "plate"},
	{[]string{"chain mail", "chain shirt", "chainmail", "ring mail", "scale mail", "elven chain", "efreeti chain", "mithral", "mail", "hauberk"}, outfitMail, "mail"},
	{[]string{"studded leather", "leather armor", "leather armour", "leather", "padded", "hide armor", "hide armour", "hide", "brigandine"}, outfitLeather, "leather"},
	{[]string{"robe of", "robes", "robe", "vestments"}, outfitRobe, "robes"},
}

// shapeWords name a thing a figure holds.
type shapeWords struct {
	words []string
	gear  int
	note  string // said when the shape stands in for the named thing
}

// weaponShapes are the weapons and things held a portrait draws, by the
// words that name them; bigger weapons first, since a figure holds one.
var weaponShapes = []shapeWords{
	{[]string{"greataxe"}, gearGreataxe, ""},
	{[]string{"quarterstaff", "staff"}, gearStaff, ""},
	{[]string{"spear", "javelin", "trident", "glaive", "halberd", "pike", "lance", "polearm"}, gearSpear, ""},
	{[]string{"greatsword", "longsword", "shortsword", "scimitar", "rapier", "sword", "blade", "sabre", "saber", "cutlass", "holy avenger", "flame tongue", "frost brand", "nine lives stealer"}, gearSword, ""},
	{[]string{"warhammer", "war hammer", "light hammer", "maul", "hammer", "dwarven thrower"}, gearHammer, ""},
	{[]string{"battleaxe", "handaxe", "hand axe", "axe"}, gearAxe, ""},
	{[]string{"mace", "morningstar", "flail", "greatclub", "club"}, gearMace, ""},
	{[]string{"dagger", "dirk", "knife"}, gearDaggers, ""},
	{[]string{"crossbow"}, gearBow, "drew a bow for it"},
	{[]string{"longbow", "shortbow", "oathbow", "bow"}, gearBow, ""},
	{[]string{"lute", "lyre", "mandolin"}, gearLute, ""},
}

// undrawnWeapons are weapons the portrait has no shape for.
var undrawnWeapons = []string{"whip", "net", "sling", "blowgun", "dart", "sickle", "scythe", "war pick", "bagpipes", "drum", "flute"}

// accessoryShapes are other things a figure shows, worn or held in the
// off hand.
var accessoryShapes = []struct {
	words []string
	gear  int
}{
	{[]string{"holy symbol", "amulet", "emblem", "reliquary", "periapt", "medallion"}, gearHolySymbol},
	{[]string{"orb", "crystal"}, gearOrb},
	{[]string{"cloak", "cape", "mantle"}, gearCloak},
	{[]string{"prayer beads", "beads"}, gearBeads},
}

// handGear are the gear a hand holds: the class's are replaced by the
// weapons a character carries.
var handGear = []int{gearStaff, gearSword, gearDaggers, gearMace, gearLute, gearBow, gearGreataxe, gearSpear, gearHammer, gearAxe, gearShield}

// outfitted is what a figure wears and holds, read from a character's
// equipment and the prompt.
type outfitted struct {
	outfit   int // -1 when nothing names armour
	armour   string
	weapons  []held // in the order named
	shield   string // the shield's name, or ""
	extras   []int  // accessories
	warnings []string
}

// held is a weapon by name and shape.
type held struct {
	name, note string
	gear       int
}

// readItems reads a character's equipped items.
func readItems(items []Item) outfitted {
	o := outfitted{outfit: -1}
	var undrawn, robes []string
	for _, it := range items {
		name := strings.TrimSpace(it.Name)
		lower := strings.ToLower(name)
		cat := strings.ToLower(it.Category)
		switch {
		case name == "":
		case cat == "shield" || namesAny(lower, []string{"shield"}):
			o.shield = name
		case cat == "armor" || cat == "armour":
			if look, ok := armourLook(lower); ok && look != outfitRobe {
				o.setOutfit(look, name)
			} else {
				o.warnings = append(o.warnings, fmt.Sprintf("equipment %q: the offline renderer has no look for this armour; drew the class's clothes", truncateTerm(name)))
			}
		default:
			if w, ok := weaponShape(lower); ok {
				o.weapons = append(o.weapons, held{name: name, gear: w.gear, note: w.note})
				continue
			}
			if g, ok := accessory(lower); ok {
				o.extras = append(o.extras, g)
				continue
			}
			if look, ok := armourLook(lower); ok && look == outfitRobe {
				if !o.setOutfit(look, name) {
					robes = append(robes, fmt.Sprintf("%q", truncateTerm(name)))
				}
				continue
			}
			if cat == "weapon" || cat == "armor" || cat == "shield" || cat == "focus" || cat == "wondrous" || matchesWeaponWord(lower) {
				undrawn = append(undrawn, fmt.Sprintf("%q", truncateTerm(name)))
			}
		}
	}
	if len(undrawn) > 0 {
		o.warnings = append(o.warnings, fmt.Sprintf("equipment %s: the offline renderer has no shape for %s; not drawn",
			strings.Join(undrawn, ", "), map[bool]string{true: "it", false: "them"}[len(undrawn) == 1]))
	}
	if len(robes) > 0 {
		o.warnings = append(o.warnings, fmt.Sprintf("equipment %s: drew the %s worn with %s; not drawn",
			strings.Join(robes, ", "), strings.ToLower(truncateTerm(o.armour)), map[bool]string{true: "it", false: "them"}[len(robes) == 1]))
	}
	// The figure holds the greatest weapon first: a staff before a dagger.
	slices.SortStableFunc(o.weapons, func(a, b held) int { return shapeRank(a.gear) - shapeRank(b.gear) })
	return o
}

// shapeRank is where a weapon's shape stands in weaponShapes.
func shapeRank(gear int) int {
	return slices.IndexFunc(weaponShapes, func(w shapeWords) bool { return w.gear == gear })
}

// readPrompt reads the armour, shield and weapons a prompt names ("in
// chain mail with a mace and shield").
func readPrompt(prompt string) outfitted {
	o := outfitted{outfit: -1}
	lower := lowerNorm(prompt)
	if at, look, word := firstArmour(lower); at >= 0 {
		o.setOutfit(look, word)
	}
	if namesAny(lower, []string{"shield"}) {
		o.shield = "shield"
	}
	for _, w := range weaponShapes {
		for _, word := range w.words {
			if namesAny(lower, []string{word}) && !slices.ContainsFunc(o.weapons, func(h held) bool { return h.gear == w.gear }) &&
				!(word == "bow" && namesAny(lower, []string{"crossbow"})) && !(word == "axe" && namesAny(lower, []string{"greataxe"})) {
				o.weapons = append(o.weapons, held{name: word, gear: w.gear, note: w.note})
				break
			}
		}
	}
	for _, w := range undrawnWeapons {
		if namesAny(lower, []string{w}) {
			o.warnings = append(o.warnings, fmt.Sprintf("prompt %q: the offline renderer has no shape for it; not drawn", w))
		}
	}
	return o
}

// setOutfit wears look unless armour is worn already; robes give way to
// armour. It reports whether the look is worn.
func (o *outfitted) setOutfit(look int, name string) bool {
	if o.outfit < 0 || o.outfit == outfitRobe {
		o.outfit, o.armour = look, name
		return true
	}
	return false
}

// firstArmour finds the first armour word of a lower-case prompt: where,
// its outfit and the word.
func firstArmour(lower string) (int, int, string) {
	at, look, word := -1, 0, ""
	for _, a := range armourLooks {
		for _, w := range a.words {
			if i := wholeWordIndex(lower, w); i >= 0 && (at < 0 || i < at || i == at && len(w) > len(word)) {
				at, look, word = i, a.outfit, w
			}
		}
	}
	return at, look, word
}

func armourLook(lower string) (int, bool) {
	for _, a := range armourLooks {
		if namesAny(lower, a.words) {
			return a.outfit, true
		}
	}
	return 0, false
}

func weaponShape(lower string) (shapeWords, bool) {
	for _, w := range weaponShapes {
		if namesAny(lower, w.words) {
			return w, true
		}
	}
	return shapeWords{}, false
}

func accessory(lower string) (int, bool) {
	for _, a := range accessoryShapes {
		if namesAny(lower, a.words) {
			return a.gear, true
		}
	}
	return 0, false
}

func matchesWeaponWord(lower string) bool { return namesAny(lower, undrawnWeapons) }

// equip dresses the figure in what its character wears and carries, and
// in what the prompt names, which comes first: armour sets the outfit, the
// weapons replace the class's, and a shield is borne when one is named.
// It warns about what it cannot draw, and about weapons the figure has no
// hand left for.
func (f *figure) equip(sc *scene) {
	items, prompt := readItems(sc.req.Equipment), readPrompt(sc.prompt)
	sc.warnings = append(sc.warnings, items.warnings...)
	sc.warnings = append(sc.warnings, prompt.warnings...)
	if len(sc.req.Equipment) == 0 && prompt.outfit < 0 && prompt.shield == "" && len(prompt.weapons) == 0 {
		return
	}
	c := f.class
	c.gear = slices.Clone(c.gear)
	switch {
	case prompt.outfit >= 0:
		c.outfit = prompt.outfit
	case items.outfit >= 0:
		c.outfit = items.outfit
	case len(sc.req.Equipment) > 0 && c.outfit == outfitPlate:
		c.outfit = outfitTunic // a sheet without armour: no plate
	}
	weapons := append(prompt.weapons, items.weapons...)
	shield := prompt.shield != "" || items.shield != ""
	if len(weapons) > 0 || len(sc.req.Equipment) > 0 {
		c.gear = slices.DeleteFunc(c.gear, func(g int) bool { return slices.Contains(handGear, g) })
		c.gear = append(c.gear, f.hands(sc, weapons, shield)...)
	}
	for _, g := range items.extras {
		if !slices.Contains(c.gear, g) {
			c.gear = append(c.gear, g)
		}
	}
	if shield && !slices.Contains(c.gear, gearShield) {
		c.gear = append(c.gear, gearShield)
	}
	if slices.ContainsFunc(c.gear, func(g int) bool { return slices.Contains(mainHand, g) }) {
		c.gear = slices.DeleteFunc(c.gear, func(g int) bool { return g == gearOrb }) // no hand free for it
	}
	f.class = c
}

// mainHand is the gear the weapon hand holds, one at a time.
var mainHand = []int{gearStaff, gearSpear, gearSword, gearHammer, gearAxe, gearMace, gearDaggers, gearLute}

// hands chooses which weapons the figure shows: a greataxe on the back,
// one weapon in hand (the first named), and a bow at the other side when no
// shield is borne there. It warns about the rest.
func (f *figure) hands(sc *scene, weapons []held, shield bool) []int {
	var out []int
	drawn := map[int]string{} // gear → the name drawn for it
	inHand := ""
	for _, w := range weapons {
		if w.note != "" {
			sc.warn("%q: %s", truncateTerm(w.name), w.note)
		}
		switch {
		case drawn[w.gear] != "" && (w.gear == gearDaggers || strings.EqualFold(w.name, drawn[w.gear])):
			// Daggers are drawn in pairs; the same weapon named twice once.
		case w.gear == gearGreataxe && drawn[w.gear] == "", w.gear == gearBow && !shield && drawn[w.gear] == "":
			out, drawn[w.gear] = append(out, w.gear), w.name
		case slices.Contains(mainHand, w.gear) && inHand == "":
			out, drawn[w.gear], inHand = append(out, w.gear), w.name, w.name
		default:
			by := inHand
			switch {
			case w.gear == gearBow && shield:
				by = "a shield"
			case drawn[w.gear] != "":
				by = drawn[w.gear]
			}
			sc.warn("%q: the figure's hands already hold %s; not drawn", truncateTerm(w.name), truncateTerm(by))
		}
	}
	return out
}
