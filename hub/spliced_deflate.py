"""A body compressed once, served compressed many times with per-response values spliced in.

The page cache (hub/page_cache.py) keeps a page with its per-response values (the CSP
nonce, a visitor's CSRF token) cut out as marks. Compressing every copy served would cost
milliseconds per request for a 50-answer thread, and compressing the kept page once cannot
hold values that change with every response. So the page is compressed once, in pieces:
the text between two marks is one piece of raw deflate, ending byte-aligned, and a response
is the pieces with each mark's value between them as a *stored* (uncompressed) deflate
block, wrapped as `Content-Encoding: deflate` (RFC 1950: a two-byte header, the stream, the
Adler-32 of the whole text). Serving costs a join, not a compression.

Each piece may still refer back to the text before it, which is what makes HTML shrink
(a thread's 244 CSRF fields would otherwise cut it into pieces too short to compress well:
164 KB instead of 50). It is compressed with the preceding text as its dictionary, in
which each value is a run of 0xFF filler as long as the value will be. The filler keeps
every distance right, and no reference can point into it: 0xFF never occurs in UTF-8, so
no text the compressor matches contains it. A response's values must therefore have the
lengths given at compression (a CSP nonce and a masked CSRF token always do).

The Adler-32 is computed at compression with each value's place as zeros (which add
nothing to it), and each response adds its values' part from their count and positions:
constant work, however many pieces.

Why `deflate` and not `gzip`: gzip's CRC-32 has no such cheap update in Python, while
Adler-32's is arithmetic. Every browser sends `Accept-Encoding: gzip, deflate, br` and
decodes the zlib wrapping; a client that does not list deflate gets the plain page.

The values are never compressed with the page's text, so a compression side channel
(BREACH) cannot match reflected text against the CSRF token or the nonce: they are
stored blocks of their own.
"""

from __future__ import annotations

import re
import struct
import zlib
from typing import NamedTuple

# CMF 0x78: deflate with a 32 KiB window; FLG 0x5E: level "default", no preset dictionary
# (RFC 1950: 0x785E is a multiple of 31).
_HEADER = b"\x78\x5e"
_ADLER = 65521
_FILLER = 0xFF
LEVEL = 3  # of a thread's 377 KB: 2.3 ms and 51 KB (level 1: 2.1 ms, 57 KB; 6: 5.1 ms, 41 KB)
DICTIONARY = 16 * 1024  # the text before a piece it may refer to (a thread's answer is ~7 KB)


class Spliced(NamedTuple):
    """`pieces[i]` is the raw deflate of the i-th text between marks and `marks[i]` the
    mark after it; `places[mark]` is (occurrences, sum of their offsets, value length);
    `length` and `adler` are the whole text's, with each value as zeros. A tuple: it is
    pickled into the cache with the page."""

    pieces: tuple[bytes, ...]
    marks: tuple[bytes, ...]
    places: dict[bytes, tuple[int, int, int]]
    length: int
    adler: int

    @property
    def size(self) -> int:
        return sum(map(len, self.pieces))


def compress(content: bytes, lengths: dict[bytes, int]) -> Spliced | None:
    """`content` compressed in pieces, split at every occurrence of the marks in `lengths`
    (mark -> the length of the values that will replace it); None when it contains a
    0xFF byte (not UTF-8: the filler could be matched)."""
    if bytes([_FILLER]) in content:
        return None
    pattern = re.compile(b"(" + b"|".join(re.escape(m) for m in lengths) + b")")
    parts = pattern.split(content)
    texts, found = parts[0::2], parts[1::2]
    pieces = []
    before = bytearray()  # the response's text so far, each value as filler
    places = {mark: [0, 0, size] for mark, size in lengths.items()}
    zeros = bytearray()  # the same with each value as zeros, for the checksum
    for i, text in enumerate(texts):
        dictionary = bytes(before[-DICTIONARY:])
        compressor = (
            zlib.compressobj(LEVEL, zlib.DEFLATED, -15, zdict=dictionary)
            if dictionary
            else zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        )
        last = i == len(texts) - 1
        # A sync flush ends byte-aligned, where a stored block can follow.
        end = zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH
        pieces.append(compressor.compress(text) + compressor.flush(end))
        before += text
        zeros += text
        if not last:
            place = places[found[i]]
            place[0] += 1
            place[1] += len(zeros)
            before += bytes([_FILLER]) * place[2]
            zeros += bytes(place[2])
    return Spliced(
        tuple(pieces),
        tuple(found),
        {mark: (count, offsets, size) for mark, (count, offsets, size) in places.items()},
        len(zeros),
        zlib.adler32(zeros),
    )


def _stored(value: bytes) -> bytes:
    """`value` as one non-final stored block (each piece but the last ends byte-aligned)."""
    size = len(value)
    return b"\x00" + struct.pack("<HH", size, size ^ 0xFFFF) + value


def body(spliced: Spliced, values: dict[bytes, bytes]) -> bytes:
    """The zlib-wrapped deflate of the content with each mark replaced by its value.
    Raises ValueError for a value whose length is not the one it was compressed for."""
    n = spliced.length
    low, high = spliced.adler & 0xFFFF, spliced.adler >> 16
    blocks = {}
    for mark, (count, offsets, size) in spliced.places.items():
        if not count:
            continue
        value = values[mark]
        if len(value) != size:
            raise ValueError(f"a value of {len(value)} bytes for a {size}-byte place")
        blocks[mark] = _stored(value)
        # Adler-32: a = 1 + sum(D_k), b = sum over k = 1..n of (n - k + 1) * D_k + n.
        # Byte j of the occurrence at offset q is D_k with k = q + j + 1.
        total = sum(value)
        weighted = sum(j * byte for j, byte in enumerate(value))
        low += count * total
        high += count * (n * total - weighted) - offsets * total
    check = ((high % _ADLER) << 16) | (low % _ADLER)
    chunks = [_HEADER]
    for piece, mark in zip(spliced.pieces, spliced.marks, strict=False):
        chunks.append(piece)
        chunks.append(blocks[mark])
    chunks.append(spliced.pieces[-1])
    chunks.append(struct.pack(">I", check))
    return b"".join(chunks)


_CODING = re.compile(r"^\s*([a-z*]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$", re.IGNORECASE)


def accepted(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header admits `deflate` (listed, or `*`, with q > 0;
    an explicit `deflate;q=0` refuses it even when `*` is listed)."""
    allowed = False
    for item in accept_encoding.split(","):
        match = _CODING.match(item)
        if not match:
            continue
        coding, quality = match.group(1).lower(), match.group(2)
        try:
            admits = quality is None or float(quality) > 0
        except ValueError:
            admits = False
        if coding == "deflate":
            return admits
        if coding == "*":
            allowed = admits
    return allowed
