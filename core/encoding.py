"""Text written out as UTF-8, never refused.

A file name that is not UTF-8 (a zip made on a Chinese Windows and unpacked
on Linux names its files in GBK) reaches Python as text with lone
surrogates, which UTF-8 cannot hold: writing a report that names the file
failed. Such characters are written as U+FFFD (�), as a reader shows bytes
it cannot decode; everything else is plain UTF-8, as fast (the handler is
asked only where a character cannot be encoded)."""

from __future__ import annotations

import codecs

REPLACE = "fivestar.replace"


def _replaced(error: UnicodeError) -> tuple[bytes, int]:
    """U+FFFD in UTF-8 for each character (as bytes: the UTF-8 encoder takes
    only ASCII text from a handler)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return "\ufffd".encode() * (error.end - error.start), error.end


codecs.register_error(REPLACE, _replaced)


def utf8(text: str) -> bytes:
    """``text`` in UTF-8, a character UTF-8 cannot hold written as U+FFFD."""
    return text.encode("utf-8", REPLACE)


def piece_bytes(piece: str | bytes) -> bytes:
    """A report's piece (text, or bytes already UTF-8) as a file of it holds it."""
    return utf8(piece) if isinstance(piece, str) else piece


def replaced(text: str) -> str:
    """``text`` with each character UTF-8 cannot hold as U+FFFD, as
    :func:`utf8` writes it: for a stream that encodes text itself (standard
    output through click), so that it shows what a file would hold."""
    return utf8(text).decode("utf-8")
