"""The pluggy markers of the ``assess`` hooks, in a module of their own so
that every internal module can import them without importing the package's
public API (which imports those modules)."""

import pluggy

PROJECT = "assess"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
