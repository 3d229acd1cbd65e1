"""The quiz bank agrees with the checker: model and best answers get `send`; every flawed draft
gets exactly the faults the bank says it has.

A fault check that only the statistical layer flags (a "likely" finding, `source == "model"`) is
left out of the comparison: the bank lists what a coach would name for certain, and the model's
likely cases move from one retrain to the next; the rules' findings and the statuses must match."""
from __future__ import annotations

import pytest

from coach.checks import FAULT_CHECKS
from coach.quiz.bank import flagged_checks, load_bank

SCENARIOS = [s for lang in ("fr", "en") for s in load_bank(lang)]


def test_bank_has_enough_scenarios():
    for lang in ("fr", "en"):
        scenarios = load_bank(lang)
        assert len(scenarios) >= 40, f"{lang}: {len(scenarios)} scenarios"
        assert len({s.industry for s in scenarios}) >= 8


def review(reviewer, scenario, text):
    return reviewer.review(text, lang=scenario.lang, incoming=scenario.incoming, customer_name=scenario.customer_name)


def certain(result) -> tuple[str, ...]:
    """flagged_checks without the fault checks that only the model flags."""
    likely_only = {name for name in FAULT_CHECKS
                   if result.checks[name].findings and all(f.source == "model" for f in result.checks[name].findings)}
    return tuple(name for name in flagged_checks(result) if name not in likely_only)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_spot_draft_has_exactly_the_listed_faults(reviewer, scenario):
    assert certain(review(reviewer, scenario, scenario.spot_draft)) == scenario.spot_faults


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_best_reply_candidates_agree_with_the_checker(reviewer, scenario):
    for candidate in scenario.candidates:
        result = review(reviewer, scenario, candidate.text)
        if candidate.correct:
            assert result.verdict == "send", (candidate.text, [f.rule for f in result.findings])
        else:
            assert result.verdict != "send" and certain(result) == candidate.faults, candidate.text


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_model_answer_is_sent(reviewer, scenario):
    result = review(reviewer, scenario, scenario.model_answer)
    assert result.verdict == "send", [f.rule for f in result.findings]
