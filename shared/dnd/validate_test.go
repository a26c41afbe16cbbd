package dnd

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestValidateContentSamples(t *testing.T) {
	t.Parallel()
	for _, kt := range allKinds() {
		if err := ValidateContent(kt[0], kt[1], sample(t, kt[0], kt[1])); err != nil {
			t.Errorf("ValidateContent(%s, %s, sample) = %v, want nil", kt[0], kt[1], err)
		}
	}
	if err := ValidateContent(KindFreeform, "", sample(t, KindFreeform, TypeFreeform)); err != nil {
		t.Errorf("ValidateContent with empty free-form type = %v, want nil", err)
	}
}

// edit decodes a sample, applies fn to the generic document and re-encodes it.
func edit(t *testing.T, kind, typ string, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(sample(t, kind, typ), &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func obj(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }

// editEncounter edits the first encounter of the location sample.
func editEncounter(t *testing.T, fn func(e map[string]any)) []byte {
	t.Helper()
	return edit(t, KindCampaign, TypeLocation, func(m map[string]any) { fn(m["encounters"].([]any)[0].(map[string]any)) })
}

func monster(e map[string]any, i int) map[string]any {
	return e["monsters"].([]any)[i].(map[string]any)
}

func TestValidateContentRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		kind, typ string
		doc       func(t *testing.T) []byte
		field     string
		message   string
	}{
		{"not JSON", KindFreeform, "", func(*testing.T) []byte { return []byte(`{"text":`) }, "", "not valid JSON"},
		{"trailing value", KindFreeform, "", func(*testing.T) []byte { return []byte(`{"text":"a"} {}`) }, "", "must hold exactly one JSON value"},
		{"array root", KindFreeform, "", func(*testing.T) []byte { return []byte(`["a"]`) }, "", "must be an object"},
		{"unknown field", KindFreeform, "", func(*testing.T) []byte { return []byte(`{"text":"a","extra":1}`) }, `"extra"`, "is not a known field"},
		{"empty text", KindFreeform, "", func(*testing.T) []byte { return []byte(`{"text":"  "}`) }, "text", "must not be empty"},
		{"missing field", KindCharacter, TypePersonality, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypePersonality, func(m map[string]any) { delete(m, "voice") })
		}, "voice", "is required"},
		{"nested unknown field", KindCharacter, TypePersonality, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypePersonality, func(m map[string]any) { obj(m, "character")["hp"] = 3 })
		}, `character."hp"`, "is not a known field"},
		{"level 21", KindCharacter, TypeBackstory, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeBackstory, func(m map[string]any) { obj(m, "character")["level"] = 21 })
		}, "character.level", "must be between 1 and 20"},
		{"fractional level", KindCharacter, TypeBackstory, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeBackstory, func(m map[string]any) { obj(m, "character")["level"] = 2.5 })
		}, "character.level", "must be an integer"},
		{"bad alignment", KindCharacter, TypeBackstory, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeBackstory, func(m map[string]any) { obj(m, "character")["alignment"] = "good-ish" })
		}, "character.alignment", "must be one of: lawful good, neutral good, chaotic good, lawful neutral, neutral, chaotic neutral, lawful evil, neutral evil, chaotic evil, unaligned"},
		{"no hooks", KindCharacter, TypeBackstory, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeBackstory, func(m map[string]any) { m["hooks"] = []any{} })
		}, "hooks", "must have at least 1 entry"},
		{"blank hook", KindCharacter, TypeBackstory, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeBackstory, func(m map[string]any) { m["hooks"] = []any{"a", ""} })
		}, "hooks[1]", "must not be empty"},
		{"ability score 31", KindCharacter, TypeCombat, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeCombat, func(m map[string]any) { obj(m, "ability_scores")["wis"] = 31 })
		}, "ability_scores.wis", "must be between 1 and 30"},
		{"ability score 0", KindCharacter, TypeCombat, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeCombat, func(m map[string]any) { obj(m, "ability_scores")["str"] = 0 })
		}, "ability_scores.str", "must be between 1 and 30"},
		{"string ability score", KindCharacter, TypeCombat, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeCombat, func(m map[string]any) { obj(m, "ability_scores")["str"] = "18" })
		}, "ability_scores.str", "must be an integer"},
		{"hit points below level", KindCharacter, TypeCombat, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeCombat, func(m map[string]any) { m["hit_points"] = 4 })
		}, "hit_points", "must be at least the character level"},
		{"proficiency 7", KindCharacter, TypeCombat, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeCombat, func(m map[string]any) { m["proficiency_bonus"] = 7 })
		}, "proficiency_bonus", "must be between 2 and 6"},
		{"bad saving throw", KindCharacter, TypeCombat, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeCombat, func(m map[string]any) { m["saving_throws"] = []any{"Luck"} })
		}, "saving_throws[0]", "must be one of: Strength, Dexterity, Constitution, Intelligence, Wisdom, Charisma"},
		{"repeated saving throw", KindCharacter, TypeCombat, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeCombat, func(m map[string]any) { m["saving_throws"] = []any{"Strength", "Strength"} })
		}, "saving_throws[1]", "repeats an ability"},
		{"no moves", KindCharacter, TypeCombat, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeCombat, func(m map[string]any) { m["signature_moves"] = []any{} })
		}, "signature_moves", "must have at least 1 entry"},
		{"bad range", KindCharacter, TypeCombat, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeCombat, func(m map[string]any) { m["preferred_range"] = "far" })
		}, "preferred_range", "must be one of: melee, reach, ranged, mixed"},
		{"bad rarity", KindCharacter, TypeEquipment, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeEquipment, func(m map[string]any) {
				m["items"].([]any)[2].(map[string]any)["rarity"] = "mythic"
			})
		}, "items[2].rarity", "must be one of: common, uncommon, rare, very rare, legendary, artifact"},
		{"zero quantity", KindCharacter, TypeEquipment, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeEquipment, func(m map[string]any) {
				m["items"].([]any)[0].(map[string]any)["quantity"] = 0
			})
		}, "items[0].quantity", "must be between 1 and 999"},
		{"negative coins", KindCharacter, TypeEquipment, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeEquipment, func(m map[string]any) { obj(m, "coins")["gp"] = -5 })
		}, "coins.gp", "must be between 0 and 10000000"},
		{"attunement as string", KindCharacter, TypeEquipment, func(t *testing.T) []byte {
			return edit(t, KindCharacter, TypeEquipment, func(m map[string]any) {
				m["items"].([]any)[0].(map[string]any)["requires_attunement"] = "no"
			})
		}, "items[0].requires_attunement", "must be true or false"},
		{"party size 11", KindCampaign, TypePlot, func(t *testing.T) []byte {
			return edit(t, KindCampaign, TypePlot, func(m map[string]any) { m["party_size"] = 11 })
		}, "party_size", "must be between 1 and 10"},
		{"no acts", KindCampaign, TypePlot, func(t *testing.T) []byte {
			return edit(t, KindCampaign, TypePlot, func(m map[string]any) { m["acts"] = []any{} })
		}, "acts", "must have at least 1 entry"},
		{"acts null", KindCampaign, TypePlot, func(t *testing.T) []byte {
			return edit(t, KindCampaign, TypePlot, func(m map[string]any) { m["acts"] = nil })
		}, "acts", "must be a list"},
		{"unknown difficulty", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return editEncounter(t, func(e map[string]any) { e["difficulty"] = "brutal" })
		}, "encounters[0].difficulty", "must be one of: trivial, easy, medium, hard, deadly"},
		{"label the numbers do not support", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return editEncounter(t, func(e map[string]any) { e["difficulty"] = "hard" })
		}, "encounters[0].difficulty", "must be easy for adjusted_xp against party_thresholds"},
		{"dragon labelled hard for five level-17s", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return editEncounter(t, func(e map[string]any) {
				e["monsters"] = []any{map[string]any{"name": "Adult Red Dragon", "count": 1, "cr": "17", "xp": 18000}}
				e["base_xp"], e["multiplier"], e["adjusted_xp"] = 18000, 1, 18000
				e["party_thresholds"] = map[string]any{"easy": 10000, "medium": 19500, "hard": 29500, "deadly": 44000}
				e["difficulty"] = "hard"
			})
		}, "encounters[0].difficulty", "must be easy for adjusted_xp against party_thresholds"},
		{"no monsters", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return editEncounter(t, func(e map[string]any) { e["monsters"] = []any{} })
		}, "encounters[0].monsters", "must have at least 1 entry"},
		{"monster not in the SRD", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return editEncounter(t, func(e map[string]any) { monster(e, 0)["name"] = "Mind Flayer" })
		}, "encounters[0].monsters[0].name", "must be an SRD 5.1 monster name"},
		{"wrong challenge rating", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return editEncounter(t, func(e map[string]any) { monster(e, 0)["cr"] = "1" })
		}, "encounters[0].monsters[0].cr", "must be the monster's challenge rating, 1/8"},
		{"wrong xp", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return editEncounter(t, func(e map[string]any) { monster(e, 0)["xp"] = 50 })
		}, "encounters[0].monsters[0].xp", "must be 25 for challenge rating 1/8"},
		{"21 of one monster", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return editEncounter(t, func(e map[string]any) { monster(e, 0)["count"] = 21 })
		}, "encounters[0].monsters[0].count", "must be between 1 and 20"},
		{"wrong base xp", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return editEncounter(t, func(e map[string]any) { e["base_xp"] = 151 })
		}, "encounters[0].base_xp", "must be 150, the sum of count times xp"},
		{"multiplier off the ladder", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return editEncounter(t, func(e map[string]any) { e["multiplier"] = 4 })
		}, "encounters[0].multiplier", "is not the DMG multiplier for 5 monsters and any party size"},
		{"wrong adjusted xp", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return editEncounter(t, func(e map[string]any) { e["adjusted_xp"] = 301 })
		}, "encounters[0].adjusted_xp", "must be 300, base_xp times multiplier"},
		{"thresholds out of order", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return editEncounter(t, func(e map[string]any) { obj(e, "party_thresholds")["hard"] = 500 })
		}, "encounters[0].party_thresholds", "must be positive and rise from easy to deadly"},
		{"hazard dc outside its severity", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return edit(t, KindCampaign, TypeLocation, func(m map[string]any) { m["hazards"].([]any)[0].(map[string]any)["dc"] = 16 })
		}, "hazards[0].dc", "must be between 10 and 11 for a setback hazard"},
		{"hazard damage off the table", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return edit(t, KindCampaign, TypeLocation, func(m map[string]any) { m["hazards"].([]any)[0].(map[string]any)["damage"] = "24d10" })
		}, "hazards[0].damage", "must be the DMG damage dice for a setback hazard at some level"},
		{"plot without setting", KindCampaign, TypePlot, func(t *testing.T) []byte {
			return edit(t, KindCampaign, TypePlot, func(m map[string]any) { m["setting"] = " " })
		}, "setting", "must not be empty"},
		{"no npcs", KindCampaign, TypeLocation, func(t *testing.T) []byte {
			return edit(t, KindCampaign, TypeLocation, func(m map[string]any) { m["npcs"] = []any{} })
		}, "npcs", "must have at least 1 entry"},
		{"quest level 0", KindCampaign, TypeQuest, func(t *testing.T) []byte {
			return edit(t, KindCampaign, TypeQuest, func(m map[string]any) { m["recommended_level"] = 0 })
		}, "recommended_level", "must be between 1 and 20"},
		{"giver without name", KindCampaign, TypeQuest, func(t *testing.T) []byte {
			return edit(t, KindCampaign, TypeQuest, func(m map[string]any) { obj(m, "giver")["name"] = "" })
		}, "giver.name", "must not be empty"},
		{"one line", KindCampaign, TypeDialogue, func(t *testing.T) []byte {
			return edit(t, KindCampaign, TypeDialogue, func(m map[string]any) { m["lines"] = m["lines"].([]any)[:1] })
		}, "lines", "must have at least 2 entries"},
		{"dc 31", KindCampaign, TypeEvent, func(t *testing.T) []byte {
			return edit(t, KindCampaign, TypeEvent, func(m map[string]any) {
				m["skill_checks"].([]any)[0].(map[string]any)["dc"] = 31
			})
		}, "skill_checks[0].dc", "must be between 5 and 30"},
		{"bad skill", KindCampaign, TypeEvent, func(t *testing.T) []byte {
			return edit(t, KindCampaign, TypeEvent, func(m map[string]any) {
				m["skill_checks"].([]any)[0].(map[string]any)["skill"] = "Hacking"
			})
		}, "skill_checks[0].skill", "must be one of: Acrobatics, Animal Handling, Arcana, Athletics, Deception, History, Insight, Intimidation, Investigation, Medicine, Nature, Perception, Performance, Persuasion, Religion, Sleight of Hand, Stealth, Survival"},
		{"similarity 1.5", KindTheme, "", func(t *testing.T) []byte {
			return edit(t, KindTheme, TypeTheme, func(m map[string]any) { m["similarity_score"] = 1.5 })
		}, "similarity_score", "must be between 0 and 1"},
		{"theme without genre or tone", KindTheme, "", func(t *testing.T) []byte {
			return edit(t, KindTheme, TypeTheme, func(m map[string]any) { m["theme"] = map[string]any{"genre": "", "tone": "", "style": "x"} })
		}, "theme", "must name a genre or a tone"},
		{"theme draft is not a result", KindTheme, "", func(*testing.T) []byte {
			return []byte(`{"content":"x","preserved_elements":[]}`)
		}, "original_content", "is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateContent(tc.kind, tc.typ, tc.doc(t))
			var ce *ContentError
			if !errors.As(err, &ce) {
				t.Fatalf("ValidateContent() = %v, want *ContentError", err)
			}
			if !errors.Is(err, ErrInvalidContent) {
				t.Errorf("errors.Is(%v, ErrInvalidContent) = false, want true", err)
			}
			if ce.Field != tc.field || ce.Message != tc.message {
				t.Errorf("ValidateContent() = %q: %q, want %q: %q", ce.Field, ce.Message, tc.field, tc.message)
			}
		})
	}
}

