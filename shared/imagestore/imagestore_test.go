package imagestore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/imagestore"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// pngOf returns a w×h PNG whose pixels depend on seed, so sizes differ
// little between seeds.
func pngOf(tb testing.TB, w, h int, seed uint8) []byte {
	tb.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(x*7) ^ seed, G: uint8(y*13) + seed, B: uint8(x*y) ^ seed, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func newStore(rdb redis.UniversalClient, prefix string, cfg imagestore.Config) *imagestore.Store {
	cfg.Prefix = prefix
	return imagestore.New(rdb, cfg)
}

func TestPutGetData(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		s := newStore(rdb, prefix, imagestore.Config{TTL: time.Hour})
		ctx := context.Background()
		data := pngOf(t, 40, 30, 1)
		created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		info, ok, err := s.Put(ctx, imagestore.PutRequest{ID: "img_a", Owner: "alice", Data: data, Meta: json.RawMessage(`{"k":1}`), Created: created})
		if err != nil || !ok {
			t.Fatalf("Put = %v, %v; want created", ok, err)
		}
		want := imagestore.Info{
			ID: "img_a", Owner: "alice", MIME: "image/png", Width: 40, Height: 30, Size: int64(len(data)),
			SHA256: info.SHA256, Created: created, Meta: json.RawMessage(`{"k":1}`), TTL: time.Hour,
		}
		if diff := cmp.Diff(want, info); diff != "" || len(info.SHA256) != 64 {
			t.Errorf("Put info (-want +got):\n%s", diff)
		}
		got, err := s.Get(ctx, "img_a")
		if err != nil {
			t.Fatalf("Get = %v", err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateApproxTime(0), cmp.Comparer(func(a, b time.Duration) bool {
			return (a - b).Abs() < time.Minute
		})); diff != "" {
			t.Errorf("Get (-want +got):\n%s", diff)
		}
		b, err := s.Data(ctx, "img_a")
		if err != nil || !bytes.Equal(b, data) {
			t.Errorf("Data = %d bytes, %v; want the %d stored bytes", len(b), err, len(data))
		}
		u, err := s.Usage(ctx)
		if err != nil || u != (imagestore.Usage{Bytes: int64(len(data)), Images: 1}) {
			t.Errorf("Usage = %+v, %v; want %d bytes in 1 image", u, err, len(data))
		}
	})
}

func TestPutExisting(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		s := newStore(rdb, prefix, imagestore.Config{})
		ctx := context.Background()
		first := pngOf(t, 10, 10, 1)
		if _, ok, err := s.Put(ctx, imagestore.PutRequest{ID: "img_a", Owner: "alice", Data: first}); err != nil || !ok {
			t.Fatalf("Put = %v, %v", ok, err)
		}
		info, ok, err := s.Put(ctx, imagestore.PutRequest{ID: "img_a", Owner: "bob", Data: pngOf(t, 20, 20, 2)})
		if err != nil || ok {
			t.Fatalf("second Put = %v, %v; want the existing image kept", ok, err)
		}
		if info.Owner != "alice" || info.Width != 10 {
			t.Errorf("second Put info = %+v, want alice's 10x10 image", info)
		}
		if u, _ := s.Usage(ctx); u.Images != 1 || u.Bytes != int64(len(first)) {
			t.Errorf("Usage = %+v, want one image of %d bytes", u, len(first))
		}
	})
}

