"""Facts a rewrite must keep: order and ticket numbers, amounts, dates, URLs, e-mails, phones.

A rewrite may reword a sentence but never lose or invent one of these.
"""
from __future__ import annotations

import re

_PATTERNS = [
    re.compile(r"https?://[^\s<>\"')]+[^\s<>\"').,;:!?]"),  # URLs
    re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),  # e-mail addresses
    re.compile(r"(?:[$€£]\s?\d[\d\s.,]*\d|\b\d[\d\s.,]*\d?\s?(?:€|\$|£|EUR|USD|CAD|euros?|dollars?)(?!\w))"),  # amounts
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b"),  # numeric dates
    re.compile(r"(?:\+\d{1,3}[\s.-]?)?(?:\(?\d{2,4}\)?[\s.-]){2,4}\d{2,4}\b"),  # phone numbers
    re.compile(r"#?\b(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}\b"),  # order, ticket and reference codes
    re.compile(r"\b\d{1,3}(?:[ \u202f\u00a0]\d{3})+\b"),  # "40 000"
    re.compile(r"\b\d{3,}\b"),  # long numbers
]


def extract_facts(text: str, ignore: list[tuple[int, int]] | None = None) -> list[str]:
    """Every fact in `text`, in order of appearance, without duplicates or nested repeats.

    Facts lying inside an `ignore` span (the words of a fault being removed) are left out.
    """
    spans: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            value = match.group().strip()
            if not value or any(s <= start and end <= e for s, e in spans):
                continue
            spans = [(s, e) for s, e in spans if not (start <= s and e <= end)]
            spans.append((start, start + len(match.group().rstrip())))
    found, seen = [], set()
    for start, end in sorted(spans):
        if any(s <= start and end <= e for s, e in ignore or ()):
            continue
        value = text[start:end].strip()
        if value not in seen:
            seen.add(value)
            found.append(value)
    return found


def missing_facts(original: str, rewritten: str, ignore: list[tuple[int, int]] | None = None) -> list[str]:
    """Facts of `original` (outside `ignore` spans) that `rewritten` does not contain."""
    normalised = " ".join(rewritten.split())
    return [fact for fact in extract_facts(original, ignore) if " ".join(fact.split()) not in normalised]
