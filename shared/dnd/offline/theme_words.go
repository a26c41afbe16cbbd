package offline

import "strings"

// themeFunctionWords are the words of a campaign theme that carry no content of
// their own ("a haunted forest where the trees walk"): naming them as
// ignored in a warning is noise.
var themeFunctionWords = themeWordSet(`about above across after again against all along also although am among an and another any
are around as at away be because been before behind being below beneath beside besides between beyond both but by can
cannot could did do does doing done down during each either else ever every few for from get gets getting go goes going
gone got had has have having he her here hers herself him himself his how however i if in inside into is it its itself
just least less like made make makes many may me might more most much must my near neither never no nor not now of off
often on once only onto or other others our ours out outside over own per rather same several shall she should since so
some still such than that the their theirs them themselves then there these they this those though through throughout
till to too toward towards under underneath until up upon us very via was we well went were what whatever when whenever
where wherever whether which while who whoever whom whose why will with within without would yet you your yours
wrong wrongs right bad badly good new old big small goes came come comes coming become becomes became turns turned
gets got begins began starts started happens happened`)

func themeWordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// isFunctionWord reports whether w is a function word or a verb of no
// content ("goes", "wrong"), whatever its case.
func isFunctionWord(w string) bool { return themeFunctionWords[strings.ToLower(w)] }
