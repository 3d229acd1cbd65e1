"""The result types: one `Finding` per fault, one `Review` per draft, and their JSON schema."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA = "coach.review/1"
LEVEL_ORDER = {"hint": 1, "revise": 2, "block": 3}


@dataclass(frozen=True)
class Finding:
    """A fault in the reviewed text. `start`/`end` are character offsets into `text_reviewed`."""

    check: str
    rule: str
    level: str
    start: int
    end: int
    text: str
    message: str
    principle: str
    suggestion: str = ""
    source: str = "rule"  # "rule", "model" or "languagetool"
    confidence: float | None = None
    replacement: str | None = None  # a single clear replacement for the span, when there is one

    def to_dict(self) -> dict[str, Any]:
        data = {
            "check": self.check, "rule": self.rule, "level": self.level, "start": self.start,
            "end": self.end, "text": self.text, "message": self.message,
            "principle": self.principle, "suggestion": self.suggestion, "source": self.source,
        }
        if self.confidence is not None:
            data["confidence"] = round(self.confidence, 3)
        if self.replacement is not None:
            data["replacement"] = self.replacement
        return data


@dataclass(frozen=True)
class CheckResult:
    """Status of one check ("ok", "missing", "found", ...) and the findings behind it."""

    name: str
    status: str
    findings: tuple[Finding, ...] = ()
    reason: str = ""  # why a check is unavailable

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status, "findings": len(self.findings)}
        if self.reason:
            data["reason"] = self.reason
        return data


@dataclass(frozen=True)
class Review:
    """The outcome of reviewing one draft.

    `status` is "reviewed" for a normal review; otherwise it says why there is no verdict
    ("unsupported_language", "empty", "error") and `error` explains in one line.
    """

    id: str | None
    language: str | None
    status: str
    verdict: str | None
    score: int | None
    checks: dict[str, CheckResult] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    text_reviewed: str = ""
    incoming: str | None = None
    excluded: tuple[dict, ...] = ()
    error: str | None = None
    rewrite: str | None = None
    rewrite_details: Any = None  # coach.rewrite.Rewrite, when a rewrite was asked for

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema": SCHEMA,
            "id": self.id,
            "status": self.status,
            "language": self.language,
            "verdict": self.verdict,
            "score": self.score,
            "checks": {name: result.to_dict() for name, result in self.checks.items()},
            "findings": [f.to_dict() for f in self.findings],
            "text_reviewed": self.text_reviewed,
            "excluded": list(self.excluded),
        }
        if self.error:
            data["error"] = self.error
        if self.rewrite_details is not None:
            data["rewrite"] = self.rewrite_details.to_dict()
        return data
