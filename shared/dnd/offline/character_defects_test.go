package offline

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// whole is a whole character as a table sees it: a sheet, then the
// backstory, personality, combat profile and equipment list written with
// the sheet's content as the request's character, each with its warnings,
// and the same documents written again without the prompt.
type whole struct {
	label    string
	prompt   string
	pronouns string // the pronouns the request gave, or ""
	sheet    dnd.Sheet
	back     dnd.Backstory
	pers     dnd.Personality
	comb     dnd.Combat
	equip    dnd.Equipment
	raw      map[string]json.RawMessage
	bare     map[string]json.RawMessage // without the prompt
	warnings map[string][]string
}

// wholeRequest is how a whole character is asked for: the sheet's request
// and the seeds of the later documents (seed × 10 + 0, 1, 2, 3, in the
// order backstory, personality, combat, equipment). The prompt goes with
// the sheet and the backstory.
type wholeRequest struct {
	label  string
	params dnd.CharacterParams
	prompt string
	seed   int64
}

var laterTypes = []string{dnd.TypeBackstory, dnd.TypePersonality, dnd.TypeCombat, dnd.TypeEquipment}

// makeWhole generates a whole character.
func makeWhole(t testing.TB, g *Generator, wr wholeRequest) whole {
	t.Helper()
	w := whole{label: wr.label, prompt: wr.prompt, pronouns: wr.params.Pronouns, raw: map[string]json.RawMessage{},
		bare: map[string]json.RawMessage{}, warnings: map[string][]string{}}
	gen := func(req dnd.CharacterRequest) Output {
		t.Helper()
		out, err := g.Character(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: Character(%s) = %v", wr.label, req.Type, err)
		}
		return out
	}
	seed := wr.seed
	sheetReq := dnd.CharacterRequest{Type: dnd.TypeSheet, Parameters: wr.params, Prompt: wr.prompt, Seed: &seed}
	out := gen(sheetReq)
	w.raw[dnd.TypeSheet], w.warnings[dnd.TypeSheet] = out.Content, out.Warnings
	if wr.prompt != "" {
		sheetReq.Prompt = ""
		w.bare[dnd.TypeSheet] = gen(sheetReq).Content
	}
	mustUnmarshal(t, out.Content, &w.sheet)
	for i, typ := range laterTypes {
		s := wr.seed*10 + int64(i)
		req := dnd.CharacterRequest{Type: typ, Character: w.raw[dnd.TypeSheet], Seed: &s}
		if typ == dnd.TypeBackstory {
			req.Prompt = wr.prompt
		}
		out := gen(req)
		w.raw[typ], w.warnings[typ] = out.Content, out.Warnings
		if req.Prompt != "" {
			req.Prompt = ""
			w.bare[typ] = gen(req).Content
		}
	}
	mustUnmarshal(t, w.raw[dnd.TypeBackstory], &w.back)
	mustUnmarshal(t, w.raw[dnd.TypePersonality], &w.pers)
	mustUnmarshal(t, w.raw[dnd.TypeCombat], &w.comb)
	mustUnmarshal(t, w.raw[dnd.TypeEquipment], &w.equip)
	return w
}

// defect is one problem a Dungeon Master would point at, keyed by the
// review's defect it belongs to.
type defect struct {
	key, msg string
}

// defectKeys are the defects the detectors count, in report order.
var defectKeys = []string{
	"1 equipment: item write-up differs from the sheet's",
	"1 equipment: a sentence repeated within the document",
	"1 equipment: weapon damage or attunement stated twice",
	"2 person: more than one god",
	"2 person: more than one home town",
	"2 person: more than one trade",
	"2 person: a long history at level 1-4",
	"2 person: bond or trait names gear the sheet does not carry",
	"2 person: backstory contradicts itself",
	"2 person: a sentence repeated within a document",
	"4 prompt: byte-identical with and without it, no warning",
	"4 prompt: pronouns contradicting the request, no warning",
	"11 combat: missing article before a weapon",
	"11 combat: verb does not agree with they",
	"11 equipment: metal words on a wooden item",
	"12 combat: preferred range without an attack for it",
	"12 combat: racial cantrip not offered as an attack",
	"12 combat: one spell, two situations",
	"12 combat: a second opener",
	"12 sheet: touch attack described as reaching far",
}

