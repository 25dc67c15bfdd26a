"""Writes a round red seal (400 × 400 pixels, transparent around its ring and star) as a PNG.

Usage: python3 .ci/pki/seal.py OUT.png
"""

import math
import struct
import sys
import zlib

SIDE = 400


def pixel(x, y):
    c = SIDE / 2
    d = math.hypot(x - c, y - c)
    if c * 0.88 < d < c * 0.98 or d < c * 0.22:
        return b"\xc8\x14\x14\xeb"
    return b"\x00\x00\x00\x00"


rows = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(SIDE)) for y in range(SIDE))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


png = (b"\x89PNG\r\n\x1a\n"
       + chunk(b"IHDR", struct.pack(">IIBBBBB", SIDE, SIDE, 8, 6, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows, 9))
       + chunk(b"IEND", b""))
with open(sys.argv[1], "wb") as f:
    f.write(png)
