// Package imagestore keeps generated and uploaded images in Redis for a
// limited time, with their owner and metadata, under a byte budget.
//
// Every image lives for the store's TTL after it was last written. The bytes
// of all live images count toward the budget; when a new image would pass
// it, the images closest to expiry (the least recently written) are evicted
// until it fits. An image larger than the whole budget is refused with
// ErrTooLarge. Eviction rather than refusal keeps the service producing
// images when the budget is spent: callers still hold the newest images,
// and an evicted image answers 404 like an expired one.
//
// All keys share one hash tag, so each write (expiry sweep, eviction,
// accounting and the image itself) is one atomic script on one Redis
// Cluster slot. This is by design: the budget is one account over every
// image, and evicting the oldest to make room must see them all. On a
// cluster the store therefore lives on one master, whose memory must hold
// IMAGE_STORE_BUDGET; images do not spread over the nodes.
package imagestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/imagefmt"
)

// Defaults for zero Config fields.
const (
	DefaultTTL    = 24 * time.Hour
	DefaultBudget = 1 << 30
)

// Errors callers branch on.
var (
	// ErrNotFound means no live image has the id (never stored, expired or
	// evicted).
	ErrNotFound = errors.New("image not found")
	// ErrTooLarge means the image alone is larger than the byte budget.
	ErrTooLarge = errors.New("image larger than the store budget")
)

// MIME types the store accepts; nothing else is ever stored or served.
var allowedMIME = map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true}

// AllowedMIME reports whether the store would keep and serve an image of
// MIME type m.
func AllowedMIME(m string) bool { return allowedMIME[m] }

var validID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidID reports whether id can name an image.
func ValidID(id string) bool { return validID.MatchString(id) }

// Config configures a Store. Zero values take the defaults noted.
type Config struct {
	Prefix   string                // key prefix, e.g. "llm:"
	TTL      time.Duration         // how long an image lives after its last write; default DefaultTTL
	Budget   int64                 // bytes of live images kept; default DefaultBudget
	Registry prometheus.Registerer // receives the llm_image_store_* metrics when set
}

// Store keeps images in Redis. It is safe for concurrent use.
type Store struct {
	rdb     redis.UniversalClient
	ttl     time.Duration
	budget  int64
	base    string // "{prefix images}:"; every key shares this hash tag
	kIndex  string // sorted set: id → expiry (ms)
	kSizes  string // hash: id → bytes
	kTotal  string // bytes of live images
	metrics *metrics
}

// New returns a store on rdb.
func New(rdb redis.UniversalClient, cfg Config) *Store {
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.Budget <= 0 {
		cfg.Budget = DefaultBudget
	}
	base := "{" + cfg.Prefix + "images}:"
	return &Store{
		rdb: rdb, ttl: cfg.TTL, budget: cfg.Budget, base: base,
		kIndex: base + "index", kSizes: base + "sizes", kTotal: base + "bytes",
		metrics: newMetrics(cfg.Registry),
	}
}

// TTL is how long an image lives after its last write.
func (s *Store) TTL() time.Duration { return s.ttl }

// Budget is the byte budget of live images.
func (s *Store) Budget() int64 { return s.budget }

func (s *Store) key(id string) string { return s.base + "img:" + id }

// PutRequest is an image to store.
type PutRequest struct {
	ID      string          // required; see ValidID
	Owner   string          // required: the caller the image belongs to
	Data    []byte          // PNG, JPEG or WebP bytes
	Meta    json.RawMessage // optional metadata kept with the image
	Created time.Time       // when the image was made
}

// Info describes a stored image, without its bytes.
type Info struct {
	ID      string
	Owner   string
	MIME    string // image/png, image/jpeg or image/webp
	Width   int
	Height  int
	Size    int64  // bytes
	SHA256  string // hex digest of the bytes
	Created time.Time
	Meta    json.RawMessage
	// TTL is how long the image has left when it was read.
	TTL time.Duration
}

