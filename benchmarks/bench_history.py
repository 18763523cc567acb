"""What the history store costs: ``assess run`` with last year in the store
against the same run without a store, the same with ``--save`` (a year not
yet stored, and ``--replace`` of a stored one), and ``assess history ORG`` on
a store holding two years of the cohort.

    python benchmarks/bench_history.py [--size 20000] [--repeat 3] [--work DIR]

Each figure is measured on a child process: wall time, and its peak resident
memory as the operating system reports it (``wait4``'s ``ru_maxrss``). Each
round runs every command once, the run without a store first; a ratio is
taken within each round and the median and range of the rounds' ratios are
printed. The
cohort is generated reproducibly (benchmarks/generate.py, seed 2020); the
2019 run is the same evidence under year 2019.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_cohort

ASSESS = str(Path(sys.executable).with_name("assess"))


def measure(arguments: list[str]) -> tuple[float, float]:
    """Seconds and peak megabytes of one ``assess`` run (which must succeed).
    What the runs before it wrote is flushed to disk first, so that no run
    pays for the writing of another (each writes hundreds of megabytes)."""
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen([ASSESS, *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.returncode not in (0, 1):
        raise SystemExit(f"assess {' '.join(arguments)} exited {process.returncode}:\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024


def flush(path: Path) -> None:
    """Have the file on disk, as a store is before a save: else the save's
    own flush of the store would write the whole copy as well."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def config(folder: Path, year: int, store: str) -> Path:
    path = folder / f"config-{year}-{store.split('.')[0]}.toml"
    path.write_text(
        f'[assessment]\nyear = {year}\norganisations = ["orgs/*.toml"]\n\n'
        f'[office]\nreviews = ["reviews.toml"]\n\n[store]\npath = "{store}"\n',
        encoding="utf-8",
    )
    return path


def summary(samples: list[tuple[float, float]]) -> str:
    seconds = [sample[0] for sample in samples]
    megabytes = [sample[1] for sample in samples]
    return (
        f"{statistics.median(seconds):7.2f} s ({min(seconds):.2f}–{max(seconds):.2f})  "
        f"{statistics.median(megabytes):7.0f} MB ({min(megabytes):.0f}–{max(megabytes):.0f})"
    )


def ratios(values: list[float]) -> str:
    """The median ratio and its range, each taken against the run without a
    store of the same round (a machine whose speed drifts moves both alike)."""
    return f"×{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python benchmarks/bench_history.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20_000, help="organisations per year (default 20000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (default 3)")
    parser.add_argument("--work", type=Path, help="folder for the cohort and store (default: a temporary one)")
    options = parser.parse_args()
    work = options.work or Path(tempfile.mkdtemp(prefix="bench-history-"))
    print(f"{options.size} organisations a year, {options.repeat} runs each, {os.cpu_count()} cores, in {work}")
    write_cohort(options.size, work)
    output = ["--format", "json", "--output", str(work / "results.json")]
    store, last_year_only = work / "history.sqlite3", work / "history-2019.sqlite3"
    if not store.exists() or not last_year_only.exists():
        store.unlink(missing_ok=True)
        measure(["run", str(config(work, 2019, "history.sqlite3")), "--save", *output])
        shutil.copyfile(store, last_year_only)
        measure(["run", str(config(work, 2020, "history.sqlite3")), "--save", *output])
    with_store = config(work, 2020, "history.sqlite3")
    without = config(work, 2020, "absent.sqlite3")
    copy = work / "copy.sqlite3"
    saving = config(work, 2020, "copy.sqlite3")
    rows: dict[str, list[tuple[float, float]]] = {
        "run, no store": [],
        "run, 2019 in the store": [],
        "run --save, 2019 in the store": [],
        "run --save --replace, 2019 and 2020 stored": [],
    }
    history: list[tuple[float, float]] = []
    for _ in range(options.repeat):
        rows["run, no store"].append(measure(["run", str(without), *output]))
        rows["run, 2019 in the store"].append(measure(["run", str(with_store), *output]))
        for name, source, replace in (
            ("run --save, 2019 in the store", last_year_only, []),
            ("run --save --replace, 2019 and 2020 stored", store, ["--replace"]),
        ):
            shutil.copyfile(source, copy)
            flush(copy)
            rows[name].append(measure(["run", str(saving), "--save", *replace, *output]))
        history.append(measure(["history", f"org-{options.size // 2:06d}", "--config", str(with_store)]))
    base = rows["run, no store"]
    for name, samples in rows.items():
        times = [sample[0] / plain[0] for sample, plain in zip(samples, base, strict=True)]
        memories = [sample[1] / plain[1] for sample, plain in zip(samples, base, strict=True)]
        print(f"{name:44} {summary(samples)}  time {ratios(times)}, memory {ratios(memories)}")
    print(f"{'history ORG, two years in the store':44} {summary(history)}")
    print(f"store: {store.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
