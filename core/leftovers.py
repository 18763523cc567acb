"""What killed runs leave behind, and its removal by the next run.

A run stopped by SIGKILL or a power cut cannot clean up: the temporary file
of an output it was writing stays beside the output, and the spill folder of
a large run stays in the temporary folder. Each is named with the id of the
process that made it and a tag of its machine, so that the next run can tell
a dead run's leftovers from a running one's, on this machine, and remove
only those (another machine's are removed only once they are old)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import re
import shutil
import tempfile
import time
from pathlib import Path

from fivestar.logs import get_logger

log = get_logger(__name__)

MACHINE = hashlib.sha256(platform.node().encode("utf-8")).hexdigest()[:8]
"""This machine (or container), by its host name: a folder shared between
machines (a network drive, a ``/tmp`` shared by containers) holds other
machines' runs, whose process ids mean nothing here. (``platform.node()``
is the host name that ``socket.gethostname()`` gives, without importing
``socket`` at every run's start.)"""

OWNER = r"(?:(?P<pid>[0-9]+)(?:@(?P<machine>[0-9a-f]{8}))?-)?"
"""``PID@MACHINE-`` in a leftover's name (``PID-`` or nothing before the
machine, or the process id, was part of it)."""


def owner_tag() -> str:
    """What names this process in its leftovers' names."""
    return f"{os.getpid()}@{MACHINE}-"


def left_by_a_dead_run(match: re.Match[str], age: float, unnamed_after: float) -> bool:
    """Whether a leftover was left by a run that is gone: one of this
    machine's processes that no longer runs; else (another machine's, or a
    name without a process id) once it is older than ``unnamed_after``."""
    if match["pid"] is not None and match["machine"] in (None, MACHINE):
        return not process_running(int(match["pid"]))
    return age > unnamed_after


TEMPORARY = re.compile(r"\.(?P<target>.+)\." + OWNER + r"[a-z0-9_]{8}\.tmp")
"""The temporary file of an output being written: ``.TARGET.PID@MACHINE-RANDOM.tmp``."""
UNNAMED_STALE_AFTER = 3600
"""Seconds after which a temporary file of no process of this machine is stale."""


def remove_stale_temporaries(target: Path) -> None:
    """Remove what killed runs left beside ``target``: temporary files of
    outputs whose process is gone (SIGKILL, a power cut). A running process's
    file is left alone; a file of another machine or without a process id is
    removed only for this target, after an hour."""
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        match = TEMPORARY.fullmatch(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        try:
            age = time.time() - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        same_target = match["target"] == target.name
        if left_by_a_dead_run(match, age if same_target else 0, UNNAMED_STALE_AFTER):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                log.info("stale_temporary_removed", file=entry.path)


def process_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True
    return True


SPILL_PREFIX = "assess-spill-"
SPILL = re.compile(SPILL_PREFIX + OWNER + r"[a-z0-9_]{8}")
"""A spill folder: ``assess-spill-PID@MACHINE-RANDOM``."""
UNNAMED_SPILL_STALE_AFTER = 86400
"""Seconds after which a spill folder of no process of this machine is stale
(a run that long is not expected)."""


def new_spill_folder() -> Path:
    """A new spill folder of this process in the temporary folder, once the
    spill folders of this user's runs that are gone have been removed."""
    remove_stale_spills(Path(tempfile.gettempdir()))
    return Path(tempfile.mkdtemp(prefix=SPILL_PREFIX + owner_tag()))


def remove_stale_spills(folder: Path) -> None:
    try:
        entries = [entry for entry in os.scandir(folder) if entry.name.startswith(SPILL_PREFIX)]
    except OSError:
        return
    for entry in entries:
        match = SPILL.fullmatch(entry.name)
        try:
            if match is None or not entry.is_dir(follow_symlinks=False):
                continue
            status = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if status.st_uid != os.getuid():
            continue
        if left_by_a_dead_run(match, time.time() - status.st_mtime, UNNAMED_SPILL_STALE_AFTER):
            shutil.rmtree(entry.path, ignore_errors=True)
            log.info("stale_spill_removed", folder=entry.path)
