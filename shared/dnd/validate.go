package dnd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sashabaranov/go-openai/jsonschema"

	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

// ErrInvalidContent is matched (errors.Is) by every *ContentError.
var ErrInvalidContent = errors.New("dnd: invalid content")

// MaxContentBytes caps a generated document.
const MaxContentBytes = 1 << 20

// ContentError says which field of a generated document is wrong and why.
// Both parts are safe to show a caller: they never echo the content itself.
type ContentError struct {
	Field   string // e.g. "items[2].rarity"; empty for the document as a whole
	Message string
}

func (e *ContentError) Error() string {
	if e.Field == "" {
		return "invalid content: " + e.Message
	}
	return "invalid content: " + e.Field + ": " + e.Message
}

// Is makes errors.Is(err, ErrInvalidContent) true.
func (e *ContentError) Is(target error) bool { return target == ErrInvalidContent }

// ValidateContent checks a generated document of kind and typ: it must be a
// single JSON object matching the schema exactly (no unknown or missing
// fields, right types and enum values) and make sense for the game (levels
// 1–20, ability scores 1–30, non-empty text and lists where the content
// needs them, similarity 0–1). For text.theme it checks the finished
// ThemeResult. The error is a *ContentError naming the field, or
// ErrUnknownType for an unknown kind or type.
func ValidateContent(kind, typ string, content []byte) error {
	s, _, err := lookup(kind, typ)
	if err != nil {
		return err
	}
	return validateAs(s.result, content)
}

func validateAs(t reflect.Type, content []byte) error {
	root, err := compiled(t)
	if err != nil {
		return err
	}
	if len(content) > MaxContentBytes {
		return &ContentError{Message: fmt.Sprintf("document is larger than %d bytes", MaxContentBytes)}
	}
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return &ContentError{Message: "not valid JSON"}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &ContentError{Message: "must hold exactly one JSON value"}
	}
	if err := root.check("", doc); err != nil {
		return err
	}
	v := reflect.New(t)
	dec = json.NewDecoder(bytes.NewReader(content))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v.Interface()); err != nil {
		return &ContentError{Message: "does not match the content type"}
	}
	c := &checker{}
	v.Interface().(interface{ check(*checker) }).check(c)
	if c.err != nil {
		return c.err
	}
	return nil
}

// check validates a decoded JSON value against the schema tree.
func (n *node) check(path string, v any) error {
	at := func(msg string) error { return &ContentError{Field: path, Message: msg} }
	if v == nil && n.Nullable {
		return nil
	}
	switch n.Type {
	case jsonschema.Object:
		m, ok := v.(map[string]any)
		if !ok {
			return at("must be an object")
		}
		for _, p := range n.Props {
			pv, ok := m[p.name]
			if !ok {
				return &ContentError{Field: join(path, p.name), Message: "is required"}
			}
			if err := p.node.check(join(path, p.name), pv); err != nil {
				return err
			}
		}
		if len(m) > len(n.Props) {
			var extra []string
			for k := range m {
				if !slices.ContainsFunc(n.Props, func(p prop) bool { return p.name == k }) {
					extra = append(extra, k)
				}
			}
			slices.Sort(extra)
			return &ContentError{Field: join(path, safeName(extra[0])), Message: "is not a known field"}
		}
	case jsonschema.Array:
		a, ok := v.([]any)
		if !ok {
			return at("must be a list")
		}
		if len(a) < n.MinItems {
			return at(fmt.Sprintf("must have at least %d entr%s", n.MinItems, plural(n.MinItems, "y", "ies")))
		}
		if len(a) > n.MaxItems {
			return at(fmt.Sprintf("must have at most %d entr%s", n.MaxItems, plural(n.MaxItems, "y", "ies")))
		}
		for i, e := range a {
			if err := n.Items.check(fmt.Sprintf("%s[%d]", path, i), e); err != nil {
				return err
			}
		}
	case jsonschema.String:
		s, ok := v.(string)
		if !ok {
			return at("must be a string")
		}
		if len(n.Enum) > 0 && !slices.Contains(n.Enum, s) {
			return at("must be one of: " + strings.Join(n.Enum, ", "))
		}
	case jsonschema.Integer:
		num, ok := v.(json.Number)
		if !ok {
			return at("must be an integer")
		}
		i, err := strconv.ParseInt(num.String(), 10, 64)
		if err != nil {
			return at("must be an integer")
		}
		if f := float64(i); f < n.Min || f > n.Max {
			return at(n.between())
		}
	case jsonschema.Number:
		num, ok := v.(json.Number)
		if !ok {
			return at("must be a number")
		}
		f, err := num.Float64()
		if err != nil || math.IsInf(f, 0) {
			return at("must be a finite number")
		}
		if f < n.Min || f > n.Max {
			return at(n.between())
		}
	case jsonschema.Boolean:
		if _, ok := v.(bool); !ok {
			return at("must be true or false")
		}
	}
	return nil
}

