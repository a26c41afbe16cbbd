package imagefmt

import (
	"bytes"
	"encoding/base64"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSniff(t *testing.T) {
	t.Parallel()
	pngImg := pngBytes(t, 64, 48)
	jpegImg := jpegBytes(t, 32, 16)
	tests := []struct {
		name    string
		in      []byte
		want    Info
		wantErr error
		reason  string
	}{
		{name: "png", in: pngImg, want: Info{Format: "png", MIME: "image/png", Width: 64, Height: 48, Size: len(pngImg)}},
		{name: "jpeg", in: jpegImg, want: Info{Format: "jpeg", MIME: "image/jpeg", Width: 32, Height: 16, Size: len(jpegImg)}},
		{name: "webp lossless", in: webpLossless, want: Info{Format: "webp", MIME: "image/webp", Width: 1, Height: 1, Size: len(webpLossless)}},
		{name: "webp lossy", in: webpLossy, want: Info{Format: "webp", MIME: "image/webp", Width: 1, Height: 1, Size: len(webpLossy)}},
		{name: "webp extended", in: webpExtended, want: Info{Format: "webp", MIME: "image/webp", Width: 1, Height: 1, Size: len(webpExtended)}},
		{name: "largest side", in: pngBytes(t, MaxSide, 1), want: Info{Format: "png", MIME: "image/png", Width: MaxSide, Height: 1, Size: len(pngBytes(t, MaxSide, 1))}},
		{name: "empty", in: nil, wantErr: ErrInvalid, reason: "image is empty"},
		{name: "zip", in: zipHeader, wantErr: ErrInvalid, reason: "not a PNG, JPEG or WebP image"},
		{name: "gif", in: []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), wantErr: ErrInvalid, reason: "not a PNG, JPEG or WebP image"},
		{name: "text", in: []byte("hello"), wantErr: ErrInvalid, reason: "not a PNG, JPEG or WebP image"},
		{name: "png signature only", in: magicPNG, wantErr: ErrInvalid, reason: "PNG image header is damaged or unsupported"},
		{name: "png truncated in header", in: pngImg[:20], wantErr: ErrInvalid, reason: "PNG image header is damaged or unsupported"},
		{name: "png truncated before IEND", in: pngImg[:len(pngImg)-12], wantErr: ErrInvalid, reason: "PNG image is truncated"},
		{name: "jpeg truncated in header", in: jpegImg[:30], wantErr: ErrInvalid, reason: "JPEG image header is damaged or unsupported"},
		{name: "jpeg truncated before EOI", in: jpegImg[:len(jpegImg)-2], wantErr: ErrInvalid, reason: "JPEG image is truncated"},
		{name: "webp truncated", in: webpLossy[:len(webpLossy)-4], wantErr: ErrInvalid, reason: "WebP image is truncated"},
		{name: "webp header only", in: webpLossy[:12], wantErr: ErrInvalid, reason: "WebP image is truncated"},
		{name: "png too wide", in: pngBytes(t, MaxSide+1, 1), wantErr: ErrInvalid, reason: "image is 4097x1 pixels; each side must be at most 4096"},
		{name: "png bomb", in: pngBomb(), wantErr: ErrInvalid, reason: "image is 100000x100000 pixels; each side must be at most 4096"},
		{name: "jpeg bomb", in: jpegBomb(t), wantErr: ErrInvalid, reason: "image is 65000x65000 pixels; each side must be at most 4096"},
		{name: "webp bomb", in: webpBomb(), wantErr: ErrInvalid, reason: "image is 16384x16384 pixels; each side must be at most 4096"},
		{name: "too big", in: append(append([]byte(nil), pngImg...), make([]byte, MaxDecodedBytes)...), wantErr: ErrTooLarge, reason: "image is larger than 10 MiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Sniff(tc.in)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Sniff(%s) error = %v, want nil", tc.name, err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("Sniff(%s) mismatch (-want +got):\n%s", tc.name, diff)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Sniff(%s) error = %v, want %v", tc.name, err, tc.wantErr)
			}
			if err.Error() != tc.reason {
				t.Errorf("Sniff(%s) error = %q, want %q", tc.name, err.Error(), tc.reason)
			}
			if got != (Info{}) {
				t.Errorf("Sniff(%s) info = %+v, want zero on error", tc.name, got)
			}
		})
	}
}

// TestSniffBombAllocations checks that a header claiming huge dimensions is
// refused without allocating anything in proportion to them. It does not
// run in parallel so that the allocation counter sees only this work.
func TestSniffBombAllocations(t *testing.T) {
	for name, b := range map[string][]byte{"png": pngBomb(), "jpeg": jpegBomb(t), "webp": webpBomb()} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 10 {
			if _, err := Sniff(b); err == nil {
				t.Fatalf("Sniff(%s bomb) error = nil, want refusal", name)
			}
		}
		runtime.ReadMemStats(&after)
		if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
			t.Errorf("Sniff(%s bomb) x10 allocated %d bytes, want under 1 MiB", name, got)
		}
	}
}

