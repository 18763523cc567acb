"""The version of fivestar-assess, recorded in every result."""

__version__ = "0.1.0"
