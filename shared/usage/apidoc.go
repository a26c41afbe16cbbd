package usage

import "github.com/dndcc/dnd-llm-service/shared/apidoc"

// Doc implements apidoc.Described.
func (Row) Doc() apidoc.Type {
	return apidoc.Type{
		Name:  "UsageRow",
		About: "Usage of one day and model.",
		Fields: map[string]*apidoc.Schema{
			"date":     apidoc.Format("date"),
			"model":    apidoc.Describe("The model, or getimg/<model> for images."),
			"cost_usd": apidoc.Describe("Estimated cost in US dollars."),
		},
	}
}

// Doc implements apidoc.Described.
func (Totals) Doc() apidoc.Type { return apidoc.Type{Name: "UsageTotals"} }
