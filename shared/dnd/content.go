package dnd

// This file holds the structured content each request type yields. Struct
// tags drive the JSON schema handed to the model: json names the property,
// description explains it, enum restricts a string and itemenum restricts
// the strings of a list. minimum and maximum bound every number, minItems and
// maxItems every list; the schema states them and ValidateContent enforces
// them, so the two cannot disagree. Every property is required in the
// schema.

// CharacterInfo is who a character is: the identity every character
// document repeats, the same fields as the top of a sheet. A request's
// character object may be just this.
type CharacterInfo struct {
	Name       string `json:"name" description:"The character's full name."`
	Pronouns   string `json:"pronouns" description:"How to refer to the character, e.g. she/her, he/him, they/them."`
	Race       string `json:"race" description:"The character's race, e.g. Dwarf, Elf, Halfling, Human, Dragonborn, Gnome, Half-Elf, Half-Orc, Tiefling."`
	Subrace    string `json:"subrace" description:"The subrace (High Elf, Hill Dwarf) or, for a dragonborn, the dragon ancestry (Red); empty for a race without one."`
	Class      string `json:"class" description:"The character's class, e.g. Fighter, Wizard, Rogue, Cleric."`
	Subclass   string `json:"subclass" description:"The subclass, e.g. Champion, Life, Evocation; empty below the level that grants one."`
	Level      int    `json:"level" description:"Character level, an integer from 1 to 20." minimum:"1" maximum:"20"`
	Background string `json:"background" description:"The character's background, e.g. Acolyte, Soldier, Sage."`
	Alignment  string `json:"alignment" description:"The character's alignment." enum:"lawful good,neutral good,chaotic good,lawful neutral,neutral,chaotic neutral,lawful evil,neutral evil,chaotic evil,unaligned"`
}

// Personality is the content of a character "personality" request.
type Personality struct {
	Character  CharacterInfo `json:"character" description:"Who the character is."`
	Traits     []string      `json:"traits" description:"Two to four personality traits, each one sentence in the first person or third person. At least one." minItems:"1" maxItems:"4"`
	Ideals     []string      `json:"ideals" description:"One or two ideals the character lives by, each a short sentence that fits the alignment. At least one." minItems:"1" maxItems:"2"`
	Bonds      []string      `json:"bonds" description:"One or two bonds to people, places or causes. At least one." minItems:"1" maxItems:"2"`
	Flaws      []string      `json:"flaws" description:"One or two flaws or vices that can get the character into trouble. At least one." minItems:"1" maxItems:"2"`
	Mannerisms []string      `json:"mannerisms" description:"Small habits a player can act out at the table. May be empty." minItems:"0" maxItems:"4"`
	Voice      string        `json:"voice" description:"How the character talks: pace, vocabulary, favourite phrases."`
}

// Backstory is the content of a character "backstory" request.
type Backstory struct {
	Character CharacterInfo `json:"character" description:"Who the character is."`
	Title     string        `json:"title" description:"A short evocative title for the backstory."`
	Summary   string        `json:"summary" description:"Two or three sentences summarising the backstory."`
	Backstory string        `json:"backstory" description:"The backstory itself: several paragraphs of prose covering origin, turning point and why the character adventures now."`
	KeyEvents []string      `json:"key_events" description:"The key events of the character's life in order, one sentence each. At least one." minItems:"1" maxItems:"8"`
	Hooks     []string      `json:"hooks" description:"Plot hooks a game master can use, each one sentence. At least one." minItems:"1" maxItems:"4"`
	Secrets   []string      `json:"secrets" description:"Things the character hides or does not know about their own past. May be empty." minItems:"0" maxItems:"4"`
}

// AbilityScores are the six ability scores, each 1–30.
type AbilityScores struct {
	Str int `json:"str" description:"Strength score, 1 to 30." minimum:"1" maximum:"30"`
	Dex int `json:"dex" description:"Dexterity score, 1 to 30." minimum:"1" maximum:"30"`
	Con int `json:"con" description:"Constitution score, 1 to 30." minimum:"1" maximum:"30"`
	Int int `json:"int" description:"Intelligence score, 1 to 30." minimum:"1" maximum:"30"`
	Wis int `json:"wis" description:"Wisdom score, 1 to 30." minimum:"1" maximum:"30"`
	Cha int `json:"cha" description:"Charisma score, 1 to 30." minimum:"1" maximum:"30"`
}

