package imagegen

import (
	"fmt"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/editdist"
)

// Item shapes.
const (
	itemAmulet = iota
	itemSword
	itemDagger
	itemPotion
	itemShield
	itemCrown
	itemRing
	itemAxe
	itemHammer
	itemMace
	itemBow
	itemStaff
	itemWand
	itemHelmet
	itemBook
	itemScroll
	itemKey
	itemOrb
	itemCloak
	itemBag
)

// itemKind is an item shape and the words that name it.
type itemKind struct {
	shape int
	name  string
	words []string
}

// itemKinds lists the shapes the offline renderer draws. The prompt's
// earliest word among them picks the shape.
var itemKinds = []itemKind{
	{itemSword, "sword", []string{"sword", "longsword", "greatsword", "shortsword", "broadsword", "sabre", "saber", "scimitar", "katana", "rapier", "falchion", "cutlass", "claymore", "blade"}},
	{itemDagger, "dagger", []string{"dagger", "knife", "knives", "dirk", "stiletto", "kris", "athame"}},
	{itemPotion, "potion", []string{"potion", "flask", "vial", "elixir", "bottle", "philter", "philtre", "tonic", "brew", "draught"}},
	{itemShield, "shield", []string{"shield", "buckler", "aegis", "escutcheon"}},
	{itemCrown, "crown", []string{"crown", "tiara", "circlet", "diadem", "coronet"}},
	{itemRing, "ring", []string{"ring", "signet", "band"}},
	{itemAxe, "axe", []string{"axe", "battleaxe", "greataxe", "handaxe", "hatchet", "tomahawk", "halberd"}},
	{itemHammer, "hammer", []string{"hammer", "warhammer", "maul", "mallet"}},
	{itemMace, "mace", []string{"mace", "morningstar", "flail", "club", "cudgel"}},
	{itemBow, "bow", []string{"bow", "longbow", "shortbow", "crossbow"}},
	{itemStaff, "staff", []string{"staff", "quarterstaff", "rod", "spear", "trident", "lance", "pike", "javelin", "polearm"}},
	{itemWand, "wand", []string{"wand", "sceptre", "scepter", "baton"}},
	{itemHelmet, "helmet", []string{"helmet", "helm", "greathelm", "casque"}},
	{itemBook, "book", []string{"book", "tome", "grimoire", "spellbook", "codex", "journal", "diary", "manual", "libram"}},
	{itemScroll, "scroll", []string{"scroll", "parchment", "map", "letter", "deed", "contract", "papyrus"}},
	{itemKey, "key", []string{"key", "skeleton key"}},
	{itemOrb, "orb", []string{"orb", "sphere", "crystal ball", "globe", "pearl"}},
	{itemCloak, "cloak", []string{"cloak", "cape", "mantle", "robe", "shawl"}},
	{itemBag, "bag", []string{"bag", "pouch", "sack", "purse", "satchel", "haversack", "backpack"}},
	{itemAmulet, "amulet", []string{"amulet", "necklace", "pendant", "medallion", "gem", "jewel", "talisman", "brooch", "locket", "crystal", "gemstone", "periapt", "scarab"}},
}

// itemNear maps item words the renderer has no shape for to the shape
// whose silhouette is closest.
var itemNear = map[string]int{
	"goblet": itemPotion, "chalice": itemPotion, "cup": itemPotion, "grail": itemPotion, "mug": itemPotion, "tankard": itemPotion,
	"jar": itemPotion, "urn": itemPotion, "decanter": itemPotion, "ewer": itemPotion, "lantern": itemPotion, "lamp": itemPotion, "censer": itemPotion, "horn": itemPotion,
	"coin": itemAmulet, "medal": itemAmulet, "badge": itemAmulet, "token": itemAmulet, "mirror": itemAmulet, "charm": itemAmulet, "sigil": itemAmulet, "emblem": itemAmulet, "seal": itemAmulet, "rosary": itemAmulet, "holy symbol": itemAmulet,
	"bracelet": itemRing, "bangle": itemRing, "earring": itemRing, "anklet": itemRing, "torc": itemRing,
	"laurel": itemCrown, "wreath": itemCrown, "headband": itemCrown,
	"hat": itemHelmet, "mask": itemHelmet, "visor": itemHelmet, "hood": itemHelmet, "coif": itemHelmet,
	"armor": itemShield, "armour": itemShield, "breastplate": itemShield, "mail": itemShield, "chainmail": itemShield, "cuirass": itemShield, "plate": itemShield, "bracers": itemShield, "gauntlet": itemShield, "gauntlets": itemShield,
	"sickle": itemAxe, "scythe": itemAxe, "pick": itemAxe, "pickaxe": itemAxe, "glaive": itemAxe,
	"sling": itemBow, "harp": itemBow, "lyre": itemBow,
	"cane": itemStaff, "broom": itemStaff, "pole": itemStaff, "flute": itemWand, "quill": itemWand, "feather": itemWand, "stick": itemWand, "twig": itemWand, "needle": itemWand,
	"page": itemScroll, "note": itemScroll, "scripture": itemScroll, "bible": itemBook, "ledger": itemBook, "almanac": itemBook, "deck": itemBook, "cards": itemBook,
	"lockpick": itemKey, "lockpicks": itemKey, "egg": itemOrb, "skull": itemOrb, "eye": itemOrb, "stone": itemOrb, "idol": itemOrb, "figurine": itemOrb, "statuette": itemOrb,
	"boots": itemCloak, "gloves": itemCloak, "belt": itemCloak, "tunic": itemCloak, "vest": itemCloak, "coat": itemCloak, "scarf": itemCloak, "garment": itemCloak,
	"chest": itemBag, "box": itemBag, "quiver": itemBag, "pack": itemBag, "case": itemBag,
}

