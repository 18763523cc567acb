"""fivestar-assess: the engine. It knows the steps of an assessment, not the
rules; every section of the standard is a plugin."""

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("assess")

__all__ = ["__version__", "hookimpl"]
