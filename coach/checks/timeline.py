"""timeline: a usable date, time or duration for what is still pending.

ok: a concrete time (evidence rules). vague: only promises without a usable time (fault rules).
missing: a step is pending (trigger rules: "nous revenons vers vous", "I've escalated"), or the
customer reported a problem that the reply does not settle, and no time is given. (A plain
request for an action only needs a date when the reply promises a step: measured on the dev
split, counting requests as owed follow-ups lowered F1 in both languages.) not_needed:
nothing is pending: an information request answered, or the problem settled now (evidence
rules with `status: not_needed`: "c'est réglé", "I've refunded you").
"""
from __future__ import annotations

from ..findings import CheckResult
from . import CheckContext

NAME = "timeline"


def run(ctx: CheckContext) -> CheckResult:
    evidence = ctx.of(NAME, "evidence")
    concrete = [m for m in evidence if m.rule.status != "not_needed"]
    settled = [m for m in evidence if m.rule.status == "not_needed"]
    vague = ctx.of(NAME, "fault")
    pending = [m for m in ctx.of(NAME, "trigger") if m.rule.applies_to in ("reply", "both")]
    if settled and not pending and not vague:
        return CheckResult(NAME, "not_needed")  # "remboursé ce matin": a date, but nothing pending
    if concrete:
        return CheckResult(NAME, "ok")
    if vague:  # an exact rule finding outranks the model's guess of a date
        return CheckResult(NAME, "vague", tuple(ctx.finding(m) for m in vague))
    model_date = ctx.model_evidence.get("timeline_concrete")
    if model_date and not any(model_date[0] < e and s < model_date[1] for s, e in ctx.fault_spans):
        return CheckResult(NAME, "ok")  # not inside a fault: "attendez lundi" is no commitment
    if pending:  # a step named by a rule, no time given: say so rather than the model's "vague"
        first = pending[0]
        return CheckResult(NAME, "missing", (ctx.status_finding(NAME, "missing", (first.start_char, first.end_char)),))
    if "timeline_vague" in ctx.model_evidence:
        return CheckResult(NAME, "vague", (ctx.status_finding(NAME, "vague", ctx.model_evidence["timeline_vague"]),))
    if not settled and ctx.problem_reported():
        return CheckResult(NAME, "missing", (ctx.status_finding(NAME, "missing"),))
    return CheckResult(NAME, "not_needed")
