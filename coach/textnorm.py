"""Folding text to a comparison form: lowercase, no accents, straight apostrophes.

Agents type "desole" and "désolé", "l’" and "l'"; rules are written once and match both.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss"}


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Comparison form of a word or phrase."""
    lowered = text.lower().translate(_APOSTROPHES)
    for ligature, plain in _LIGATURES.items():
        lowered = lowered.replace(ligature, plain)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
