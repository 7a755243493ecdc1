"""The tour's words, one module per language (``en.py``, ``de.py``): ``text(key, **fields)``.

A third language is one more module with the same keys, added to ``LANGUAGES``. The language
is chosen per run with ``language("de")`` (a context variable, so nothing leaks between runs).

>>> with language("de"):
...     text("picture", path="demos-out/01-fehler-table.png")
'  Bild: demos-out/01-fehler-table.png'
>>> text("picture", path="demos-out/01-fehler-table.png")
'  picture: demos-out/01-fehler-table.png'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from demos.texts import de, en

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "current_language", "language", "say", "text"]

LANGUAGES: dict[str, dict[str, str]] = {"en": en.TEXTS, "de": de.TEXTS}
DEFAULT_LANGUAGE = "en"
_current: ContextVar[str] = ContextVar("demos_language", default=DEFAULT_LANGUAGE)


@contextmanager
def language(code: str) -> Iterator[None]:
    """Tell the tour in language ``code`` (``"en"``, ``"de"``) inside the ``with`` block."""
    if code not in LANGUAGES:
        known = ", ".join(sorted(LANGUAGES))
        raise ValueError(f"language {code!r} is not one of the tour's languages: {known}")
    token = _current.set(code)
    try:
        yield
    finally:
        _current.reset(token)


def current_language() -> str:
    """The code of the language the tour speaks now, e.g. ``"en"``."""
    return _current.get()


def text(key: str, **fields: object) -> str:
    """The text ``key`` in the current language, its ``{fields}`` filled in."""
    return LANGUAGES[_current.get()][key].format(**fields)


def say(key: str, **fields: object) -> None:
    """Print the text ``key`` in the current language, its ``{fields}`` filled in."""
    print(text(key, **fields))
