"""Choosing questions and scoring answers: the quiz logic, free of any terminal I/O.

Mastery of a check is the mean of the trainee's last results on questions that test it (0.5
when unseen). Questions on weak checks are drawn more often, and a missed question comes back
two questions later in the same session and first in the next one.
"""
from __future__ import annotations

import json
import random
from collections import defaultdict

from ..rules import CHECKS
from .bank import Scenario, flagged_checks

KINDS = ("spot", "best", "write")
WINDOW = 6  # results per check that count towards mastery


def tested_checks(scenario: Scenario, kind: str) -> tuple[str, ...]:
    if kind == "spot":
        return CHECKS
    if kind == "best":
        return tuple(sorted({f for c in scenario.candidates for f in c.faults}))
    return CHECKS


def mastery(history) -> dict[str, float]:
    """Per check, the mean of the last WINDOW results (1 right, 0 wrong); 0.5 when unseen."""
    results: dict[str, list[int]] = defaultdict(list)
    for row in history:
        for check, value in json.loads(row["per_check"]).items():
            results[check].append(value)
    return {check: (sum(results[check][-WINDOW:]) / len(results[check][-WINDOW:]) if results[check] else 0.5)
            for check in CHECKS}


def missed(history) -> list[tuple[str, str]]:
    """Questions whose last attempt was not fully right, oldest first."""
    last: dict[tuple[str, str], float] = {}
    for row in history:
        last[(row["scenario"], row["kind"].removesuffix("-retry"))] = row["score"]
    return [key for key, score in last.items() if score < 1]


def plan(scenarios: list[Scenario], history, count: int, check: str | None, rng: random.Random) -> list[tuple[str, str]]:
    """The session's questions: missed ones first, then weighted towards weak checks."""
    by_id = {s.id: s for s in scenarios}
    pool = [(s.id, kind) for s in scenarios for kind in KINDS
            if not check or check in tested_checks(s, kind) and (kind != "spot" or check in s.spot_faults)]
    chosen = [q for q in missed(history) if q in pool][: max(1, count // 3)]
    level = mastery(history)
    seen = {(row["scenario"], row["kind"]) for row in history}
    while len(chosen) < count and len(chosen) < len(pool):
        candidates = [q for q in pool if q not in chosen]
        weights = []
        for scenario_id, kind in candidates:
            weakness = sum(1 - level[c] for c in tested_checks(by_id[scenario_id], kind)) / len(CHECKS)
            weights.append(1 + 4 * weakness + (0.5 if (scenario_id, kind) not in seen else 0))
        chosen.append(rng.choices(candidates, weights=weights, k=1)[0])
    return chosen


def score_spot(scenario: Scenario, picked: set[str]) -> tuple[float, dict[str, int]]:
    """Partial credit: |picked ∩ faults| / |picked ∪ faults|; each check right or wrong."""
    faults = set(scenario.spot_faults)
    union = picked | faults
    score = len(picked & faults) / len(union) if union else 1.0
    return score, {c: int((c in picked) == (c in faults)) for c in CHECKS}


def score_best(scenario: Scenario, index: int) -> tuple[float, dict[str, int]]:
    chosen = scenario.candidates[index]
    tested = tested_checks(scenario, "best")
    if chosen.correct:
        return 1.0, {c: 1 for c in tested}
    return 0.0, {c: 0 if c in chosen.faults else 1 for c in tested}


def score_written(review) -> tuple[float, dict[str, int]]:
    """send 1, revise 0.5, block 0; per check: right when the check is not flagged."""
    flagged = set(flagged_checks(review))
    score = {"send": 1.0, "revise": 0.5}.get(review.verdict, 0.0)
    return score, {c: int(c not in flagged) for c in CHECKS}
