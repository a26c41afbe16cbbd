package imagegen

import (
	"slices"
	"strings"
	"testing"
)

func TestParseRemovals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		negative string
		negated  []string
		want     []string
		unknown  []string
	}{
		{"no grid", nil, []string{rmGrid}, nil},
		{"trees, water, frame, text, people", nil, []string{rmTrees, rmWater, rmFrame, rmText, rmPeople}, nil},
		{"blurry, low quality, watermark, deformed hands", nil, []string{rmText}, nil},
		{"Trees and Bushes; no fog", nil, []string{rmTrees, rmMist}, nil},
		{"dragons, wooden chairs", nil, []string{rmFurniture}, []string{"dragons"}},
		{"", []string{"grid"}, []string{rmGrid}, nil},
		{"seats", nil, nil, []string{"seats"}},
	}
	for _, tc := range tests {
		rm := parseRemovals(tc.negative, tc.negated)
		for _, name := range tc.want {
			if !rm.has(name) {
				t.Errorf("parseRemovals(%q, %q) lacks %q; has %v", tc.negative, tc.negated, name, rm.names)
			}
		}
		if len(rm.names) != len(tc.want) {
			t.Errorf("parseRemovals(%q, %q) = %v, want exactly %v", tc.negative, tc.negated, rm.names, tc.want)
		}
		if !slices.Equal(rm.unknown, tc.unknown) {
			t.Errorf("parseRemovals(%q) unknown = %q, want %q", tc.negative, rm.unknown, tc.unknown)
		}
	}
}

func TestSplitNegations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prompt, want string
		negated      []string
	}{
		{"a tavern interior, no grid", "a tavern interior,", []string{"grid"}},
		{"a forest without trees or water", "a forest", []string{"trees", "water"}},
		{"a crypt with no water and a statue", "a crypt with and a statue", []string{"water"}},
		{"a gridless river map", "a river map", []string{"grid"}},
		{"the noble knight", "the noble knight", nil},
		{"endless dunes", "endless dunes", nil},
	}
	for _, tc := range tests {
		got, negated := splitNegations(tc.prompt)
		if got != tc.want || !slices.Equal(negated, tc.negated) {
			t.Errorf("splitNegations(%q) = %q, %q; want %q, %q", tc.prompt, got, negated, tc.want, tc.negated)
		}
	}
}

func TestUnmetNegativeTermsWarn(t *testing.T) {
	t.Parallel()
	pic, err := New().Generate(t.Context(), GenerateRequest{Type: TypeMapBackground, Prompt: "a crypt", Width: 128, Height: 128, NegativePrompt: "blurry, dragons, grid"})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if len(pic.Warnings) != 1 || !strings.Contains(pic.Warnings[0], `"dragons"`) || strings.Contains(pic.Warnings[0], "blurry") {
		t.Errorf("warnings = %q, want one naming dragons and not blurry", pic.Warnings)
	}
	if pic.Grid == nil || pic.Grid.Drawn {
		t.Errorf("grid = %+v, want reported and not drawn", pic.Grid)
	}
	if len(Removable()) != len(elements) || !strings.HasPrefix(Removable()[0], "grid (") {
		t.Errorf("Removable() = %q, want one line per element, grid first", Removable())
	}
}
