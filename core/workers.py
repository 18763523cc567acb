"""Forked worker processes that keep what they were given between tasks.

:mod:`multiprocessing.pool` hands each task to whichever worker is free and
keeps nothing in a worker from one task to the next that the caller could
count on. A streamed run (:mod:`fivestar.streamed`) wants the opposite: the
worker that read a chunk of evidence files keeps those organisations and
scores them itself later, so that they are neither packed, sent and
unpacked again nor the workers forked a second time. :class:`Workers` runs
tasks on chosen workers, each with its own pipe, and lets an idle worker
take another's task (the caller says what such a task must carry).

A worker runs ``serve(kind, argument)`` for each task and sends back what
it returns; an exception it raises is raised in the calling process, and a
worker that dies (killed, or a plugin that ended the process) is an error
there, never a wait without end.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fivestar import signals
from fivestar.encoding import write_pieces

try:
    import fcntl
except ImportError:  # Windows, where nothing is forked
    fcntl = None  # type: ignore[assignment]

Serve = Callable[[str, Any], Any]
"""What a worker does with a task: ``serve(kind, argument)`` → its result."""

Prepare = Callable[[Any, int, bool], Any]
"""The message for a task sent to a worker: ``prepare(task, worker, taken)``,
``taken`` when the task was queued for another worker (an idle worker took it)."""

DEPTH = 2
"""Tasks each worker has been sent and not yet answered: the next one is
waiting in its pipe while it works on the first."""

SMALL_MESSAGE = 16 * 1024
"""The largest task sent to a worker that is still busy with another. A
larger one waits until the worker has answered: a pipe of tasks holds
64 kB (Linux's default), and a worker busy sending a large result while
this process is blocked sending it a large task would wait for each other
for ever."""

PIPE_SIZE = 1024 * 1024
"""What a worker's pipe of results holds (see :func:`_widen`), at most."""

PIPES_SIZE = 8 * 1024 * 1024
"""What the pipes of results of all the workers hold together, at most:
Linux lets a user (not root) give its pipes 64 MB in all, beyond which every
new pipe holds 4 kB (a pipe of tasks too, which :data:`SMALL_MESSAGE` counts
on holding 64 kB); 8 workers get 1 MB each, 64 workers 128 kB."""

LENGTH = struct.Struct("!Q")
"""How a message starts on a pipe: its length."""


class WorkerDied(RuntimeError):
    """A worker process ended without answering its task."""


class WorkerRaised(RuntimeError):
    """A worker's task raised an exception that cannot be sent as it is."""


class Channel:
    """One end of a worker's two pipes: messages (pickled, each after its
    length) written to one and read from the other."""

    def __init__(self, reading: int, writing: int) -> None:
        self.reading, self.writing = reading, writing

    def fileno(self) -> int:
        return self.reading

    def send_bytes(self, data: bytes) -> None:
        write_pieces(self.writing, [LENGTH.pack(len(data)), data])

    def send(self, message: Any) -> None:
        self.send_bytes(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))

    def recv(self) -> Any:
        (size,) = LENGTH.unpack(_read_exactly(self.reading, LENGTH.size))
        return pickle.loads(_read_exactly(self.reading, size))

    def close(self) -> None:
        for descriptor in (self.reading, self.writing):
            with contextlib.suppress(OSError):
                os.close(descriptor)


def _read_exactly(descriptor: int, size: int) -> bytearray:
    """``size`` bytes from the pipe; EOFError if it closes first (its writer died)."""
    data = bytearray(size)
    view = memoryview(data)
    got = 0
    while got < size:
        read = os.readv(descriptor, [view[got:]])
        if not read:
            raise EOFError
        got += read
    return data


