"""Separating the agent's own words from e-mail furniture.

Only what the agent wrote is judged. Quoted history (`> ` lines, "Le ... a écrit :", "On ...
wrote:", Outlook header blocks, "-----Original Message-----"), signatures (`-- `, a sign-off
followed by a short name block, "Sent from my phone") and legal disclaimers are set aside. The
first quoted message is kept: it is the customer's message when no `incoming` is given.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import resources
from .textnorm import fold


@dataclass(frozen=True)
class Segmented:
    """`own` is the text to review; `excluded` lists what was set aside and why."""

    own: str
    quoted: str
    excluded: tuple[dict, ...]


@lru_cache(maxsize=1)
def _patterns():
    data = resources.read_yaml(resources.lexicon_root() / "mail.yml")
    labels = "|".join(re.escape(x) for x in data["header_labels"])
    starts = "|".join(re.escape(x) for x in data["header_starts"])
    return {
        "quote_headers": [re.compile(p, re.I) for p in data["quote_headers"]],
        "header_line": re.compile(rf"^\s*\*?({labels})\s*\*?\s*:", re.I),
        "header_start": re.compile(rf"^\s*\*?({starts})\s*\*?\s*:", re.I),
        "sig_delims": [re.compile(p) for p in data["signature_delimiters"]],
        "sign_offs": {fold(s) for s in data["sign_offs"]},
        "mobile": [re.compile(p, re.I) for p in data["mobile_signatures"]],
        "disclaimer": [fold(m) for m in data["disclaimer_markers"]],
    }


def _history_start(lines: list[str]) -> int | None:
    p = _patterns()
    for i, line in enumerate(lines):
        joined = line + " " + lines[i + 1] if i + 1 < len(lines) else line
        if any(r.match(line) for r in p["quote_headers"]):
            if re.match(r"^\s*_{10,}\s*$", line) and not any(p["header_line"].match(x) for x in lines[i + 1: i + 4]):
                continue
            return i
        if any(r.match(joined) for r in p["quote_headers"][:2]) and len(line) < 200:
            return i
        if p["header_start"].match(line):
            following = sum(1 for x in lines[i + 1: i + 6] if p["header_line"].match(x))
            if following >= 2:
                return i
    return None


def _is_sign_off(line: str) -> bool:
    folded = fold(line).strip().rstrip(",.!;:").strip()
    if not folded or len(folded) > 60:
        return False
    sign_offs = _patterns()["sign_offs"]
    if folded in sign_offs:
        return True
    head, _, tail = folded.partition(",")
    return head.strip() in sign_offs and 0 < len(tail.split()) <= 3


def _signature_start(lines: list[str]) -> int | None:
    p = _patterns()
    for i, line in enumerate(lines):
        if any(r.match(line) for r in p["sig_delims"]) or any(r.match(line) for r in p["mobile"]):
            return i
    for i in range(len(lines) - 1, -1, -1):
        if _is_sign_off(lines[i]):
            rest = [x for x in lines[i + 1:] if x.strip()]
            if len(rest) <= 8 and all(len(x) <= 90 for x in rest):
                return i
            break
    return _name_block_start(lines)


def _name_block_start(lines: list[str]) -> int | None:
    """A last paragraph that is only a name or a team ("Le service technique", "Support NuageWeb"):
    at most three short lines, none ending like a sentence, after a blank line."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and lines[start - 1].strip():
        start -= 1
    block = [x.strip() for x in lines[start:end]]
    if not start or not block or len(block) > 3:
        return None
    if any(len(x) > 40 or len(x.split()) > 5 or x.endswith((".", "!", "?", ":", ",")) for x in block):
        return None
    return start


def _is_disclaimer(block: str) -> bool:
    folded = fold(block)
    return sum(1 for m in _patterns()["disclaimer"] if m in folded) >= 2


def _strip_quote_marks(lines: list[str]) -> str:
    p = _patterns()
    kept = []
    for line in lines:
        bare = re.sub(r"^\s*(>\s?)+", "", line)
        if p["header_line"].match(bare) and not kept:
            continue
        if kept and (any(r.match(bare) for r in p["quote_headers"][:2]) or p["header_start"].match(bare)):
            break  # an older message below the customer's: stop at the first one
        kept.append(bare)
    return "\n".join(kept).strip()


def segment(text: str) -> Segmented:
    """Split a draft into the agent's own words and what is set aside."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    excluded: list[dict] = []
    quoted_lines: list[str] = []

    start = _history_start(lines)
    if start is not None:
        history = lines[start:]
        excluded.append({"kind": "quote", "text": "\n".join(history)})
        quoted_lines = history[1:]
        lines = lines[:start]

    body: list[str] = []
    inline_quotes: list[str] = []
    for line in lines:
        if line.lstrip().startswith(">"):
            inline_quotes.append(line)
        else:
            body.append(line)
    if inline_quotes:
        excluded.append({"kind": "quote", "text": "\n".join(inline_quotes)})
        if not quoted_lines:
            quoted_lines = inline_quotes

    # A disclaimer after the signature would hide the sign-off above it: set it aside first.
    blocks = "\n".join(body).split("\n\n")
    disclaimers = []
    while len(blocks) > 1 and _is_disclaimer(blocks[-1]):
        disclaimers.insert(0, {"kind": "disclaimer", "text": blocks.pop().strip()})
    body = "\n\n".join(blocks).split("\n")

    sig = _signature_start(body)
    if sig is not None and any(x.strip() for x in body[:sig]):
        excluded.append({"kind": "signature", "text": "\n".join(body[sig:]).strip()})
        body = body[:sig]
    excluded.extend(disclaimers)
    own = "\n".join(body).strip()
    return Segmented(own=own, quoted=_strip_quote_marks(quoted_lines), excluded=tuple(excluded))
