"""“Did you mean …?” for a name that is not known: an item id, a fact, a
policy key, an organisation id."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.75
"""How alike two names must be (difflib's ratio) to suggest one for the
other: a swapped, missing or extra letter, not a shared prefix such as
``learning.``."""


def closest(word: str, known: Iterable[str], cutoff: float = CUTOFF) -> str | None:
    """The known name nearest to ``word``, if one is near enough."""
    matches = difflib.get_close_matches(word, sorted(set(known)), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"; did you mean X?"`` or nothing, to end a problem's text with."""
    match = closest(word, known)
    return f"; did you mean {match}?" if match is not None else ""