func TestDecodeBase64(t *testing.T) {
	t.Parallel()
	raw := pngBytes(t, 8, 8)
	std := base64.StdEncoding.EncodeToString(raw)
	wrapped := wrap(std, 76)
	tests := []struct {
		name    string
		in      string
		want    []byte
		wantErr error
		reason  string
	}{
		{name: "std", in: std, want: raw},
		{name: "raw std", in: base64.RawStdEncoding.EncodeToString(raw), want: raw},
		{name: "url", in: base64.URLEncoding.EncodeToString([]byte{0xfb, 0xff, 0xfe}), want: []byte{0xfb, 0xff, 0xfe}},
		{name: "raw url", in: base64.RawURLEncoding.EncodeToString([]byte{0xfb, 0xff}), want: []byte{0xfb, 0xff}},
		{name: "data url", in: "data:image/png;base64," + std, want: raw},
		{name: "data url upper case", in: "data:image/png;BASE64," + std, want: raw},
		{name: "wrapped lines and spaces", in: "  \n" + strings.ReplaceAll(wrapped, "\n", "\r\n") + "\t \n", want: raw},
		{name: "data url with wrapped data", in: "data:image/png;base64,\n" + wrapped, want: raw},
		{name: "empty", in: "", wantErr: ErrInvalid, reason: "image is empty"},
		{name: "whitespace only", in: " \n\t ", wantErr: ErrInvalid, reason: "image is empty"},
		{name: "empty data url", in: "data:image/png;base64,", wantErr: ErrInvalid, reason: "image is empty"},
		{name: "invalid characters", in: "not*base64!", wantErr: ErrInvalid, reason: "image is not valid base64"},
		{name: "bad length", in: "QUJDR", wantErr: ErrInvalid, reason: "image is not valid base64"},
		{name: "bad padding", in: "QQ=", wantErr: ErrInvalid, reason: "image is not valid base64"},
		{name: "mixed alphabets", in: "ab+_", wantErr: ErrInvalid, reason: "image is not valid base64"},
		{name: "data url without comma", in: "data:image/png;base64", wantErr: ErrInvalid, reason: "data URL has no comma before the data"},
		{name: "data url not base64", in: "data:image/svg+xml,<svg/>", wantErr: ErrInvalid, reason: "data URL is not base64 encoded"},
		{name: "too big", in: strings.Repeat("A", maxEncodedLen+4), wantErr: ErrTooLarge, reason: "image is larger than 10 MiB"},
		{name: "too big with whitespace", in: strings.Repeat("AAAA\n", maxEncodedLen), wantErr: ErrTooLarge, reason: "image is larger than 10 MiB"},
		{name: "largest accepted", in: base64.StdEncoding.EncodeToString(make([]byte, MaxDecodedBytes)), want: make([]byte, MaxDecodedBytes)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := DecodeBase64(tc.in)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("DecodeBase64(%s) error = %v, want nil", tc.name, err)
				}
				if !bytes.Equal(got, tc.want) {
					t.Errorf("DecodeBase64(%s) = %d bytes %.16x, want %d bytes %.16x", tc.name, len(got), got, len(tc.want), tc.want)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("DecodeBase64(%s) error = %v, want %v", tc.name, err, tc.wantErr)
			}
			if err.Error() != tc.reason {
				t.Errorf("DecodeBase64(%s) error = %q, want %q", tc.name, err.Error(), tc.reason)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	raw := jpegBytes(t, 16, 8)
	tests := []struct {
		name     string
		in       string
		wantInfo Info
		wantMsg  string
		wantErr  error
	}{
		{name: "jpeg", in: base64.StdEncoding.EncodeToString(raw), wantInfo: Info{Format: "jpeg", MIME: "image/jpeg", Width: 16, Height: 8, Size: len(raw)}},
		{name: "webp data url", in: "data:image/webp;base64," + base64.StdEncoding.EncodeToString(webpLossy), wantInfo: Info{Format: "webp", MIME: "image/webp", Width: 1, Height: 1, Size: len(webpLossy)}},
		{name: "zip", in: base64.StdEncoding.EncodeToString(zipHeader), wantErr: ErrInvalid, wantMsg: "source_image: not a PNG, JPEG or WebP image"},
		{name: "bad base64", in: "%%%", wantErr: ErrInvalid, wantMsg: "source_image: image is not valid base64"},
		{name: "empty", in: "", wantErr: ErrInvalid, wantMsg: "source_image: image is empty"},
		{name: "bomb", in: base64.StdEncoding.EncodeToString(pngBomb()), wantErr: ErrInvalid, wantMsg: "source_image: image is 100000x100000 pixels; each side must be at most 4096"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, info, err := Check("source_image", tc.in)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Check(%s) error = %v, want nil", tc.name, err)
				}
				if diff := cmp.Diff(tc.wantInfo, info); diff != "" {
					t.Errorf("Check(%s) info mismatch (-want +got):\n%s", tc.name, diff)
				}
				if len(b) != info.Size {
					t.Errorf("Check(%s) returned %d bytes, want %d", tc.name, len(b), info.Size)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) || err.Error() != tc.wantMsg {
				t.Fatalf("Check(%s) error = %v, want %q wrapping %v", tc.name, err, tc.wantMsg, tc.wantErr)
			}
			var e *Error
			if !errors.As(err, &e) || e.Field != "source_image" {
				t.Errorf("Check(%s) error = %#v, want *Error with Field source_image", tc.name, err)
			}
			if b != nil {
				t.Errorf("Check(%s) bytes = %d, want nil on error", tc.name, len(b))
			}
		})
	}
}

func TestIdentifyHasNoLimits(t *testing.T) {
	t.Parallel()
	got, err := Identify(pngBomb())
	if err != nil {
		t.Fatalf("Identify(png bomb) error = %v, want nil", err)
	}
	want := Info{Format: "png", MIME: "image/png", Width: 100000, Height: 100000, Size: len(pngBomb())}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Identify(png bomb) mismatch (-want +got):\n%s", diff)
	}
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n])
		b.WriteByte('\n')
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}
