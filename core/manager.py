"""Builds a plugin manager for one run: the core's own steps, the plugins
installed under the entry-point group ``assess`` (the built-in sections are
ordinary entry points of this distribution), trusted local plugin files
named in the run config, and programmatic plugins (tests). Blocked names are
blocked before anything is loaded."""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pluggy
from fivestar import hookspecs
from fivestar.installed import entry_points
from fivestar.logs import ensure_configured, get_logger
from fivestar.model import InputError, Problem
from fivestar.stepcalls import StepCaller

ENTRY_POINT_GROUP = "assess"
DISTRIBUTION = "fivestar-assess"
CORE_PLUGINS = {
    "fivestar.steps": "fivestar.steps",
    "fivestar.report": "fivestar.report",
    "fivestar.report.terminal": "fivestar.report.formats:terminal",
    "fivestar.report.csv_table": "fivestar.report.formats:csv_table",
    "fivestar.report.excel": "fivestar.report.formats:excel",
    "fivestar.report.html_page": "fivestar.report.formats:html_page",
}
"""The core's own plugins: each name and the module (or ``module:object``)
registered under it. The report modules are stood in for by their declared
formats (:mod:`fivestar.report.formats`), so that a run imports only the
module of the format it writes."""

log = get_logger(__name__)


@dataclass(frozen=True)
class PluginInfo:
    """What `assess plugins` says of one plugin."""

    name: str
    version: str
    source: str
    location: str
    blocked: bool = False


class PluginManager(pluggy.PluginManager):
    """A pluggy manager that remembers where each plugin came from."""

    def __init__(self) -> None:
        super().__init__(ENTRY_POINT_GROUP)
        self.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        self.monitors = 0
        self.generation = 0
        """Counts registrations, so that a step's caller knows its implementations changed."""
        self.step_callers: dict[str, StepCaller] = {}

    def register(self, plugin: object, name: str | None = None) -> str | None:
        self.generation += 1
        return super().register(plugin, name)

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any:
        self.generation += 1
        return super().unregister(plugin, name)

    def step(self, name: str) -> StepCaller:
        """The caller of a per-organisation step hook (:mod:`fivestar.stepcalls`)."""
        caller = self.step_callers.get(name)
        if caller is None:
            caller = self.step_callers[name] = StepCaller(self, name)
        return caller

    def add_hookcall_monitoring(self, before: Any, after: Any) -> Callable[[], None]:
        """pluggy's monitoring; while any is on, every step goes through pluggy."""
        undo = super().add_hookcall_monitoring(before, after)
        self.monitors += 1

        def undo_and_count() -> None:
            undo()
            self.monitors -= 1

        return undo_and_count

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        """pluggy's own answer, read directly from a module's namespace for
        a plain function or what is no function (a constant, a class, an
        imported module): pluggy reads every attribute of a plugin with
        ``inspect.getattr_static``, and the core's and built-in plugins have
        some 700, a few ms of every command. The answers are pluggy 1.7's
        (pyproject asks for it: earlier versions also take a callable that
        is not a function, such as a ``functools.lru_cache`` wrapper)."""
        if type(plugin) is types.ModuleType and not name.startswith("__"):
            value = vars(plugin).get(name)
            if isinstance(value, types.FunctionType):
                opts = vars(value).get(self.project_name + "_impl")
                return opts if isinstance(opts, dict) else None
            if not isinstance(value, (types.MethodType, staticmethod, classmethod)):
                return None
        return super().parse_hookimpl_opts(plugin, name)

    def add(self, plugin: object, info: PluginInfo) -> None:
        """Register a plugin; a name already taken, or a hook implementation
        that does not fit its spec, is an error naming the plugin."""
        if info.name in self.infos:
            raise _plugin_error(
                info.location,
                "a plugin name no other plugin has",
                f'"{info.name}" (also {self.infos[info.name].source} {self.infos[info.name].location})',
                "paths" if info.source == "local file" else "",
            )
        try:
            self.register(plugin, name=info.name)
        except pluggy.PluginValidationError as error:
            found = "; ".join(line.strip() for line in str(error).splitlines())
            raise _plugin_error(info.location, "hook implementations that match the hooks", found) from None
        marked = _ordering_marks(self, info.name)
        if marked:
            self.unregister(name=info.name)
            raise _plugin_error(
                info.location,
                f"plain hook implementations of {', '.join(ASKED_ONE_BY_ONE)} (each plugin is asked on its own)",
                f"plugin {info.name}: {marked}",
            )
        self.infos[info.name] = info

    def block(self, info: PluginInfo) -> None:
        self.set_blocked(info.name)
        self.infos[info.name] = info


ASKED_ONE_BY_ONE = (
    "assess_editions",
    "assess_sections",
    "assess_items",
    "assess_heavy_items",
    "assess_policies",
    "assess_evidence_tables",
    "assess_collect",
)
"""Hooks whose implementations are called one by one, so that the core knows
which plugin declared or derived what: wrappers and ordering marks would
mean nothing there, and are refused."""