class Process:
    """A forked worker process: what :mod:`multiprocessing`'s ``Process``
    gives of one (``pid``, ``exitcode``, :meth:`is_alive`, :meth:`join`,
    :meth:`terminate`), made with ``os.fork`` itself: the run need not
    import :mod:`multiprocessing` (some 4 ms of a run's start)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.exitcode: int | None = None

    def _reaped(self, options: int) -> bool:
        if self.exitcode is None:
            try:
                pid, status = os.waitpid(self.pid, options)
            except ChildProcessError:
                self.exitcode = -1
                return True
            if pid == 0:
                return False
            self.exitcode = os.waitstatus_to_exitcode(status)
        return True

    def is_alive(self) -> bool:
        return not self._reaped(os.WNOHANG)

    def join(self, timeout: float | None = None) -> None:
        if timeout is None:
            self._reaped(0)
            return
        deadline = time.monotonic() + timeout
        while not self._reaped(os.WNOHANG) and time.monotonic() < deadline:
            time.sleep(0.005)

    def terminate(self) -> None:
        if self.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)


def _widen(pipe: int, jobs: int) -> None:
    """Let a worker's pipe of results hold up to :data:`PIPE_SIZE` (of
    :data:`PIPES_SIZE` for ``jobs`` workers) where the system allows it
    (Linux): a worker writes a chunk's packed organisations (some 80 kB) and
    goes on to its next task without waiting for this process to read them."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl else None
    if set_size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe, set_size, max(64 * 1024, min(PIPE_SIZE, PIPES_SIZE // max(jobs, 1))))


def _fork(serve: Serve, inherited: list[Channel], jobs: int) -> tuple[Process, Channel]:
    """A worker forked to run ``serve`` on what it is sent, and this
    process's channel to it. The worker closes the channels to the workers
    forked before it (``inherited``), so that a worker sees its pipe close
    when this process ends, whatever the other workers do."""
    tasks_read, tasks_write = os.pipe()
    results_read, results_write = os.pipe()
    _widen(results_write, jobs)
    _flush_streams()  # else what is still buffered here would be written again by the worker as it ends
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(tasks_write)
            os.close(results_read)
            for channel in inherited:
                channel.close()
            _loop(Channel(tasks_read, results_write), serve)
            code = 0
        finally:
            _flush_streams()
            os._exit(code)
    os.close(tasks_read)
    os.close(results_write)
    return Process(pid), Channel(results_read, tasks_write)


def _flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed stream: nothing to flush
            stream.flush()


def _loop(connection: Channel, serve: Serve) -> None:
    signals.in_worker()
    while True:
        try:
            kind, argument = connection.recv()
        except EOFError:
            return
        try:
            answer: tuple[bool, Any] = (True, serve(kind, argument))
        except BaseException as error:
            answer = (False, _sendable(error))
        try:
            connection.send(answer)
        except Exception:  # the result would not pickle
            connection.send((False, WorkerRaised(f"a worker's result could not be sent: {repr(answer[1])[:2000]}")))


def _sendable(error: BaseException) -> BaseException:
    """The exception itself if it comes through a pipe whole (pickled and
    unpickled), else a :class:`WorkerRaised` with its traceback as text."""
    try:
        pickle.loads(pickle.dumps(error, pickle.HIGHEST_PROTOCOL))
    except Exception:
        return WorkerRaised("".join(traceback.format_exception(error)))
    return error


class Workers:
    """``jobs`` forked processes, each serving tasks sent to it alone.

    They inherit this process as it is when they are made (the plugins, the
    run's context, whatever the caller set up); what changes afterwards
    reaches them only in tasks and :meth:`broadcast`. End them with
    :meth:`terminate` (``with`` does)."""

    def __init__(self, jobs: int, serve: Serve) -> None:
        self.connections: list[Channel] = []
        self.processes: list[Process] = []
        try:
            for _ in range(jobs):
                process, connection = _fork(serve, self.connections, jobs)
                self.connections.append(connection)
                self.processes.append(process)
        except BaseException:
            self.terminate()
            raise

    def __len__(self) -> int:
        return len(self.connections)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.terminate()

    def run(
        self,
        kind: str,
        queues: Sequence[Sequence[Any]],
        prepare: Prepare | None = None,
    ) -> Iterator[tuple[int, Any, Any]]:
        """Each task's ``(worker, task, result)`` as the results come in.

        ``queues`` holds one sequence of tasks per worker, done in order, or
        a single sequence shared by all (each task to the first worker free).
        A worker whose own queue is empty takes the last task of the longest
        other queue. ``prepare`` makes the message sent for a task (default:
        the task itself)."""
        shared = len(queues) == 1 and len(self) > 1
        waiting = [deque(queue) for queue in queues]
        sent: list[deque[Any]] = [deque() for _ in self.connections]

        def feed(worker: int) -> None:
            while len(sent[worker]) < DEPTH:
                own = waiting[0] if shared else waiting[worker]
                taken = False
                if own:
                    task = own.popleft()
                else:
                    longest = max(waiting, key=len)
                    if not longest:
                        return
                    task = longest.pop()
                    taken = True
                message = prepare(task, worker, taken) if prepare else task
                data = pickle.dumps((kind, message), pickle.HIGHEST_PROTOCOL)
                if sent[worker] and len(data) > SMALL_MESSAGE:
                    if taken:
                        longest.append(task)
                    else:
                        own.appendleft(task)
                    return
                self._send(worker, data)
                sent[worker].append(task)

        for worker in range(len(self)):
            feed(worker)
        index = {connection.fileno(): worker for worker, connection in enumerate(self.connections)}
        while any(sent):
            waiting_on = select.poll()
            for worker in range(len(self)):
                if sent[worker]:
                    waiting_on.register(self.connections[worker].fileno(), select.POLLIN)
            for descriptor, _event in waiting_on.poll():
                worker = index[descriptor]
                result = self._receive(worker)
                task = sent[worker].popleft()
                feed(worker)
                yield worker, task, result

    def broadcast(self, kind: str, argument: Any) -> list[Any]:
        """Every worker's result of the same task, in the workers' order."""
        data = pickle.dumps((kind, argument), pickle.HIGHEST_PROTOCOL)
        for worker in range(len(self)):
            self._send(worker, data)
        return [self._receive(worker) for worker in range(len(self))]

    def _send(self, worker: int, data: bytes) -> None:
        try:
            self.connections[worker].send_bytes(data)
        except OSError:
            raise self._died(worker) from None

    def _receive(self, worker: int) -> Any:
        """The worker's answer to its oldest task; what it raised is raised here."""
        try:
            ok, result = self.connections[worker].recv()
        except (EOFError, OSError):
            raise self._died(worker) from None
        if not ok:
            raise result
        return result

    def _died(self, worker: int) -> WorkerDied:
        """The error for a worker found dead (a pipe to it closed, not a
        ``BrokenPipeError`` that would read as stdout's reader gone)."""
        process = self.processes[worker]
        process.join(1)
        return WorkerDied(
            f"a worker process (pid {process.pid}) ended without finishing its task (exit code {process.exitcode})"
        )

    def terminate(self) -> None:
        """End every worker now, whatever it is doing."""
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.join()
        for connection in self.connections:
            connection.close()
        self.processes, self.connections = [], []
