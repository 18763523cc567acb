"""A long fuzzing campaign over evidence, workbooks, the office's records and
reviews, and run configs: the suite's fuzz tests (tests/test_fuzz.py) with
many more examples. The seed is printed first, so that a failure can be
found again with ``--seed``.

    python benchmarks/fuzz_campaign.py [--examples 2000] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/fuzz_campaign.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per fuzz test (default 2000)")
    parser.add_argument("--seed", type=int, help="the seed of a campaign to run again (default: a new one)")
    options = parser.parse_args()
    seed = options.seed if options.seed is not None else random.randrange(2**32)
    print(f"fuzz campaign seed: {seed} ({options.examples} examples per test)", flush=True)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--hypothesis-seed={seed}",
        "--hypothesis-show-statistics",
        str(ROOT / "tests" / "test_fuzz.py"),
    ]
    environment = {**os.environ, "FUZZ_EXAMPLES": str(options.examples)}
    completed = subprocess.run(command, cwd=ROOT, env=environment, check=False)
    print(f"fuzz campaign seed: {seed}: {'passed' if completed.returncode == 0 else 'FAILED'}")
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main())
