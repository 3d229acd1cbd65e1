"""The shipped sentence model: reproducible from training_data/, safe to load, used beside the rules."""
from __future__ import annotations

import json

import numpy as np
import pytest

from coach.model import LABELS, data_hash, load_model, model_dir
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
def test_skops_file_holds_only_trusted_types(lang):
    from skops.io import get_untrusted_types

    from coach.features import trusted_types

    assert set(get_untrusted_types(file=model_dir() / f"{lang}.skops")) <= set(trusted_types())


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_runtime_arrays_give_the_reference_probabilities(lang):
    from coach.features import load_pipeline

    reference = load_pipeline(model_dir() / f"{lang}.skops")
    sentences = ["Nous sommes débordés en ce moment, il faut être patient.", "Merci pour votre message !",
                 "Sorry, there's nothing we can do.", "Your refund will arrive within 3 business days.",
                 "", "x", "Désolé   pour\tl'attente, c'est réglé d'ici jeudi."]
    assert np.allclose(load_model(lang).probabilities(sentences), reference.predict_proba(sentences), atol=1e-9)


@pytest.mark.parametrize("lang,text", [("fr", "Merci pour votre message."), ("en", "Thanks for your message.")])
def test_model_recognises_plain_cases(lang, text):
    probs = load_model(lang).probabilities([text])
    assert probs.shape == (1, len(LABELS))
    assert probs[0][LABELS.index("acknowledgement")] > 0.5


def test_reviewing_does_not_import_scikit_learn():
    import subprocess
    import sys

    code = ("import sys, coach; coach.review('Bonjour, merci pour votre message.', lang='fr'); "
            "print(any(m.startswith('sklearn') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_model_never_removes_a_rule_finding(reviewer):
    review = reviewer.review("Nous sommes débordés, c'est comme ça. Merci pour votre message.", lang="fr")
    assert "defensive.workload-excuse" in {f.rule for f in review.findings if f.source == "rule"}
    assert review.checks["defensive"].status == "found"


def test_unknown_labels_are_left_out_of_that_label_only():
    """A row marked UNKNOWN for a label trains the other labels but not that one (part_f rows)."""
    import numpy as np

    from coach.features import UNKNOWN, build_pipeline

    texts = [f"merci pour votre message numéro {i}" for i in range(30)] + \
            [f"c'est votre faute dossier {i}" for i in range(30)] + \
            [f"c'est votre faute merci {i}" for i in range(30)]
    thanks = [1] * 30 + [0] * 30 + [UNKNOWN] * 30
    blame = [0] * 30 + [1] * 30 + [1] * 30
    masked = build_pipeline().fit(texts, np.array([thanks, blame]).T)
    # the same rows read as "no thanks" instead of "not judged"
    as_zero = build_pipeline().fit(texts, np.array([[max(t, 0) for t in thanks], blame]).T)
    probe = ["merci pour votre message", "c'est votre faute", "c'est votre faute merci"]
    assert masked.predict_proba(probe)[0, 0] > 0.5 > masked.predict_proba(probe)[1, 0]
    assert masked.predict_proba(probe)[1, 1] > 0.5
    assert masked.predict_proba(probe)[2, 0] > as_zero.predict_proba(probe)[2, 0]