// Move is a named combat technique, feature or spell the character favours.
type Move struct {
	Name        string `json:"name" description:"Name of the move, class feature or spell."`
	Description string `json:"description" description:"What it does and when the character uses it, one or two sentences."`
}

// Combat is the content of a character "combat" request. Its numbers,
// attacks, moves and spells come from the character's sheet; its words
// describe how the character uses them.
type Combat struct {
	Character        CharacterInfo `json:"character" description:"Who the character is."`
	Role             string        `json:"role" description:"The character's role in a fight." enum:"frontliner,striker,skirmisher,artillery,controller,support"`
	Tactics          string        `json:"tactics" description:"How the character fights: openings, positioning, what they do when things go wrong. One paragraph."`
	SignatureMoves   []Move        `json:"signature_moves" description:"Attacks, class features used in a fight, and spells the character relies on; never a passive feature. At least one." minItems:"1" maxItems:"6"`
	PreferredRange   string        `json:"preferred_range" description:"The distance the character prefers to fight at." enum:"melee,reach,ranged,mixed"`
	AbilityScores    AbilityScores `json:"ability_scores" description:"The six ability scores including racial bonuses and improvements."`
	ArmorClass       int           `json:"armor_class" description:"Armor Class as worn, magic items included, an integer from 1 to 40." minimum:"1" maximum:"40"`
	HitPoints        int           `json:"hit_points" description:"Maximum hit points, at least the character level and at most 999." minimum:"1" maximum:"999"`
	ProficiencyBonus int           `json:"proficiency_bonus" description:"Proficiency bonus for the level: +2 at levels 1-4, +3 at 5-8, +4 at 9-12, +5 at 13-16, +6 at 17-20." minimum:"2" maximum:"6"`
	SavingThrows     []string      `json:"saving_throws" description:"Abilities whose saving throws the character is proficient in. At least one." itemenum:"Strength,Dexterity,Constitution,Intelligence,Wisdom,Charisma" minItems:"1" maxItems:"6"`
	Attacks          []Attack      `json:"attacks" description:"The character's attacks with their numbers, as on the sheet. At least one." minItems:"1" maxItems:"20"`
	Spells           []string      `json:"spells" description:"Spells the character relies on in combat; empty for characters without spellcasting." minItems:"0" maxItems:"12"`
	Weaknesses       []string      `json:"weaknesses" description:"Tactical weaknesses an enemy could exploit. May be empty." minItems:"0" maxItems:"4"`
}

// Rarities in increasing order; mundane gear is common.
var rarities = []string{"common", "uncommon", "rare", "very rare", "legendary", "artifact"}

// Item is one piece of equipment.
type Item struct {
	Name               string `json:"name" description:"Name of the item, e.g. Longsword, Explorer's Pack, Cloak of Protection."`
	Category           string `json:"category" description:"What kind of item it is." enum:"weapon,armor,shield,gear,tool,consumable,focus,wondrous,treasure"`
	Description        string `json:"description" description:"What the item looks like and what it does, one or two sentences."`
	Rarity             string `json:"rarity" description:"Rarity; mundane items are common." enum:"common,uncommon,rare,very rare,legendary,artifact"`
	Quantity           int    `json:"quantity" description:"How many the character carries, 1 to 999." minimum:"1" maximum:"999"`
	Equipped           bool   `json:"equipped" description:"Worn or in hand."`
	RequiresAttunement bool   `json:"requires_attunement" description:"Whether the item needs attunement to use."`
	Attuned            bool   `json:"attuned" description:"Whether the character is attuned to it; at most three items are."`
}

// Coins is a purse; every amount is at least 0.
type Coins struct {
	CP int `json:"cp" description:"Copper pieces, 0 or more." minimum:"0" maximum:"10000000"`
	SP int `json:"sp" description:"Silver pieces, 0 or more." minimum:"0" maximum:"10000000"`
	EP int `json:"ep" description:"Electrum pieces, 0 or more." minimum:"0" maximum:"10000000"`
	GP int `json:"gp" description:"Gold pieces, 0 or more." minimum:"0" maximum:"10000000"`
	PP int `json:"pp" description:"Platinum pieces, 0 or more." minimum:"0" maximum:"10000000"`
}