func (k itemKind) article() string {
	if strings.ContainsRune("aeiou", rune(k.name[0])) {
		return "an " + k.name
	}
	return "a " + k.name
}

func kindOf(shape int) itemKind {
	for _, k := range itemKinds {
		if k.shape == shape {
			return k
		}
	}
	return itemKinds[len(itemKinds)-1]
}

// itemShape is the shape pickItem chooses.
func itemShape(prompt string) int {
	s, _ := pickItem(prompt)
	return s
}

// pickItem chooses the item's shape: the earliest item word in the prompt;
// else, for the prompt's head noun, the closest shape or a near spelling;
// else an amulet. A warning says what was drawn instead of what was asked.
func pickItem(prompt string) (int, string) {
	lower := lowerNorm(prompt)
	shape, at := -1, -1
	for _, k := range itemKinds {
		for _, w := range k.words {
			if i := wholeWordIndex(lower, w); i >= 0 && (at < 0 || i < at) {
				shape, at = k.shape, i
			}
		}
	}
	if shape >= 0 {
		return shape, ""
	}
	near, nearAt := "", -1
	for w := range itemNear {
		if i := wholeWordIndex(lower, w); i >= 0 && (nearAt < 0 || i < nearAt || (i == nearAt && w < near)) {
			near, nearAt = w, i
		}
	}
	if nearAt >= 0 {
		s := itemNear[near]
		return s, fmt.Sprintf("item %q: the offline renderer has no %s shape; drew the closest, %s", near, near, kindOf(s).article())
	}
	noun := headNoun(lower)
	if noun != "" {
		if k, word, ok := nearSpelling(noun); ok {
			return k.shape, fmt.Sprintf("item %q: read as %q and drew %s", noun, word, k.article())
		}
	}
	what := noun
	if what == "" {
		what = strings.TrimSpace(prompt)
	}
	return itemAmulet, fmt.Sprintf("item %q: no item shape matches; drew an amulet (the offline renderer draws %s)", truncateTerm(what), itemNames())
}

// headNoun guesses the item word: the last word before "of", "with" or a
// comma, skipping articles.
func headNoun(lower string) string {
	for _, sep := range []string{" of ", " with ", " that ", " which ", ",", ".", " from ", " for ", " in ", " on ", " made "} {
		if i := strings.Index(lower, sep); i > 0 {
			lower = lower[:i]
		}
	}
	words := strings.FieldsFunc(lower, func(r rune) bool { return !(r >= 'a' && r <= 'z') && r != '\'' })
	if len(words) == 0 {
		return ""
	}
	return words[len(words)-1]
}

// nearSpelling finds the item word one or two edits from w.
func nearSpelling(w string) (itemKind, string, bool) {
	limit := 1
	if len(w) >= 6 {
		limit = 2
	}
	if len(w) < 4 {
		return itemKind{}, "", false
	}
	for _, k := range itemKinds {
		for _, word := range k.words {
			if editdist.Distance(w, word) <= limit {
				return k, word, true
			}
		}
	}
	return itemKind{}, "", false
}

func itemNames() string {
	names := make([]string, len(itemKinds))
	for i, k := range itemKinds {
		names[i] = k.name
	}
	return strings.Join(names, ", ")
}

// itemPartFor builds the shape's drawing.
func itemPartFor(shape int, cx, cy, S float64, sc *scene, accent rgb, tex *noise) itemPart {
	pal := sc.pal
	switch shape {
	case itemSword:
		return swordPart(cx, cy, S, pal, accent)
	case itemDagger:
		return swordPart(cx, cy, S*0.7, pal, accent)
	case itemPotion:
		return potionPart(cx, cy, S, sc, accent, tex)
	case itemShield:
		g := shieldGeom{cx: cx, top: cy - 0.36*S, a: 0.3 * S, h: 0.74 * S}
		ar := newArms(sc.rng, g, sc.req.Race, sc.req.Class, sc.req.Alignment, pal.metal)
		return func(px, py float64, colour bool) (rgb, float64) {
			d := g.sdf(px, py) - ar.lw
			if !colour || d > 1 {
				return rgb{}, d
			}
			c, _ := ar.shade(px, py, tex)
			return c, d
		}
	case itemCrown:
		return crownPart(cx, cy, S, pal, accent)
	case itemRing:
		return ringPart(cx, cy, S, pal, accent)
	case itemAxe:
		return axePart(cx, cy, S, pal)
	case itemHammer, itemMace:
		return hammerPart(cx, cy, S, pal, shape == itemMace)
	case itemBow:
		return bowPart(cx, cy, S)
	case itemStaff:
		return staffPart(cx, cy, S, accent, 0.46)
	case itemWand:
		return staffPart(cx, cy, S, accent, 0.3)
	case itemHelmet:
		return helmetPart(cx, cy, S, pal, hasAnyWord(sc.prompt, "horned", "viking", "horns"))
	case itemBook:
		return bookPart(cx, cy, S, pal, accent)
	case itemScroll:
		return scrollPart(cx, cy, S, accent)
	case itemKey:
		return keyPart(cx, cy, S, pal)
	case itemOrb:
		return orbPart(cx, cy, S, pal, accent, tex)
	case itemCloak:
		return cloakPart(cx, cy, S, pal, accent)
	case itemBag:
		return bagPart(cx, cy, S, accent)
	}
	return amuletPart(cx, cy, S, sc, accent)
}
