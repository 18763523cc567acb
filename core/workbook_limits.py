"""The bounds on an xlsx file (evidence or the office's records), checked
before any reader inflates it: what its parts unpack to, and the area its
sheets span. A workbook of a few kB can unpack to gigabytes (a zip bomb), or
name one cell at A1 and one at XFD1048576: the readers (python-calamine,
openpyxl) build every sheet as a full grid, so that file alone would take
hundreds of gigabytes."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from fivestar.limits import UNPACKED_RATIO, Limits, describe_size
from fivestar.model import Problem

if TYPE_CHECKING:
    import zipfile

CELLS_PER_BYTE = 10
"""A sheet may span at most ``unpacked_bytes / CELLS_PER_BYTE`` cells (2
million for evidence, 50 million for the office's records by default)."""

_TAG = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*)>")
_REFERENCE = re.compile(rb"\br=\"([A-Za-z]*)([0-9]+)\"")
_CHUNK = 1 << 20


def workbook_problem(content: bytes, file: str, limits: Limits) -> Problem | None:
    """What keeps an xlsx from being read within the limits, found from the
    zip's directory and a scan of its sheets' XML (never more than the
    directory declares); None when it fits, or is no zip at all (the reader
    then says what it is, as for a damaged one)."""
    import zipfile
    import zlib

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            unpacked = sum(entry.file_size for entry in entries)
            if unpacked > limits.unpacked_bytes:
                expected = (
                    f"a workbook that unpacks to at most {describe_size(limits.unpacked_bytes)} "
                    f"({UNPACKED_RATIO} × [limits] {limits.file_bytes_key})"
                )
                found = f"a workbook that unpacks to {describe_size(unpacked)}"
                return Problem.error(file, expected=expected, found=found)
            most = limits.unpacked_bytes // CELLS_PER_BYTE
            for entry in entries:
                if not entry.filename.startswith("xl/worksheets/") or not entry.filename.endswith(".xml"):
                    continue
                rows, columns = _extent(archive, entry)
                if rows * columns > most:
                    expected = (
                        f"sheets of at most {most} cells from A1 to the last cell "
                        f"(unpacked size / {CELLS_PER_BYTE}, [limits] {limits.file_bytes_key})"
                    )
                    found = f"{entry.filename} spanning {rows} rows × {columns} columns"
                    return Problem.error(file, expected=expected, found=found)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, ValueError, OSError, EOFError):
        return None  # damaged or encrypted: the reader refuses it with its own words
    return None


def _extent(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> tuple[int, int]:
    """The rows and columns a sheet spans, counted as the readers place cells
    (a row or cell without a reference follows the previous one)."""
    rows = columns = row = column = 0
    carry = b""
    with archive.open(entry) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            text = carry + chunk
            cut = len(text) if not chunk else text.rfind(b">") + 1
            for match in _TAG.finditer(text, 0, cut):
                reference = _REFERENCE.search(match.group(2))
                if match.group(1) == b"row":
                    row = int(reference.group(2)) if reference else row + 1
                    column = 0
                else:
                    if reference and reference.group(1):
                        column = _column_number(reference.group(1))
                        row = int(reference.group(2))
                    else:
                        column += 1
                    columns = max(columns, column)
                rows = max(rows, row)
            if not chunk:
                return rows, columns
            carry = text[cut:]


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number
