package encounter

import (
	"fmt"
	"slices"
)

// Trap severities, from the DMG: a setback is unlikely to kill, a
// dangerous trap can badly hurt, a deadly one can kill.
const (
	Setback   = "setback"
	Dangerous = "dangerous"
	// DeadlyTrap is spelled like the Deadly encounter label.
	DeadlyTrap = "deadly"
)

var severities = []string{Setback, Dangerous, DeadlyTrap}

// Severities lists the trap severities from mildest to worst.
func Severities() []string { return slices.Clone(severities) }

// trapDC holds the DMG's save DC ranges per severity.
var trapDC = map[string][2]int{Setback: {10, 11}, Dangerous: {12, 15}, DeadlyTrap: {16, 20}}

// trapDamage holds the DMG's damage dice per tier (levels 1–4, 5–10,
// 11–16, 17–20) and severity.
var trapDamage = [4][3]string{
	{"1d10", "2d10", "4d10"},
	{"2d10", "4d10", "10d10"},
	{"4d10", "10d10", "18d10"},
	{"10d10", "18d10", "24d10"},
}

// TrapDC returns the range of save or check DCs for a severity.
func TrapDC(severity string) (lo, hi int, err error) {
	r, ok := trapDC[severity]
	if !ok {
		return 0, 0, fmt.Errorf("encounter: unknown trap severity %q", severity)
	}
	return r[0], r[1], nil
}

// TrapDamage returns the damage dice of a trap of the severity for
// characters of the level (levels outside 1–20 count as the nearest).
func TrapDamage(level int, severity string) (string, error) {
	i := slices.Index(severities, severity)
	if i < 0 {
		return "", fmt.Errorf("encounter: unknown trap severity %q", severity)
	}
	l := min(max(level, 1), 20)
	tier := 0
	switch {
	case l >= 17:
		tier = 3
	case l >= 11:
		tier = 2
	case l >= 5:
		tier = 1
	}
	return trapDamage[tier][i], nil
}

// TrapDamageAllowed reports whether dice is the DMG damage of the severity
// at some tier.
func TrapDamageAllowed(severity, dice string) bool {
	i := slices.Index(severities, severity)
	if i < 0 {
		return false
	}
	for _, row := range trapDamage {
		if row[i] == dice {
			return true
		}
	}
	return false
}