// detectDefects lists the defects of a whole character.
func detectDefects(w whole) []defect {
	var out []defect
	add := func(key, format string, args ...any) {
		if !slices.Contains(defectKeys, key) {
			panic("unknown defect key " + key)
		}
		out = append(out, defect{key, w.label + ": " + fmt.Sprintf(format, args...)})
	}
	equipmentDefects(w, add)
	personDefects(w, add)
	promptDefects(w, add)
	combatDefects(w, add)
	return out
}

type addFunc func(key, format string, args ...any)

var (
	damageOnHit = regexp.MustCompile(`\d+d\d+[^.]*? on a hit`)
	sentenceEnd = regexp.MustCompile(`[.!?]["”]?(?:\s+|$)`)
)

// sentences splits prose into sentences of two words or more.
func sentences(text string) []string {
	var out []string
	for _, s := range sentenceEnd.Split(text, -1) {
		if s = strings.TrimSpace(s); len(strings.Fields(s)) >= 2 {
			out = append(out, s)
		}
	}
	return out
}

// repeatedSentence returns a sentence that occurs twice in texts, or "".
func repeatedSentence(texts ...string) string {
	seen := map[string]bool{}
	for _, t := range texts {
		for _, s := range sentences(t) {
			k := strings.ToLower(s)
			if seen[k] {
				return s
			}
			seen[k] = true
		}
	}
	return ""
}

func equipmentDefects(w whole, add addFunc) {
	var texts []string
	for _, it := range w.equip.Items {
		j := slices.IndexFunc(w.sheet.Equipment, func(x dnd.Item) bool { return x.Name == it.Name })
		if j >= 0 && w.sheet.Equipment[j].Description != it.Description {
			add("1 equipment: item write-up differs from the sheet's", "%s: sheet %q, equipment %q", it.Name, w.sheet.Equipment[j].Description, it.Description)
		}
		if len(damageOnHit.FindAllString(it.Description, -1)) > 1 || strings.Count(it.Description, "attuned") > 1 {
			add("1 equipment: weapon damage or attunement stated twice", "%s: %q", it.Name, it.Description)
		}
		if woodenItem(it.Name) && metalWords.MatchString(it.Description) {
			add("11 equipment: metal words on a wooden item", "%s: %q", it.Name, it.Description)
		}
		texts = append(texts, it.Description)
	}
	texts = append(texts, w.equip.Notes)
	if s := repeatedSentence(texts...); s != "" {
		add("1 equipment: a sentence repeated within the document", "%q", s)
	}
	var sheetTexts []string
	for _, it := range w.sheet.Equipment {
		sheetTexts = append(sheetTexts, it.Description)
		if woodenItem(it.Name) && metalWords.MatchString(it.Description) {
			add("11 equipment: metal words on a wooden item", "sheet %s: %q", it.Name, it.Description)
		}
	}
	for _, a := range w.sheet.Attacks {
		sheetTexts = append(sheetTexts, a.Description)
	}
	if s := repeatedSentence(append(sheetTexts, w.sheet.Appearance, w.sheet.Personality)...); s != "" {
		add("2 person: a sentence repeated within a document", "sheet: %q", s)
	}
}

var metalWords = regexp.MustCompile(`(?i)\b(metal|steel|iron|rust|forged|blade|edge)\b`)

// woodenItem reports whether an item is wood, string and leather, with no
// metal to speak of.
func woodenItem(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"bow", "club", "quarterstaff", "sling", "walking staff", "blowgun", "whip", "greatclub"} {
		if strings.Contains(n, w) && !strings.Contains(n, "crossbow") {
			return true
		}
	}
	return false
}

// deities are the gods the offline writer knows.
func deities() []string { return New().t.grammar["deity"] }

var townRe = func() *regexp.Regexp {
	g := New().t.grammar
	return regexp.MustCompile(`\b(?:` + strings.Join(g["town_pre"], "|") + `)(?:` + strings.Join(g["town_suf"], "|") + `)\b`)
}()

// allText is every word of a whole character's five documents.
func (w whole) allText() string {
	var parts []string
	for _, typ := range append([]string{dnd.TypeSheet}, laterTypes...) {
		var v any
		_ = json.Unmarshal(w.raw[typ], &v)
		parts = append(parts, stringsOf(v)...)
	}
	return strings.Join(parts, "\n")
}

