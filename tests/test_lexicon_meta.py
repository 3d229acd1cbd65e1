"""The lexicons themselves: ids unique, every rule with both kinds of examples, coverage per check."""
from __future__ import annotations

from collections import Counter

import pytest

from coach.errors import LexiconError
from coach.lexicon import packaged_rules
from coach.nlp import pipeline
from coach.rules import CHECKS, build_rule


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_rule_ids_are_unique_and_named_after_their_file(lang):
    ids = [r.id for r in packaged_rules(lang)]
    assert len(ids) == len(set(ids))
    assert all(r.id == f"{r.check}.{r.name}" for r in packaged_rules(lang))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_rule_has_both_kinds_of_examples(lang):
    for rule in packaged_rules(lang):
        assert any(e.fires for e in rule.examples), f"{rule.id} has no example where it fires"
        assert any(not e.fires for e in rule.examples), f"{rule.id} has no example where it stays quiet"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_language_has_enough_rules_and_examples_per_check(lang):
    rules = packaged_rules(lang)
    assert len([r for r in rules if r.type in ("fault", "shouting", "evidence")]) >= 25
    bad, good = Counter(), Counter()
    for rule in rules:
        for example in rule.examples:
            # For a fault rule, a firing example is a bad reply; for evidence, a quiet one is.
            is_bad = example.fires if rule.type in ("fault", "shouting") else not example.fires
            (bad if is_bad else good)[rule.check] += 1
    for check in CHECKS:
        assert bad[check] >= 8, f"{lang}/{check}: only {bad[check]} bad examples"
        assert good[check] >= 8, f"{lang}/{check}: only {good[check]} good examples"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_same_idea_has_the_same_id_in_both_languages(lang):
    other = "en" if lang == "fr" else "fr"
    mine = {r.id for r in packaged_rules(lang) if r.type in ("fault", "shouting")}
    theirs = {r.id for r in packaged_rules(other) if r.type in ("fault", "shouting")}
    assert len(mine & theirs) >= 0.6 * len(mine), sorted(mine - theirs)


def _build(raw):
    return build_rule("fr", "defensive", "probe", raw, pipeline("fr").tokenizer)


def test_unknown_keys_are_rejected():
    with pytest.raises(LexiconError, match="unknown key"):
        _build({"message": "m", "principle": "p", "patterns": ["x"], "pattern": ["y"]})


@pytest.mark.parametrize("raw,needle", [
    ({"principle": "p", "patterns": ["x"]}, "'message' is required"),
    ({"message": "m", "principle": "p"}, "needs patterns"),
    ({"message": "m", "principle": "p", "patterns": ["x"], "level": "loud"}, "level must be"),
    ({"message": "m", "principle": "p", "patterns": ["x"], "scope": {"sarcasm": True}}, "scope takes"),
    ({"message": "m", "principle": "p", "patterns": ["... x"]}, "starts or ends with a gap"),
    ({"message": "m", "principle": "p", "regex": ["("]}, "bad regex"),
    ({"message": "m", "principle": "p", "patterns": ["(a|(b|c) d)"]}, "nested"),  # would never match
])
def test_invalid_rules_are_explained(raw, needle):
    with pytest.raises(LexiconError, match=needle):
        _build(raw)
