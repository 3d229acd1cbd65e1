"""empathy: sincere recognition or an apology that owns the problem, when the customer has one.

Need is judged from the customer's message when given (trigger rules on `incoming`), else from
the reply. Evidence overlapping a fault (a non-apology such as "désolé que vous le perceviez
ainsi") does not count.
"""
from __future__ import annotations

from ..findings import CheckResult
from . import CheckContext

NAME = "empathy"


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def run(ctx: CheckContext) -> CheckResult:
    evidence = [m for m in ctx.of(NAME, "evidence") if not _overlaps(m.start_char, m.end_char, ctx.fault_spans)]
    from_model = ctx.model_evidence.get(NAME)
    if from_model and _overlaps(from_model[0], from_model[1], ctx.fault_spans):
        from_model = None  # "désolés que vous le perceviez ainsi": a non-apology, not empathy
    if evidence or from_model:
        return CheckResult(NAME, "ok")
    if ctx.problem_reported():
        return CheckResult(NAME, "missing", (ctx.status_finding(NAME, "missing"),))
    return CheckResult(NAME, "not_needed")
