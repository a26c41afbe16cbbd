package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParsePrefer(t *testing.T) {
	t.Parallel()
	async := Preference{Name: "respond-async"}
	wait5 := Preference{Name: "wait", Value: "5"}
	tests := []struct {
		name   string
		values []string
		want   Preferences
	}{
		{"none", nil, nil},
		{"empty", []string{""}, nil},
		{"one", []string{"respond-async"}, Preferences{async}},
		{"case-insensitive name", []string{"Respond-Async"}, Preferences{async}},
		{"a parameter", []string{"respond-async; wait=5"},
			Preferences{{Name: "respond-async", Params: []PreferenceParam{{"wait", "5"}}}}},
		{"two preferences", []string{"respond-async, wait=5"}, Preferences{async, wait5}},
		{"two headers", []string{"respond-async", "wait=5"}, Preferences{async, wait5}},
		{"whitespace", []string{" \trespond-async\t;\twait = 5 ,  wait=7 "},
			Preferences{{Name: "respond-async", Params: []PreferenceParam{{"wait", "5"}}}, {Name: "wait", Value: "7"}}},
		{"first instance counts", []string{"wait=5, wait=9", "WAIT=1"}, Preferences{wait5}},
		{"quoted value", []string{`foo="a, \"b\"; c", respond-async`},
			Preferences{{Name: "foo", Value: `a, "b"; c`}, async}},
		{"parameter name lower-cased, value kept", []string{"handling=Lenient; X=Y"},
			Preferences{{Name: "handling", Value: "Lenient", Params: []PreferenceParam{{"x", "Y"}}}}},
		{"empty elements and parameters", []string{",, respond-async ;; ;, ,wait=5,"},
			Preferences{async, wait5}},
		{"a malformed element is skipped", []string{`=5, wait=5 x, respond-async, "q,uoted", wait=6`},
			Preferences{async, {Name: "wait", Value: "6"}}},
		{"unterminated quote", []string{`respond-async, foo="bar`}, Preferences{async}},
		{"value missing after =", []string{"wait=, respond-async"}, Preferences{async}},
		{"not a token", []string{"réponse, respond-async"}, Preferences{async}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ParsePrefer(tc.values)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ParsePrefer(%q) mismatch (-want +got):\n%s", tc.values, diff)
			}
		})
	}
	h := http.Header{}
	h.Add("Prefer", "wait=3")
	h.Add("prefer", "respond-async")
	if got := Prefer(h); len(got) != 2 {
		t.Errorf("Prefer(%v) = %+v, want two preferences", h, got)
	}
}

// FuzzParsePrefer checks that any header parses without panicking into
// distinct lower-case token names, with parameters of token names, and
// that writing the result back and parsing it again gives the same.
func FuzzParsePrefer(f *testing.F) {
	for _, s := range []string{"respond-async; wait=5", "respond-async, wait=5", `a="b\"c", d; e=f;;g`, `x="unterminated`, "=,;\"\\"} {
		f.Add(s, "wait=1")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		got := ParsePrefer([]string{a, b})
		seen := map[string]bool{}
		for _, p := range got {
			if !isToken(p.Name) || p.Name != strings.ToLower(p.Name) || seen[p.Name] {
				t.Fatalf("ParsePrefer(%q, %q) has name %q (seen %v)", a, b, p.Name, seen[p.Name])
			}
			seen[p.Name] = true
			for _, q := range p.Params {
				if !isToken(q.Name) || q.Name != strings.ToLower(q.Name) {
					t.Fatalf("ParsePrefer(%q, %q) has parameter name %q", a, b, q.Name)
				}
			}
		}
		again := ParsePrefer([]string{formatPrefer(got)})
		if diff := cmp.Diff(got, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("ParsePrefer(%q, %q) does not round-trip through %q (-first +again):\n%s", a, b, formatPrefer(got), diff)
		}
	})
}

func isToken(s string) bool {
	for i := range len(s) {
		if !isTChar(s[i]) {
			return false
		}
	}
	return s != ""
}

// formatPrefer writes preferences back as one header value, quoting every
// value.
func formatPrefer(ps Preferences) string {
	quote := func(v string) string {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
	}
	var parts []string
	for _, p := range ps {
		s := p.Name
		if p.Value != "" {
			s += "=" + quote(p.Value)
		}
		for _, q := range p.Params {
			s += "; " + q.Name
			if q.Value != "" {
				s += "=" + quote(q.Value)
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
