package dnd

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
)

// validatable is a request that validates and normalises itself.
type validatable[T any] interface {
	*T
	Valid(ctx context.Context) map[string]string
	Normalize()
}

// fuzzRequest decodes arbitrary bytes as a request and checks that
// validation never panics, that Normalize is idempotent, and that a request
// valid as sent stays valid once normalised.
func fuzzRequest[T any, P validatable[T]](f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r T
		if err := json.Unmarshal(data, &r); err != nil {
			return
		}
		ctx := context.Background()
		before := P(&r).Valid(ctx)
		P(&r).Normalize()
		after := P(&r).Valid(ctx)
		if len(before) == 0 && len(after) > 0 {
			t.Errorf("valid request became invalid after Normalize: %v", after)
		}
		twice := r
		P(&twice).Normalize()
		if !reflect.DeepEqual(r, twice) {
			t.Errorf("Normalize is not idempotent: %+v then %+v", r, twice)
		}
		for k, v := range after {
			if k == "" || v == "" {
				t.Errorf("Valid() returned an empty field or message: %q: %q", k, v)
			}
		}
	})
}

func FuzzCharacterRequest(f *testing.F) {
	fuzzRequest[CharacterRequest](f,
		`{"type":"combat","parameters":{"character_class":"Wizard","character_level":5}}`,
		`{"type":"x","model":{"temperature":3,"max_tokens":-1},"priority":"asap"}`,
	)
}

func FuzzCampaignRequest(f *testing.F) {
	fuzzRequest[CampaignRequest](f,
		`{"type":"plot","parameters":{"campaign_theme":"heist","party_level":3,"party_size":4}}`,
		`{"type":"Event ","parameters":{"party_size":99},"prompt":"\u0000"}`,
	)
}

func FuzzThemeRequest(f *testing.F) {
	fuzzRequest[ThemeRequest](f,
		`{"content":"The knight rode on.","theme":{"genre":"noir"},"parameters":{"strength":0.5}}`,
		`{"content":"  ","theme":{"style":"x"},"parameters":{"strength":-1}}`,
	)
}

func FuzzFreeformRequest(f *testing.F) {
	fuzzRequest[FreeformRequest](f,
		`{"prompt":"Name a tavern.","context":"A port town."}`,
		`{"prompt":"","seed":9223372036854775807}`,
	)
}