// between is the message of a number outside n's bounds.
func (n *node) between() string {
	return fmt.Sprintf("must be between %s and %s", number(n.Min), number(n.Max))
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// safeName keeps an unexpected field name short and printable before it is
// put in an error message.
func safeName(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return strconv.QuoteToASCII(s)
}

// CompleteTheme turns a model's ThemeDraft (the JSON Schema(KindTheme, "")
// describes) into the ThemeResult for req: it adds the original content, the
// theme and the similarity score, then validates the result.
func CompleteTheme(req ThemeRequest, draft []byte) (json.RawMessage, error) {
	if err := validateAs(typeOf[ThemeDraft](), draft); err != nil {
		return nil, err
	}
	var d ThemeDraft
	if err := json.Unmarshal(draft, &d); err != nil {
		return nil, &ContentError{Message: "does not match the content type"}
	}
	req.Normalize()
	res := ThemeResult{
		Content:           d.Content,
		OriginalContent:   req.Content,
		Theme:             AppliedTheme(req.Theme),
		SimilarityScore:   Similarity(req.Content, d.Content),
		PreservedElements: d.PreservedElements,
	}
	b, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("complete theme: %w", err)
	}
	if err := ValidateContent(KindTheme, TypeTheme, b); err != nil {
		return nil, err
	}
	return b, nil
}

// checker records the first semantic problem in a document.
type checker struct{ err *ContentError }

func (c *checker) fail(field, msg string) {
	if c.err == nil {
		c.err = &ContentError{Field: field, Message: msg}
	}
}

func (c *checker) text(field, s string) {
	if strings.TrimSpace(s) == "" {
		c.fail(field, "must not be empty")
	}
}

