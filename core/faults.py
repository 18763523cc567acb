"""A plugin's own bug is the plugin's fault, not the department's: when a
hook implementation or an item's rule raises, the organisation is not scored,
and the problem names the plugin, the step and (if known) the item, with the
traceback in the log."""

from __future__ import annotations

from types import CodeType, TracebackType

import pluggy
from fivestar.logs import get_logger
from fivestar.model import Organisation, Problem

log = get_logger(__name__)

PLUGIN_FAULT = "plugin"
"""``Problem.fault`` of a problem caused by a plugin's bug."""


class PluginFault(Exception):
    """Raised where the core knows which plugin and item failed (an item's
    rule); the original exception is its ``__cause__``."""

    def __init__(self, plugin: str, step: str, item: str = "") -> None:
        super().__init__(f"plugin {plugin} failed at the {step} step" + (f" (item {item})" if item else ""))
        self.plugin = plugin
        self.step = step
        self.item = item


class StepFailed(Exception):
    """A step of one organisation raised; the error is its ``__cause__``."""

    def __init__(self, step: str) -> None:
        super().__init__(step)
        self.step = step


def _implementations(pm: pluggy.PluginManager) -> dict[CodeType, str]:
    """The code of every hook implementation → the plugin's name; a core
    step's work too, which :mod:`fivestar.stepcalls` calls without its
    wrapper."""
    found: dict[CodeType, str] = {}
    for name, caller in vars(pm.hook).items():
        if name.startswith("_"):
            continue
        for impl in caller.get_hookimpls():
            for function in (impl.function, getattr(impl.function, "core_step", None)):
                code = getattr(getattr(function, "__func__", function), "__code__", None)
                if code is not None:
                    found[code] = impl.plugin_name
    return found


def culprit(pm: pluggy.PluginManager, traceback: TracebackType | None) -> str:
    """The plugin whose hook implementation is deepest in the traceback."""
    implementations = _implementations(pm)
    plugin = "?"
    while traceback is not None:
        plugin = implementations.get(traceback.tb_frame.f_code, plugin)
        traceback = traceback.tb_next
    return plugin


def cohort_failure(error: BaseException, pm: pluggy.PluginManager) -> Problem:
    """The problem that reports a plugin's bug in the cohort step: every
    organisation's score may read what the hook did not compute, so the run
    stops (the traceback goes to the log, as for :func:`plugin_failure`)."""
    plugin = culprit(pm, error.__traceback__)
    shown = f"{type(error).__name__}: {error}"
    log.error("plugin_failed", plugin=plugin, step="cohort", error=shown)
    log.debug("plugin_failed_traceback", plugin=plugin, exc_info=error)
    return Problem(
        "error",
        "<cohort>",
        "",
        "",
        "",
        "",
        f"插件错误：插件 {plugin} 在 cohort 步骤出错（{shown}），整个评定无法计分。"
        "这是插件的缺陷，不是证据的问题；完整回溯见日志文件或 -vv",
        fault=PLUGIN_FAULT,
    )


def plugin_failure(
    organisation: Organisation, step: str, error: BaseException | None, pm: pluggy.PluginManager
) -> Problem:
    """The problem that reports a plugin's bug for one organisation; the rest
    of the cohort goes on. The traceback goes to the log (debug level: the
    log file, or the terminal with -vv)."""
    error = error or RuntimeError("unknown error")
    if isinstance(error, PluginFault):
        plugin, step, item = error.plugin, error.step, error.item
        cause = error.__cause__ or error
    else:
        plugin, item, cause = culprit(pm, error.__traceback__), "", error
    shown = f"{type(cause).__name__}: {cause}"
    log.error("plugin_failed", organisation=organisation.id, plugin=plugin, step=step, item=item, error=shown)
    log.debug("plugin_failed_traceback", organisation=organisation.id, plugin=plugin, exc_info=cause)
    where = f"插件 {plugin} 在 {step} 步骤" + (f"计算项目 {item} 时" if item else "")
    return Problem(
        "error",
        str(organisation.path),
        "",
        item,
        "",
        "",
        f"插件错误：{where}出错（{shown}）。这是插件的缺陷，不是本单位证据的问题；完整回溯见日志文件或 -vv",
        fault=PLUGIN_FAULT,
    )
