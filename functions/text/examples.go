package text

import (
	"encoding/json"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

func ptr[T any](v T) *T { return &v }

func characterExamples() []apidoc.Example {
	return []apidoc.Example{
		{Name: "sheet", Summary: "A whole character: a hill dwarf cleric of level 5", Value: dnd.CharacterRequest{
			Type: dnd.TypeSheet,
			Parameters: dnd.CharacterParams{
				CharacterClass: "Cleric", CharacterRace: "Hill Dwarf", CharacterLevel: dnd.Int(5),
				Alignment: "lawful good", Background: "Acolyte", Name: "Brenna Stonehelm", Pronouns: "she/her",
			},
			Seed: ptr[int64](114),
		}},
		{Name: "backstory_of", Summary: "The backstory of a character returned earlier, given by its identity", Value: dnd.CharacterRequest{
			Type: dnd.TypeBackstory,
			Character: json.RawMessage(`{"name":"Brenna Stonehelm","pronouns":"she/her","race":"Dwarf","subrace":"Hill Dwarf",` +
				`"class":"Cleric","subclass":"Life","level":5,"background":"Acolyte","alignment":"lawful good"}`),
			Prompt: "She was a blacksmith before the temple took her in.",
		}},
		{Name: "personality", Summary: "A dwarf cleric's personality", Value: dnd.CharacterRequest{
			Type: dnd.TypePersonality,
			Parameters: dnd.CharacterParams{
				CharacterClass: "Cleric", CharacterRace: "Dwarf", CharacterLevel: dnd.Int(3),
				Alignment: "lawful good", Background: "Acolyte",
			},
			Theme: dnd.Theme{Genre: "fantasy", Tone: "heroic"},
			Seed:  ptr[int64](42),
		}},
		{Name: "backstory", Summary: "An elf rogue's backstory, in a hurry", Value: dnd.CharacterRequest{
			Type:       dnd.TypeBackstory,
			Parameters: dnd.CharacterParams{CharacterClass: "Rogue", CharacterRace: "Elf", CharacterLevel: dnd.Int(5), Background: "Criminal"},
			Theme:      dnd.Theme{Genre: "gothic", Tone: "dark", Style: "terse"},
			Model:      dnd.ModelOptions{Temperature: ptr(0.9), MaxTokens: ptr(1200)},
			Prompt:     "She grew up in the sewers under the capital.",
			Priority:   dnd.PriorityHigh,
		}},
	}
}

func campaignExamples() []apidoc.Example {
	return []apidoc.Example{
		{Name: "quest", Summary: "A quest for a level 4 party", Value: dnd.CampaignRequest{
			Type:       dnd.TypeQuest,
			Parameters: dnd.CampaignParams{CampaignTheme: "a haunted river delta", PartyLevel: dnd.Int(4), PartySize: dnd.Int(4), Duration: "one session"},
			Theme:      dnd.Theme{Genre: "horror", Tone: "tense"},
			Seed:       ptr[int64](7),
		}},
		{Name: "plot", Summary: "A campaign plot", Value: dnd.CampaignRequest{
			Type:       dnd.TypePlot,
			Parameters: dnd.CampaignParams{CampaignTheme: "the fall of a dragon cult", PartyLevel: dnd.Int(8), PartySize: dnd.Int(5), Duration: "ten sessions"},
		}},
	}
}

func themeExamples() []apidoc.Example {
	return []apidoc.Example{
		{Name: "noir", Summary: "Re-theme a paragraph as noir", Value: dnd.ThemeRequest{
			Content: "Thorin Ironfist strode into the tavern at Millbrook, his axe on his back, and ordered an ale for everyone.",
			Theme:   dnd.Theme{Genre: "noir", Tone: "gritty"},
			Parameters: dnd.ThemeParams{
				Strength: ptr(0.6), PreserveKeyElements: ptr(true),
			},
		}},
	}
}
