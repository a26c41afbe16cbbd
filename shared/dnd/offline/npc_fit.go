package offline

import (
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

// describe gives someone of a role a description that fits it: a creature
// ("imp secretary", "captured goblin scout") by its kind, not as "a bald
// youth" or "an elegant old-timer who quotes scripture"; a person by one
// that does not clash with the role ("grieving parent", "a cheerful
// youth").
func (c *campaign) describe(e *expander, role string) string {
	if kind, ok := roleCreature(role); ok {
		return creatureDescription(e, kind)
	}
	d := e.pick("npc_desc")
	for range 20 {
		if !clashes(role, d) {
			break
		}
		d = e.pick("npc_desc")
	}
	return d
}

// creatureKind is what a creature role is: its noun ("imp") and creature
// type ("fiend").
type creatureKind struct {
	noun, typ string
}

// notPeople are the humanoid stat blocks that are not people of the
// town: a role naming one ("captured goblin scout") is a creature, while
// one naming a trade's stat block ("guard", "scout", "priest") is a
// person.
var notPeople = []string{"goblin", "hobgoblin", "bugbear", "kobold", "orc", "gnoll", "lizardfolk", "sahuagin",
	"merfolk", "grimlock", "troglodyte"}

// familiarShapes are the forms a familiar takes when its role does not say.
var familiarShapes = []string{"raven", "black cat", "toad", "owl", "weasel"}

// creatureNouns maps the lower-case words that name a creature of no
// human shape to its kind.
var creatureNouns = sync.OnceValue(func() map[string]creatureKind {
	m := map[string]creatureKind{}
	for _, mon := range encounter.Monsters() {
		name := strings.ToLower(mon.Name)
		if mon.Type == "humanoid" && !slices.Contains(notPeople, name) {
			continue
		}
		m[name] = creatureKind{name, mon.Type}
		if strings.HasSuffix(name, "s") || strings.Contains(name, " ") {
			continue
		}
		m[name+"s"] = creatureKind{name, mon.Type}
	}
	for _, shape := range familiarShapes {
		m[shape] = creatureKind{shape, "beast"}
	}
	return m
})

var wordRun = regexp.MustCompile(`[a-z][a-z'-]*`)

// roleCreature reports whether a role names a creature rather than a
// person, and which.
func roleCreature(role string) (creatureKind, bool) {
	role = strings.ToLower(role)
	ws := wordRun.FindAllString(role, -1)
	nouns := creatureNouns()
	for n := 3; n >= 1; n-- {
		for i := 0; i+n <= len(ws); i++ {
			if k, ok := nouns[strings.Join(ws[i:i+n], " ")]; ok {
				if i+n < len(ws) && dealsIn(k, ws[i+n]) {
					return creatureKind{}, false // a camel trader, a wolf hunter: a person
				}
				return k, true
			}
		}
	}
	if slices.Contains(ws, "familiar") {
		return creatureKind{"familiar", "familiar"}, true
	}
	return creatureKind{}, false
}

// creatureTrades are the trades whose worker deals in a creature named
// before them ("wolf hunter", "camel trader"): the worker is a person.
// Trading is a beast's trade only: a kobold trader is a kobold.
var creatureTrades = map[string]bool{"hunter": true, "slayer": true, "catcher": true, "tamer": true, "handler": true,
	"keeper": true, "breeder": true, "herder": true, "driver": true, "rider": true, "wrangler": true, "charmer": true}

var beastTrades = map[string]bool{"trader": true, "seller": true, "dealer": true, "merchant": true, "buyer": true}

// dealsIn reports whether a role's word after a creature's name makes
// the role a person who deals in that creature.
func dealsIn(k creatureKind, trade string) bool {
	return creatureTrades[trade] || beastTrades[trade] && !slices.Contains(speakingTypes, k.typ)
}

// creatureLooks are what a creature of each type looks like, after its
// noun; "" is any type.
var creatureLooks = map[string][]string{
	"fiend":     {"with leathery wings and a barbed tail", "with smouldering eyes and a forked tongue", "that smells faintly of brimstone", "with horns filed to points"},
	"fey":       {"with moss tangled in its hair", "with bright, unblinking eyes", "that smells of crushed flowers", "dressed in leaves and spider-silk"},
	"humanoid":  {"in stolen, ill-fitting armour", "with a torn ear and quick, nervous eyes", "with a crude tattoo of its tribe's mark", "wearing a necklace of teeth"},
	"beast":     {"with a scarred muzzle", "with matted fur and watchful eyes", "with one clouded eye", "with a notched ear"},
	"undead":    {"with a rotting grin", "wrapped in grave-cloth", "whose empty eye sockets glow faintly", "that smells of the grave"},
	"familiar":  {"in the shape of a raven with one white feather", "in the shape of a black cat with too-knowing eyes", "in the shape of a fat toad", "in the shape of a small grey owl"},
	"":          {"with eyes that follow every movement", "scarred from an old fight", "larger than the stories say", "with an unsettling stillness"},
	"celestial": {"with a faint glow about its face", "with feathers the colour of dawn", "with eyes too calm to read", "that smells of rain"},
}

// creatureManners are how a creature behaves: one that speaks, and one
// that does not.
var creatureManners = map[bool][]string{
	true: {"who bargains for every scrap of kindness", "who chatters when frightened", "who flinches at loud voices",
		"who keeps one eye on the nearest way out", "who lies whenever it can", "who smirks at every order", "who swears it knows nothing"},
	false: {"that growls at anyone who comes close", "that watches the party warily", "that will not leave its master's side",
		"that snaps at any hand held out to it"},
}

// speakingTypes are the creature types whose kind talks.
var speakingTypes = []string{"fiend", "fey", "humanoid", "undead", "celestial", "dragon", "giant", "aberration", "familiar"}

// creatureDescription describes a creature by its kind: "An imp with
// leathery wings and a barbed tail, who smirks at every order."
func creatureDescription(e *expander, k creatureKind) string {
	looks, ok := creatureLooks[k.typ]
	if !ok {
		looks = creatureLooks[""]
	}
	speaks := slices.Contains(speakingTypes, k.typ)
	look := e.choose("creature_look/"+k.typ, looks)
	manner := e.choose("creature_manner", creatureManners[speaks])
	return capitalize(article(k.noun)) + " " + k.noun + " " + look + ", " + manner + "."
}

// roleClashes are description words a role rules out: a grieving parent is
// not cheerful, a retired adventurer not a youth.
var roleClashes = []struct {
	role, desc *regexp.Regexp
}{
	{regexp.MustCompile(`\b(retired|old|elder|elderly|veteran|grand\w*|widow\w*|parent|mother|father|former|ex-)\b`), regexp.MustCompile(`(?i)\b(youth|young|child|girl|boy|teen\w*)\b`)},
	{regexp.MustCompile(`\b(grieving|mourning|widow\w*|frightened|terrified|captive|prisoner|captured|wounded|dying|sick|hostage)\b`), regexp.MustCompile(`(?i)\b(cheerful|jolly|merry|laughs too loudly|hums while working)\b`)},
	{regexp.MustCompile(`\b(young|apprentice|nephew|niece|child|boy|girl|squire|novice|acolyte)\b`), regexp.MustCompile(`(?i)\b(old-timer|elderly|veteran|grey-haired|old woman|old man)\b`)},
	{regexp.MustCompile(`\b(priest|priestess|acolyte|abbot|monk|cleric|nun)\b`), regexp.MustCompile(`(?i)\b(haggles over everything|gambling debt)\b`)},
}

// clashes reports whether a description contradicts the role.
func clashes(role, desc string) bool {
	role = strings.ToLower(role)
	return slices.ContainsFunc(roleClashes, func(c struct{ role, desc *regexp.Regexp }) bool {
		return c.role.MatchString(role) && c.desc.MatchString(desc)
	})
}

// kindPlural is the plural of a creature kind's noun: "satyrs", "wolves".
func kindPlural(k creatureKind) string {
	if m, ok := encounter.Lookup(titleCase(k.noun)); ok {
		return strings.ToLower(m.PluralName())
	}
	return k.noun + "s"
}