// list checks that no entry of a list of strings is blank. Its length is
// bounded by the field's tags, which node.check enforces.
func (c *checker) list(field string, xs []string) {
	for i, x := range xs {
		c.text(fmt.Sprintf("%s[%d]", field, i), x)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (x CharacterInfo) checkAt(c *checker, p string) {
	if p != "" {
		p += "."
	}
	c.text(p+"name", x.Name)
	c.text(p+"pronouns", x.Pronouns)
	c.text(p+"race", x.Race)
	c.text(p+"class", x.Class)
	c.text(p+"background", x.Background)
}

func (x *Personality) check(c *checker) {
	x.Character.checkAt(c, "character")
	checkPersonality(c, [][]string{x.Traits, x.Ideals, x.Bonds, x.Flaws, x.Mannerisms}, x.Voice)
}

// checkPersonality checks a personality's words, in a draft or content:
// traits, ideals, bonds, flaws and mannerisms, then the voice.
func checkPersonality(c *checker, lists [][]string, voice string) {
	for i, name := range []string{"traits", "ideals", "bonds", "flaws", "mannerisms"} {
		c.list(name, lists[i])
	}
	c.text("voice", voice)
}

func (x *Backstory) check(c *checker) {
	x.Character.checkAt(c, "character")
	checkBackstory(c, []string{x.Title, x.Summary, x.Backstory}, [][]string{x.KeyEvents, x.Hooks, x.Secrets})
}

// checkBackstory checks a backstory's words, in a draft or content: title,
// summary and prose, then key events, hooks and secrets.
func checkBackstory(c *checker, texts []string, lists [][]string) {
	for i, name := range []string{"title", "summary", "backstory"} {
		c.text(name, texts[i])
	}
	for i, name := range []string{"key_events", "hooks", "secrets"} {
		c.list(name, lists[i])
	}
}

func (x *Combat) check(c *checker) {
	x.Character.checkAt(c, "character")
	c.text("tactics", x.Tactics)
	for i, m := range x.SignatureMoves {
		c.text(fmt.Sprintf("signature_moves[%d].name", i), m.Name)
		c.text(fmt.Sprintf("signature_moves[%d].description", i), m.Description)
	}
	// The tags bound hit points to 1-999; a character has at least one
	// per level.
	if x.HitPoints < x.Character.Level {
		c.fail("hit_points", "must be at least the character level")
	}
	for i, s := range x.SavingThrows {
		if slices.Index(x.SavingThrows, s) != i {
			c.fail(fmt.Sprintf("saving_throws[%d]", i), "repeats an ability")
		}
	}
	for i, a := range x.Attacks {
		a.checkAt(c, fmt.Sprintf("attacks[%d]", i))
	}
	c.list("spells", x.Spells)
	c.list("weaknesses", x.Weaknesses)
}

func (x *Equipment) check(c *checker) {
	x.Character.checkAt(c, "character")
	checkItems(c, "items", x.Items)
	c.text("notes", x.Notes)
}

// checkItems checks a list of equipment: every item named and described,
// attuned only when it needs attunement, and at most three attuned.
func checkItems(c *checker, field string, items []Item) {
	attuned := 0
	for i, it := range items {
		p := fmt.Sprintf("%s[%d]", field, i)
		c.text(p+".name", it.Name)
		c.text(p+".description", it.Description)
		if it.Attuned {
			attuned++
			if !it.RequiresAttunement {
				c.fail(p+".attuned", "is set on an item that needs no attunement")
			}
		}
	}
	if attuned > 3 {
		c.fail(field, "has more than three attuned items")
	}
}

func (x Attack) checkAt(c *checker, p string) {
	c.text(p+".name", x.Name)
	c.text(p+".range", x.Range)
	c.text(p+".damage", x.Damage)
	c.text(p+".description", x.Description)
	switch {
	case x.Kind == "save" && (x.Save == nil || x.ToHit != nil):
		c.fail(p+".save", "must be set, and to_hit null, for an attack that calls for a saving throw")
	case x.Kind != "save" && (x.ToHit == nil || x.Save != nil):
		c.fail(p+".to_hit", "must be set, and save null, for an attack roll")
	}
}

func (x *Sheet) check(c *checker) {
	x.Identity().checkAt(c, "")
	c.text("appearance", x.Appearance)
	c.text("personality", x.Personality)
	c.text("hit_dice", x.HitDice)
	if x.HitPoints < x.Level {
		c.fail("hit_points", "must be at least the character level")
	}
	if want := ProficiencyBonus(x.Level); x.ProficiencyBonus != want {
		c.fail("proficiency_bonus", fmt.Sprintf("must be %+d at level %d", want, x.Level))
	}
	abilities := []string{"Strength", "Dexterity", "Constitution", "Intelligence", "Wisdom", "Charisma"}
	for i, s := range x.SavingThrows {
		if s.Ability != abilities[i] {
			c.fail(fmt.Sprintf("saving_throws[%d].ability", i), "must be "+abilities[i]+": the saves are in ability order")
		}
	}
	for i, a := range x.Attacks {
		a.checkAt(c, fmt.Sprintf("attacks[%d]", i))
	}
	if sc := x.Spellcasting; sc != nil {
		for i, s := range sc.Cantrips {
			if s.Level != 0 {
				c.fail(fmt.Sprintf("spellcasting.cantrips[%d].level", i), "must be 0 for a cantrip")
			}
		}
		for i, s := range sc.Spells {
			if s.Level == 0 {
				c.fail(fmt.Sprintf("spellcasting.spells[%d].level", i), "must be 1 to 9; cantrips are listed apart")
			}
		}
	}
	for i, f := range x.Features {
		p := fmt.Sprintf("features[%d]", i)
		c.text(p+".name", f.Name)
		c.text(p+".description", f.Description)
		if f.Passive != (f.Activation == "passive" || f.Activation == "rest" || f.Activation == "special") {
			c.fail(p+".passive", "must be true exactly for a passive, rest or special feature")
		}
	}
	checkItems(c, "equipment", x.Equipment)
}

func (x NPC) checkAt(c *checker, p string) {
	c.text(p+".name", x.Name)
	c.text(p+".role", x.Role)
	c.text(p+".description", x.Description)
}

func (x *Plot) check(c *checker) {
	c.text("title", x.Title)
	c.text("summary", x.Summary)
	c.text("setting", x.Setting)
	for i, a := range x.Acts {
		p := fmt.Sprintf("acts[%d]", i)
		c.text(p+".title", a.Title)
		c.text(p+".summary", a.Summary)
		c.text(p+".goal", a.Goal)
	}
	c.text("antagonist.name", x.Antagonist.Name)
	c.text("antagonist.description", x.Antagonist.Description)
	c.text("antagonist.motivation", x.Antagonist.Motivation)
	c.text("antagonist.creature", x.Antagonist.Creature)
	c.list("hooks", x.Hooks)
	c.list("twists", x.Twists)
}

func (x *Location) check(c *checker) {
	c.text("name", x.Name)
	c.text("kind", x.Kind)
	c.text("description", x.Description)
	c.list("features", x.Features)
	for i, n := range x.NPCs {
		n.checkAt(c, fmt.Sprintf("npcs[%d]", i))
	}
	for i, e := range x.Encounters {
		e.checkAt(c, fmt.Sprintf("encounters[%d]", i))
	}
	for i, h := range x.Hazards {
		h.checkAt(c, fmt.Sprintf("hazards[%d]", i))
	}
	c.list("secrets", x.Secrets)
}

// checkAt checks that the encounter's numbers add up and support its
// label: SRD monsters at their challenge ratings, XP by challenge rating,
// the base and adjusted XP, a multiplier the DMG ladder allows for the
// count, ascending thresholds, and the label they give.
func (x Encounter) checkAt(c *checker, p string) {
	c.text(p+".name", x.Name)
	c.text(p+".description", x.Description)
	base, count := 0, 0
	for i, m := range x.Monsters {
		mp := fmt.Sprintf("%s.monsters[%d]", p, i)
		srd, ok := encounter.Lookup(m.Name)
		switch {
		case !ok || srd.Name != m.Name:
			c.fail(mp+".name", "must be an SRD 5.1 monster name")
		case srd.CR != m.CR:
			c.fail(mp+".cr", "must be the monster's challenge rating, "+srd.CR)
		}
		if xp, _ := encounter.XPForCR(m.CR); m.XP != xp {
			c.fail(mp+".xp", fmt.Sprintf("must be %d for challenge rating %s", xp, m.CR))
		}
		base += m.Count * m.XP
		count += m.Count
	}
	t := x.PartyThresholds
	if !(0 < t.Easy && t.Easy < t.Medium && t.Medium < t.Hard && t.Hard < t.Deadly) {
		c.fail(p+".party_thresholds", "must be positive and rise from easy to deadly")
	}
	switch {
	case x.BaseXP != base:
		c.fail(p+".base_xp", fmt.Sprintf("must be %d, the sum of count times xp", base))
	case !encounter.MultiplierAllowed(count, x.Multiplier):
		c.fail(p+".multiplier", fmt.Sprintf("is not the DMG multiplier for %d monsters and any party size", count))
	case x.AdjustedXP != encounter.Adjust(base, x.Multiplier):
		c.fail(p+".adjusted_xp", fmt.Sprintf("must be %d, base_xp times multiplier", encounter.Adjust(base, x.Multiplier)))
	case x.Difficulty != encounter.Difficulty(x.AdjustedXP, encounter.Thresholds(t)):
		c.fail(p+".difficulty", "must be "+encounter.Difficulty(x.AdjustedXP, encounter.Thresholds(t))+" for adjusted_xp against party_thresholds")
	}
}

// checkAt checks a hazard's DC and damage against the DMG's trap tables.
func (x Hazard) checkAt(c *checker, p string) {
	c.text(p+".name", x.Name)
	c.text(p+".description", x.Description)
	if lo, hi, err := encounter.TrapDC(x.Severity); err == nil && (x.DC < lo || x.DC > hi) {
		c.fail(p+".dc", fmt.Sprintf("must be between %d and %d for a %s hazard", lo, hi, x.Severity))
	}
	if !encounter.TrapDamageAllowed(x.Severity, x.Damage) {
		c.fail(p+".damage", "must be the DMG damage dice for a "+x.Severity+" hazard at some level")
	}
}

func (x *Quest) check(c *checker) {
	c.text("title", x.Title)
	c.text("objective", x.Objective)
	x.Giver.checkAt(c, "giver")
	c.list("steps", x.Steps)
	c.list("rewards", x.Rewards)
	c.list("complications", x.Complications)
}

func (x *Dialogue) check(c *checker) {
	c.text("setting", x.Setting)
	for i, n := range x.Participants {
		n.checkAt(c, fmt.Sprintf("participants[%d]", i))
	}
	for i, l := range x.Lines {
		p := fmt.Sprintf("lines[%d]", i)
		c.text(p+".speaker", l.Speaker)
		c.text(p+".text", l.Text)
	}
}

func (x *Event) check(c *checker) {
	c.text("title", x.Title)
	c.text("description", x.Description)
	c.list("triggers", x.Triggers)
	c.list("consequences", x.Consequences)
	for i, s := range x.SkillChecks {
		p := fmt.Sprintf("skill_checks[%d]", i)
		c.text(p+".success", s.Success)
		c.text(p+".failure", s.Failure)
	}
}

func (x *ThemeDraft) check(c *checker) {
	c.text("content", x.Content)
	c.list("preserved_elements", x.PreservedElements)
}

func (x *ThemeResult) check(c *checker) {
	c.text("content", x.Content)
	c.text("original_content", x.OriginalContent)
	if strings.TrimSpace(x.Theme.Genre) == "" && strings.TrimSpace(x.Theme.Tone) == "" {
		c.fail("theme", "must name a genre or a tone")
	}
	c.list("preserved_elements", x.PreservedElements)
}

func (x *FreeformText) check(c *checker) {
	c.text("text", x.Text)
}
