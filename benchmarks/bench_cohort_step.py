"""The cohort step of a large (streamed) run alone: the ``assess_cohort``
hooks over the packed organisations, as ``core/streamed.py`` runs it in the
main process between the two parallel phases. From the repository root, in
the activated environment:

    python benchmarks/bench_cohort_step.py                     # 2,000 organisations, 15 runs
    python benchmarks/bench_cohort_step.py --size 20000 --runs 7
    python benchmarks/bench_cohort_step.py --config path/to/config.toml

The organisations are read and packed once; then, in turn, the step as a
run makes it (each organisation's facts unpacked a section at a time, when a
hook reads that section) and the same step with every organisation's facts
unpacked whole when first read (as the step did before, but from the same
packing). The median and the min–max over the runs are printed, in ms for
the whole cohort, and the ratio taken pair by pair; the garbage collector is
paused as ``assess run`` pauses it. Both must compute the same figures.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import cohort  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/bench_cohort_step.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--size", type=int, default=2000, help="organisations of the generated cohort")
    parser.add_argument("--runs", type=int, default=15, help="runs measured (after one warm-up)")
    parser.add_argument("--cohorts", type=Path, help="folder that keeps the generated cohorts between calls")
    parser.add_argument("--config", type=Path, help="a run config to measure instead of a generated cohort")
    arguments = parser.parse_args()

    from fivestar.config import load_config
    from fivestar.pipeline import collector_paused, load_organisation, prepare
    from fivestar.streamed import COMPRESS_FROM, PackedOrganisations, Packer, cohort_figures

    with tempfile.TemporaryDirectory(prefix="assess-bench-") as scratch:
        config = load_config(arguments.config or cohort(arguments.size, arguments.cohorts or Path(scratch)))
        pm, context = prepare(config)
        files = config.organisation_files()
        packer = Packer(context.registry, compress=len(files) >= COMPRESS_FROM)
        packed, chosen = [], []
        for index, path in enumerate(files):
            organisation = load_organisation(path, pm, context)
            packed.append(packer.pack(organisation))
            if organisation.valid:
                chosen.append(index)

    figures: dict[bool, dict[str, object]] = {}

    def step(by_section: bool) -> Callable[[], float]:
        def measured() -> float:
            with collector_paused():
                started = time.perf_counter()
                organisations = PackedOrganisations(packer, packed, files, chosen, by_section=by_section)
                figures[by_section] = cohort_figures(organisations, pm, context)
                seconds = time.perf_counter() - started
            gc.collect()
            return seconds

        return measured

    by_section, whole = step(True), step(False)
    by_section(), whole()
    pairs = [(by_section(), whole()) for _ in range(arguments.runs)]
    if figures[True] != figures[False]:
        raise SystemExit("the two ways computed different figures")

    def shown(values: list[float], scale: float = 1000, unit: str = " ms", digits: int = 1) -> str:
        low, middle, high = (
            f"{value * scale:.{digits}f}" for value in (min(values), statistics.median(values), max(values))
        )
        return f"{middle}{unit} ({low}–{high})"

    print(f"cohort step, {len(chosen):,} valid organisations of {len(files):,}, {arguments.runs} runs:")
    print(f"  facts unpacked a section at a time: {shown([pair[0] for pair in pairs])}")
    print(f"  facts unpacked whole:               {shown([pair[1] for pair in pairs])}")
    print(f"  ratio, pair by pair:                {shown([a / b for a, b in pairs], 1, '', 2)}")


if __name__ == "__main__":
    main()
