package dnd

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTextKinds(t *testing.T) {
	t.Parallel()
	want := []string{KindCharacter, KindCampaign, KindTheme, KindFreeform}
	if got := TextKinds(); !slices.Equal(got, want) {
		t.Errorf("TextKinds() = %v, want %v", got, want)
	}
}

func TestTextRequestMethods(t *testing.T) {
	t.Parallel()
	seed := int64(9)
	model := ModelOptions{Name: "gpt-4o"}
	tests := []struct {
		req      TextRequest
		kind     string
		typ      string
		priority string
	}{
		{CharacterRequest{Type: TypeCombat, Model: model, Seed: &seed, Priority: PriorityHigh}, KindCharacter, TypeCombat, PriorityHigh},
		{&CampaignRequest{Type: TypeQuest, Model: model, Seed: &seed, Priority: PriorityLow}, KindCampaign, TypeQuest, PriorityLow},
		{ThemeRequest{Content: "x", Model: model, Seed: &seed, Priority: PriorityUrgent}, KindTheme, TypeTheme, PriorityUrgent},
		{FreeformRequest{Prompt: "x", Model: model, Seed: &seed}, KindFreeform, TypeFreeform, ""},
	}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			t.Parallel()
			r := tc.req
			if r.Kind() != tc.kind || r.ContentType() != tc.typ || r.PriorityName() != tc.priority {
				t.Errorf("%T: Kind, ContentType, PriorityName = %q, %q, %q, want %q, %q, %q",
					r, r.Kind(), r.ContentType(), r.PriorityName(), tc.kind, tc.typ, tc.priority)
			}
			if diff := cmp.Diff(model, r.ModelOptions()); diff != "" {
				t.Errorf("%T.ModelOptions() mismatch (-want +got):\n%s", r, diff)
			}
			if r.SeedValue() != &seed {
				t.Errorf("%T.SeedValue() = %v, want %p", r, r.SeedValue(), &seed)
			}
			n := r.Normalized()
			if n.ModelOptions().Temperature == nil || n.Normalized().PriorityName() != n.PriorityName() {
				t.Errorf("%T.Normalized() = %+v, want defaults filled in, idempotent", r, n)
			}
			if r.ModelOptions().Temperature != nil {
				t.Errorf("%T.Normalized() changed the request it was called on", r)
			}
		})
	}
}

// TestCanonical pins the canonical JSON of normalised requests: it is part
// of every text cache key, so a change here makes every cached result miss.
func TestCanonical(t *testing.T) {
	t.Parallel()
	model := `"model":{"temperature":0.7}`
	tests := []struct {
		req  TextRequest
		want string
	}{
		{CharacterRequest{Type: "Backstory", Priority: PriorityHigh},
			`{"type":"backstory","parameters":{},"theme":{},` + model + `}`},
		{&CampaignRequest{Type: "plot", Priority: PriorityLow},
			`{"type":"plot","parameters":{},"theme":{},` + model + `}`},
		{ThemeRequest{Content: "x", Theme: Theme{Genre: "Noir"}, Priority: PriorityUrgent},
			`{"content":"x","theme":{"genre":"noir"},"parameters":{"strength":0.8,"preserve_key_elements":true},` + model + `}`},
		{FreeformRequest{Prompt: " hi "},
			`{"prompt":"hi",` + model + `}`},
	}
	for _, tc := range tests {
		t.Run(tc.req.Kind(), func(t *testing.T) {
			t.Parallel()
			got, err := tc.req.Normalized().Canonical()
			if err != nil || string(got) != tc.want {
				t.Errorf("%T.Normalized().Canonical() = %s, %v, want %s", tc.req, got, err, tc.want)
			}
			if tc.req.Normalized().PriorityName() == "" {
				t.Errorf("%T.Normalized() has no priority, want the default", tc.req)
			}
		})
	}
}

func TestDecodeTextRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind string
		raw  string
		want TextRequest
	}{
		{KindCharacter, `{"type":"combat","priority":"high"}`, CharacterRequest{Type: "combat", Priority: "high"}},
		{KindCampaign, `{"type":"plot","parameters":{"party_size":4}}`, CampaignRequest{Type: "plot", Parameters: CampaignParams{PartySize: Int(4)}}},
		{KindTheme, `{"content":"x","theme":{"tone":"dark"}}`, ThemeRequest{Content: "x", Theme: Theme{Tone: "dark"}}},
		{KindFreeform, `{"prompt":"x","context":"y"}`, FreeformRequest{Prompt: "x", Context: "y"}},
	}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			t.Parallel()
			got, err := DecodeTextRequest(tc.kind, []byte(tc.raw))
			if err != nil {
				t.Fatalf("DecodeTextRequest(%s, %s) error: %v", tc.kind, tc.raw, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("DecodeTextRequest(%s, %s) mismatch (-want +got):\n%s", tc.kind, tc.raw, diff)
			}
			if _, err := DecodeTextRequest(tc.kind, []byte(`{"prompt":`)); err == nil {
				t.Errorf("DecodeTextRequest(%s, truncated JSON) = nil error, want one", tc.kind)
			}
		})
	}
	if _, err := DecodeTextRequest("text.image", []byte(`{}`)); !errors.Is(err, ErrUnknownType) {
		t.Errorf("DecodeTextRequest(text.image) error = %v, want ErrUnknownType", err)
	}
}

func TestThemeRequestCompletes(t *testing.T) {
	t.Parallel()
	var r TextRequest = ThemeRequest{Content: "Sir Aldric rode to Castle Vey.", Theme: Theme{Genre: "sci-fi"}}
	c, ok := r.(Completer)
	if !ok {
		t.Fatal("ThemeRequest is not a Completer")
	}
	draft := []byte(`{"content":"The marine flew to Castle Vey.","preserved_elements":["Castle Vey"]}`)
	got, err := c.Complete(draft)
	want, wantErr := CompleteTheme(r.(ThemeRequest), draft)
	if err != nil || wantErr != nil || string(got) != string(want) {
		t.Errorf("Complete(draft) = %s, %v, want CompleteTheme's %s, %v", got, err, want, wantErr)
	}
	if _, ok := TextRequest(CampaignRequest{}).(Completer); !ok {
		t.Errorf("CampaignRequest is not a Completer, want it to build a location's encounters")
	}
	for _, other := range []TextRequest{CharacterRequest{}, FreeformRequest{}} {
		if _, ok := other.(Completer); ok {
			t.Errorf("%T is a Completer, want only theme and campaign requests to complete a draft", other)
		}
	}
}
