package rules

import (
	"slices"
	"strings"
)

// weaponKinds are words a player uses for a weapon that is not an SRD
// weapon's name, with the SRD weapons they may mean, the likeliest first.
var weaponKinds = map[string][]string{
	"axe":      {"Battleaxe", "Handaxe", "Greataxe"},
	"sword":    {"Longsword", "Shortsword", "Greatsword"},
	"bow":      {"Longbow", "Shortbow"},
	"crossbow": {"Light Crossbow", "Hand Crossbow", "Heavy Crossbow"},
	"hammer":   {"Warhammer", "Light Hammer"},
	"harpoon":  {"Trident", "Spear", "Javelin"},
	"knife":    {"Dagger"},
	"staff":    {"Quarterstaff"},
	"polearm":  {"Glaive", "Halberd", "Pike"},
}

// weaponRoles are words for someone who fights with a kind of weapon; a
// weapon named outright wins over them ("a duelist who carries her
// mother's scimitar").
var weaponRoles = map[string][]string{
	"archer":   {"Longbow", "Shortbow"},
	"bowman":   {"Longbow", "Shortbow"},
	"fencer":   {"Rapier"},
	"duelist":  {"Rapier"},
	"spearman": {"Spear"},
	"knifer":   {"Dagger"},
}

// askedWeapons are the SRD weapons a word of WeaponMentioned may mean, the
// likeliest first, or nil for a word it does not know.
func askedWeapons(word string) []string {
	k := normalize(word)
	if ws, ok := weaponKinds[k]; ok {
		return ws
	}
	if ws, ok := weaponRoles[k]; ok {
		return ws
	}
	for _, w := range tbl.weaponList() {
		if normalize(w) == k {
			return []string{w}
		}
	}
	return nil
}

// WeaponMentioned returns the word a free text uses for the character's
// weapon: an SRD weapon's name ("her mother's scimitar"), a kind ("his
// axe", "a harpoon") or, when it names none, someone who fights with one
// ("an archer", "a fencer"); "" for none. Choices.Weapon takes it.
func WeaponMentioned(text string) string {
	t := " " + normalize(text) + " "
	for _, b := range tbl.buildNames() {
		if strings.Contains(b, " ") { // "sword and shield" names a way to fight, not a sword
			t = strings.ReplaceAll(t, " "+normalize(b)+" ", " ")
		}
	}
	ws := strings.Fields(t)
	named := map[string]string{}
	for k := range weaponKinds {
		named[k], named[k+"s"] = k, k
	}
	named["axes"], named["knives"], named["staves"] = "axe", "knife", "staff"
	for _, w := range tbl.weaponList() {
		n := normalize(w)
		named[n], named[n+"s"] = n, n
	}
	if w := earliest(ws, named); w != "" {
		return w
	}
	roles := map[string]string{}
	for k := range weaponRoles {
		roles[k], roles[k+"s"] = k, k
	}
	return earliest(ws, roles)
}

// weaponList is the SRD weapons' names.
func (t *tables) weaponList() []string {
	out := make([]string, 0, len(t.weapons))
	for n := range t.weapons {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// wieldAsked makes the weapon the player asked for the main weapon when
// the character fights well with it; otherwise the character carries it
// and the sheet's warnings say so.
func (c *character) wieldAsked() {
	if len(c.askedWeapon) == 0 {
		return
	}
	g := &c.gear
	for _, n := range c.askedWeapon {
		if !c.usable(n) {
			continue
		}
		g.main = tbl.weapons[n]
		g.offhand = nil
		if c.build.Offhand && g.main.has("light") {
			g.offhand = g.main
		}
		return
	}
	n := c.askedWeapon[0]
	g.kit = append(g.kit, Item{Name: n, Category: CatWeapon, Quantity: 1})
	c.warnf("weapon: the %s carries the %s asked for but is not trained to fight well with it, so the sheet's attacks use the %s", c.className, strings.ToLower(n), strings.ToLower(g.main.Name))
}

// WeaponsFor returns the SRD weapons a word of WeaponMentioned may mean,
// the likeliest first, or nil.
func WeaponsFor(word string) []string { return slices.Clone(askedWeapons(word)) }

// buildNames are the names of every class's ways to fight.
func (t *tables) buildNames() []string {
	var out []string
	for _, cl := range t.classes {
		for _, b := range cl.Builds {
			out = append(out, b.Name)
		}
	}
	return out
}
