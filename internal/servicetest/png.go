package servicetest

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
)

// PNGHeaderB64 is, as base64, a PNG that declares w×h RGBA pixels and
// holds none: its header is all the service may read of a decompression
// bomb before it refuses or queues it.
func PNGHeaderB64(w, h uint32) string {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk("IHDR", ihdr)
	chunk("IEND", nil)
	return base64.StdEncoding.EncodeToString(b.Bytes())
}