def _ordering_marks(pm: pluggy.PluginManager, plugin_name: str) -> str:
    """What a plugin marks that its registration hooks cannot honour."""
    for hook in ASKED_ONE_BY_ONE:
        for impl in getattr(pm.hook, hook).get_hookimpls():
            if impl.plugin_name != plugin_name:
                continue
            marks = [
                mark
                for mark, present in (
                    ("wrapper=True", impl.wrapper),
                    ("hookwrapper=True", impl.hookwrapper),
                    ("tryfirst=True", impl.tryfirst),
                    ("trylast=True", impl.trylast),
                )
                if present
            ]
            if marks:
                return f"{hook} is marked {', '.join(marks)}"
    return ""


def _plugin_error(location: str, expected: str, found: str, key: str = "") -> InputError:
    return InputError([Problem("error", location, "plugins", key, expected, found)])


def _load_local(path: Path) -> object:
    """Import a trusted local plugin file named in the run config."""
    module_name = f"assess_local_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise _plugin_error(str(path), "a Python plugin file", "no such file", "paths")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as error:
        sys.modules.pop(module_name, None)
        raise _plugin_error(
            str(path), "a plugin that imports cleanly", f"{type(error).__name__}: {error}", "paths"
        ) from None
    return module


def make_plugin_manager(
    disable: Iterable[str] = (),
    paths: Sequence[Path] = (),
    plugins: Sequence[object] = (),
    load_entry_points: bool = True,
    config_file: str = "<config>",
) -> PluginManager:
    """A fresh plugin manager for one run; never a module global. The logs
    are configured before any plugin not of this distribution is loaded (it
    may log with structlog itself: see :mod:`fivestar.logs`).

    :param disable: plugin names to block (built-in, entry-point or local).
    :param paths: trusted local plugin files (from the run config only).
    :param plugins: plugin objects to register directly (tests, embedding).
    :param load_entry_points: False to leave out installed plugins (tests).
    """
    pm = PluginManager()
    blocked = set(disable)
    for module_name, where in CORE_PLUGINS.items():
        if module_name.split(".")[-1] in blocked or module_name in blocked:
            raise _plugin_error(
                config_file, "a plugin that may be disabled", f'"{module_name}" (part of the core)', "disable"
            )
        module, _, attribute = where.partition(":")
        plugin = importlib.import_module(module)
        pm.add(
            getattr(plugin, attribute) if attribute else plugin,
            PluginInfo(module_name, _own_version(), "core", module_name),
        )

    if load_entry_points:
        # each distribution's name and version read once: each reading parses its metadata file
        described: dict[object, tuple[str, str]] = {}
        for entry_point in entry_points(group=ENTRY_POINT_GROUP):
            dist = entry_point.dist
            if dist not in described:
                described[dist] = (dist.name, dist.version) if dist else ("?", "?")
            dist_name, dist_version = described[dist]
            info = PluginInfo(
                entry_point.name,
                dist_version,
                "built-in" if dist_name == DISTRIBUTION else f"entry point ({dist_name})",
                entry_point.value,
                blocked=entry_point.name in blocked,
            )
            if info.name in pm.infos:
                continue
            if info.blocked:
                pm.block(info)
                continue
            if dist_name != DISTRIBUTION:
                ensure_configured()
            try:
                plugin = entry_point.load()
            except Exception as error:
                log.warning("plugin_not_loaded", plugin=entry_point.name, error=f"{type(error).__name__}: {error}")
                continue
            pm.add(plugin, info)

    for path in paths:
        name = path.stem
        if name in blocked:
            pm.block(PluginInfo(name, "local", "local file", str(path), blocked=True))
            continue
        ensure_configured()
        pm.add(_load_local(path), PluginInfo(name, "local", "local file", str(path)))

    for plugin in plugins:
        name = getattr(plugin, "name", None) or getattr(plugin, "__name__", None) or type(plugin).__name__
        if name in blocked:
            pm.block(PluginInfo(name, "-", "registered", repr(plugin), blocked=True))
            continue
        ensure_configured()
        pm.add(plugin, PluginInfo(name, "-", "registered", type(plugin).__module__))

    _check_hook_names(pm)
    unknown = sorted(blocked - set(pm.infos))
    if unknown:
        raise _plugin_error(
            config_file, "the name of an installed plugin (see `assess plugins`)", f'"{unknown[0]}"', "disable"
        )
    return pm


def _check_hook_names(pm: PluginManager) -> None:
    """A hook implementation whose name no spec has (a typo such as
    ``assess_itemz``) would never be called: it is an error, not a silence
    (pluggy's own ``check_pending``)."""
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as error:
        name = pm.get_name(error.plugin) or "?"
        info = pm.infos.get(name) or PluginInfo(name, "?", "?", name)
        unknown = sorted(
            hook
            for hook, caller in vars(pm.hook).items()
            if not hook.startswith("_")
            and not caller.has_spec()
            and any(impl.plugin_name == name for impl in caller.get_hookimpls())
        )
        raise _plugin_error(
            info.location,
            "hooks named as in docs/hooks.md",
            f"unknown hook {', '.join(unknown) or error} in plugin {info.name}",
        ) from None


def _own_version() -> str:
    from fivestar.version import __version__

    return __version__