var (
	apprentice = regexp.MustCompile(`\b([a-z]+)'s apprentice\b|\bapprenticed (?:with|to) an? ([a-z]+)\b`)
	farming    = regexp.MustCompile(`\b(working the land|farmhand|family fields|worked the fields)\b`)
	familyName = regexp.MustCompile(`\b\p{Lu}\p{Ll}+ $`) // "Yawen " before Fairmere: a name, not a town
	longYears  = regexp.MustCompile(`(?i)\b(?:for|after) (?:ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|a hundred|\d\d+)(?: hard)? years\b|\bdecades\b`)
)

func personDefects(w whole, add addFunc) {
	text := w.allText()
	var gods []string
	for _, d := range deities() {
		if strings.Contains(text, d) {
			gods = append(gods, d)
		}
	}
	if len(gods) > 1 {
		add("2 person: more than one god", "%q", gods)
	}
	// Towns: the home town, and none besides but those the prompt names;
	// a family name (Thornwick) is no town.
	var towns []string
	for _, m := range townRe.FindAllStringIndex(text, -1) {
		town := text[m[0]:m[1]]
		if !strings.Contains(w.prompt, town) && !familyName.MatchString(text[:m[0]]) {
			towns = append(towns, town)
		}
	}
	if towns = slices.Compact(slices.Sorted(slices.Values(towns))); len(towns) > 1 {
		add("2 person: more than one home town", "%q", towns)
	}
	var trades []string
	for _, m := range apprentice.FindAllStringSubmatch(text, -1) {
		trades = append(trades, m[1]+m[2])
	}
	if farming.MatchString(text) {
		trades = append(trades, "farmer")
	}
	for _, it := range w.sheet.Equipment {
		if tr, ok := strings.CutSuffix(it.Name, "'s Tools"); ok && strings.Contains(text, "old trade") {
			trades = append(trades, strings.ToLower(tr))
		}
	}
	if trades = slices.Compact(slices.Sorted(slices.Values(trades))); len(trades) > 1 {
		add("2 person: more than one trade", "%q", trades)
	}
	// Elves, dwarves and gnomes live long: decades are no long career for them.
	if w.sheet.Level <= 4 && !slices.Contains([]string{"Elf", "Dwarf", "Gnome"}, w.sheet.Race) {
		if m := longYears.FindString(text); m != "" {
			add("2 person: a long history at level 1-4", "level %d: %q", w.sheet.Level, m)
		}
	}
	for _, line := range slices.Concat(w.pers.Bonds, w.pers.Traits, w.pers.Flaws) {
		if g := gearNotCarried(line, w.sheet); g != "" {
			add("2 person: bond or trait names gear the sheet does not carry", "%s: %q", g, line)
		}
	}
	for _, c := range storyContradictions(w.back) {
		add("2 person: backstory contradicts itself", "%s", c)
	}
	for typ, texts := range map[string][]string{
		dnd.TypeBackstory:   slices.Concat([]string{w.back.Summary, w.back.Backstory}, w.back.Hooks, w.back.Secrets),
		dnd.TypePersonality: slices.Concat(w.pers.Traits, w.pers.Ideals, w.pers.Bonds, w.pers.Flaws, w.pers.Mannerisms, []string{w.pers.Voice}),
		dnd.TypeCombat:      slices.Concat([]string{w.comb.Tactics}, movesText(w.comb), w.comb.Weaknesses),
	} {
		if s := repeatedSentence(texts...); s != "" {
			add("2 person: a sentence repeated within a document", "%s: %q", typ, s)
		}
	}
}

func movesText(c dnd.Combat) []string {
	var out []string
	for _, m := range c.SignatureMoves {
		out = append(out, m.Description)
	}
	return out
}

// gearWords map a weapon or tool a line may name to the item names that
// carry it.
var gearWords = map[string][]string{
	"sword":     {"sword", "rapier", "scimitar", "blade"},
	"blade":     {"sword", "rapier", "scimitar", "dagger", "blade", "axe", "sickle", "knife"},
	"axe":       {"axe"},
	"bow":       {"bow"},
	"hammer":    {"hammer", "maul"},
	"spear":     {"spear", "pike", "trident", "javelin", "lance", "halberd", "glaive"},
	"dagger":    {"dagger", "knife"},
	"lute":      {"lute"},
	"flute":     {"flute"},
	"shield":    {"shield"},
	"spellbook": {"spellbook"},
	"mace":      {"mace", "morningstar"},
	"staff":     {"staff"},
}

