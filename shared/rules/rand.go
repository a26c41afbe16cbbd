package rules

import (
	"hash/fnv"
	"math/rand/v2"
)

// rng returns the random source for one decision. Each decision draws from
// its own stream, so a change to one never shifts another.
func rng(seed int64, label string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(label))
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}
