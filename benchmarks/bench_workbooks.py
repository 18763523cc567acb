"""How fast are Excel workbooks read? Run from the repository root:

    python benchmarks/bench_workbooks.py            # 1,000 workbooks
    python benchmarks/bench_workbooks.py 200        # another size

    python benchmarks/bench_workbooks.py --write 1000 DIR      # keep a cohort of workbooks in DIR
    python benchmarks/bench_workbooks.py --read DIR calamine   # read them all with one reader (to time from outside)

It writes a synthetic cohort (benchmarks/generate.py), converts every file
to a workbook (``fivestar.workbook.write_workbook``, the same as
``assess convert --to xlsx``), then times reading them all, best of three:

- the sheets' values with python-calamine (the reader the engine uses) and
  with openpyxl in read-only mode (the pure-Python alternative);
- the whole evidence of each workbook (values, cells, checks of the layout)
  with each reader;
- the same cohort's TOML files, parsed, as the yardstick;

and checks that both readers give the same evidence for every workbook.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fivestar.config import load_config
from fivestar.pipeline import prepare
from fivestar.tomlfile import parse_toml
from fivestar.workbook_reader import load_grids, load_grids_openpyxl, read_workbook
from fivestar.workbook_writer import write_workbook
from generate import write_cohort

REPEATS = 3
READERS: dict[str, Callable[[bytes], dict[str, Any]]] = {"calamine": load_grids, "openpyxl": load_grids_openpyxl}


def best_of(function: Callable[[], Any]) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def write_books(count: int, folder: Path) -> tuple[Any, list[Path], list[bytes], float]:
    """A synthetic cohort in ``folder`` and its workbooks (``orgs/*.xlsx``)."""
    config_path = write_cohort(count, folder)
    _pm, context = prepare(load_config(config_path))
    tomls = sorted((folder / "orgs").glob("*.toml"))
    started = time.perf_counter()
    books = [write_workbook(context.registry, context.year, parse_toml(path.read_bytes())) for path in tomls]
    written = time.perf_counter() - started
    for path, content in zip(tomls, books, strict=True):
        path.with_suffix(".xlsx").write_bytes(content)
    return context.registry, tomls, books, written


def read_all(folder: Path, reader: str) -> None:
    _pm, context = prepare(load_config(folder / "config.toml"))
    for path in sorted((folder / "orgs").glob("*.xlsx")):
        evidence = read_workbook(path.read_bytes(), str(path), context.registry, READERS[reader])
        assert not evidence.problems, evidence.problems


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        registry, tomls, books, written = write_books(count, Path(folder))
        texts = [path.read_bytes() for path in tomls]
        size = sum(len(content) for content in books) / len(books) / 1024
        each = written / count * 1000
        print(f"{count} workbooks ({size:.0f} KiB each), written in {written:.1f} s ({each:.0f} ms each)")

        rows = []
        for name, reader in READERS.items():
            grids = best_of(lambda reader=reader: [reader(content) for content in books])
            evidence = best_of(
                lambda reader=reader: [read_workbook(content, "bench.xlsx", registry, reader) for content in books]
            )
            rows.append((name, grids, evidence))
        toml = best_of(lambda: [parse_toml(text) for text in texts])

        for content in books[:50]:
            fast = read_workbook(content, "bench.xlsx", registry, load_grids)
            slow = read_workbook(content, "bench.xlsx", registry, load_grids_openpyxl)
            assert fast.raw == slow.raw and not fast.problems, "the two readers disagree"

        print(f"{'reader':<10} {'sheet values':>14} {'evidence':>14} {'per workbook':>14}")
        for name, grids, evidence in rows:
            print(f"{name:<10} {grids:>12.2f} s {evidence:>12.2f} s {evidence / count * 1000:>11.1f} ms")
        calamine, openpyxl = rows[0][2], rows[1][2]
        print(f"calamine reads the evidence {openpyxl / calamine:.1f}x faster than openpyxl (read-only)")
        print(f"the same cohort as TOML: {toml:.2f} s ({toml / count * 1000:.2f} ms a file)")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["--write"]:
        write_books(int(arguments[1]), Path(arguments[2]))
    elif arguments[:1] == ["--read"]:
        read_all(Path(arguments[1]), arguments[2])
    else:
        main(int(arguments[0]) if arguments else 1000)
