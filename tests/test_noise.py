"""Precision is a feature: good replies produce no block and few hints."""
from __future__ import annotations

from pathlib import Path

import pytest

GOOD = Path(__file__).resolve().parent.parent / "training_data" / "good"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_good_replies_are_not_blocked_and_carry_few_hints(reviewer, lang):
    replies = sorted(p for p in (GOOD / lang).glob("*.txt") if not p.name.endswith(".incoming.txt"))
    assert len(replies) >= 20
    blocked, hints = [], 0
    for path in replies:
        incoming = path.with_name(path.name.replace(".txt", ".incoming.txt"))
        review = reviewer.review(path.read_text(encoding="utf-8"), lang=lang,
                                 incoming=incoming.read_text(encoding="utf-8") if incoming.exists() else None)
        if review.verdict == "block":
            blocked.append((path.name, [f"{f.rule}: {f.text}" for f in review.findings if f.level == "block"]))
        hints += sum(1 for f in review.findings if f.level == "hint")
    assert not blocked, blocked
    assert hints / len(replies) <= 1