var gearLine = regexp.MustCompile(`(?i)\b(?:my|her|his|their) (?:(?:[a-z]+'s|old|own) )*(sword|blade|axe|bow|hammer|spear|dagger|lute|flute|shield|spellbook|mace|staff)\b`)

// gearNotCarried returns the gear a line says the character has that the
// sheet does not list, or "".
func gearNotCarried(line string, s dnd.Sheet) string {
	for _, m := range gearLine.FindAllStringSubmatch(line, -1) {
		word := strings.ToLower(m[1])
		carried := slices.ContainsFunc(s.Equipment, func(it dnd.Item) bool {
			n := strings.ToLower(it.Name)
			return slices.ContainsFunc(gearWords[word], func(w string) bool { return strings.Contains(n, w) })
		})
		if !carried {
			return word
		}
	}
	return ""
}

// contradictionPairs are pairs of statements no one life can hold.
var contradictionPairs = [][2]*regexp.Regexp{
	{regexp.MustCompile(`handful of survivors|one of the survivors`), regexp.MustCompile(`left [a-z]+ the night before`)},
	{regexp.MustCompile(`destroyed by|was ash|was lost to|burned`), regexp.MustCompile(`abandoned, its people vanished`)},
	{regexp.MustCompile(`taught [a-z]+ much of what|became the student of`), regexp.MustCompile(`taught (?:himself|herself|themself)`)},
	{regexp.MustCompile(`never knew (?:his|her|their) (?:parents|family)`), regexp.MustCompile(`raised (?:him|her|them) in|family that expected`)},
}

// storyContradictions are the pairs of statements a backstory makes that
// no one life can hold.
var storyContradictions = func(b dnd.Backstory) []string {
	text := strings.ToLower(strings.Join(slices.Concat([]string{b.Summary, b.Backstory}, b.KeyEvents, b.Hooks, b.Secrets), "\n"))
	var out []string
	for _, p := range contradictionPairs {
		a, b := p[0].FindString(text), p[1].FindString(text)
		if a != "" && b != "" {
			out = append(out, fmt.Sprintf("%q and %q", a, b))
		}
	}
	return out
}

func promptDefects(w whole, add addFunc) {
	if w.prompt == "" {
		return
	}
	for typ, bare := range w.bare {
		if string(bare) == string(w.raw[typ]) && !slices.ContainsFunc(w.warnings[typ], func(s string) bool { return strings.HasPrefix(s, "prompt") }) {
			add("4 prompt: byte-identical with and without it, no warning", "%s with %q", typ, w.prompt)
		}
	}
	if said := dnd.PronounsMentioned(w.prompt); w.pronouns != "" && said != "" && said != w.pronouns {
		for typ := range w.bare {
			if !slices.ContainsFunc(w.warnings[typ], func(s string) bool { return strings.Contains(s, "pronoun") }) {
				add("4 prompt: pronouns contradicting the request, no warning", "%s: prompt says %s, request %s", typ, said, w.pronouns)
			}
		}
	}
}

var (
	theyVerb    = regexp.MustCompile(`\b[Tt]hey\b[^.;:]*?\band ([a-z]+)s\b`)
	knownVerbs  = []string{"cover", "keep", "fight", "hold", "fall", "reappear", "hope", "bolt", "pick", "use", "wade", "strike", "close", "switch", "throw", "try", "find", "take", "fire", "cast", "spend"}
	fallsFar    = regexp.MustCompile(`(?i)out of reach|at range|from afar|far away|distant|from up to touch`)
	openerWords = regexp.MustCompile(`(?i)the first thing|leads with it|first answer|opens most fights`)
)