// Equipment is the content of a character "equipment" request.
type Equipment struct {
	Character CharacterInfo `json:"character" description:"Who the character is."`
	Items     []Item        `json:"items" description:"Everything the character carries, weapons and armour first. At least one." minItems:"1" maxItems:"40"`
	Coins     Coins         `json:"coins" description:"The character's purse."`
	Notes     string        `json:"notes" description:"How the kit fits the character: what is worn, stowed or treasured."`
}

// NPC is a non-player character.
type NPC struct {
	Name        string `json:"name" description:"The NPC's name."`
	Role        string `json:"role" description:"The NPC's role, e.g. innkeeper, informant, rival."`
	Description string `json:"description" description:"Appearance, manner and what they want, one or two sentences."`
}

// Act is one act of a plot.
type Act struct {
	Title   string `json:"title" description:"Title of the act."`
	Summary string `json:"summary" description:"What happens in the act, two to four sentences."`
	Goal    string `json:"goal" description:"What the party must achieve to finish the act."`
}

// Antagonist is the main opponent of a plot.
type Antagonist struct {
	Name        string `json:"name" description:"The antagonist's name."`
	Description string `json:"description" description:"Who or what the antagonist is, one or two sentences."`
	Motivation  string `json:"motivation" description:"What the antagonist wants and why."`
	Creature    string `json:"creature" description:"The creature or stat block that best represents the antagonist, e.g. Mage, Vampire, Adult Red Dragon."`
}

// Plot is the content of a campaign "plot" request.
type Plot struct {
	Title      string     `json:"title" description:"Title of the adventure or campaign."`
	Summary    string     `json:"summary" description:"The premise in two to four sentences."`
	Setting    string     `json:"setting" description:"Where the adventure takes place: the main settlement or site, the land around it and what it is like, one or two sentences."`
	Acts       []Act      `json:"acts" description:"The acts in order. At least one." minItems:"1" maxItems:"8"`
	Antagonist Antagonist `json:"antagonist" description:"The main opponent."`
	Hooks      []string   `json:"hooks" description:"Ways to draw the party in, one sentence each. At least one." minItems:"1" maxItems:"4"`
	Twists     []string   `json:"twists" description:"Optional revelations for the game master. May be empty." minItems:"0" maxItems:"3"`
	PartyLevel int        `json:"party_level" description:"The party level the plot is built for, 1 to 20." minimum:"1" maximum:"20"`
	PartySize  int        `json:"party_size" description:"The number of player characters the plot is built for, 1 to 10." minimum:"1" maximum:"10"`
}

// EncounterMonster is one kind of monster in an encounter.
type EncounterMonster struct {
	Name  string `json:"name" description:"The monster's name as in the SRD 5.1, e.g. Goblin, Adult Red Dragon."`
	Count int    `json:"count" description:"How many of it, 1 to 20." minimum:"1" maximum:"20"`
	CR    string `json:"cr" description:"Its challenge rating." enum:"0,1/8,1/4,1/2,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30"`
	XP    int    `json:"xp" description:"XP for one of it, set by the challenge rating (CR 0 counts 10)." minimum:"10" maximum:"155000"`
}

// XPThresholds are a party's summed XP thresholds.
type XPThresholds struct {
	Easy   int `json:"easy" description:"Adjusted XP from which the encounter is easy for the party." minimum:"25" maximum:"28000"`
	Medium int `json:"medium" description:"Adjusted XP from which it is medium." minimum:"50" maximum:"57000"`
	Hard   int `json:"hard" description:"Adjusted XP from which it is hard." minimum:"75" maximum:"85000"`
	Deadly int `json:"deadly" description:"Adjusted XP from which it is deadly." minimum:"100" maximum:"127000"`
}

