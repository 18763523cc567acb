"""Where figure 3's time goes: the engine's scoring step, step by step, next
to benchmarks/baseline.py. From the repository root, in the activated
environment:

    python benchmarks/bench_scoring.py                 # 2,000 organisations, 9 runs
    python benchmarks/bench_scoring.py --size 500 --runs 15

Each organisation is scored as ``pipeline.score`` scores it (the same step
calls), with the clock read between the steps; a ledger is let go when the
next one is made, as a run lets it go once written (that time is counted
with the ledger's). The garbage collector is paused as ``assess run``
pauses it. The median and the min–max over the runs are printed, in ms for
the whole cohort; the clock's own reads add well under 1 ms in all.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import baseline  # noqa: E402
from bench import cohort  # noqa: E402

STEPS = ("cohort figures", "ledger made and let go", "score", "penalise", "cap", "total", "rate")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python benchmarks/bench_scoring.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=2000, help="organisations of the generated cohort")
    parser.add_argument("--runs", type=int, default=9, help="runs measured (after one warm-up)")
    parser.add_argument("--cohorts", type=Path, help="folder that keeps the generated cohorts between calls")
    arguments = parser.parse_args()

    from fivestar.config import load_config
    from fivestar.model import Cohort, Ledger
    from fivestar.numbers import ZERO
    from fivestar.pipeline import collector_paused, load_organisation, prepare

    with tempfile.TemporaryDirectory(prefix="assess-bench-") as scratch:
        config = load_config(cohort(arguments.size, arguments.cohorts or Path(scratch)))
        pm, context = prepare(config)
        valid = [
            organisation
            for organisation in (load_organisation(path, pm, context) for path in config.organisation_files())
            if organisation.valid
        ]
    score_step, penalise, cap, rate = (
        pm.step(name) for name in ("assess_score", "assess_penalise", "assess_cap", "assess_rate")
    )
    clock = time.perf_counter

    def engine() -> list[float]:
        spent = [0.0] * len(STEPS)
        started = clock()
        figures = Cohort(valid)
        for answer in pm.hook.assess_cohort(cohort=figures, context=context):
            figures.figures.update(answer or {})
        context.cohort = figures.figures
        spent[0] = clock() - started
        ledger = section = None
        for organisation in valid:
            t0 = clock()
            ledger = section = None  # the last ledger let go (its sections hold its lines)
            ledger = Ledger(organisation)
            t1 = clock()
            score_step(ledger, context)
            t2 = clock()
            penalise(ledger, context)
            t3 = clock()
            cap(ledger, context)
            t4 = clock()
            total = ZERO
            for section in ledger.sections.values():
                total += section.score
            ledger.total = total - ledger.heavy_points()
            t5 = clock()
            rate(ledger, context)
            t6 = clock()
            for index, (begin, end) in enumerate(((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t5, t6)), 1):
                spent[index] += end - begin
        return spent

    def plain() -> float:
        started = clock()
        average, ratings = baseline.cohort_figures([organisation.facts for organisation in valid])
        for organisation in valid:
            baseline.score(organisation.facts, organisation.heavy, config.year, average, ratings)
        return clock() - started

    runs: list[list[float]] = []
    plains: list[float] = []
    for run in range(arguments.runs + 1):
        with collector_paused():
            spent = engine()
            yardstick = plain()
        gc.collect()
        if run:
            runs.append(spent)
            plains.append(yardstick)

    def shown(values: list[float]) -> str:
        ms = [value * 1000 for value in values]
        return f"{statistics.median(ms):6.1f} ms (min {min(ms):.1f}, max {max(ms):.1f})"

    print(f"{len(valid):,} organisations, {arguments.runs} runs (medians, min and max)")
    for index, step in enumerate(STEPS):
        print(f"  {step:24} {shown([spent[index] for spent in runs])}")
    print(f"  {'engine, all steps':24} {shown([sum(spent) for spent in runs])}")
    print(f"  {'baseline':24} {shown(plains)}")


if __name__ == "__main__":
    main()
