"""Space reserved ahead of a large output's writes (``core/diskspace.py``):
always ahead of what is written, let go past the end afterwards, never a
change to the bytes, and nothing at all for a small file or where the system
has no ``fallocate``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from fivestar import diskspace
from fivestar.cli.common import replace_file
from fivestar.diskspace import FIRST_STEP, KEEP_SIZE, RESERVE_FROM, Reservation
from fivestar.encoding import GATHER_BYTES, write_pieces

MB = 1 << 20


def pieces_of(total: int, size: int = MB // 4) -> list[bytes]:
    return [bytes([index % 251]) * size for index in range(total // size)]


def test_space_is_reserved_ahead_of_every_write(tmp_path: Path) -> None:
    calls: list[tuple[int, int, int]] = []
    reservation = Reservation(0)
    reservation._fallocate = lambda fd, mode, offset, length: calls.append((mode, offset, length)) or 0
    given = 0
    for piece in reservation.ahead(pieces_of(70 * MB)):
        given += len(piece)
        if given >= RESERVE_FROM:
            assert reservation.reserved >= given + GATHER_BYTES
    assert calls[0] == (KEEP_SIZE, 0, FIRST_STEP)
    assert [offset for _mode, offset, _length in calls] == [0, 16 * MB, 32 * MB, 64 * MB]


def test_a_small_file_reserves_nothing_and_looks_nothing_up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refused() -> None:
        raise AssertionError("fallocate looked up for a small file")

    monkeypatch.setattr(diskspace, "system_fallocate", refused)
    target = tmp_path / "small.json"
    replace_file([b"x" * (RESERVE_FROM - 1)], target)
    assert target.stat().st_size == RESERVE_FROM - 1


def test_a_system_without_fallocate_writes_the_file_as_before(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(diskspace, "system_fallocate", lambda: None)
    pieces = pieces_of(12 * MB)
    target = tmp_path / "out.json"
    replace_file(pieces, target)
    assert target.read_bytes() == b"".join(pieces)


def test_a_refused_reservation_is_not_asked_again(tmp_path: Path) -> None:
    calls: list[int] = []
    reservation = Reservation(0)
    reservation._fallocate = lambda fd, mode, offset, length: calls.append(offset) or -1
    assert sum(map(len, reservation.ahead(pieces_of(40 * MB)))) == 40 * MB
    assert calls == [0]
    assert reservation.reserved == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fallocate is Linux's")
def test_the_space_past_the_end_is_let_go_and_the_bytes_are_the_same(tmp_path: Path) -> None:
    pieces: list[bytes | str] = [*pieces_of(21 * MB), "尾" * 1000]
    target = tmp_path / "out.json"
    path = tmp_path / "direct"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        reservation = Reservation(fd)
        write_pieces(fd, reservation.ahead(pieces))
        if reservation.reserved == 0:
            pytest.skip("this file system has no fallocate")
        assert reservation.reserved == 2 * FIRST_STEP
        assert os.fstat(fd).st_blocks * 512 >= 2 * FIRST_STEP
        reservation.release()
        size = os.fstat(fd).st_size
        assert os.fstat(fd).st_blocks * 512 < size + MB
    finally:
        os.close(fd)
    replace_file(pieces, target)
    expected = b"".join(piece.encode() if isinstance(piece, str) else piece for piece in pieces)
    assert target.read_bytes() == path.read_bytes() == expected
    assert target.stat().st_blocks * 512 < len(expected) + MB