// Put stores r under r.ID unless a live image already has that id, in which
// case the existing image is kept, its lifetime restarts, and created is
// false. The bytes must identify as PNG, JPEG or WebP; width, height, MIME
// type and digest are read from them. Older images are evicted when the
// budget requires it.
func (s *Store) Put(ctx context.Context, r PutRequest) (info Info, created bool, err error) {
	if !ValidID(r.ID) {
		return Info{}, false, fmt.Errorf("put image: invalid id %q", r.ID)
	}
	if r.Owner == "" {
		return Info{}, false, fmt.Errorf("put image %s: owner is required", r.ID)
	}
	id, err := imagefmt.Identify(r.Data)
	if err != nil {
		return Info{}, false, fmt.Errorf("put image %s: %w", r.ID, err)
	}
	if !allowedMIME[id.MIME] {
		return Info{}, false, fmt.Errorf("put image %s: type %s is not stored", r.ID, id.MIME)
	}
	sum := sha256.Sum256(r.Data)
	info = Info{
		ID: r.ID, Owner: r.Owner, MIME: id.MIME, Width: id.Width, Height: id.Height,
		Size: int64(len(r.Data)), SHA256: hex.EncodeToString(sum[:]), Created: r.Created.UTC(),
		Meta: r.Meta, TTL: s.ttl,
	}
	fields := []any{
		"owner", info.Owner, "mime", info.MIME, "width", info.Width, "height", info.Height,
		"size", info.Size, "sha256", info.SHA256, "created_ms", info.Created.UnixMilli(),
		"meta", []byte(info.Meta), "data", r.Data,
	}
	args := append([]any{r.ID, info.Size, s.ttl.Milliseconds(), s.budget, s.base + "img:"}, fields...)
	res, err := putScript.Run(ctx, s.rdb, []string{s.kIndex, s.kSizes, s.kTotal, s.key(r.ID)}, args...).Slice()
	if err != nil {
		return Info{}, false, fmt.Errorf("put image %s: %w", r.ID, err)
	}
	total, _ := res[1].(int64)
	evicted, _ := res[2].(int64)
	s.metrics.total(total)
	switch res[0] {
	case "too_large":
		return Info{}, false, fmt.Errorf("put image %s (%d bytes, budget %d): %w", r.ID, info.Size, s.budget, ErrTooLarge)
	case "exists":
		existing, err := s.Get(ctx, r.ID)
		if err != nil {
			return Info{}, false, fmt.Errorf("put image %s: read existing: %w", r.ID, err)
		}
		return existing, false, nil
	}
	s.metrics.written(info.Size, evicted)
	return info, true, nil
}

// Get returns the image's description without its bytes.
func (s *Store) Get(ctx context.Context, id string) (Info, error) {
	if !ValidID(id) {
		return Info{}, ErrNotFound
	}
	pipe := s.rdb.Pipeline()
	vals := pipe.HMGet(ctx, s.key(id), "owner", "mime", "width", "height", "size", "sha256", "created_ms", "meta")
	ttl := pipe.PTTL(ctx, s.key(id))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Info{}, fmt.Errorf("get image %s: %w", id, err)
	}
	v := vals.Val()
	str := func(i int) string { s, _ := v[i].(string); return s }
	num := func(i int) int64 { n, _ := strconv.ParseInt(str(i), 10, 64); return n }
	if str(0) == "" || ttl.Val() <= 0 {
		return Info{}, ErrNotFound
	}
	info := Info{
		ID: id, Owner: str(0), MIME: str(1), Width: int(num(2)), Height: int(num(3)),
		Size: num(4), SHA256: str(5), Created: time.UnixMilli(num(6)).UTC(), TTL: ttl.Val(),
	}
	if m := str(7); m != "" {
		info.Meta = json.RawMessage(m)
	}
	return info, nil
}

// Data returns the image's bytes.
func (s *Store) Data(ctx context.Context, id string) ([]byte, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	b, err := s.rdb.HGet(ctx, s.key(id), "data").Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read image %s: %w", id, err)
	}
	return b, nil
}

// Usage is what the store holds.
type Usage struct {
	Bytes  int64 // bytes of live images
	Images int64 // live images
}

