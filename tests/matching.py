"""Patterns for ``pytest.raises(match=...)`` and ``pytest.warns(match=...)``."""
import re


def exact(message):
    """A pattern that accepts this whole message only, so a reworded or emptied message fails."""
    return f"^{re.escape(message)}$"
