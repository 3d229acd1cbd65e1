"""The checks: each module exposes `NAME` and `run(ctx) -> CheckResult` (same signature for all).

Fault checks report what the agent wrote wrongly; presence checks (acknowledgement, timeline,
empathy) report what the reply lacks. The registry below is the single list of checks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from spacy.tokens import Doc

from ..findings import CheckResult, Finding
from ..matching import Match
from ..model import SentenceScores


@dataclass
class CheckContext:
    """Everything a check may look at for one draft."""

    lang: str
    doc: Doc
    matches: list[Match]
    incoming_doc: Doc | None
    incoming_matches: list[Match]
    messages: dict  # lexicons/<lang>/checks.yml
    level_for: Callable[[str, str, str], str]  # (check, rule_id, default) -> level
    fault_spans: list[tuple[int, int]] = field(default_factory=list)
    model_evidence: dict = field(default_factory=dict)  # label -> (start, end) of the sentence
    incoming_kind: dict | None = None  # {"problem": bool, "request": bool} from the incoming classifier
    sentence_scores: SentenceScores | None = None  # when the model ran: read by the reply model

    def problem_reported(self) -> bool:
        """Does the customer have a problem (so empathy, and a date for the fix, are owed)?

        Judged on the customer's message when there is one (the incoming classifier when shipped,
        else the trigger rules on incoming), else on the reply itself (trigger rules).
        """
        if self.incoming_doc is not None and len(self.incoming_doc):
            if self.incoming_kind is not None:
                return self.incoming_kind["problem"]
            return any(m.rule.applies_to in ("incoming", "both") for m in self.of("empathy", "trigger", incoming=True))
        return any(m.rule.applies_to in ("reply", "both") for m in self.of("empathy", "trigger"))

    def of(self, check: str, rule_type: str, incoming: bool = False) -> list[Match]:
        pool = self.incoming_matches if incoming else self.matches
        return [m for m in pool if m.rule.check == check and m.rule.type == rule_type]

    def finding(self, match: Match) -> Finding:
        rule = match.rule
        return Finding(
            check=rule.check, rule=rule.id, level=self.level_for(rule.check, rule.id, rule.level),
            start=match.start_char, end=match.end_char, text=match.text, message=rule.message,
            principle=rule.principle, suggestion=rule.suggestion, replacement=rule.replacement,
        )

    def status_finding(self, check: str, status: str, span: tuple[int, int] | None = None) -> Finding:
        """A finding for something the reply lacks (acknowledgement missing, no timeline...)."""
        text = self.messages[check][status]
        rule_id = f"{check}.{status}"
        start, end = span or (0, 0)
        return Finding(
            check=check, rule=rule_id, level=self.level_for(check, rule_id, text.get("level", "revise")),
            start=start, end=end, text=self.doc.text[start:end], message=text["message"],
            principle=text["principle"], suggestion=text.get("suggestion", ""),
        )


FAULT_CHECKS = ("defensive", "blame", "contempt", "dismissive", "effort")


def fault_check(name: str) -> Callable[[CheckContext], CheckResult]:
    """The shared logic of defensive, blame, contempt, dismissive and effort."""

    def run(ctx: CheckContext) -> CheckResult:
        found = [ctx.finding(m) for m in ctx.of(name, "fault") + ctx.of(name, "shouting")]
        found.sort(key=lambda f: f.start)
        return CheckResult(name, "found" if found else "ok", tuple(found))

    return run


def _registry():
    from . import acknowledgement, empathy, timeline

    faults = {name: fault_check(name) for name in FAULT_CHECKS}
    order = {
        "acknowledgement": acknowledgement.run,
        "timeline": timeline.run,
        "empathy": empathy.run,
        **faults,
    }
    return order


REGISTRY = _registry()
