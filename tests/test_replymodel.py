"""The reply model: adds a likely fault where the rules found none, on the reply's likeliest
sentence; never touches what the rules found, a disabled check, or a review without the model."""
from __future__ import annotations

import json

import numpy as np
import pytest

from coach.config import Config
from coach.model import FAULT_LABELS, data_hash, model_dir
from coach.replymodel import FEATURES, ReplyModel, card_path
from coach.reviewer import Reviewer
from coach.training import training_files


def synthetic(sure: str, threshold: float = 0.6) -> ReplyModel:
    """A reply model certain of `sure` in every reply and of nothing else."""
    return ReplyModel({"features": list(FEATURES),
                       "weights": {label: [0.0] * len(FEATURES) for label in FAULT_LABELS},
                       "intercepts": {label: 10.0 if label == sure else -10.0 for label in FAULT_LABELS},
                       "thresholds": {label: threshold for label in FAULT_LABELS}})


def reviewer_with(reply_model: ReplyModel, config: Config | None = None) -> Reviewer:
    class WithReplyModel(Reviewer):
        def reply_model(self, lang):
            return reply_model if self.config.use_model else None

    return WithReplyModel(config)


DRAFT = ("Bonjour Madame, merci pour votre message. Le relevé du compteur que vous nous avez transmis le 3 mars "
         "indiquait bien 4 512 kWh. Ok.")


def test_likely_fault_lands_on_the_likeliest_long_sentence():
    review = reviewer_with(synthetic("blame")).review(DRAFT, lang="fr")
    (finding,) = review.checks["blame"].findings
    assert review.checks["blame"].status == "found" and review.verdict == "block"
    assert finding.source == "model" and finding.rule == "blame.model" and finding.confidence > 0.99
    assert finding.text == review.text_reviewed[finding.start:finding.end]
    assert finding.text.startswith("Le relevé du compteur") and finding.text.endswith("kWh.")  # not "Ok."


def test_rule_findings_are_kept_as_they_are():
    text = "Nous sommes débordés en ce moment, c'est comme ça. Merci pour votre message et votre patience."
    plain = Reviewer().review(text, lang="fr")
    review = reviewer_with(synthetic("defensive")).review(text, lang="fr")
    assert plain.checks["defensive"].status == "found"
    assert review.checks["defensive"] == plain.checks["defensive"]
    assert all(f.source == "rule" for f in review.checks["defensive"].findings)


def test_below_threshold_nothing_is_added():
    review = reviewer_with(synthetic("blame", threshold=1.01)).review(DRAFT, lang="fr")
    assert review.checks["blame"].status == "ok"


def test_disabled_check_and_no_model_mean_no_reply_model_finding():
    disabled = reviewer_with(synthetic("blame"), Config(disabled=("blame",))).review(DRAFT, lang="fr")
    assert disabled.checks["blame"].status == "disabled"
    no_model = reviewer_with(synthetic("blame"), Config(use_model=False)).review(DRAFT, lang="fr")
    assert no_model.checks["blame"].status == "ok"


def test_a_card_for_other_features_is_refused():
    card = {"features": list(FEATURES[:-1]), "weights": {}, "intercepts": {}, "thresholds": {}}
    with pytest.raises(ValueError, match="coach train"):
        ReplyModel(card)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_shipped_reply_model_matches_the_training_data(lang):
    card = json.loads(card_path(lang).read_text(encoding="utf-8"))
    assert card["data_sha256"] == data_hash(training_files(lang)), (
        f"training_data/ changed since the {lang} reply model was trained: run `coach train --lang {lang}`")
    assert card["data_sha256"] == json.loads((model_dir() / f"{lang}.json").read_text(encoding="utf-8"))["data_sha256"]
    assert card["features"] == list(FEATURES)
    assert card["labels"] == list(FAULT_LABELS) and set(card["weights"]) == set(FAULT_LABELS)
    assert {"scikit-learn", "numpy"} <= set(card["versions"])
    assert all(t is None or 0.5 <= t < 1 for t in card["thresholds"].values())
    model = ReplyModel(card)
    assert set(model.probabilities(np.zeros(len(FEATURES)))) == set(FAULT_LABELS)


def test_threshold_never_adds_more_good_replies_than_tolerated():
    """The guard `coach train` applies: the best F1 among thresholds that flag no more good replies
    than allowed, and no threshold at all when every helpful one would flag one."""
    from coach.training import _reply_threshold

    truth = np.array([True, True, True, False, False, False])
    good = np.array([False, False, False, True, False, False])
    rule = np.array([True, False, False, False, False, False])
    scores = np.array([0.0, 0.9, 0.7, 0.65, 0.2, 0.1])  # the good reply scores between two faults
    f1, threshold = _reply_threshold(scores, rule, truth, good, tolerated=0)
    assert threshold == 0.7 and f1 == pytest.approx(1.0)
    f1, threshold = _reply_threshold(scores, rule, truth, good, tolerated=1)
    assert threshold == 0.7  # flagging the good reply too would not raise F1
    blocked, none = _reply_threshold(np.array([0.0, 0.6, 0.6, 0.9, 0.0, 0.0]), rule, truth, good, tolerated=0)
    assert none is None and blocked == pytest.approx(0.5)