func combatDefects(w whole, add addFunc) {
	s, c := w.sheet, w.comb
	for _, a := range s.Attacks {
		if !strings.HasSuffix(a.Kind, "weapon") || strings.Contains(a.Name, "+") || a.Name == "Unarmed Strike" {
			continue
		}
		name := strings.TrimSuffix(a.Name, " (thrown)")
		if strings.Contains(c.Tactics, "with "+name) || strings.Contains(c.Tactics, "to "+name) || strings.Contains(c.Tactics, "and "+name) {
			add("11 combat: missing article before a weapon", "%q", c.Tactics)
			break
		}
	}
	if s.Pronouns == "they/them" {
		for _, m := range theyVerb.FindAllStringSubmatch(c.Tactics+" "+strings.Join(movesText(c), " "), -1) {
			if slices.Contains(knownVerbs, m[1]) {
				add("11 combat: verb does not agree with they", "%q", m[0])
			}
		}
	}
	reaches := func(a dnd.Attack) bool {
		return (a.Kind == "ranged weapon" || a.Kind == "ranged spell" || a.Kind == "save") && reachOf(a.Range) > 10 &&
			!strings.HasPrefix(a.Name, "Breath Weapon")
	}
	switch c.PreferredRange {
	case "ranged":
		if !slices.ContainsFunc(s.Attacks, reaches) {
			add("12 combat: preferred range without an attack for it", "ranged, but the attacks are %s", attackNames(s))
		}
	case "melee", "reach":
		if !slices.ContainsFunc(s.Attacks, func(a dnd.Attack) bool { return strings.HasPrefix(a.Kind, "melee") }) {
			add("12 combat: preferred range without an attack for it", "%s, but the attacks are %s", c.PreferredRange, attackNames(s))
		}
	}
	for _, f := range s.Features {
		if f.Name != "Cantrip" {
			continue
		}
		for _, sp := range []string{"Acid Splash", "Chill Touch", "Fire Bolt", "Poison Spray", "Ray of Frost", "Shocking Grasp"} {
			if strings.Contains(f.Description, sp) && !slices.ContainsFunc(s.Attacks, func(a dnd.Attack) bool { return a.Name == sp }) {
				add("12 combat: racial cantrip not offered as an attack", "%s", sp)
			}
		}
	}
	for _, m := range c.SignatureMoves {
		tactic := situationIn(c.Tactics, m.Name)
		move := situationAfter(m.Description)
		if tactic != "" && move != "" && tactic != move {
			add("12 combat: one spell, two situations", "%s: %q in the tactics, %q in the move", m.Name, tactic, move)
		}
	}
	opener := openerOf(c.Tactics, s)
	for _, m := range c.SignatureMoves {
		if opener != "" && m.Name != opener && openerWords.MatchString(m.Description) {
			add("12 combat: a second opener", "tactics open with %s, move %s says %q", opener, m.Name, m.Description)
		}
	}
	for _, a := range s.Attacks {
		if (a.Range == "touch" || strings.HasPrefix(a.Range, "5 ft")) && fallsFar.MatchString(a.Description) {
			add("12 sheet: touch attack described as reaching far", "%s (%s): %q", a.Name, a.Range, a.Description)
		}
	}
}

func attackNames(s dnd.Sheet) string {
	var out []string
	for _, a := range s.Attacks {
		out = append(out, a.Name+" ("+a.Range+")")
	}
	return strings.Join(out, ", ")
}

// situationIn is when the tactics say a spell is cast, or "".
func situationIn(tactics, spell string) string {
	for _, sentence := range strings.SplitAfter(tactics, ". ") {
		if _, after, ok := strings.Cut(sentence, spell); ok {
			if _, when, ok := strings.Cut(after, " when "); ok {
				return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(when), "."))
			}
		}
	}
	return ""
}

var whenRe = regexp.MustCompile(`(?:casts it|Cast|choice) when ([^.]+)\.`)

func situationAfter(desc string) string {
	if m := whenRe.FindStringSubmatch(desc); m != nil {
		return m[1]
	}
	return ""
}

// openerOf is the attack the tactics' first sentence names, or "".
func openerOf(tactics string, s dnd.Sheet) string {
	first, _, _ := strings.Cut(tactics, ". ")
	best, at := "", len(first)+1
	for _, a := range s.Attacks {
		name := strings.TrimSuffix(a.Name, " (thrown)")
		for _, n := range []string{name, strings.ToLower(name)} {
			if i := strings.Index(first, n); i >= 0 && i < at {
				best, at = a.Name, i
			}
		}
	}
	return best
}

// countDefects counts each defect over whole characters.
func countDefects(ws []whole) (map[string]int, []defect) {
	counts := map[string]int{}
	var all []defect
	for _, w := range ws {
		for _, d := range detectDefects(w) {
			counts[d.key]++
			all = append(all, d)
		}
	}
	return counts, all
}
