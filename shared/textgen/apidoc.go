package textgen

import "github.com/dndcc/dnd-llm-service/shared/apidoc"

// Doc implements apidoc.Described.
func (Usage) Doc() apidoc.Type { return apidoc.Type{Name: "TokenUsage"} }