// Encounter is a fight at a location, with the numbers behind its label
// (the DMG's encounter building: thresholds per level, a multiplier by
// the number of monsters and the party size).
type Encounter struct {
	Name            string             `json:"name" description:"Short name of the encounter."`
	Description     string             `json:"description" description:"What happens, one to three sentences."`
	Monsters        []EncounterMonster `json:"monsters" description:"The monsters in the fight. At least one." minItems:"1" maxItems:"4"`
	BaseXP          int                `json:"base_xp" description:"The sum of count times xp over the monsters." minimum:"10" maximum:"3100000"`
	Multiplier      float64            `json:"multiplier" description:"The encounter multiplier for the total number of monsters, one step up for a party under 3 and one step down for 6 or more: 0.5, 1, 1.5, 2, 2.5, 3, 4 or 5." minimum:"0.5" maximum:"5"`
	AdjustedXP      int                `json:"adjusted_xp" description:"base_xp times multiplier, halves rounded up." minimum:"5" maximum:"15500000"`
	PartyThresholds XPThresholds       `json:"party_thresholds" description:"The party's XP thresholds, summed over its characters."`
	Difficulty      string             `json:"difficulty" description:"The highest party threshold adjusted_xp reaches; trivial below easy." enum:"trivial,easy,medium,hard,deadly"`
}

// Hazard is a trap or natural hazard at a location.
type Hazard struct {
	Name        string `json:"name" description:"Short name of the trap or hazard."`
	Description string `json:"description" description:"What it looks like, what sets it off and what it does, one to three sentences."`
	Severity    string `json:"severity" description:"How badly it can hurt the party." enum:"setback,dangerous,deadly"`
	DC          int    `json:"dc" description:"The save or check DC: 10-11 for a setback, 12-15 dangerous, 16-20 deadly." minimum:"10" maximum:"20"`
	Damage      string `json:"damage" description:"Damage dice for the severity and the party's level: setback 1d10, 2d10, 4d10 or 10d10; dangerous 2d10, 4d10, 10d10 or 18d10; deadly 4d10, 10d10, 18d10 or 24d10 (levels 1-4, 5-10, 11-16, 17-20)."`
}

// Location is the content of a campaign "location" request.
type Location struct {
	Name        string      `json:"name" description:"The location's name."`
	Kind        string      `json:"kind" description:"What sort of place it is, e.g. village, ruined keep, cavern."`
	Description string      `json:"description" description:"What the party sees, hears and smells on arrival, one paragraph."`
	Features    []string    `json:"features" description:"Notable features, one sentence each. At least one." minItems:"1" maxItems:"6"`
	NPCs        []NPC       `json:"npcs" description:"People found here. At least one." minItems:"1" maxItems:"5"`
	Encounters  []Encounter `json:"encounters" description:"Fights the location offers. At least one." minItems:"1" maxItems:"4"`
	Hazards     []Hazard    `json:"hazards" description:"Traps and natural hazards. May be empty." minItems:"0" maxItems:"4"`
	Secrets     []string    `json:"secrets" description:"Hidden things to discover. May be empty." minItems:"0" maxItems:"4"`
}

// EncounterDraft is a fight as a model writes it: its words, its
// difficulty, and the monsters it picks from those offered for that
// difficulty. The service chooses how many of each and computes the
// numbers (CompleteLocation).
type EncounterDraft struct {
	Name        string   `json:"name" description:"Short name of the encounter."`
	Description string   `json:"description" description:"What happens, one to three sentences. Name the monsters, but never how many there are: the service chooses their numbers."`
	Difficulty  string   `json:"difficulty" description:"How hard the fight is for the party." enum:"easy,medium,hard,deadly"`
	Picks       []string `json:"picks" description:"One to three different SRD 5.1 monster names, each exactly as offered for this difficulty in the instructions." minItems:"1" maxItems:"3"`
}

// LocationDraft is what a model returns for a location request: a
// Location whose encounters are drafts. CompleteLocation turns it into
// the Location.
type LocationDraft struct {
	Name        string           `json:"name" description:"The location's name."`
	Kind        string           `json:"kind" description:"What sort of place it is, e.g. village, ruined keep, cavern."`
	Description string           `json:"description" description:"What the party sees, hears and smells on arrival, one paragraph."`
	Features    []string         `json:"features" description:"Notable features, one sentence each. At least one." minItems:"1" maxItems:"6"`
	NPCs        []NPC            `json:"npcs" description:"People found here. At least one." minItems:"1" maxItems:"5"`
	Encounters  []EncounterDraft `json:"encounters" description:"Fights the location offers, of mixed difficulty. At least one." minItems:"1" maxItems:"4"`
	Hazards     []Hazard         `json:"hazards" description:"Traps and natural hazards. May be empty." minItems:"0" maxItems:"4"`
	Secrets     []string         `json:"secrets" description:"Hidden things to discover. May be empty." minItems:"0" maxItems:"4"`
}

