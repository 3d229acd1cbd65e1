"""Shared fixtures: pipelines and matchers are built once per test session (they are slow to load)."""
from __future__ import annotations

import pytest

from coach.lexicon import packaged_rules
from coach.matching import RuleMatcher
from coach.nlp import pipeline
from coach.resources import language_meta
from coach.reviewer import Reviewer

LANGS = ("fr", "en")


@pytest.fixture(scope="session")
def matchers():
    return {lang: RuleMatcher(pipeline(lang), list(packaged_rules(lang)), language_meta(lang)) for lang in LANGS}


@pytest.fixture(scope="session")
def reviewer():
    return Reviewer()
