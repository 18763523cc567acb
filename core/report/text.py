"""Text as any report may show it: what no format can carry taken out."""

from __future__ import annotations

import re

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
"""Characters no report may carry: C0 and C1 controls (ESC moves a
terminal's cursor, \\x01 breaks a workbook's XML), lone surrogates, the two
non-characters, and the bidirectional overrides that reorder what is read."""
LINE_BREAKS = re.compile("[\t\n\r]+")


def clean(text: str, one_line: bool = False) -> str:
    """Text from evidence or plugins as any report may show it: control
    characters dropped, and with ``one_line`` tabs and line breaks made spaces
    (a name in a table cell or a sheet title)."""
    text = CONTROL.sub("", text)
    return LINE_BREAKS.sub(" ", text) if one_line else text