// Quest is the content of a campaign "quest" request.
type Quest struct {
	Title            string   `json:"title" description:"Title of the quest."`
	Objective        string   `json:"objective" description:"What the party is asked to do, one or two sentences."`
	Giver            NPC      `json:"giver" description:"Who offers the quest."`
	Steps            []string `json:"steps" description:"The steps of the quest in order. At least one." minItems:"1" maxItems:"8"`
	Rewards          []string `json:"rewards" description:"What the party earns: coin, items, favours. At least one." minItems:"1" maxItems:"5"`
	Complications    []string `json:"complications" description:"Things that can go wrong. May be empty." minItems:"0" maxItems:"4"`
	RecommendedLevel int      `json:"recommended_level" description:"The party level the quest suits, 1 to 20." minimum:"1" maximum:"20"`
}

// Line is one line of dialogue.
type Line struct {
	Speaker   string `json:"speaker" description:"Who speaks; one of the participants or 'Party'."`
	Text      string `json:"text" description:"What they say."`
	Direction string `json:"direction" description:"Delivery or action in a few words, e.g. 'leaning in'. May be empty."`
}

// Dialogue is the content of a campaign "dialogue" request.
type Dialogue struct {
	Setting      string `json:"setting" description:"Where and when the conversation happens, one or two sentences."`
	Participants []NPC  `json:"participants" description:"The non-player characters who speak. At least one." minItems:"1" maxItems:"4"`
	Lines        []Line `json:"lines" description:"The conversation in order. At least two lines." minItems:"2" maxItems:"16"`
}

// SkillCheck is an ability check an event may call for.
type SkillCheck struct {
	Skill   string `json:"skill" description:"The skill tested." enum:"Acrobatics,Animal Handling,Arcana,Athletics,Deception,History,Insight,Intimidation,Investigation,Medicine,Nature,Perception,Performance,Persuasion,Religion,Sleight of Hand,Stealth,Survival"`
	DC      int    `json:"dc" description:"Difficulty class, 5 to 30." minimum:"5" maximum:"30"`
	Success string `json:"success" description:"What happens on a success."`
	Failure string `json:"failure" description:"What happens on a failure."`
}

// Event is the content of a campaign "event" request.
type Event struct {
	Title        string       `json:"title" description:"Title of the event."`
	Description  string       `json:"description" description:"What happens, one paragraph."`
	Triggers     []string     `json:"triggers" description:"What sets the event off. At least one." minItems:"1" maxItems:"4"`
	Consequences []string     `json:"consequences" description:"What changes in the world afterwards. At least one." minItems:"1" maxItems:"4"`
	SkillChecks  []SkillCheck `json:"skill_checks" description:"Checks the party may make during the event. May be empty." minItems:"0" maxItems:"4"`
}

// AppliedTheme records the theme a text was restyled to.
type AppliedTheme struct {
	Genre string `json:"genre" description:"Genre applied; may be empty."`
	Tone  string `json:"tone" description:"Tone applied; may be empty."`
	Style string `json:"style" description:"Style applied; may be empty."`
}

// ThemeDraft is what a model returns for a theme request; CompleteTheme turns
// it into a ThemeResult.
type ThemeDraft struct {
	Content           string   `json:"content" description:"The restyled text."`
	PreservedElements []string `json:"preserved_elements" description:"Names, places, numbers and other key elements kept unchanged from the original. May be empty." minItems:"0" maxItems:"25"`
}

// ThemeResult is the content of a theme request.
type ThemeResult struct {
	Content           string       `json:"content" description:"The restyled text."`
	OriginalContent   string       `json:"original_content" description:"The text as submitted."`
	Theme             AppliedTheme `json:"theme" description:"The theme applied."`
	SimilarityScore   float64      `json:"similarity_score" description:"Word-level similarity of content to original_content, 0 to 1." minimum:"0" maximum:"1"`
	PreservedElements []string     `json:"preserved_elements" description:"Key elements kept unchanged. May be empty." minItems:"0" maxItems:"25"`
}

// FreeformText is the content of a free-form request.
type FreeformText struct {
	Text string `json:"text" description:"The generated text."`
}
