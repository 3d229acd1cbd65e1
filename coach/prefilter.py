"""Literal prefilters for the raw-text regex rules: skip a regex when its words cannot be in the text.

Every draft used to run all of a language's raw-text regexes over the whole text (about 330 in
English), which cost more than the spaCy pass itself. Most regexes cannot match without one of a
few literal strings ("n'y peux", "policy", "already"): the words they are written around. This
module reads those strings out of the compiled pattern (the parse tree of Python's own `re`),
so a rule's author writes nothing extra, and the matcher tests `literal in text` first. The same
idea as RE2's and Hyperscan's prefilters, kept small: only literals that every match must
contain are used, so a skipped regex is one that could not have matched.
"""
from __future__ import annotations

import re
from re import _constants as C  # noqa: the parse tree's opcodes
from re import _parser as parser

MIN_LITERAL = 3  # shorter literals are in nearly every text: testing them saves nothing

_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT}


def required_literals(pattern: str, flags: int = re.I) -> tuple[str, ...] | None:
    """Strings (case-folded) of which every match of `pattern` contains at least one; None if no
    such set of useful strings can be read from the pattern."""
    try:
        tree = parser.parse(pattern, flags)
    except re.error:
        return None
    best = _best(_candidates(list(tree)))
    return tuple(sorted(best)) if best else None


def _candidates(items: list) -> list[frozenset[str]]:
    """Each candidate is a set of strings one of which every match of this sequence contains."""
    found: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            found.append(frozenset({"".join(run).casefold()}))
            run.clear()

    for op, arg in items:
        if op is C.LITERAL:
            run.append(chr(arg))
            continue
        flush()
        if op is C.SUBPATTERN:
            found.append(_best(_candidates(list(arg[-1]))))
        elif op is C.ATOMIC_GROUP:
            found.append(_best(_candidates(list(arg))))
        elif op in _REPEATS and arg[0] >= 1:
            found.append(_best(_candidates(list(arg[2]))))
        elif op is C.BRANCH:
            branches = [_best(_candidates(list(branch))) for branch in arg[1]]
            found.append(frozenset().union(*branches) if all(branches) else frozenset())
    flush()
    return [c for c in found if c]


def _best(candidates: list[frozenset[str]]) -> frozenset[str]:
    """The most selective candidate: the one whose shortest string is longest."""
    useful = [c for c in candidates if min(map(len, c)) >= MIN_LITERAL]
    return max(useful, key=lambda c: (min(map(len, c)), -len(c)), default=frozenset())


def may_match(literals: tuple[str, ...] | None, folded_text: str) -> bool:
    """False only when none of the required strings is in the (case-folded) text."""
    return literals is None or any(literal in folded_text for literal in literals)
