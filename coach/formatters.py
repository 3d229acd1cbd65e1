"""Every output format of `coach review`: text (colour on a terminal), json and jsonl.

Results go to stdout; human messages to stderr (see cli.py).
"""
from __future__ import annotations

import json

import click

from .findings import Review
from .checks import REGISTRY

FORMATS = ("text", "json", "jsonl")
_VERDICT_COLOURS = {"block": "red", "revise": "yellow", "send": "green"}
_LEVEL_MARKS = {"block": ("✖", "red"), "revise": ("▲", "yellow"), "hint": ("·", "cyan")}
_LABELS = {
    "fr": {"why": "Pourquoi", "try": "Suggestion", "draft": "Brouillon", "checks": "Contrôles",
           "nothing": "Rien à signaler.", "verdict": {"block": "BLOQUER", "revise": "À REVOIR", "send": "ENVOYER"}},
    "en": {"why": "Why", "try": "Try", "draft": "Draft", "checks": "Checks",
           "nothing": "Nothing to report.", "verdict": {"block": "BLOCK", "revise": "REVISE", "send": "SEND"}},
}


def to_json(reviews: list[Review], single: bool) -> str:
    data = [r.to_dict() for r in reviews]
    return json.dumps(data[0] if single and len(data) == 1 else data, ensure_ascii=False, indent=2)


def to_jsonl(review: Review) -> str:
    return json.dumps(review.to_dict(), ensure_ascii=False)


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


def highlighted(review: Review) -> str:
    """The reviewed text with every flagged span in colour (brackets when colour is off)."""
    text, pieces, cursor = review.text_reviewed, [], 0
    spans = sorted({(f.start, f.end, f.level) for f in review.findings if f.end > f.start})
    for start, end, level in spans:
        if start < cursor:
            continue
        pieces.append(text[cursor:start])
        colour = _LEVEL_MARKS[level][1]
        pieces.append(click.style("[", fg=colour) + click.style(text[start:end], fg=colour, bold=True, underline=True)
                      + click.style("]", fg=colour))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def to_text(review: Review, name: str) -> str:
    labels = _LABELS.get(review.language or "en", _LABELS["en"])
    if review.status != "reviewed":
        return click.style(f"{name}: ", bold=True) + click.style(review.error or review.status, fg="magenta")
    colour = _VERDICT_COLOURS[review.verdict]
    lines = [click.style(f"{name}", bold=True) + "  "
             + click.style(f" {labels['verdict'][review.verdict]} ", fg="white", bg=colour, bold=True)
             + f"  {review.score}/100  ({review.language})"]
    statuses = []
    for check in REGISTRY:
        result = review.checks.get(check)
        if result is None:
            continue
        good = result.status in ("ok", "not_needed", "disabled")
        statuses.append(click.style(f"{check} {result.status}", fg="green" if good else "red" if result.status == "found"
                                    else "yellow"))
    lines.append("  " + labels["checks"] + ": " + ", ".join(statuses))
    if not review.findings:
        lines.append("  " + labels["nothing"])
    for f in review.findings:
        mark, fcolour = _LEVEL_MARKS[f.level]
        where = f" {_position(review.text_reviewed, f.start)} «{f.text}»" if f.end > f.start else ""
        lines.append(click.style(f"  {mark} {f.rule} [{f.level}]", fg=fcolour, bold=True) + where)
        lines.append(f"      {f.message}")
        lines.append(click.style(f"      {labels['why']}: {f.principle}", dim=True))
        if f.suggestion:
            lines.append(click.style(f"      {labels['try']}: {f.suggestion}", fg="cyan"))
    if any(f.end > f.start for f in review.findings):
        lines.append("  " + labels["draft"] + ":")
        lines.extend("    " + line for line in highlighted(review).split("\n"))
    if review.rewrite:
        lines.append("  Rewrite:" if review.language == "en" else "  Réécriture :")
        lines.extend("    " + line for line in review.rewrite.split("\n"))
    return "\n".join(lines)
