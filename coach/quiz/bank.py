"""The question bank: scenarios as data in training_data/quiz/<lang>/*.yaml.

Each scenario has a customer's message and three questions: spot the faults in a draft, pick
the best reply among candidates, write a reply (checked by the reviewer, with a model answer).
Faults are named by check: `acknowledgement`, `timeline`, `empathy` (something the draft lacks)
and `defensive`, `blame`, `contempt`, `dismissive`, `effort` (something it says).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import InputError
from ..rules import CHECKS

FLAGGED = {"missing", "vague", "found"}
SCENARIO_KEYS = {"id", "industry", "title", "context", "customer_name", "incoming", "spot", "best", "write"}


@dataclass(frozen=True)
class Candidate:
    text: str
    correct: bool
    faults: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Scenario:
    id: str
    lang: str
    industry: str
    title: str
    context: str
    customer_name: str | None
    incoming: str
    spot_draft: str
    spot_faults: tuple[str, ...]
    spot_explanation: str
    candidates: tuple[Candidate, ...]
    write_prompt: str
    model_answer: str


def bank_dir() -> Path:
    """The packaged bank (training_data/quiz in the checkout, installed as coach.quizbank)."""
    from importlib import resources

    return Path(str(resources.files("coach.quizbank")))


def _faults(value, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(v in CHECKS for v in value):
        raise InputError("E070", f"{where}: faults must be a list of check names ({', '.join(CHECKS)})")
    return tuple(sorted(set(value)))


def parse_scenario(data: dict, lang: str, where: str) -> Scenario:
    if not isinstance(data, dict) or set(data) - SCENARIO_KEYS:
        raise InputError("E071", f"{where}: unknown keys {sorted(set(data) - SCENARIO_KEYS)}")
    try:
        candidates = tuple(
            Candidate(text=c["text"], correct=bool(c.get("correct", False)),
                      faults=_faults(c.get("faults", []), where), why=c["why"])
            for c in data["best"]["candidates"])
        scenario = Scenario(
            id=data["id"], lang=lang, industry=data["industry"], title=data["title"], context=data["context"],
            customer_name=data.get("customer_name"), incoming=data["incoming"], spot_draft=data["spot"]["draft"],
            spot_faults=_faults(data["spot"]["faults"], where), spot_explanation=data["spot"]["explanation"],
            candidates=candidates, write_prompt=data["write"]["prompt"], model_answer=data["write"]["model_answer"])
    except (KeyError, TypeError) as exc:
        raise InputError("E072", f"{where}: missing or malformed field {exc}") from None
    if sum(c.correct for c in candidates) != 1 or not 3 <= len(candidates) <= 4:
        raise InputError("E073", f"{where}: 'best' needs 3 or 4 candidates, exactly one correct")
    if not scenario.spot_faults:
        raise InputError("E074", f"{where}: the 'spot' draft must have at least one fault")
    return scenario


def load_bank(lang: str, root: Path | None = None) -> list[Scenario]:
    folder = (root or bank_dir()) / lang
    scenarios = []
    for path in sorted(folder.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            scenarios.append(parse_scenario(yaml.safe_load(handle), lang, str(path)))
    ids = [s.id for s in scenarios]
    if len(ids) != len(set(ids)):
        raise InputError("E075", f"duplicate scenario ids in {folder}")
    return scenarios


def flagged_checks(review) -> tuple[str, ...]:
    """The checks a review says the draft breaks, in the bank's vocabulary."""
    return tuple(sorted(name for name, result in review.checks.items()
                        if name in CHECKS and result.status in FLAGGED))
