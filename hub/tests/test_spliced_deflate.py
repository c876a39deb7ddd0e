"""hub.spliced_deflate: a page compressed once, each response's values spliced in."""

import random
import secrets
import zlib

import pytest

from hub import spliced_deflate

NONCE = b"\x00nonce\x00"
TOKEN = b"\x00csrf\x00"
LENGTHS = {NONCE: 22, TOKEN: 64}


def values() -> dict[bytes, bytes]:
    return {NONCE: secrets.token_urlsafe(16).encode(), TOKEN: secrets.token_hex(32).encode()}


def page(rng: random.Random, answers: int) -> bytes:
    """HTML-like text as repetitive as a thread, with marks in every form and the head."""
    parts = [b'<html><head><script nonce="', NONCE, b'" src="/s.js"></script></head><body>']
    for n in range(answers):
        words = b" ".join(rng.choice([b"cache", b"django", b"redis", b"queue"]) for _ in range(9))
        parts += [
            b'\n  <article id="answer-%d">\n    <p>%s</p>\n' % (n, words),
            b'    <form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="',
            TOKEN,
            b'"><button>Vote</button></form>\n  </article>',
        ]
    parts += [b"</body></html>", TOKEN]  # a mark at the very end, too
    return b"".join(parts)


def plain(content: bytes, given: dict[bytes, bytes]) -> bytes:
    for mark, value in given.items():
        content = content.replace(mark, value)
    return content


@pytest.mark.parametrize("answers", [0, 1, 50, 400])
def test_every_response_decodes_to_the_page_with_its_own_values(answers):
    content = page(random.Random(answers), answers)
    spliced = spliced_deflate.compress(content, LENGTHS)
    for _ in range(3):
        given = values()
        assert zlib.decompress(spliced_deflate.body(spliced, given)) == plain(content, given)


def test_the_pieces_still_refer_back_across_the_marks():
    """Compressed piece by piece with the text before as dictionary, the page is within a
    few bytes per piece of the page compressed whole (each piece ends with a 5-byte flush);
    compressed alone, 400 short pieces would hardly shrink."""
    content = page(random.Random(1), 400)
    spliced = spliced_deflate.compress(content, LENGTHS)
    whole = len(zlib.compress(plain(content, values()), spliced_deflate.LEVEL))
    alone = sum(len(zlib.compress(piece, 1)) for piece in content.split(TOKEN))
    assert len(spliced.pieces) == 403  # 402 marks
    assert spliced.size < whole + 12 * len(spliced.pieces) and spliced.size * 5 < alone


def test_marks_next_to_each_other_and_at_both_ends():
    content = TOKEN + NONCE + TOKEN + b"middle" + NONCE + NONCE
    spliced = spliced_deflate.compress(content, LENGTHS)
    given = values()
    assert zlib.decompress(spliced_deflate.body(spliced, given)) == plain(content, given)


def test_a_page_without_marks_needs_no_values():
    spliced = spliced_deflate.compress(b"<p>no marks</p>", LENGTHS)
    assert zlib.decompress(spliced_deflate.body(spliced, {})) == b"<p>no marks</p>"


def test_a_value_of_another_length_is_refused():
    spliced = spliced_deflate.compress(b"a" + NONCE + b"b", LENGTHS)
    with pytest.raises(ValueError):
        spliced_deflate.body(spliced, {NONCE: b"short"})


def test_text_with_the_filler_byte_is_not_compressed():
    assert spliced_deflate.compress(b"caf\xff" + NONCE, LENGTHS) is None


@pytest.mark.parametrize(
    ("header", "admits"),
    [
        ("gzip, deflate, br, zstd", True),
        ("deflate", True),
        ("DEFLATE;q=0.5", True),
        ("gzip;q=1.0, deflate;q=0", False),
        ("deflate;q=0, *", False),
        ("*", True),
        ("*;q=0", False),
        ("gzip, br", False),
        ("identity", False),
        ("", False),
        ("deflate;q=nonsense", False),
        ("gzip,,deflate", True),
    ],
)
def test_accept_encoding(header, admits):
    assert spliced_deflate.accepted(header) is admits
