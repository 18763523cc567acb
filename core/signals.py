"""Signals: a command stopped by SIGTERM or SIGINT unwinds like an error, so
that every ``finally`` runs (the temporary file of a report is removed, a
save is rolled back), and exits with the conventional status 128 + signal.

Forked worker processes leave both signals to the main process, which stops
them itself."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

INTERRUPTED = 128 + signal.SIGINT
TERMINATED = 128 + signal.SIGTERM


class Terminated(BaseException):
    """SIGTERM arrived: unwind (a ``BaseException``, so that no
    ``except Exception`` of a plugin swallows it)."""


_main_process: int | None = None


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    if os.getpid() != _main_process:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    raise Terminated


@contextmanager
def terminate_unwinds() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`Terminated` in this process
    (SIGINT already raises ``KeyboardInterrupt``)."""
    global _main_process
    _main_process = os.getpid()
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def in_worker() -> None:
    """A worker process ignores SIGINT (a Ctrl-C reaches the whole process
    group; the main process stops the workers) and dies at SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
