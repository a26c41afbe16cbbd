// Package rules computes the mechanics of a player character under the
// System Reference Document 5.1: ability scores, hit points, Armor Class,
// saves, skills, attacks, spellcasting, features and equipment. The numbers
// come from tables and code, never from a model, so every provider and
// every document about a character can share them.
//
// Build turns Choices into a Sheet. The data it uses is embedded from
// data/*.json; data/ATTRIBUTION.md says which parts come from the SRD 5.1
// (CC-BY-4.0) and which are the project's own words.
package rules
