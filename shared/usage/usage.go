// Package usage keeps per-caller, per-day, per-model usage in Redis —
// requests, tokens, images and estimated cost — and answers quota checks.
// Rows are kept for 90 days.
package usage

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Retention is how long a day's usage is kept.
const Retention = 90 * 24 * time.Hour

// micro converts dollars to the integer micro-dollars stored in Redis.
const micro = 1_000_000

// Record is one unit of usage to add.
type Record struct {
	Caller           string
	Model            string // e.g. "gpt-4o", "offline", "getimg/stable-diffusion-xl"
	Requests         int64
	PromptTokens     int64
	CompletionTokens int64
	Images           int64
	CostUSD          float64
}

// Row is the usage of one caller, day and model.
type Row struct {
	Date             string  `json:"date"`
	Caller           string  `json:"caller,omitempty"`
	Model            string  `json:"model"`
	Requests         int64   `json:"requests"`
	PromptTokens     int64   `json:"prompt_tokens"`
	CompletionTokens int64   `json:"completion_tokens"`
	TotalTokens      int64   `json:"total_tokens"`
	Images           int64   `json:"images"`
	CostUSD          float64 `json:"cost_usd"`
}

// Totals sums rows.
type Totals struct {
	Requests         int64   `json:"requests"`
	PromptTokens     int64   `json:"prompt_tokens"`
	CompletionTokens int64   `json:"completion_tokens"`
	TotalTokens      int64   `json:"total_tokens"`
	Images           int64   `json:"images"`
	CostUSD          float64 `json:"cost_usd"`
}

// Store keeps usage in Redis.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	now    func() time.Time
}

// New returns a store whose keys start with prefix. now may be nil.
func New(rdb redis.UniversalClient, prefix string, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{rdb: rdb, prefix: prefix, now: now}
}

// Day formats t's UTC date.
func Day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// dayKey is a caller's row of a day. Its hash tag is the caller, so rows
// spread over a Redis Cluster's slots.
func (s *Store) dayKey(caller, day string) string {
	return s.prefix + "usage:{" + caller + "}:" + day
}

// callersKey is the set of the callers seen on a day.
func (s *Store) callersKey(day string) string { return s.prefix + "usage:callers:" + day }

// Add records usage for today (UTC) in one round trip.
func (s *Store) Add(ctx context.Context, r Record) error {
	return s.AddWith(ctx, []Record{r}, nil)
}

// AddWith records rs for today (UTC) and runs the commands that with (when
// not nil) adds, all in one pipelined round trip (one per node on a Redis
// Cluster). It is not a transaction: each caller's row hashes to a slot of
// its own (its hash tag is the caller), the day's caller index and with's
// commands to others, and a cluster refuses a transaction across slots. A
// failure may leave part written; each command is an increment or an
// overwrite, so nothing is counted twice.
func (s *Store) AddWith(ctx context.Context, rs []Record, with func(redis.Pipeliner)) error {
	pipe := s.rdb.Pipeline()
	day := Day(s.now())
	for _, r := range rs {
		s.stage(ctx, pipe, day, r)
	}
	if with != nil {
		with(pipe)
	}
	if pipe.Len() == 0 {
		return nil
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("record usage: %w", err)
	}
	return nil
}

func (s *Store) stage(ctx context.Context, pipe redis.Pipeliner, day string, r Record) {
	key := s.dayKey(r.Caller, day)
	m := r.Model
	add := func(field string, n int64) {
		if n != 0 {
			pipe.HIncrBy(ctx, key, m+"|"+field, n)
			pipe.HIncrBy(ctx, key, "*|"+field, n)
		}
	}
	add("requests", r.Requests)
	add("prompt_tokens", r.PromptTokens)
	add("completion_tokens", r.CompletionTokens)
	add("images", r.Images)
	add("cost_micro", int64(math.Round(r.CostUSD*micro)))
	pipe.Expire(ctx, key, Retention)
	pipe.SAdd(ctx, s.callersKey(day), r.Caller)
	pipe.Expire(ctx, s.callersKey(day), Retention)
}

