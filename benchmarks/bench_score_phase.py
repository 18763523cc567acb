"""The score phase of a large (streamed) run, chunk by chunk: how long it
takes and how long one worker waits for the other at its end, for several
numbers of chunks a worker (``streamed.CHUNKS_PER_WORKER``). From the
repository root, in the activated environment:

    python benchmarks/bench_score_phase.py                       # 2,000 organisations, 2 workers, 9 rounds
    python benchmarks/bench_score_phase.py --per-worker 4 8 16 --jobs 2 --rounds 15
    python benchmarks/bench_score_phase.py --config path/to/config.toml
    python benchmarks/bench_score_phase.py --per-worker 4 --writers-per-chunk

Each round runs the whole streamed run (``--format json``'s pieces) once for
every setting, in turn; the clock is read around every chunk in its worker.
Printed for each setting, median and min–max over the rounds: the phase
(the first chunk's start to the last chunk's end), the workers' busy time
(every chunk's time, summed), the share of the phase one worker sat idle at
the end (its last chunk's end to the other's), and the phase's ratio to the
first setting's in the same round. 4 chunks a worker is what 250
organisations a chunk made of 2,000 organisations over 2 workers. With
``--writers-per-chunk`` every setting is measured a second time with the
outputs' writers made again for every chunk (as before they were made once
a phase in each worker).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fivestar.streamed as streamed  # noqa: E402
from bench import cohort  # noqa: E402

_score = streamed._score
CLOCKS: list[Path] = []
WRITERS_PER_CHUNK: list[bool] = [False]


def timed_chunk(bounds: Any) -> Any:
    """A chunk scored as the run scores it, with its worker's clock read around it."""
    if WRITERS_PER_CHUNK[0]:
        assert streamed._STREAM is not None
        streamed._STREAM.pieces = None
    started = time.perf_counter()
    result = _score(bounds)
    with CLOCKS[0].open("a") as log:
        log.write(f"{os.getpid()} {started} {time.perf_counter()}\n")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/bench_score_phase.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--size", type=int, default=2000, help="organisations of the generated cohort")
    parser.add_argument("--rounds", type=int, default=9, help="rounds measured")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--per-worker", type=int, nargs="+", default=[4, 16], help="chunks a worker, each measured")
    parser.add_argument("--writers-per-chunk", action="store_true", help="also measure writers made for every chunk")
    parser.add_argument("--cohorts", type=Path, help="folder that keeps the generated cohorts between calls")
    parser.add_argument("--config", type=Path, help="a run config to measure instead of a generated cohort")
    arguments = parser.parse_args()

    from fivestar.config import load_config
    from fivestar.pipeline import collector_paused, prepare, run_cohort
    from fivestar.report import json_pieces

    streamed._score = timed_chunk
    settings = [(per_worker, False) for per_worker in arguments.per_worker]
    if arguments.writers_per_chunk:
        settings += [(per_worker, True) for per_worker in arguments.per_worker]
    found: dict[tuple[int, bool], list[tuple[float, float, float, int]]] = {setting: [] for setting in settings}
    with tempfile.TemporaryDirectory(prefix="assess-bench-") as scratch:
        CLOCKS.append(Path(scratch) / "clocks")
        config = load_config(arguments.config or cohort(arguments.size, arguments.cohorts or Path(scratch)))
        files = config.organisation_files()
        for _round in range(arguments.rounds):
            for setting in settings:
                streamed.CHUNKS_PER_WORKER, WRITERS_PER_CHUNK[0] = setting
                CLOCKS[0].write_text("")
                pm, context = prepare(config)
                with collector_paused():
                    result = run_cohort(files, pm, context, jobs=arguments.jobs, pieces={"json": json_pieces})
                del result
                chunks = [line.split() for line in CLOCKS[0].read_text().splitlines()]
                start = min(float(chunk[1]) for chunk in chunks)
                ends: dict[str, float] = {}
                for worker, _started, ended in chunks:
                    ends[worker] = max(ends.get(worker, 0.0), float(ended))
                phase = max(ends.values()) - start
                idle = (max(ends.values()) - min(ends.values())) / phase
                busy = sum(float(ended) - float(started) for _worker, started, ended in chunks)
                found[setting].append((phase, busy, idle, len(chunks)))

    def shown(values: list[float], scale: float, digits: int) -> str:
        low, middle, high = (
            f"{value * scale:.{digits}f}" for value in (min(values), statistics.median(values), max(values))
        )
        return f"{middle} ({low}–{high})"

    first = found[settings[0]]
    print(f"score phase, {len(files):,} organisations, {arguments.jobs} workers, {arguments.rounds} rounds:")
    for (per_worker, per_chunk), rounds in found.items():
        phase = shown([r[0] for r in rounds], 1000, 0)
        busy = shown([r[1] for r in rounds], 1000, 0)
        idle = shown([r[2] for r in rounds], 100, 1)
        ratio = shown([r[0] / f[0] for r, f in zip(rounds, first, strict=True)], 1, 3)
        print(
            f"  {per_worker:>3} chunks a worker ({rounds[0][3]} chunks){', writers a chunk' if per_chunk else ''}:"
            f" phase {phase} ms; busy {busy} ms; one worker idle at the end {idle} % of the phase;"
            f" phase / the first line's {ratio}"
        )


if __name__ == "__main__":
    main()
