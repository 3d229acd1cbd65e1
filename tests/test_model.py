"""The shipped sentence model: reproducible from training_data/, safe to load, used beside the rules."""
from __future__ import annotations

import json

import pytest

from coach.model import LABELS, data_hash, load_model, model_dir, trusted_types
from coach.training import training_files


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_shipped_model_matches_the_training_data(lang):
    card = json.loads((model_dir() / f"{lang}.json").read_text(encoding="utf-8"))
    assert card["data_sha256"] == data_hash(training_files(lang)), (
        f"training_data/ changed since the {lang} model was trained: run `coach train --lang {lang}`")
    assert card["labels"] == list(LABELS)
    assert set(card["thresholds"]) <= set(LABELS)
    assert all(0.5 <= t < 1 for t in card["thresholds"].values())


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_model_loads_with_the_trusted_types_only(lang):
    from skops.io import get_untrusted_types

    untrusted = get_untrusted_types(file=model_dir() / f"{lang}.skops")
    assert set(untrusted) <= set(trusted_types())
    model = load_model(lang)
    probs = model.probabilities(["Merci pour votre message." if lang == "fr" else "Thanks for your message."])
    assert probs.shape == (1, len(LABELS))
    assert probs[0][LABELS.index("acknowledgement")] > 0.5


def test_model_never_removes_a_rule_finding(reviewer):
    text = "Nous sommes débordés, c'est comme ça. Merci pour votre message."
    with_model = reviewer.review(text, lang="fr")
    rule_ids = {f.rule for f in with_model.findings if f.source == "rule"}
    assert "defensive.workload-excuse" in rule_ids
    assert with_model.checks["defensive"].status == "found"
