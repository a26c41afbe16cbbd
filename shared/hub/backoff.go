package hub

import (
	"context"
	"math/rand/v2"
	"time"
)

// backoff is a capped exponential delay with equal jitter.
type backoff struct {
	start, cap time.Duration
	jitter     func(time.Duration) time.Duration // returns a value in [0, d]
}

// delay returns the wait before attempt n+1 after n consecutive failures
// (n >= 1): start·2^(n-1) capped at cap, of which the upper half is random.
func (b backoff) delay(n int) time.Duration {
	d := b.start
	for i := 1; i < n && d < b.cap; i++ {
		d *= 2
	}
	d = min(d, b.cap)
	half := d / 2
	j := b.jitter
	if j == nil {
		j = randomJitter
	}
	return d - half + min(j(half), half)
}

func randomJitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}

// wait blocks for d using after, or until ctx is done. It reports whether
// the full delay elapsed.
func wait(ctx context.Context, after func(time.Duration) <-chan time.Time, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-after(d):
		return true
	}
}