// Today returns caller's totals for today (UTC) over all models.
func (s *Store) Today(ctx context.Context, caller string) (Totals, error) {
	vals, err := s.rdb.HMGet(ctx, s.dayKey(caller, Day(s.now())),
		"*|requests", "*|prompt_tokens", "*|completion_tokens", "*|images", "*|cost_micro").Result()
	if err != nil {
		return Totals{}, fmt.Errorf("read usage: %w", err)
	}
	n := func(i int) int64 {
		v, _ := vals[i].(string)
		x, _ := strconv.ParseInt(v, 10, 64)
		return x
	}
	t := Totals{Requests: n(0), PromptTokens: n(1), CompletionTokens: n(2), Images: n(3), CostUSD: float64(n(4)) / micro}
	t.TotalTokens = t.PromptTokens + t.CompletionTokens
	return t, nil
}

// UntilMidnight is how long until the UTC day ends, when daily quotas reset.
func (s *Store) UntilMidnight() time.Duration {
	now := s.now().UTC()
	next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	return next.Sub(now)
}

// Query returns usage rows of callers between from and to (inclusive, UTC
// dates), one per caller, day and model. An empty callers list means every
// caller seen on each day.
func (s *Store) Query(ctx context.Context, callers []string, from, to time.Time) ([]Row, Totals, error) {
	var rows []Row
	var tot Totals
	from, to = midnight(from), midnight(to)
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		day := Day(d)
		who := callers
		if len(who) == 0 {
			var err error
			if who, err = s.rdb.SMembers(ctx, s.callersKey(day)).Result(); err != nil {
				return nil, tot, fmt.Errorf("read usage callers: %w", err)
			}
			slices.Sort(who)
		}
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.MapStringStringCmd, len(who))
		for i, c := range who {
			cmds[i] = pipe.HGetAll(ctx, s.dayKey(c, day))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, tot, fmt.Errorf("read usage: %w", err)
		}
		for i, cmd := range cmds {
			byModel := map[string]*Row{}
			for field, v := range cmd.Val() {
				model, name, ok := strings.Cut(field, "|")
				if !ok || model == "*" {
					continue
				}
				n, _ := strconv.ParseInt(v, 10, 64)
				r := byModel[model]
				if r == nil {
					r = &Row{Date: day, Caller: who[i], Model: model}
					byModel[model] = r
				}
				switch name {
				case "requests":
					r.Requests = n
				case "prompt_tokens":
					r.PromptTokens = n
				case "completion_tokens":
					r.CompletionTokens = n
				case "images":
					r.Images = n
				case "cost_micro":
					r.CostUSD = float64(n) / micro
				}
			}
			models := make([]string, 0, len(byModel))
			for m := range byModel {
				models = append(models, m)
			}
			slices.Sort(models)
			for _, m := range models {
				r := byModel[m]
				r.TotalTokens = r.PromptTokens + r.CompletionTokens
				rows = append(rows, *r)
				tot.Requests += r.Requests
				tot.PromptTokens += r.PromptTokens
				tot.CompletionTokens += r.CompletionTokens
				tot.TotalTokens += r.TotalTokens
				tot.Images += r.Images
				tot.CostUSD += r.CostUSD
			}
		}
	}
	tot.CostUSD = math.Round(tot.CostUSD*micro) / micro
	return rows, tot, nil
}

func midnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Prices maps a model to its USD price per million prompt and completion
// tokens.
type Prices map[string][2]float64

// DefaultPrices covers the default model chain.
var DefaultPrices = Prices{
	"gpt-4o":      {2.50, 10.00},
	"gpt-4o-mini": {0.15, 0.60},
}

// ParsePrices reads "model=prompt:completion,..." (USD per million tokens)
// over the defaults.
func ParsePrices(s string) (Prices, error) {
	p := Prices{}
	for k, v := range DefaultPrices {
		p[k] = v
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		model, price, ok := strings.Cut(part, "=")
		in, out, ok2 := strings.Cut(price, ":")
		if !ok || !ok2 {
			return nil, fmt.Errorf("%q: want model=prompt:completion", part)
		}
		a, err1 := strconv.ParseFloat(strings.TrimSpace(in), 64)
		b, err2 := strconv.ParseFloat(strings.TrimSpace(out), 64)
		if err1 != nil || err2 != nil || a < 0 || b < 0 {
			return nil, fmt.Errorf("%q: prices must be non-negative numbers", part)
		}
		p[strings.TrimSpace(model)] = [2]float64{a, b}
	}
	return p, nil
}

// Cost estimates the USD cost of tokens on model (0 for unknown models).
func (p Prices) Cost(model string, prompt, completion int64) float64 {
	pr, ok := p[model]
	if !ok {
		return 0
	}
	return (float64(prompt)*pr[0] + float64(completion)*pr[1]) / 1e6
}
