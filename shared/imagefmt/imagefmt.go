// Package imagefmt checks untrusted image input: base64 decoding with a size
// cap, and format and dimension sniffing from magic bytes and the decoded
// header, without ever decoding pixels.
package imagefmt

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"strings"

	"golang.org/x/image/webp"
)

// MaxDecodedBytes is the largest image, in decoded bytes, that Sniff and
// DecodeBase64 accept.
const MaxDecodedBytes = 10 << 20

// MaxSide is the largest width or height, in pixels, that Sniff accepts.
const MaxSide = 4096

// Formats Sniff recognises, as Info.Format.
const (
	FormatPNG  = "png"
	FormatJPEG = "jpeg"
	FormatWebP = "webp"
)

// Info describes a sniffed image.
type Info struct {
	Format string // "png", "jpeg" or "webp"
	MIME   string // "image/png", "image/jpeg" or "image/webp"
	Width  int    // pixels
	Height int    // pixels
	Size   int    // encoded bytes
}

// Sentinels wrapped by every *Error, for callers that pick a status.
var (
	// ErrInvalid means the input is not an acceptable image (bad base64,
	// empty, unsupported type, broken header, bad dimensions).
	ErrInvalid = errors.New("invalid image")
	// ErrTooLarge means the input is over MaxDecodedBytes.
	ErrTooLarge = errors.New("image too large")
)

// Error is a rejected image input. Reason is safe to show a caller; Field,
// when set, names the request field that held the image.
type Error struct {
	Field  string
	Reason string
	Err    error // ErrInvalid or ErrTooLarge
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

func (e *Error) Unwrap() error { return e.Err }

func invalid(reason string) *Error { return &Error{Reason: reason, Err: ErrInvalid} }

func tooLarge() *Error {
	return &Error{Reason: fmt.Sprintf("image is larger than %d MiB", MaxDecodedBytes>>20), Err: ErrTooLarge}
}

// maxEncodedLen bounds the base64 text (after whitespace and any data URL
// prefix are removed) that can decode to at most MaxDecodedBytes.
var maxEncodedLen = base64.StdEncoding.EncodedLen(MaxDecodedBytes)

// DecodeBase64 decodes an image sent as base64 text. It accepts standard
// base64 with or without padding (and the URL-safe alphabet), an optional
// data URL prefix such as "data:image/png;base64,", and whitespace anywhere.
// Text that would decode to more than MaxDecodedBytes is refused before
// decoding. Errors are *Error with a message safe to show a caller.
func DecodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "data:"); ok {
		header, data, found := strings.Cut(rest, ",")
		if !found {
			return nil, invalid("data URL has no comma before the data")
		}
		if !strings.HasSuffix(strings.ToLower(strings.TrimSpace(header)), ";base64") {
			return nil, invalid("data URL is not base64 encoded")
		}
		s = data
	}
	if strings.ContainsAny(s, " \t\r\n\f\v") {
		if len(s) > 2*maxEncodedLen {
			return nil, tooLarge()
		}
		s = strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\t', '\r', '\n', '\f', '\v':
				return -1
			}
			return r
		}, s)
	}
	if s == "" {
		return nil, invalid("image is empty")
	}
	if len(s) > maxEncodedLen {
		return nil, tooLarge()
	}
	enc := base64.StdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
	}
	if !strings.HasSuffix(s, "=") {
		enc = enc.WithPadding(base64.NoPadding)
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, invalid("image is not valid base64")
	}
	if len(b) == 0 {
		return nil, invalid("image is empty")
	}
	if len(b) > MaxDecodedBytes {
		return nil, tooLarge()
	}
	return b, nil
}

var (
	magicPNG  = []byte("\x89PNG\r\n\x1a\n")
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
	magicRIFF = []byte("RIFF")
	magicWEBP = []byte("WEBP")
	pngIEND   = []byte("IEND\xaeB`\x82")
	jpegEOI   = []byte{0xFF, 0xD9}
)

// Identify reads an image's format and dimensions from its magic bytes and
// header, with no limit on size or dimensions. It is meant for trusted
// output (a provider's answer); untrusted input goes through Sniff. It never
// decodes pixels and allocates nothing in proportion to the dimensions the
// header claims.
func Identify(b []byte) (Info, error) {
	if len(b) == 0 {
		return Info{}, invalid("image is empty")
	}
	var (
		info Info
		cfg  image.Config
		err  error
	)
	switch {
	case bytes.HasPrefix(b, magicPNG):
		info = Info{Format: FormatPNG, MIME: "image/png"}
		cfg, err = png.DecodeConfig(bytes.NewReader(b))
		if err == nil && !bytes.Contains(b[len(magicPNG):], pngIEND) {
			return Info{}, invalid("PNG image is truncated")
		}
	case bytes.HasPrefix(b, magicJPEG):
		info = Info{Format: FormatJPEG, MIME: "image/jpeg"}
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(b))
		if err == nil && !bytes.Contains(b[len(magicJPEG):], jpegEOI) {
			return Info{}, invalid("JPEG image is truncated")
		}
	case len(b) >= 12 && bytes.HasPrefix(b, magicRIFF) && bytes.Equal(b[8:12], magicWEBP):
		info = Info{Format: FormatWebP, MIME: "image/webp"}
		riffSize := uint64(b[4]) | uint64(b[5])<<8 | uint64(b[6])<<16 | uint64(b[7])<<24
		if riffSize+8 > uint64(len(b)) {
			return Info{}, invalid("WebP image is truncated")
		}
		cfg, err = webp.DecodeConfig(bytes.NewReader(b))
	default:
		return Info{}, invalid("not a PNG, JPEG or WebP image")
	}
	if err != nil {
		return Info{}, invalid(fmt.Sprintf("%s image header is damaged or unsupported", formatName(info.Format)))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Info{}, invalid("image has no pixels")
	}
	info.Width, info.Height, info.Size = cfg.Width, cfg.Height, len(b)
	return info, nil
}

// Sniff identifies untrusted image bytes: the magic bytes must name PNG,
// JPEG or WebP and the header must decode as that format. It refuses input
// over MaxDecodedBytes and images with a side of 0 or over MaxSide, deciding
// from the header alone, so a small file claiming huge dimensions costs
// nothing. Errors are *Error with a message safe to show a caller.
func Sniff(b []byte) (Info, error) {
	if len(b) > MaxDecodedBytes {
		return Info{}, tooLarge()
	}
	info, err := Identify(b)
	if err != nil {
		return Info{}, err
	}
	if info.Width > MaxSide || info.Height > MaxSide {
		return Info{}, invalid(fmt.Sprintf("image is %dx%d pixels; each side must be at most %d", info.Width, info.Height, MaxSide))
	}
	return info, nil
}

// Check decodes base64 image text from the request field named field and
// sniffs it. The error is an *Error whose message names the field, such as
// "source_image: not a PNG, JPEG or WebP image".
func Check(field, b64 string) ([]byte, Info, error) {
	b, err := DecodeBase64(b64)
	if err == nil {
		var info Info
		info, err = Sniff(b)
		if err == nil {
			return b, info, nil
		}
	}
	var e *Error
	if errors.As(err, &e) {
		named := *e
		named.Field = field
		return nil, Info{}, &named
	}
	return nil, Info{}, fmt.Errorf("%s: %w", field, err)
}

func formatName(f string) string {
	switch f {
	case FormatPNG:
		return "PNG"
	case FormatJPEG:
		return "JPEG"
	case FormatWebP:
		return "WebP"
	}
	return "image"
}
