package imagefmt

import (
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the committed fuzz seed corpus in testdata/fuzz")

// FuzzSniff checks that Sniff never panics, only fails with *Error, and only
// accepts images within the limits. Seeds live in testdata/fuzz/FuzzSniff.
func FuzzSniff(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := Sniff(b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !(errors.Is(err, ErrInvalid) || errors.Is(err, ErrTooLarge)) {
				t.Fatalf("Sniff error = %#v, want *Error wrapping ErrInvalid or ErrTooLarge", err)
			}
			return
		}
		if info.Width < 1 || info.Width > MaxSide || info.Height < 1 || info.Height > MaxSide {
			t.Fatalf("Sniff = %dx%d, want sides in 1..%d", info.Width, info.Height, MaxSide)
		}
		if info.Size != len(b) || info.Size > MaxDecodedBytes {
			t.Fatalf("Sniff size = %d, want %d and at most %d", info.Size, len(b), MaxDecodedBytes)
		}
		switch info.Format + " " + info.MIME {
		case "png image/png", "jpeg image/jpeg", "webp image/webp":
		default:
			t.Fatalf("Sniff format = %q %q, want a known pair", info.Format, info.MIME)
		}
	})
}

// FuzzDecodeBase64 checks that DecodeBase64 never panics, never returns
// more than MaxDecodedBytes, and round-trips what standard base64 encodes.
// Seeds live in testdata/fuzz/FuzzDecodeBase64.
func FuzzDecodeBase64(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeBase64(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("DecodeBase64(%q) error = %#v, want *Error", s, err)
			}
		} else if len(b) == 0 || len(b) > MaxDecodedBytes {
			t.Fatalf("DecodeBase64(%q) = %d bytes, want 1..%d", s, len(b), MaxDecodedBytes)
		}
		if s == "" {
			return
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
			got, err := DecodeBase64(enc.EncodeToString([]byte(s)))
			if err != nil || !bytes.Equal(got, []byte(s)) {
				t.Fatalf("DecodeBase64(encode(%q)) = %q, %v; want the input back", s, got, err)
			}
		}
	})
}

type seed struct {
	name  string
	value []byte
	// valid says whether Sniff (for FuzzSniff seeds) or DecodeBase64 (for
	// FuzzDecodeBase64 seeds) accepts the seed.
	valid bool
}

func sniffSeeds(tb testing.TB) []seed {
	return []seed{
		{"png_tiny", pngBytes(tb, 4, 4), true},
		{"jpeg_tiny", jpegBytes(tb, 4, 4), true},
		{"webp_lossless", webpLossless, true},
		{"webp_lossy", webpLossy, true},
		{"webp_extended", webpExtended, true},
		{"zip_header", zipHeader, false},
		{"png_bomb", pngBomb(), false},
		{"jpeg_bomb", jpegBomb(tb), false},
		{"webp_bomb", webpBomb(), false},
	}
}

func base64Seeds(tb testing.TB) []seed {
	png := pngBytes(tb, 2, 2)
	std := base64.StdEncoding.EncodeToString(png)
	return []seed{
		{"std", []byte(std), true},
		{"raw", []byte(base64.RawStdEncoding.EncodeToString(png)), true},
		{"data_url", []byte("data:image/png;base64," + std), true},
		{"wrapped", []byte(wrap(std, 16)), true},
		{"invalid", []byte("not*base64!"), false},
		{"empty_data_url", []byte("data:image/png;base64,"), false},
	}
}

// TestFuzzCorpus checks the committed seed corpus: every seed is there and
// is still accepted or refused as intended. With -update it rewrites it.
func TestFuzzCorpus(t *testing.T) {
	t.Parallel()
	targets := []struct {
		name   string
		kind   string // the value's type in the corpus file
		seeds  []seed
		accept func([]byte) bool
	}{
		{"FuzzSniff", "[]byte", sniffSeeds(t), func(b []byte) bool { _, err := Sniff(b); return err == nil }},
		{"FuzzDecodeBase64", "string", base64Seeds(t), func(b []byte) bool { _, err := DecodeBase64(string(b)); return err == nil }},
	}
	for _, tg := range targets {
		dir := filepath.Join("testdata", "fuzz", tg.name)
		for _, sd := range tg.seeds {
			path := filepath.Join(dir, sd.name)
			if *update {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				content := fmt.Sprintf("go test fuzz v1\n%s(%q)\n", tg.kind, sd.value)
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := readCorpusFile(path, tg.kind)
			if err != nil {
				t.Errorf("seed %s: %v (run go test -run TestFuzzCorpus -update)", path, err)
				continue
			}
			if ok := tg.accept(got); ok != sd.valid {
				t.Errorf("%s(seed %s) accepted = %v, want %v", tg.name, sd.name, ok, sd.valid)
			}
		}
	}
}

func readCorpusFile(path, kind string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		return nil, fmt.Errorf("not a one-value fuzz corpus file")
	}
	lit, ok := strings.CutPrefix(lines[1], kind+"(")
	lit, ok2 := strings.CutSuffix(lit, ")")
	if !ok || !ok2 {
		return nil, fmt.Errorf("value is not a %s", kind)
	}
	s, err := strconv.Unquote(lit)
	if err != nil {
		return nil, fmt.Errorf("unquote value: %w", err)
	}
	return []byte(s), nil
}