func TestEvictsOldestWithinBudget(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		a, b, c := pngOf(t, 32, 32, 1), pngOf(t, 32, 32, 2), pngOf(t, 32, 32, 3)
		budget := int64(len(a) + len(b) + len(c) - 1) // the third does not fit beside both
		reg := prometheus.NewRegistry()
		s := newStore(rdb, prefix, imagestore.Config{Budget: budget, Registry: reg})
		ctx := context.Background()
		for i, d := range [][]byte{a, b, c} {
			id := []string{"img_a", "img_b", "img_c"}[i]
			if _, _, err := s.Put(ctx, imagestore.PutRequest{ID: id, Owner: "o", Data: d}); err != nil {
				t.Fatalf("Put(%s) = %v", id, err)
			}
		}
		if _, err := s.Get(ctx, "img_a"); !errors.Is(err, imagestore.ErrNotFound) {
			t.Errorf("Get(oldest) = %v, want ErrNotFound (evicted)", err)
		}
		for _, id := range []string{"img_b", "img_c"} {
			if _, err := s.Get(ctx, id); err != nil {
				t.Errorf("Get(%s) = %v, want it kept", id, err)
			}
		}
		u, err := s.Usage(ctx)
		if err != nil || u.Bytes != int64(len(b)+len(c)) || u.Images != 2 || u.Bytes > budget {
			t.Errorf("Usage = %+v, %v; want the two newest within %d bytes", u, err, budget)
		}
		if got := metric(t, reg, "llm_image_store_evictions_total"); got != 1 {
			t.Errorf("evictions = %v, want 1", got)
		}
		if got := metric(t, reg, "llm_image_store_bytes"); got != float64(u.Bytes) {
			t.Errorf("bytes gauge = %v, want %d", got, u.Bytes)
		}
	})
}

// metric reads an unlabelled counter or gauge from reg.
func metric(tb testing.TB, reg *prometheus.Registry, name string) float64 {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			m := mf.GetMetric()[0]
			return m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	tb.Fatalf("metric %s not registered", name)
	return 0
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		small := pngOf(t, 8, 8, 1)
		s := newStore(rdb, prefix, imagestore.Config{Budget: int64(len(small))})
		ctx := context.Background()
		tests := []struct {
			name string
			req  imagestore.PutRequest
			want error
		}{
			{"larger than the budget", imagestore.PutRequest{ID: "img_big", Owner: "o", Data: pngOf(t, 64, 64, 2)}, imagestore.ErrTooLarge},
			{"not an image", imagestore.PutRequest{ID: "img_zip", Owner: "o", Data: []byte("PK\x03\x04 zip")}, nil},
			{"bad id", imagestore.PutRequest{ID: "../x", Owner: "o", Data: small}, nil},
			{"no owner", imagestore.PutRequest{ID: "img_x", Data: small}, nil},
		}
		for _, tc := range tests {
			_, _, err := s.Put(ctx, tc.req)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("%s: Put = %v, want an error (%v)", tc.name, err, tc.want)
			}
		}
		if u, _ := s.Usage(ctx); u.Images != 0 || u.Bytes != 0 {
			t.Errorf("Usage = %+v, want nothing stored", u)
		}
		if _, err := s.Data(ctx, "img_missing"); !errors.Is(err, imagestore.ErrNotFound) {
			t.Errorf("Data(missing) = %v, want ErrNotFound", err)
		}
	})
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		s := newStore(rdb, prefix, imagestore.Config{TTL: 100 * time.Millisecond})
		ctx := context.Background()
		if _, _, err := s.Put(ctx, imagestore.PutRequest{ID: "img_a", Owner: "o", Data: pngOf(t, 8, 8, 1)}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, err := s.Get(ctx, "img_a")
			if errors.Is(err, imagestore.ErrNotFound) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("image still there after 10s (%v)", err)
			}
			time.Sleep(10 * time.Millisecond)
		}
		u, err := s.Usage(ctx)
		if err != nil || u != (imagestore.Usage{}) {
			t.Errorf("Usage after expiry = %+v, %v; want empty", u, err)
		}
	})
}

// TestKeysShareOneSlot: the budget's keys and the images live on one Redis
// Cluster slot, so that a put, its evictions and the accounting are one
// script.
func TestKeysShareOneSlot(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.NewCluster(t)
	s := newStore(rdb, prefix, imagestore.Config{})
	ctx := context.Background()
	for i, id := range []string{"img_a", "img_b", "img_c"} {
		if _, _, err := s.Put(ctx, imagestore.PutRequest{ID: id, Owner: "o" + id, Data: pngOf(t, 8, 8, uint8(i))}); err != nil {
			t.Fatalf("Put(%s) = %v", id, err)
		}
	}
	keys := redistest.Keys(t, rdb, "*"+prefix+"*")
	if slots := redistest.Slots(t, rdb, keys); len(keys) != 6 || len(slots) != 1 {
		t.Errorf("keys %v on slots %v, want 3 images and 3 budget keys on one slot", keys, slots)
	}
}
