package rules

import "strings"

// tradeTools are the artisan's tools of the trades a player may name.
var tradeTools = map[string]string{
	"smith": "Smith's Tools", "blacksmith": "Smith's Tools", "brewer": "Brewer's Supplies", "cook": "Cook's Utensils",
	"tinker": "Tinker's Tools", "tinkerer": "Tinker's Tools", "carpenter": "Carpenter's Tools", "cobbler": "Cobbler's Tools",
	"weaver": "Weaver's Tools", "mason": "Mason's Tools", "stonemason": "Mason's Tools", "potter": "Potter's Tools",
	"jeweller": "Jeweler's Tools", "jeweler": "Jeweler's Tools", "glassblower": "Glassblower's Tools",
	"alchemist": "Alchemist's Supplies", "painter": "Painter's Supplies", "woodcarver": "Woodcarver's Tools",
	"leatherworker": "Leatherworker's Tools", "calligrapher": "Calligrapher's Supplies", "cartographer": "Cartographer's Tools",
}

// TradeMentioned returns the artisan's trade a free text names ("a dwarf
// brewer"), as Choices.Trade takes it, or "".
func TradeMentioned(text string) string {
	spellings := map[string]string{}
	for k := range tradeTools {
		spellings[k] = k
	}
	return earliest(strings.Fields(normalize(text)), spellings)
}

// toolFor is the tool the character's background gives in place of name:
// a Guild Artisan's tools are those of the trade asked for.
func (c *character) toolFor(name string) string {
	if t := tradeTools[normalize(c.trade)]; t != "" && strings.HasSuffix(name, "'s Tools") && c.bg != nil && c.bg.Name == "Guild Artisan" {
		return t
	}
	return name
}
