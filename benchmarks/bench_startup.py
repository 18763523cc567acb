"""The fixed cost of a run: `assess run` of a one-organisation cohort with
`--format json` (everything a run costs that is not per organisation), its
wall seconds and peak memory. From the repository root, in the activated
environment:

    python benchmarks/bench_startup.py                     # 20 runs
    python benchmarks/bench_startup.py --runs 30 --against OTHER/.venv/bin/assess

With ``--against`` the same run of another installed `assess` (another
checkout, e.g. the commit before a change) is measured too, pair by pair
(this one, then the other, ...), and the ratio taken pair by pair, so that
a machine whose speed drifts moves both sides alike; the median and the
min–max are printed. A bare interpreter (``python -c pass``) is measured
the same way, for scale. Each run is a fresh process timed from outside
(benchmarks/bench.py's ``measure``); the cohort is the first organisation
of benchmarks/generate.py's (seed 2020).

Python compiles a module it imports unless its bytecode is kept
(``__pycache__``, written at the first import, or by ``pip install``):
where it is not kept (``PYTHONDONTWRITEBYTECODE`` set, an editable install)
every run compiles the package's modules again. The script says which.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import assess, cohort, measure, spread  # noqa: E402


def bytecode_kept() -> str:
    import fivestar.pipeline

    cached = importlib.util.cache_from_source(fivestar.pipeline.__file__)
    if os.path.exists(cached):
        return "kept (__pycache__)"
    return "not kept: every run compiles the modules" + (
        " (PYTHONDONTWRITEBYTECODE is set)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/bench_startup.py",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=20, help="runs (pairs with --against)")
    parser.add_argument("--against", type=Path, help="another installed assess command to measure pair by pair")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assess-bench-startup-") as scratch:
        config = cohort(1, Path(scratch))
        commands = {"this assess": assess("run", str(config), "--format", "json")}
        if arguments.against:
            commands["--against"] = [str(arguments.against), "run", str(config), "--format", "json"]
        commands["python -c pass"] = [sys.executable, "-c", "pass"]
        for command in commands.values():
            measure(command)
        seconds: dict[str, list[float]] = {name: [] for name in commands}
        peaks: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(arguments.runs):
            for name, command in commands.items():
                wall, peak = measure(command)
                seconds[name].append(wall)
                peaks[name].append(peak)
    print(f"Python {sys.version.split()[0]}, {arguments.runs} runs (medians, min and max); bytecode {bytecode_kept()}")
    print("assess run of one organisation, --format json:")
    for name in commands:
        print(f"  {name:<15} {spread(seconds[name], ' s', 3):<36} peak {spread(peaks[name], ' MB', 1)}")
    if arguments.against:
        ratios = [mine / other for mine, other in zip(seconds["this assess"], seconds["--against"], strict=True)]
        print(f"  this / --against, pair by pair: {spread(ratios)}")


if __name__ == "__main__":
    main()
