"""How many processes a run uses by default (``--jobs``): the cores it may
run on, no more than its container's CPU quota."""

from __future__ import annotations

from pathlib import Path

import fivestar.pipeline
import pytest
from fivestar.pipeline import cpu_quota, usable_cores


def system(root: Path, groups: str, files: dict[str, str]) -> Path:
    (root / "proc/self").mkdir(parents=True)
    (root / "proc/self/cgroup").write_text(groups, encoding="utf-8")
    for name, text in files.items():
        path = root / "sys/fs/cgroup" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("groups", "files", "quota"),
    [
        ("0::/\n", {"cpu.max": "150000 100000\n"}, 2),
        ("0::/\n", {"cpu.max": "100000 100000\n"}, 1),
        ("0::/\n", {"cpu.max": "max 100000\n"}, None),
        ("0::/kubepods/pod1\n", {"kubepods/pod1/cpu.max": "400000 100000\n", "cpu.max": "max 100000"}, 4),
        ("0::/elsewhere\n", {"cpu.max": "300000 100000\n"}, 3),
        (
            "5:memory:/\n4:cpu,cpuacct:/docker/abc\n",
            {
                "cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "50000\n",
                "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000",
            },
            1,
        ),
        ("4:cpu,cpuacct:/\n", {"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ("0::/\n4:cpu:/\n", {"cpu/cpu.cfs_quota_us": "250000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3),
        ("1:name=systemd:/\n", {}, None),
    ],
    ids=["v2", "v2-one", "v2-none", "v2-nested", "v2-outside", "v1", "v1-none", "hybrid", "no-cpu-controller"],
)
def test_the_cpu_quota_of_the_control_group(
    tmp_path: Path, groups: str, files: dict[str, str], quota: int | None
) -> None:
    assert cpu_quota(system(tmp_path, groups, files)) == quota


def test_no_control_groups_no_quota(tmp_path: Path) -> None:
    assert cpu_quota(tmp_path) is None


@pytest.mark.parametrize(("quota", "expected"), [(1, 1), (None, 2), (64, 2)])
def test_jobs_default_to_the_cores_within_the_quota(
    monkeypatch: pytest.MonkeyPatch, quota: int | None, expected: int
) -> None:
    monkeypatch.setattr(fivestar.pipeline.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(fivestar.pipeline, "cpu_quota", lambda: quota)
    assert usable_cores() == expected
