"""A report's pieces written gathered (``os.writev``), never joined first:
every byte lands once, in order, whatever the pieces and however much a
system call takes at a time."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from fivestar import encoding
from fivestar.encoding import GATHER_BYTES, GATHER_PIECES, write_pieces


def pieces_of_every_kind() -> list[encoding.Piece]:
    data = bytes(range(256)) * 40
    view = memoryview(data)
    return ["首行\n", b"", view[10:300], "", "\ud800 lone", b"bytes", view[5000:10240], "末行"]


def expected_bytes(pieces: list[encoding.Piece]) -> bytes:
    return b"".join(encoding.piece_bytes(piece) for piece in pieces)


def written(tmp_path: Path, pieces: list[encoding.Piece]) -> bytes:
    target = tmp_path / "out"
    with target.open("wb") as stream:
        write_pieces(stream.fileno(), pieces)
    return target.read_bytes()


def test_text_bytes_and_memoryviews_are_written_in_order(tmp_path: Path) -> None:
    pieces = pieces_of_every_kind()
    assert written(tmp_path, pieces) == expected_bytes(pieces)
    assert written(tmp_path, pieces).startswith("首行\n".encode())
    assert "\ufffd lone".encode() in written(tmp_path, pieces)


def test_more_pieces_than_one_call_takes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = os.writev

    def counted(fd: int, buffers: list[bytes]) -> int:
        assert len(buffers) <= GATHER_PIECES
        calls.append(len(buffers))
        return real(fd, buffers)

    monkeypatch.setattr(os, "writev", counted)
    pieces: list[encoding.Piece] = [f"{number}," for number in range(3 * GATHER_PIECES + 5)]
    assert written(tmp_path, pieces) == expected_bytes(pieces)
    assert calls == [GATHER_PIECES, GATHER_PIECES, GATHER_PIECES, 5]


def test_large_pieces_are_written_a_few_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    real = os.writev

    def counted(fd: int, buffers: list[bytes]) -> int:
        sizes.append(sum(map(len, buffers)))
        return real(fd, buffers)

    monkeypatch.setattr(os, "writev", counted)
    big = memoryview(b"x" * (GATHER_BYTES // 2 + 1))
    pieces: list[encoding.Piece] = [big, big, big, big, b"end"]
    assert written(tmp_path, pieces) == expected_bytes(pieces)
    assert len(sizes) == 3
    assert max(sizes) < 2 * GATHER_BYTES


@pytest.mark.parametrize("taken", [1, 7, 4096])
def test_a_call_that_writes_only_part_is_taken_up_where_it_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, taken: int
) -> None:
    """A pipe takes what fits: each call here writes at most ``taken`` bytes,
    cutting pieces anywhere, and the rest follows."""
    real = os.writev

    def partial(fd: int, buffers: list[bytes | memoryview]) -> int:
        data = b"".join(bytes(buffer) for buffer in buffers)[:taken]
        return real(fd, [data])

    monkeypatch.setattr(os, "writev", partial)
    pieces = pieces_of_every_kind() * 3
    assert written(tmp_path, pieces) == expected_bytes(pieces)


def test_without_writev_each_piece_is_written_by_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "writev")
    pieces = pieces_of_every_kind() * 2
    assert written(tmp_path, pieces) == expected_bytes(pieces)


def test_a_pipe_gets_every_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    """More than a pipe holds (64 kB), read while it is written."""
    pieces: list[encoding.Piece] = [memoryview(bytes([number % 251]) * 10_000) for number in range(40)]
    reader, writer = os.pipe()
    received = bytearray()

    def drain() -> None:
        while chunk := os.read(reader, 1 << 16):
            received.extend(chunk)

    thread = threading.Thread(target=drain)
    thread.start()
    write_pieces(writer, pieces)
    os.close(writer)
    thread.join()
    os.close(reader)
    assert bytes(received) == expected_bytes(pieces)
