"""Verdict and score from the checks.

Verdict: the highest level among the findings (`block` > `revise`); `send` when there are only
hints or none. With the default levels this is: block when defensive, blame or contempt is
found; revise when acknowledgement is missing, the timeline is vague or missing, empathy is
missing, or dismissive or effort is found; send otherwise. Levels are configurable per check or
per rule, so the policy is too.

Score (0-100): 100 minus a weight for each check that fails (see WEIGHTS), minus 3 for every
further finding in a failing check (at most 9 per check) and 2 per hint (at most 10). The
result is then capped by the verdict so the number never contradicts it: at most 49 for block,
79 for revise; a send is at least 80.
"""
from __future__ import annotations

from .findings import LEVEL_ORDER, CheckResult, Finding

WEIGHTS = {
    ("defensive", "found"): 35,
    ("blame", "found"): 35,
    ("contempt", "found"): 40,
    ("dismissive", "found"): 20,
    ("effort", "found"): 20,
    ("acknowledgement", "missing"): 12,
    ("empathy", "missing"): 15,
    ("timeline", "missing"): 15,
    ("timeline", "vague"): 10,
}
CAPS = {"block": 49, "revise": 79, "send": 100}


def verdict(findings: list[Finding] | tuple[Finding, ...]) -> str:
    top = max((LEVEL_ORDER[f.level] for f in findings), default=0)
    return {3: "block", 2: "revise"}.get(top, "send")


def score(checks: dict[str, CheckResult], findings: list[Finding] | tuple[Finding, ...], outcome: str) -> int:
    total = 100
    for name, result in checks.items():
        gated = [f for f in result.findings if f.level != "hint"]
        if not gated:
            continue
        total -= WEIGHTS.get((name, result.status), 10)
        total -= min(9, 3 * (len(gated) - 1))
    hints = sum(1 for f in findings if f.level == "hint")
    total -= min(10, 2 * hints)
    total = max(0, min(CAPS[outcome], total))
    if outcome == "send":
        total = max(total, 80)
    return total