// Usage sweeps expired images from the accounting and reports what is left.
func (s *Store) Usage(ctx context.Context) (Usage, error) {
	res, err := sweepScript.Run(ctx, s.rdb, []string{s.kIndex, s.kSizes, s.kTotal}, s.base+"img:").Int64Slice()
	if err != nil {
		return Usage{}, fmt.Errorf("image store usage: %w", err)
	}
	s.metrics.total(res[0])
	return Usage{Bytes: res[0], Images: res[1]}, nil
}

// storeLib is prepended to every script. KEYS[1] is the index (id →
// expiry ms), KEYS[2] the sizes, KEYS[3] the byte total; blob keys are
// ARGV-prefix .. id and share the hash tag.
const storeLib = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function drop(blobprefix, id)
  local sz = tonumber(redis.call('HGET', KEYS[2], id) or '0')
  redis.call('HDEL', KEYS[2], id)
  redis.call('ZREM', KEYS[1], id)
  redis.call('DEL', blobprefix .. id)
  return sz
end

-- sweep forgets every image past its expiry and returns the live total.
local function sweep(blobprefix, now)
  local total = tonumber(redis.call('GET', KEYS[3]) or '0')
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
    total = total - drop(blobprefix, id)
  end
  if total < 0 then total = 0 end
  return total
end
`

// putScript stores one image, evicting the oldest as the budget requires.
// KEYS: 1 index, 2 sizes, 3 total, 4 the image's key.
// ARGV: 1 id, 2 size, 3 ttl ms, 4 budget, 5 blob key prefix, 6.. fields.
// Returns {'ok'|'exists'|'too_large', total, evicted}.
var putScript = redis.NewScript(storeLib + `
local id, size, ttl, budget, bp = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local now = now_ms()
local total = sweep(bp, now)
local indexed = redis.call('ZSCORE', KEYS[1], id)
local present = redis.call('EXISTS', KEYS[4]) == 1
if indexed and present then
  redis.call('ZADD', KEYS[1], now + ttl, id)
  redis.call('PEXPIRE', KEYS[4], ttl)
  redis.call('SET', KEYS[3], string.format('%d', total))
  return {'exists', total, 0}
end
if indexed or present then
  total = math.max(total - drop(bp, id), 0)
end
if size > budget then
  redis.call('SET', KEYS[3], string.format('%d', total))
  return {'too_large', total, 0}
end
local evicted = 0
while total + size > budget do
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0)
  if #oldest == 0 then break end
  total = math.max(total - drop(bp, oldest[1]), 0)
  evicted = evicted + 1
end
local fields = {}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[4], unpack(fields))
redis.call('PEXPIRE', KEYS[4], ttl)
redis.call('ZADD', KEYS[1], now + ttl, id)
redis.call('HSET', KEYS[2], id, size)
total = total + size
redis.call('SET', KEYS[3], string.format('%d', total))
return {'ok', total, evicted}
`)

// sweepScript forgets expired images. KEYS: 1 index, 2 sizes, 3 total.
// ARGV: 1 blob key prefix. Returns {total, images}.
var sweepScript = redis.NewScript(storeLib + `
local total = sweep(ARGV[1], now_ms())
redis.call('SET', KEYS[3], string.format('%d', total))
return {total, redis.call('ZCARD', KEYS[1])}
`)

// metrics are the llm_image_store_* series; a nil *metrics records nothing.
type metrics struct {
	bytes     prometheus.Gauge
	bytesIn   prometheus.Counter
	evictions prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	if reg == nil {
		return nil
	}
	m := &metrics{
		bytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "llm_image_store_bytes",
			Help: "Bytes of live images in the image store, as of the last write or sweep.",
		}),
		bytesIn: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "llm_image_store_written_bytes_total",
			Help: "Bytes of images written to the image store.",
		}),
		evictions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "llm_image_store_evictions_total",
			Help: "Images evicted before their expiry to keep the store within its byte budget.",
		}),
	}
	reg.MustRegister(m.bytes, m.bytesIn, m.evictions)
	return m
}

func (m *metrics) total(n int64) {
	if m != nil {
		m.bytes.Set(float64(n))
	}
}

func (m *metrics) written(n, evicted int64) {
	if m != nil {
		m.bytesIn.Add(float64(n))
		m.evictions.Add(float64(evicted))
	}
}
