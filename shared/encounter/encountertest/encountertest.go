// Package encountertest holds a second, independently typed copy of the
// DMG encounter tables and the SRD XP by challenge rating, so tests can
// check labels without trusting the code they test.
package encountertest

// thresholds are the DMG's XP thresholds per character: easy, medium,
// hard, deadly, by level.
var thresholds = map[int][4]int{
	1: {25, 50, 75, 100}, 2: {50, 100, 150, 200}, 3: {75, 150, 225, 400}, 4: {125, 250, 375, 500},
	5: {250, 500, 750, 1100}, 6: {300, 600, 900, 1400}, 7: {350, 750, 1100, 1700}, 8: {450, 900, 1400, 2100},
	9: {550, 1100, 1600, 2400}, 10: {600, 1200, 1900, 2800}, 11: {800, 1600, 2400, 3600}, 12: {1000, 2000, 3000, 4500},
	13: {1100, 2200, 3400, 5100}, 14: {1250, 2500, 3800, 5700}, 15: {1400, 2800, 4300, 6400}, 16: {1600, 3200, 4800, 7200},
	17: {2000, 3900, 5900, 8800}, 18: {2100, 4200, 6300, 9500}, 19: {2400, 4900, 7300, 10900}, 20: {2800, 5700, 8500, 12700},
}

// XP is the experience a monster of each challenge rating is worth.
var XP = map[string]int{
	"0": 10, "1/8": 25, "1/4": 50, "1/2": 100, "1": 200, "2": 450, "3": 700, "4": 1100, "5": 1800,
	"6": 2300, "7": 2900, "8": 3900, "9": 5000, "10": 5900, "11": 7200, "12": 8400, "13": 10000,
	"14": 11500, "15": 13000, "16": 15000, "17": 18000, "18": 20000, "19": 22000, "20": 25000,
	"21": 33000, "22": 41000, "23": 50000, "24": 62000, "25": 75000, "26": 90000, "27": 105000,
	"28": 120000, "29": 135000, "30": 155000,
}

// Thresholds sums the party's thresholds: easy, medium, hard, deadly.
func Thresholds(levels []int) [4]int {
	var sum [4]int
	for _, l := range levels {
		for i, v := range thresholds[l] {
			sum[i] += v
		}
	}
	return sum
}

// Label computes the adjusted XP and the difficulty of count monsters
// worth base XP in total against a party: the multiplier ladder ×1, ×1.5,
// ×2 (3–6), ×2.5 (7–10), ×3 (11–14), ×4 (15+), one step up under three
// characters and one down (to ×0.5) at six or more; halves round up;
// below easy is "trivial".
func Label(levels []int, count, base int) (adjusted int, label string) {
	ladder := []float64{0.5, 1, 1.5, 2, 2.5, 3, 4, 5}
	step := 0
	switch {
	case count == 1:
		step = 1
	case count == 2:
		step = 2
	case count >= 3 && count <= 6:
		step = 3
	case count >= 7 && count <= 10:
		step = 4
	case count >= 11 && count <= 14:
		step = 5
	case count >= 15:
		step = 6
	}
	if len(levels) < 3 {
		step++
	}
	if len(levels) >= 6 {
		step--
	}
	x2 := int(float64(base) * ladder[step] * 2) // exact: the ladder is in halves
	adjusted = (x2 + 1) / 2
	sum := Thresholds(levels)
	label = "trivial"
	for i, name := range []string{"easy", "medium", "hard", "deadly"} {
		if adjusted >= sum[i] {
			label = name
		}
	}
	return adjusted, label
}
