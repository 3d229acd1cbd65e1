"""Every example of every rule, LanguageTool style.

An incorrect (or `match`) example must produce exactly one match of its rule, on the marked span;
a correct (or `no_match`) example must produce none. `pytest -k defensive.workload-excuse` runs
one rule.
"""
from __future__ import annotations

import pytest

from coach.lexicon import packaged_rules
from coach.nlp import pipeline

CASES = [
    pytest.param(lang, rule.id, example, id=f"{lang}:{rule.id}:{'fires' if example.fires else 'quiet'}{n}")
    for lang in ("fr", "en")
    for rule in packaged_rules(lang)
    for n, example in enumerate(rule.examples)
]


@pytest.mark.parametrize("lang,rule_id,example", CASES)
def test_rule_example(matchers, lang, rule_id, example):
    doc = pipeline(lang)(example.text)
    found = [m for m in matchers[lang].matches(doc) if m.rule.id == rule_id]
    spans = [(m.start_char, m.end_char, m.text) for m in found]
    if example.fires:
        assert len(found) == 1, f"expected one match of {rule_id} in {example.text!r}, got {spans}"
        if example.span is not None:
            assert (found[0].start_char, found[0].end_char) == example.span, (
                f"{rule_id} matched {found[0].text!r}, the example marks "
                f"{example.text[example.span[0]:example.span[1]]!r}")
    else:
        assert not found, f"{rule_id} should stay quiet on {example.text!r}, matched {spans}"


REPLACEMENTS = [
    pytest.param(lang, rule, example, id=f"{lang}:{rule.id}:replacement{n}")
    for lang in ("fr", "en")
    for rule in packaged_rules(lang)
    if rule.replacement is not None
    for n, example in enumerate(e for e in rule.examples if e.fires and e.span)
]


@pytest.mark.parametrize("lang,rule,example", REPLACEMENTS)
def test_applying_the_replacement_silences_the_rule(matchers, lang, rule, example):
    start, end = example.span
    fixed = example.text[:start] + rule.replacement + example.text[end:]
    doc = pipeline(lang)(fixed)
    assert not [m for m in matchers[lang].matches(doc) if m.rule.id == rule.id], fixed
