"""What killed runs leave behind, and its removal by the next run.

A run stopped by SIGKILL or a power cut cannot clean up: the temporary file
of an output it was writing stays beside the output, and the spill folder of
a large run stays in the temporary folder. Each is named with the id of the
process that made it, so that the next run can tell a dead run's leftovers
from a running one's and remove only those."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from fivestar.logs import get_logger

log = get_logger(__name__)

TEMPORARY = re.compile(r"\.(?P<target>.+)\.(?:(?P<pid>[0-9]+)-)?[a-z0-9_]{8}\.tmp")
"""The temporary file of an output being written: ``.TARGET.PID-RANDOM.tmp``
(``.TARGET.RANDOM.tmp`` before the process id was part of the name)."""
UNNAMED_STALE_AFTER = 3600
"""Seconds after which a temporary file without a process id is stale."""


def remove_stale_temporaries(target: Path) -> None:
    """Remove what killed runs left beside ``target``: temporary files of
    outputs whose process is gone (SIGKILL, a power cut). A running process's
    file is left alone; an older file without a process id is removed only for
    this target, after an hour."""
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        match = TEMPORARY.fullmatch(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        if match["pid"] is not None:
            stale = not process_running(int(match["pid"]))
        else:
            try:
                age = time.time() - entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue
            stale = match["target"] == target.name and age > UNNAMED_STALE_AFTER
        if stale:
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
SPILL = re.compile(r"assess-spill-(?:(?P<pid>[0-9]+)-)?[a-z0-9_]{8}")
"""A spill folder: ``assess-spill-PID-RANDOM`` (``assess-spill-RANDOM`` before
the process id was part of the name)."""
UNNAMED_SPILL_STALE_AFTER = 86400
"""Seconds after which a spill folder without a process id is stale (a run
that long is not expected)."""


def new_spill_folder() -> Path:
    """A new spill folder of this process in the temporary folder, once the
    spill folders of this user's runs that are gone have been removed."""
    remove_stale_spills(Path(tempfile.gettempdir()))
    return Path(tempfile.mkdtemp(prefix=f"{SPILL_PREFIX}{os.getpid()}-"))


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
        if match["pid"] is not None:
            stale = not process_running(int(match["pid"]))
        else:
            stale = time.time() - status.st_mtime > UNNAMED_SPILL_STALE_AFTER
        if stale:
            shutil.rmtree(entry.path, ignore_errors=True)
            log.info("stale_spill_removed", folder=entry.path)
