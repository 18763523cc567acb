"""The built-in sections of the Shaoxing 2020 standard, each an ordinary
plugin registered through the ``assess`` entry-point group."""
