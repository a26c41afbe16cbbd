package imagefmt

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// Tiny WebP images (1x1) in the three container layouts.
var (
	webpLossless = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\r\x00\x00\x00/\x00\x00\x00\x10\a\x10\x11\x11\x88\x88\xfe\a\x00")
	webpLossy    = []byte("RIFF\"\x00\x00\x00WEBPVP8 \x16\x00\x00\x000\x01\x00\x9d\x01*\x01\x00\x01\x00\x0e\xc0\xfe%\xa4\x00\x03p\x00\x00\x00\x00")
	webpExtended = []byte("RIFFJ\x00\x00\x00WEBPVP8X\n\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00ALPH\f\x00\x00\x00\x11\a\x10\x11\xfd\x0fDD\xff\x03\x00\x00VP8 \x18\x00\x00\x00\x14\x01\x00\x9d\x01*\x01\x00\x01\x00\x00\x00\xfe\x00\x00\r\xc0\x00\xfe\xe6\xb5\x00\x00\x00")
)

// zipHeader is the start of a ZIP local file header.
var zipHeader = []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00!\x00payload.png")

func gradient(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{R: uint8(x), G: uint8(y), B: uint8(x + y), A: 255})
		}
	}
	return img
}

func pngBytes(tb testing.TB, w, h int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, gradient(w, h)); err != nil {
		tb.Fatalf("png.Encode: %v", err)
	}
	return buf.Bytes()
}

func jpegBytes(tb testing.TB, w, h int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, gradient(w, h), &jpeg.Options{Quality: 80}); err != nil {
		tb.Fatalf("jpeg.Encode: %v", err)
	}
	return buf.Bytes()
}

func pngChunk(typ string, data []byte) []byte {
	var b []byte
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// pngBomb is a well-formed PNG header claiming 100000x100000 RGBA pixels
// (40 GB decoded) followed by an empty IDAT and IEND.
func pngBomb() []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, 100000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 100000)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA, deflate, no filter, no interlace
	b := append([]byte(nil), magicPNG...)
	b = append(b, pngChunk("IHDR", ihdr)...)
	b = append(b, pngChunk("IDAT", nil)...)
	return append(b, pngChunk("IEND", nil)...)
}

// jpegBomb is a small JPEG whose frame header is patched to claim
// 65000x65000 pixels.
func jpegBomb(tb testing.TB) []byte {
	tb.Helper()
	b := jpegBytes(tb, 8, 8)
	i := bytes.Index(b, []byte{0xFF, 0xC0})
	if i < 0 {
		tb.Fatal("no SOF0 marker in encoded JPEG")
	}
	// marker(2) length(2) precision(1) height(2) width(2)
	binary.BigEndian.PutUint16(b[i+5:], 65000)
	binary.BigEndian.PutUint16(b[i+7:], 65000)
	return b
}

// webpBomb is the extended WebP with its canvas patched to 16384x16384.
func webpBomb() []byte {
	b := append([]byte(nil), webpExtended...)
	// VP8X payload starts at 20: flags(4) width-1(3) height-1(3)
	const side = 16384 - 1
	b[24], b[25], b[26] = side&0xff, side>>8&0xff, side>>16
	b[27], b[28], b[29] = side&0xff, side>>8&0xff, side>>16
	return b
}
