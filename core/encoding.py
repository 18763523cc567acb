"""Text written out as UTF-8, never refused.

A file name that is not UTF-8 (a zip made on a Chinese Windows and unpacked
on Linux names its files in GBK) reaches Python as text with lone
surrogates, which UTF-8 cannot hold: writing a report that names the file
failed. Such characters are written as U+FFFD (�), as a reader shows bytes
it cannot decode; everything else is plain UTF-8, as fast (the handler is
asked only where a character cannot be encoded)."""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable

REPLACE = "fivestar.replace"

Piece = str | bytes | memoryview
"""A part of a report as a renderer yields it: text, or UTF-8 bytes (a
memoryview: bytes written where they lie, e.g. a slice of a spill file
mapped, never copied into a new ``bytes`` first)."""

GATHER_PIECES = 1024
"""The most pieces one system call writes (Linux's ``IOV_MAX``)."""

GATHER_BYTES = 1 << 20
"""The most bytes gathered before they are written: the pieces a renderer
made for the call (text encoded) are held until then."""


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


def piece_bytes(piece: Piece) -> bytes | memoryview:
    """A report's piece (text, or bytes already UTF-8) as a file of it holds it."""
    return utf8(piece) if isinstance(piece, str) else piece


def write_pieces(fd: int, pieces: Iterable[Piece]) -> None:
    """Every piece written in turn to the file ``fd``, gathered: up to
    :data:`GATHER_PIECES` pieces or :data:`GATHER_BYTES` bytes a system call
    (``os.writev``), none joined into a new buffer before it is written.
    Joining a large run's pieces (25 kB an organisation) and writing the
    joined bytes cost three times as much as writing them where they lie.
    Where there is no ``writev`` (Windows) each piece is written by itself."""
    gathered: list[bytes | memoryview] = []
    size = 0
    for piece in pieces:
        data = piece_bytes(piece)
        if not data:
            continue
        gathered.append(data)
        size += len(data)
        if len(gathered) >= GATHER_PIECES or size >= GATHER_BYTES:
            _write_all(fd, gathered)
            gathered, size = [], 0
    if gathered:
        _write_all(fd, gathered)


def _write_all(fd: int, buffers: list[bytes | memoryview]) -> None:
    """``buffers`` written whole (a write may take only part of them: a pipe's)."""
    if not hasattr(os, "writev"):
        for data in buffers:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        return
    first = 0
    while first < len(buffers):
        written = os.writev(fd, buffers[first:] if first else buffers)
        while first < len(buffers) and written >= len(buffers[first]):
            written -= len(buffers[first])
            first += 1
        if written:
            buffers[first] = memoryview(buffers[first])[written:]


def replaced(text: str) -> str:
    """``text`` with each character UTF-8 cannot hold as U+FFFD, as
    :func:`utf8` writes it: for a stream that encodes text itself (standard
    output through click), so that it shows what a file would hold."""
    return utf8(text).decode("utf-8")
