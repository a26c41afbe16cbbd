package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/auth"
)

// harness is what every row shares: the Redis, this run's key prefix, the
// fake provider, the HTTP client, the service binary and the processes
// started.
type harness struct {
	opts     options
	root     string // module root
	tmp      string
	redisURL string
	rdb      *redis.Client
	prefix   string
	secret   string
	token    string
	fake     *fakeOpenAI
	hc       *http.Client
	bin      string
	seed     atomic.Int64

	mu    sync.Mutex
	procs []*proc
}

func newHarness(ctx context.Context, o options) (*harness, error) {
	opt, err := redis.ParseURL(o.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("-redis: %w", err)
	}
	rdb := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis at %s does not answer: %w", opt.Addr, err)
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		rdb.Close()
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "loadtest-")
	if err != nil {
		rdb.Close()
		return nil, err
	}
	h := &harness{
		opts: o, root: root, tmp: tmp, redisURL: o.RedisURL, rdb: rdb,
		prefix: "lt" + randHex(5) + ":", secret: randHex(48), hc: newHTTPClient(),
	}
	h.token, err = auth.Mint(h.secret, "loadtest", nil, 2*time.Hour, time.Now(), "", "")
	if err != nil {
		h.close()
		return nil, err
	}
	if h.fake, err = startFakeOpenAI(ctx); err != nil {
		h.close()
		return nil, err
	}
	return h, nil
}

// buildService builds the service binary once (or takes -bin).
func (h *harness) buildService(ctx context.Context) error {
	if h.bin != "" {
		return nil
	}
	if h.opts.Bin != "" {
		abs, err := filepath.Abs(h.opts.Bin)
		if err != nil {
			return err
		}
		h.bin = abs
		return nil
	}
	bin := filepath.Join(h.tmp, "dnd-llm-service")
	fmt.Fprintln(h.opts.Log, "loadtest: building the service")
	if err := goBuild(ctx, h.root, nil, "-o", bin, "."); err != nil {
		return err
	}
	h.bin = bin
	return nil
}

// close stops every process, deletes this run's keys and the temp dir.
func (h *harness) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.procs {
		p.stop(5 * time.Second)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := flushPrefix(ctx, h.rdb, h.prefix); err != nil {
		fmt.Fprintf(h.opts.Log, "loadtest: deleting keys under %s: %v\n", h.prefix, err)
	}
	h.rdb.Close()
	if h.fake != nil {
		h.fake.srv.Close()
	}
	h.hc.CloseIdleConnections()
	os.RemoveAll(h.tmp)
}

// flushPrefix deletes every key containing prefix (queue keys wrap it in a
// hash tag).
func flushPrefix(ctx context.Context, rdb *redis.Client, prefix string) error {
	iter := rdb.Scan(ctx, 0, "*"+prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return rdb.Unlink(ctx, batch...).Err()
	}
	return nil
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// characterBody is a text request; a new seed makes a new cache key. The
// character is the same at every seed, so the fake's one answer
// (testdata/character_personality.json) is about the right person.
func characterBody(seed int64) []byte {
	return []byte(`{"type":"personality","parameters":{"character_class":"Cleric","character_race":"Dwarf","character_level":3,` +
		`"alignment":"lawful good","background":"Acolyte","name":"Brenna Stonehelm","pronouns":"she/her"},"seed":` +
		strconv.FormatInt(seed, 10) + `}`)
}

// textHeader is the header of a text request from the caller of token.
func textHeader(token string) http.Header {
	return http.Header{
		"Authorization": {"Bearer " + token},
		"Content-Type":  {"application/json"},
	}
}

// textCall posts a character request with a fresh seed to s and accepts a
// 200 whose X-Cache is want.
func (h *harness) textCall(s *service, wantCache string) call {
	url := s.url + "/api/v2/text/character"
	hdr := textHeader(h.token)
	return func(ctx context.Context, _ int64) (bool, int, error) {
		a, err := post(ctx, h.hc, url, characterBody(h.seed.Add(1)), hdr)
		if err != nil {
			return false, 0, err
		}
		if a.Status != http.StatusOK {
			return false, a.Status, nil
		}
		if got := a.Header.Get("X-Cache"); got != wantCache {
			return false, a.Status, fmt.Errorf("X-Cache = %q, want %q", got, wantCache)
		}
		return true, a.Status, nil
	}
}

// sameCall posts the same body every time and accepts a 200 cache hit.
func (h *harness) sameCall(s *service, body []byte) call {
	url := s.url + "/api/v2/text/character"
	hdr := textHeader(h.token)
	return func(ctx context.Context, _ int64) (bool, int, error) {
		a, err := post(ctx, h.hc, url, body, hdr)
		if err != nil {
			return false, 0, err
		}
		if a.Status != http.StatusOK {
			return false, a.Status, nil
		}
		if a.Header.Get("X-Cache") != "HIT" {
			return false, a.Status, fmt.Errorf("X-Cache = %q, want HIT", a.Header.Get("X-Cache"))
		}
		return true, a.Status, nil
	}
}

// directCall posts body straight to the fake provider, as the service's
// OpenAI client does.
func (h *harness) directCall(body []byte) call {
	url := h.fake.url + "/chat/completions"
	hdr := http.Header{"Authorization": {"Bearer x"}, "Content-Type": {"application/json"}}
	return func(ctx context.Context, _ int64) (bool, int, error) {
		a, err := post(ctx, h.hc, url, body, hdr)
		if err != nil {
			return false, 0, err
		}
		return a.Status == http.StatusOK, a.Status, nil
	}
}

// measureCell drives fn with clients, recording the CPU each party used.
func (h *harness) measureCell(ctx context.Context, pids []int, clients int, fn call) cell {
	warm := 5
	if h.opts.Smoke {
		warm = 1
	}
	m := cpuMeter{rdb: h.rdb, pids: pids}
	// The snapshots bracket the measured part only; drive's warm-up runs
	// first, so run it separately.
	drive(ctx, clients, h.opts.Duration, 0, warm, fn)
	before, conns := m.snap(ctx), h.fake.Conns()
	c := drive(ctx, clients, h.opts.Duration, h.opts.MaxPerCell, 0, fn)
	c.CPU = before.to(m.snap(ctx))
	c.ProviderConns = h.fake.Conns() - conns
	return c
}
