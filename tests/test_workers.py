"""fivestar.workers: tasks run on the worker they are queued for, which keeps
what earlier tasks left it; an idle worker takes another's task; a failure
in a worker is raised in the caller, a dead worker is an error, not a hang."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fivestar.pipeline import can_fork
from fivestar.workers import PIPE_SIZE, PIPES_SIZE, WorkerDied, WorkerRaised, Workers

fcntl = pytest.importorskip("fcntl", reason="workers are forked processes (not on Windows)")

pytestmark = pytest.mark.skipif(not can_fork(), reason="workers are forked processes")


class Unreadable(Exception):
    """An exception that pickles but cannot be unpickled (its arguments are not its __init__'s)."""

    def __init__(self, number: int, word: str) -> None:
        super().__init__(f"{word} {number}")


KEPT: dict[str, Any] = {}
"""What a worker keeps between its tasks (each process has its own)."""


GATE: Path | None = None
"""Where set, the task "x" waits for this file, which the task "c" makes."""


def serve(kind: str, argument: Any) -> Any:
    if kind == "keep":
        if argument == "x" and GATE is not None:
            deadline = time.monotonic() + 10
            while not GATE.exists() and time.monotonic() < deadline:
                time.sleep(0.005)
        KEPT[argument] = os.getpid()
        if argument == "c" and GATE is not None:
            GATE.touch()
        return os.getpid()
    if kind == "kept":
        return sorted(KEPT)
    if kind == "pid":
        return os.getpid()
    if kind == "echo":
        return argument
    if kind == "raise":
        raise ValueError(f"bad {argument}")
    if kind == "unpicklable":
        return lambda: argument
    if kind == "raise unreadable":
        raise Unreadable(argument, "second")
    if kind == "die":
        os._exit(3)
    raise AssertionError(kind)


@pytest.fixture
def workers() -> Iterator[Workers]:
    with Workers(2, serve) as made:
        yield made


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """A test that waits for a worker forever fails after 20 s instead."""

    def timed_out(*_: Any) -> None:
        raise TimeoutError("waited for a worker for 20 s")

    previous = signal.signal(signal.SIGALRM, timed_out)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_each_task_runs_on_the_worker_it_is_queued_for_which_keeps_what_it_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second worker's first task waits until the first worker has its
    last one: else the second, done first, would take it (an idle worker
    takes the last task of another's queue)."""
    monkeypatch.setattr(sys.modules[__name__], "GATE", tmp_path / "c kept")
    with Workers(2, serve) as workers:
        pids = workers.broadcast("pid", None)
        assert len(set(pids)) == 2 and os.getpid() not in pids
        done = list(workers.run("keep", [["a", "b", "c"], ["x", "y"]]))
        assert sorted(task for _worker, task, _pid in done) == ["a", "b", "c", "x", "y"]
        for worker, task, pid in done:
            assert pid == pids[worker]
            assert (worker == 0) == (task in "abc")
        assert workers.broadcast("kept", None) == [["a", "b", "c"], ["x", "y"]]
        assert KEPT == {}


def test_a_shared_queue_gives_every_task_once_to_whichever_worker_is_free(workers: Workers) -> None:
    tasks = list(range(40))
    done = list(workers.run("keep", [tasks]))
    assert sorted(task for _worker, task, _pid in done) == tasks
    first, second = workers.broadcast("kept", None)
    assert sorted(first + second) == tasks and not set(first) & set(second)


def test_an_idle_worker_takes_the_last_tasks_of_the_longest_queue_and_is_told_so(workers: Workers) -> None:
    prepared: list[tuple[Any, int, bool]] = []

    def prepare(task: Any, worker: int, taken: bool) -> Any:
        prepared.append((task, worker, taken))
        return task

    tasks = [f"t{number:02d}" for number in range(30)]
    done = list(workers.run("keep", [[], tasks], prepare))
    assert sorted(task for _worker, task, _pid in done) == tasks
    by_worker = {worker: [task for task, chosen, _taken in prepared if chosen == worker] for worker in (0, 1)}
    assert by_worker[0], "the worker with no queue of its own took none of the other's tasks"
    assert all(taken for _task, worker, taken in prepared if worker == 0)
    assert not any(taken for _task, worker, taken in prepared if worker == 1)
    assert by_worker[1] == sorted(by_worker[1]) and by_worker[0] == sorted(by_worker[0], reverse=True)
    assert max(by_worker[1]) < min(by_worker[0])


def test_an_exception_in_a_worker_is_raised_in_the_caller(workers: Workers) -> None:
    with pytest.raises(ValueError, match="bad 7"):
        list(workers.run("raise", [[7], []]))


def test_a_result_that_cannot_be_sent_is_an_error_naming_it(workers: Workers) -> None:
    with pytest.raises(WorkerRaised, match="lambda"):
        list(workers.run("unpicklable", [[1], []]))


def test_an_exception_that_cannot_come_through_a_pipe_comes_as_its_traceback(workers: Workers) -> None:
    with pytest.raises(WorkerRaised, match=r"(?s)Traceback.*Unreadable: second 4"):
        list(workers.run("raise unreadable", [[4], []]))


def test_a_worker_that_dies_is_an_error_not_a_wait(workers: Workers) -> None:
    with pytest.raises(WorkerDied, match="exit code 3"):
        list(workers.run("die", [[1], []]))


@pytest.mark.parametrize("how", ["run", "broadcast"])
def test_a_worker_found_dead_when_sent_a_task_is_an_error_naming_it(workers: Workers, how: str) -> None:
    """Not a BrokenPipeError, which the command line takes for stdout's reader gone."""
    dead = workers.processes[1]
    os.kill(dead.pid, signal.SIGKILL)
    dead.join()
    with pytest.raises(WorkerDied, match=f"pid {dead.pid}.*exit code -9"):
        if how == "run":
            list(workers.run("pid", [[1, 2], [3, 4]]))
        else:
            workers.broadcast("pid", None)


def test_terminate_ends_every_worker() -> None:
    made = Workers(2, serve)
    processes = list(made.processes)
    assert all(process.is_alive() for process in processes)
    made.terminate()
    assert not any(process.is_alive() for process in processes)
    assert len(made) == 0


def test_large_tasks_and_large_results_never_wait_for_each_other(workers: Workers) -> None:
    """A large task goes only to a worker with nothing pending: were it sent
    behind a running task, the worker would block sending its large result
    while this process blocked sending it the task (the alarm would fail
    this test after 20 s)."""
    tasks = [bytes([number]) * 2_000_000 for number in range(6)]
    done = list(workers.run("echo", [tasks[:5], tasks[5:]]))
    assert sorted(result for _worker, _task, result in done) == sorted(tasks)


def ended(pid: int) -> bool:
    """Whether a process that is not this one's child has ended (gone, or a zombie nobody reaped)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_workers_end_when_the_main_process_is_killed(tmp_path: Path) -> None:
    """Each worker sees its pipe close when the process that made them dies,
    even killed: no worker holds another's pipe open."""
    script = (
        "import sys, time\n"
        "from fivestar.workers import Workers\n"
        "made = Workers(3, lambda kind, argument: argument)\n"
        "print(*(process.pid for process in made.processes), flush=True)\n"
        "time.sleep(60)\n"
    )
    main = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(pid) for pid in main.stdout.readline().split()]  # type: ignore[union-attr]
        assert len(pids) == 3 and not any(ended(pid) for pid in pids)
    finally:
        main.kill()
        main.wait()
    deadline = time.monotonic() + 10
    while not all(ended(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(ended(pid) for pid in pids)


@pytest.mark.skipif(not hasattr(fcntl, "F_GETPIPE_SZ"), reason="pipe sizes are Linux's")
def test_a_workers_results_pipe_holds_a_chunk_without_waiting(workers: Workers) -> None:
    """A worker writes a chunk's packed organisations (some 80 kB) and goes on
    to its next task, whether or not this process has read them yet."""
    for connection in workers.connections:
        assert fcntl.fcntl(connection.fileno(), fcntl.F_GETPIPE_SZ) >= PIPE_SIZE >= 512 * 1024
    done = list(workers.run("echo", [[b"x" * 400_000] * 3, [b"y" * 400_000] * 3]))
    assert len(done) == 6


@pytest.mark.skipif(not hasattr(fcntl, "F_GETPIPE_SZ"), reason="pipe sizes are Linux's")
def test_many_workers_share_a_bounded_room_for_their_results() -> None:
    """Linux gives a user's pipes 64 MB in all, past which a new pipe holds
    4 kB: 32 workers' pipes of results hold PIPES_SIZE together, not 32 MB."""
    with Workers(32, serve) as many:
        sizes = [fcntl.fcntl(connection.fileno(), fcntl.F_GETPIPE_SZ) for connection in many.connections]
        assert sum(sizes) <= PIPES_SIZE and min(sizes) >= 64 * 1024
        assert sorted(result for _worker, _task, result in many.run("echo", [list(range(64))])) == list(range(64))


def test_what_this_process_has_not_yet_written_is_not_written_again_by_its_workers() -> None:
    """A worker flushes its stdout as it ends; what this process had written
    but not yet flushed when the workers were forked (stdout is a pipe here)
    is written once, by this process, not once more by each worker that
    ends on its own (this process gone, its pipes closed)."""
    script = (
        "import sys\n"
        "from fivestar.workers import Workers\n"
        "sys.stdout.write('said once\\n')\n"
        "made = Workers(2, lambda kind, argument: argument)\n"
        "for connection in made.connections:\n"
        "    connection.close()\n"
        "for process in made.processes:\n"
        "    process.join()\n"
    )
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    ended = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=buffered)
    assert (ended.returncode, ended.stdout) == (0, "said once\n"), ended.stderr
