"""Token patterns compiled to regular expressions over an encoded stream of spaCy tokens.

Lexicon patterns (see coach/rules.py) are sequences of token tests: folded form, lemma, a
regex on the form, a number, "not punctuation", with optional units and bounded gaps. spaCy's
Matcher runs them correctly but evaluates set and regex predicates in Python for every token
and pattern state, which made matching several times slower than the spaCy pass itself. Here
each doc is encoded once as text, one field per token (form, lemma, flags), and each rule's
patterns become one compiled regular expression run by the C regex engine.

Semantics follow the Matcher with `filter_spans`: every pattern is tried, overlapping matches
of a rule keep the longest (see RuleMatcher).
"""
from __future__ import annotations

import bisect
import re

TOKEN, LEMMA, FLAGS = "\x1e", "\x1f", "\x1d"
_FIELD = "[^\x1d-\x1f]"


def encode(doc) -> tuple[str, list[int], set]:
    """The doc as `\\x1e form \\x1f lemma \\x1d P N` per token, the offset where each token starts,
    and the ("N", form) / ("L", lemma) keys present (for the anchor prefilter)."""
    parts, starts, offset, present = [], [], 0, set()
    for token in doc:
        present.add(("N", token.norm_))
        present.add(("L", token.lemma_))
        piece = f"{TOKEN}{token.norm_}{LEMMA}{token.lemma_}{FLAGS}{'p' if token.is_punct else 'w'}" \
                f"{'n' if token.like_num else '_'}"
        starts.append(offset)
        parts.append(piece)
        offset += len(piece)
    return "".join(parts), starts, present


def _field_regex(source: str) -> str:
    """Rewrite a user regex so it tests one field: `$` ends the field, `.` stays inside it."""
    out, i, in_class = [], 0, False
    anchored = source.startswith("^")
    if anchored:
        i = 1
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            out.append(source[i: i + 2])
            i += 2
            continue
        if in_class:
            if char == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
            out.append(char)
        elif char == "[":
            in_class = True
            if source[i + 1: i + 2] == "^":
                out.append("[^\x1d-\x1f")
                i += 2
                continue
            out.append("[")
        elif char == "$":
            out.append(f"(?={LEMMA})")
        elif char == ".":
            out.append(_FIELD)
        else:
            out.append(char)
        i += 1
    body = "".join(out)
    return f"(?:{body}){_FIELD}*" if anchored else f"{_FIELD}*?(?:{body}){_FIELD}*"


def _alternatives(values) -> str:
    return "(?:" + "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)) + ")"


def spec_regex(spec: dict) -> str:
    """One token test (a spaCy Matcher token spec) as a regex over one encoded token."""
    known = {"NORM", "LEMMA", "IS_PUNCT", "LIKE_NUM", "OP"}
    if set(spec) - known:
        raise ValueError(f"unsupported token spec {spec}")
    form = lemma = f"{_FIELD}*"
    for attr in ("NORM", "LEMMA"):
        value = spec.get(attr)
        if value is None:
            continue
        if isinstance(value, str):
            field = re.escape(value)
        elif set(value) == {"IN"}:
            field = _alternatives(value["IN"])
        elif set(value) == {"REGEX"}:
            field = _field_regex(value["REGEX"])
        else:
            raise ValueError(f"unsupported token spec {spec}")
        if attr == "NORM":
            form = field
        else:
            lemma = field
    punct = "w" if spec.get("IS_PUNCT") is False else "p" if spec.get("IS_PUNCT") else "[pw]"
    number = "n" if spec.get("LIKE_NUM") else "[n_]"
    unit = f"{TOKEN}{form}{LEMMA}{lemma}{FLAGS}{punct}{number}"
    op = spec.get("OP")
    if op is None:
        return unit
    if op in ("?", "+", "*"):
        return f"(?:{unit}){op}"
    if re.fullmatch(r"\{\d*,\d+\}", op):
        return f"(?:{unit}){op}"
    raise ValueError(f"unsupported operator {op!r}")


def pattern_regex(pattern: list[dict]) -> str:
    return "".join(spec_regex(spec) for spec in pattern)


def anchor(pattern: list[dict]) -> frozenset | None:
    """Words one of which must be in the doc for the pattern to match: its most selective
    required form or lemma test, as ("N"|"L", value) keys. None when it has none."""
    best = None
    for spec in pattern:
        if spec.get("OP") not in (None, "+"):
            continue
        for attr, tag in (("NORM", "N"), ("LEMMA", "L")):
            value = spec.get(attr)
            keys = None
            if isinstance(value, str):
                keys = frozenset({(tag, value)})
            elif isinstance(value, dict) and set(value) == {"IN"}:
                keys = frozenset((tag, v) for v in value["IN"])
            if keys is not None and (best is None or len(keys) < len(best)):
                best = keys
    return best


class TokenPatterns:
    """All token patterns of a rule set, one compiled regex per pattern, grouped by rule.

    Every pattern is searched on its own, so overlapping matches of different patterns are all
    seen and the caller keeps the longest, as with the Matcher and `filter_spans`. A pattern is
    only searched when the doc holds one of its anchor words.
    """

    def __init__(self):
        self.compiled: list[tuple[str, re.Pattern, frozenset | None]] = []

    def add(self, rule_id: str, patterns: list[list[dict]]) -> None:
        seen = set()
        for pattern in patterns:
            source = pattern_regex(pattern)
            if source in seen:
                continue
            seen.add(source)
            self.compiled.append((rule_id, re.compile(source), anchor(pattern)))

    def __len__(self) -> int:
        return len(self.compiled)

    def __call__(self, doc, encoded=None) -> list[tuple[str, int, int]]:
        """(rule_id, start token, end token) for every match of every pattern (`encoded`: the
        result of encode(doc), when the caller already has it)."""
        if not self.compiled or not len(doc):
            return []
        text, starts, present = encoded or encode(doc)
        found = []
        for rule_id, regex, keys in self.compiled:
            if keys is not None and keys.isdisjoint(present):
                continue
            for match in regex.finditer(text):
                start = bisect.bisect_left(starts, match.start())
                end = bisect.bisect_left(starts, match.end())
                if end > start:
                    found.append((rule_id, start, end))
        return found
