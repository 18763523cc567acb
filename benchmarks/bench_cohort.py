"""How fast is a whole cohort scored? Run from the repository root:

    python benchmarks/bench_cohort.py                 # 1,000 organisations
    python benchmarks/bench_cohort.py 1000 100000     # several sizes

For each size it writes a synthetic cohort in the spec's evidence format
(benchmarks/generate.py), then measures

- end to end: ``assess run CONFIG --format json --output FILE`` in a fresh
  process (reading, validating, scoring, writing), with ``--jobs 1`` and
  ``--jobs 2``, its wall time and peak memory (the main process's maximum
  resident set);
- the scoring step alone: cohort figures, score, penalise, cap and rate for
  the already validated organisations, in this process;
- the baseline: benchmarks/baseline.py, a plain hand-written function
  computing the same 2020 totals from the same facts. The engine's scoring
  step should stay within 3× of it. Both must agree on every total.

The scoring step and the baseline are the best of three runs each.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baseline
from fivestar.config import load_config
from fivestar.model import Cohort
from fivestar.pipeline import load_organisation, prepare, score
from generate import write_cohort

JOBS = (1, 2)
"""`assess run` is timed reading the evidence in one process and in two."""

REPEATS = 3
"""The scoring step and the baseline are each timed this many times; the best
run counts (as timeit does), so that a busy machine does not decide the ratio."""

CHILD = """
import atexit, resource, sys
atexit.register(lambda: print("peak_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))
from fivestar.cli import main
sys.argv = ["assess", "run", sys.argv[1], "--format", "json", "--output", sys.argv[2], "--jobs", sys.argv[3]]
main()
"""


def end_to_end(config: Path, output: Path, jobs: int) -> tuple[float, float]:
    """Wall seconds and peak MB (of the main process) of one `assess run`
    with ``--jobs`` in a fresh process."""
    started = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, "-c", CHILD, str(config), str(output), str(jobs)], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if finished.returncode not in (0, 1):
        raise SystemExit(f"assess run failed ({finished.returncode}):\n{finished.stderr[-2000:]}")
    peak_kb = next(int(line.split()[1]) for line in finished.stderr.splitlines() if line.startswith("peak_kb"))
    return seconds, peak_kb / 1024


def scoring_step(config_path: Path) -> tuple[float, float, int, dict[str, Decimal], dict[str, Decimal]]:
    """Seconds of the engine's scoring step and of the baseline, with both totals."""
    config = load_config(config_path)
    pm, context = prepare(config)
    organisations = [load_organisation(path, pm, context) for path in config.organisation_files()]
    valid = [organisation for organisation in organisations if organisation.valid]

    engine_seconds = baseline_seconds = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        cohort = Cohort(valid)
        for figures in pm.hook.assess_cohort(cohort=cohort, context=context):
            cohort.figures.update(figures or {})
        context.cohort = cohort.figures
        engine = {organisation.id: score(organisation, pm, context).total for organisation in valid}
        engine_seconds = min(engine_seconds, time.perf_counter() - started)

        started = time.perf_counter()
        average, ratings = baseline.cohort_figures([organisation.facts for organisation in valid])
        plain = {
            organisation.id: baseline.score(organisation.facts, organisation.heavy, config.year, average, ratings)[
                "total"
            ]
            for organisation in valid
        }
        baseline_seconds = min(baseline_seconds, time.perf_counter() - started)
    return engine_seconds, baseline_seconds, len(valid), engine, plain


def main(sizes: list[int]) -> None:
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="assess-bench-") as folder:
            config = write_cohort(size, Path(folder))
            output = Path(folder) / "results.json"
            runs = {jobs: end_to_end(config, output, jobs) for jobs in JOBS}
            scored = len(json.loads(output.read_text(encoding="utf-8"))["organisations"])
            engine_seconds, baseline_seconds, valid, engine, plain = scoring_step(config)
            disagreements = [org_id for org_id in engine if engine[org_id] != plain[org_id]]
        measured = " | ".join(
            f"assess run --jobs {jobs}: {seconds:7.2f} s, {size / seconds:6.0f} org/s, peak {peak:7.1f} MB"
            for jobs, (seconds, peak) in runs.items()
        )
        print(
            f"{size:>7} organisations | {measured} | scoring step: {engine_seconds:7.3f} s, "
            f"{valid / engine_seconds:6.0f} org/s | baseline: {baseline_seconds:7.3f} s | "
            f"ratio {engine_seconds / baseline_seconds:4.2f}× | totals disagree: {len(disagreements)}",
            flush=True,
        )
        if disagreements:
            raise SystemExit(f"engine and baseline disagree on {disagreements[:5]}")
        if scored != size:
            raise SystemExit(f"assess run reported {scored} of {size} organisations")


def parse_sizes(arguments: list[str]) -> list[int]:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/bench_cohort.py",
        description=__doc__.split("\n\n", 1)[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "sizes", nargs="*", type=int, default=[1000], metavar="SIZE", help="cohort sizes to measure (default 1000)"
    )
    return parser.parse_args(arguments).sizes


if __name__ == "__main__":
    main(parse_sizes(sys.argv[1:]))