func TestValidateContentUnknown(t *testing.T) {
	t.Parallel()
	if err := ValidateContent("text.image", "", []byte(`{}`)); !errors.Is(err, ErrUnknownType) {
		t.Errorf("ValidateContent(text.image) = %v, want ErrUnknownType", err)
	}
	if err := ValidateContent(KindCampaign, "backstory", []byte(`{}`)); !errors.Is(err, ErrUnknownType) {
		t.Errorf("ValidateContent(campaign, backstory) = %v, want ErrUnknownType", err)
	}
}

func TestValidateContentTooLarge(t *testing.T) {
	t.Parallel()
	doc := `{"text":"` + strings.Repeat("a", MaxContentBytes) + `"}`
	err := ValidateContent(KindFreeform, "", []byte(doc))
	if !errors.Is(err, ErrInvalidContent) {
		t.Errorf("ValidateContent(huge) = %v, want ErrInvalidContent", err)
	}
}

func TestValidateContentErrorIsSafe(t *testing.T) {
	t.Parallel()
	secret := "sk-" + strings.Repeat("Z", 60)
	err := ValidateContent(KindFreeform, "", []byte(`{"text":"a","`+secret+`":1}`))
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("ValidateContent() = %v, want an error that does not echo long unknown field names", err)
	}
}

func TestCompleteTheme(t *testing.T) {
	t.Parallel()
	req := ThemeRequest{Content: "The knight rode to Castle Vey.", Theme: Theme{Genre: "Sci-Fi", Tone: "dark"}}
	got, err := CompleteTheme(req, []byte(`{"content":"The marine flew to Castle Vey.","preserved_elements":["Castle Vey"]}`))
	if err != nil {
		t.Fatalf("CompleteTheme() error: %v", err)
	}
	var r ThemeResult
	if err := json.Unmarshal(got, &r); err != nil {
		t.Fatal(err)
	}
	if r.OriginalContent != req.Content || r.Theme.Genre != "sci-fi" || r.Theme.Tone != "dark" {
		t.Errorf("CompleteTheme() = %+v, want original content and normalised theme", r)
	}
	if want := Similarity(req.Content, r.Content); r.SimilarityScore != want {
		t.Errorf("similarity_score = %v, want %v", r.SimilarityScore, want)
	}
	if _, err := CompleteTheme(req, []byte(`{"content":""}`)); !errors.Is(err, ErrInvalidContent) {
		t.Errorf("CompleteTheme(bad draft) = %v, want ErrInvalidContent", err)
	}
}
