"""The `assess` program ends as soon as its command has ended
(fivestar.cli.entry): the same output and exit code as the command itself,
what was registered to run at exit run (a streamed run's spill folder
removed), and Python's own exit wherever skipping it could lose something."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import write_cohort  # noqa: E402


def run(code: str, *arguments: str, tmp: Path) -> subprocess.CompletedProcess[bytes]:
    """``code`` run by a fresh Python with ``arguments`` and its own temporary folder."""
    return subprocess.run(
        [sys.executable, "-c", code, *arguments], capture_output=True, env={**os.environ, "TMPDIR": str(tmp)}
    )


AS_THE_COMMAND = "import sys; from fivestar.cli import main; sys.argv[0] = 'assess'; main()"
AS_THE_PROGRAM = "import sys; from fivestar.cli import entry; sys.argv[0] = 'assess'; entry()"


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """250 generated organisations, one of them failing: a run streamed in pieces with two workers."""
    config = write_cohort(250, tmp_path_factory.mktemp("cohort"))
    (config.parent / "orgs" / "org-000007.toml").write_text("[organisation\n", encoding="utf-8")
    return config


def test_a_streamed_run_ends_with_its_output_exit_code_and_spill_folder_removed(cohort: Path, tmp_path: Path) -> None:
    arguments = ("run", str(cohort), "--format", "json", "--jobs", "2")
    (tmp_path / "command").mkdir()
    (tmp_path / "program").mkdir()
    command = run(AS_THE_COMMAND, *arguments, tmp=tmp_path / "command")
    program = run(AS_THE_PROGRAM, *arguments, tmp=tmp_path / "program")
    assert command.returncode == program.returncode == 1, program.stderr
    assert program.stdout == command.stdout and program.stdout.endswith(b"\n]}\n")
    assert b"org-000007" in program.stderr
    assert list((tmp_path / "program").iterdir()) == [] == list((tmp_path / "command").iterdir())


@pytest.mark.parametrize(("arguments", "code"), [(("--version",), 0), (("run", "missing.toml"), 2), (("nope",), 2)])
def test_the_program_exits_as_the_command_does(arguments: tuple[str, ...], code: int, tmp_path: Path) -> None:
    command = run(AS_THE_COMMAND, *arguments, tmp=tmp_path)
    program = run(AS_THE_PROGRAM, *arguments, tmp=tmp_path)
    assert program.returncode == command.returncode == code
    assert (program.stdout, program.stderr) == (command.stdout, command.stderr)


def test_a_thread_still_running_is_waited_for(tmp_path: Path) -> None:
    written = tmp_path / "written"
    code = (
        "import threading, time, sys\n"
        "from pathlib import Path\n"
        "from fivestar.cli import end_process\n"
        "def later():\n"
        "    time.sleep(0.3)\n"
        f"    Path({str(written)!r}).write_text('done')\n"
        "threading.Thread(target=later).start()\n"
        "end_process(3)\n"
    )
    ended = run(code, tmp=tmp_path)
    assert ended.returncode == 3
    assert written.read_text() == "done"


def test_what_runs_at_exit_runs_and_an_exit_message_is_shown(tmp_path: Path) -> None:
    code = (
        "import atexit, sys\n"
        "from fivestar.cli import end_process\n"
        "atexit.register(lambda: print('at exit', flush=False))\n"
        "print('said', end=' ')\n"
        "end_process(sys.argv[1] if sys.argv[1] != '4' else 4)\n"
    )
    four = run(code, "4", tmp=tmp_path)
    assert (four.returncode, four.stdout) == (4, b"said at exit\n")
    message = run(code, "gone wrong", tmp=tmp_path)
    assert (message.returncode, message.stdout, message.stderr) == (1, b"said at exit\n", b"gone wrong\n")


@pytest.mark.parametrize("closed", [1, 2])
def test_a_closed_stdout_or_stderr_ends_the_program_as_the_command(closed: int, tmp_path: Path) -> None:
    """Started with stdout or stderr closed (``>&-``, as some schedulers do),
    Python has no such stream (None): nothing to flush, not a traceback."""
    ended = [
        subprocess.run(
            [sys.executable, "-c", code, "--version"],
            capture_output=True,
            env={**os.environ, "TMPDIR": str(tmp_path)},
            preexec_fn=lambda: os.close(closed),
        )
        for code in (AS_THE_COMMAND, AS_THE_PROGRAM)
    ]
    command, program = ended
    assert program.returncode == command.returncode == 0, program.stderr
    assert (program.stdout, program.stderr) == (command.stdout, command.stderr)


def test_the_collector_stays_paused_only_where_the_process_ends_with_the_run(cohort: Path, tmp_path: Path) -> None:
    """`assess run` pauses the cyclic collector; the program, which ends
    right after, leaves it paused (its first pass would walk everything the
    run made), while the command called from Python turns it on again."""
    arguments = ("run", str(cohort), "--format", "csv", "--jobs", "1")
    report = "import atexit, gc, sys; atexit.register(lambda: sys.stderr.write(f'collector on: {gc.isenabled()}'))"
    program = run(f"{report}; {AS_THE_PROGRAM}", *arguments, tmp=tmp_path)
    command = run(f"{report}; {AS_THE_COMMAND}", *arguments, tmp=tmp_path)
    assert program.returncode == command.returncode == 1
    assert program.stderr.endswith(b"collector on: False")
    assert command.stderr.endswith(b"collector on: True")
