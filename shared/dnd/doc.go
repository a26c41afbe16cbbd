// Package dnd is the text domain of the service: the requests callers send to
// the text endpoints (character, campaign, theme and free-form text), their
// validation and defaults, the structured content each request type yields,
// the strict JSON schemas handed to the model, the checks every generated
// document must pass before it is stored or returned, and the versioned
// prompts that ask a model for that content.
//
// The package is provider neutral: the OpenAI client and the offline
// generator (package offline) both produce documents that ValidateContent
// accepts. Cache keys should include SchemaVersion and PromptVersion so a
// change to either never serves a stale shape or wording.
package dnd
