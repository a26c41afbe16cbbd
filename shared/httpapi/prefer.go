package httpapi

import (
	"net/http"
	"strings"
)

// Preference is one preference of a Prefer header (RFC 7240 §2): a token,
// an optional value and optional parameters. Names are lower-cased (tokens
// compare case-insensitively); values are as sent, unquoted.
type Preference struct {
	Name   string
	Value  string
	Params []PreferenceParam
}

// PreferenceParam is a parameter of a preference.
type PreferenceParam struct {
	Name  string
	Value string
}

// Preferences are the preferences of a request, in the order sent, each
// name once: the first instance of a preference counts (RFC 7240 §2).
type Preferences []Preference

// Get returns the preference called name (lower case).
func (ps Preferences) Get(name string) (Preference, bool) {
	for _, p := range ps {
		if p.Name == name {
			return p, true
		}
	}
	return Preference{}, false
}

// Prefer parses the request's Prefer headers.
func Prefer(h http.Header) Preferences { return ParsePrefer(h.Values("Prefer")) }

// ParsePrefer parses Prefer header values under RFC 7240's grammar:
//
//	Prefer     = 1#preference
//	preference = token [ BWS "=" BWS word ] *( OWS ";" [ OWS parameter ] )
//	parameter  = token [ BWS "=" BWS word ]
//	word       = token / quoted-string
//
// So "respond-async; wait=5" is the preference respond-async with a
// parameter wait, and "respond-async, wait=5" two preferences. A
// preference that does not parse is skipped up to the next comma outside
// a quoted string; its neighbours still count. Empty list elements are
// allowed, as in any HTTP list.
func ParsePrefer(values []string) Preferences {
	var out Preferences
	for _, v := range values {
		p := preferParser{s: v}
		for !p.done() {
			pref, ok := p.preference()
			if !ok {
				p.skipElement()
				continue
			}
			if _, dup := out.Get(pref.Name); !dup {
				out = append(out, pref)
			}
		}
	}
	return out
}

// preferParser reads one Prefer header value.
type preferParser struct {
	s string
	i int
}

func (p *preferParser) done() bool {
	p.ows()
	for p.i < len(p.s) && p.s[p.i] == ',' {
		p.i++
		p.ows()
	}
	return p.i >= len(p.s)
}

// preference reads one list element up to, and past, its comma.
func (p *preferParser) preference() (Preference, bool) {
	name, value, ok := p.pair()
	if !ok {
		return Preference{}, false
	}
	pref := Preference{Name: name, Value: value}
	for {
		p.ows()
		if p.i >= len(p.s) {
			return pref, true
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			return pref, true
		case ';':
			p.i++
			p.ows()
			if p.i >= len(p.s) || p.s[p.i] == ',' || p.s[p.i] == ';' {
				continue // an empty parameter
			}
			pn, pv, ok := p.pair()
			if !ok {
				return Preference{}, false
			}
			pref.Params = append(pref.Params, PreferenceParam{Name: pn, Value: pv})
		default:
			return Preference{}, false
		}
	}
}

// pair reads token [ BWS "=" BWS word ].
func (p *preferParser) pair() (name, value string, ok bool) {
	name = p.token()
	if name == "" {
		return "", "", false
	}
	save := p.i
	p.ows()
	if p.i >= len(p.s) || p.s[p.i] != '=' {
		p.i = save
		return strings.ToLower(name), "", true
	}
	p.i++
	p.ows()
	if p.i < len(p.s) && p.s[p.i] == '"' {
		value, ok = p.quoted()
	} else {
		value = p.token()
		ok = value != ""
	}
	return strings.ToLower(name), value, ok
}

func (p *preferParser) token() string {
	start := p.i
	for p.i < len(p.s) && isTChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// quoted reads a quoted-string (RFC 9110 §5.6.4) and returns it unquoted.
func (p *preferParser) quoted() (string, bool) {
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), true
		case c == '\\' && p.i+1 < len(p.s) && isQuotedChar(p.s[p.i+1]):
			p.i++
			b.WriteByte(p.s[p.i])
		case isQuotedChar(c) && c != '\\':
			b.WriteByte(c)
		default:
			return "", false
		}
	}
	return "", false
}

// skipElement moves past the next comma outside a quoted string.
func (p *preferParser) skipElement() {
	quoted := false
	for ; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; {
		case quoted && c == '\\':
			p.i++
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			p.i++
			return
		}
	}
}

// ows skips optional whitespace.
func (p *preferParser) ows() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// isTChar reports whether c may appear in a token (RFC 9110 §5.6.2).
func isTChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isQuotedChar reports whether c may appear in a quoted-string, escaped or
// not: HTAB, SP, visible ASCII and obs-text.
func isQuotedChar(c byte) bool {
	return c == '\t' || c == ' ' || (0x21 <= c && c != 0x7f)
}
