"""Mews localized texts (`{"en-US": "Spa", "cs-CZ": "Lázně"}`): which one a hotel shows."""

from __future__ import annotations

from collections.abc import Mapping

FALLBACK_LANGUAGES = ("en-US", "en-GB")


def localized(names: Mapping[str, str] | None, language: str | None) -> str | None:
    """The name in `language` (the hotel's default), else en-US, else en-GB, else in the
    first language code in order (so the choice does not depend on Mews's key order)."""
    if not names:
        return None
    for code in (language, *FALLBACK_LANGUAGES):
        if code and names.get(code):
            return names[code]
    return next((names[code] for code in sorted(names) if names[code]), None)
