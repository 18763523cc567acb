"""Does a sweep cost less than two runs? Run from the repository root:

    python benchmarks/bench_whatif.py            # 2,000 organisations
    python benchmarks/bench_whatif.py 2000 10000 # several sizes

For each size it writes a synthetic cohort (benchmarks/generate.py) and
measures the processor time (user + system) of each command in a fresh
process, best of three:

- one run: ``assess run CONFIG --format json --output FILE``;
- a sweep of four values: ``assess whatif CONFIG --policy
  star_threshold=0.75,0.8,0.85,0.9 --format json --output FILE``: the
  evidence is read and scored once, under the config's policies; as only
  the rate step reads star_threshold, only that step is repeated per value;
- the same sweep done by hand: five runs (the config, then
  ``--policy star_threshold=VALUE`` for each value), for comparison;
- for information, sweeps of four values of the other number policies,
  which steps before rate read for some organisations: ``heavy_default``
  (the penalise step, for organisations with a heavy item) and
  ``conduct_improvement`` (the score step, for rated organisations with
  last year's rating); those organisations are scored again per value.

It fails (exit 1) unless the sweep of star_threshold costs less than two
runs, and checks that the sweep's award counts are those of the five runs.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import write_cohort

VALUES = ("0.75", "0.8", "0.85", "0.9")
OTHER_SWEEPS = ("heavy_default=6,7,8,9", "conduct_improvement=0,2,3,5")
CHILD = "import sys; from fivestar.cli import main; sys.argv[0] = 'assess'; main()"

REPEATS = 3
"""Each command is timed this many times; the best run counts (as timeit
does), so that a busy machine does not decide the ratio."""


def assess(*arguments: str) -> float:
    """CPU seconds (user + system) of one ``assess`` command in a fresh
    process: on a shared machine the processor time a command costs is
    steadier than its wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    finished = subprocess.run([sys.executable, "-c", CHILD, *arguments], capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if finished.returncode not in (0, 1):
        raise SystemExit(f"assess {' '.join(arguments)} failed ({finished.returncode}):\n{finished.stderr[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best(*arguments: str) -> float:
    return min(assess(*arguments) for _ in range(REPEATS))


def five_stars(document: dict) -> int:
    return sum(entry["awards"]["five_star"] for entry in document["organisations"] if entry["awards"])


def main(sizes: list[int]) -> None:
    failed = False
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="assess-bench-") as folder:
            config = str(write_cohort(size, Path(folder)))
            result = Path(folder) / "results.json"
            sweep = Path(folder) / "whatif.json"
            one_run = best("run", config, "--format", "json", "--output", str(result))
            swept = best(
                "whatif",
                config,
                "--policy",
                "star_threshold=" + ",".join(VALUES),
                "--format",
                "json",
                "--output",
                str(sweep),
            )
            by_hand = one_run
            counts = {}
            for value in VALUES:
                by_hand += assess(
                    "run", config, "--policy", f"star_threshold={value}", "--format", "json", "--output", str(result)
                )
                counts[value] = five_stars(json.loads(result.read_text(encoding="utf-8")))
            document = json.loads(sweep.read_text(encoding="utf-8"))
            others = {
                sweep_of: best("whatif", config, "--policy", sweep_of, "--format", "json", "--output", str(sweep))
                for sweep_of in OTHER_SWEEPS
            }
            swept_counts = {str(row["value"]): row["five_star"] for row in document["sweep"]["rows"]}
        ratio = swept / one_run
        print(
            f"{size:>7} organisations, CPU seconds | one run: {one_run:6.2f} s | whatif sweep of {len(VALUES)} values: "
            f"{swept:6.2f} s = {ratio:4.2f}× one run | the same by five runs: {by_hand:6.2f} s | "
            + " | ".join(f"{name}: {seconds:6.2f} s = {seconds / one_run:4.2f}×" for name, seconds in others.items()),
            flush=True,
        )
        if swept_counts != counts:
            raise SystemExit(f"the sweep's 五星双优 counts {swept_counts} are not the runs' {counts}")
        failed = failed or ratio >= 2
    if failed:
        raise SystemExit("a sweep of four values costs 2× one run or more")


if __name__ == "__main__":
    main([int(argument) for argument in sys.argv[1:]] or [2000])
