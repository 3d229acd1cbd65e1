"""The reply model: how likely each fault the rules did not name is, the reply read as a whole.

An implicit fault is spread over a reply: a cold recap of what the customer did, next to a
sentence defending the company, with no apology. One sentence's score is weak evidence; the
sentence model's scores for every label across the reply, what the rules found and what the reply
lacks are stronger together (measured on dev, out of fold: reply-level F1 of the fault checks up
by 0.04 to 0.28 with no good reply flagged).

It only adds: a fault check the rules left "ok" becomes "found", with the reply's likeliest
sentence as the span, among those long enough to judge and not under a condition or in quotes.
Trained by `coach train` on out-of-fold scores of the dev replies (coach/training.py), shipped as
plain weights in models/reply-<lang>.json, computed here with numpy alone.
"""
from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

from .findings import CheckResult, Finding
from .model import FAULT_LABELS, LABELS, SentenceScores, model_dir
from .rules import DEFAULT_LEVELS

PRESENCE = (("empathy", "ok"), ("acknowledgement", "ok"), ("timeline", "ok"), ("timeline", "not_needed"))
FEATURES = tuple(
    [f"max:{label}" for label in LABELS]
    + [f"max_judged:{label}" for label in LABELS]
    + [f"second:{label}" for label in LABELS]
    + [f"rule:{label}" for label in FAULT_LABELS]
    + [f"{check}={status}" for check, status in PRESENCE]
    + ["sentences/10"])


def features(scores: SentenceScores, checks: dict[str, CheckResult]) -> np.ndarray:
    """The reply's feature vector (order: FEATURES). Rule flags count findings not from a model."""
    probs = scores.probs if len(scores.probs) else np.zeros((1, len(LABELS)))
    judged = probs[scores.judged] if scores.judged.any() else np.zeros((1, len(LABELS)))
    second = np.sort(probs, axis=0)[-2] if len(probs) > 1 else np.zeros(len(LABELS))
    rule = [float(any(f.source != "model" for f in checks[label].findings)) if label in checks else 0.0
            for label in FAULT_LABELS]
    presence = [float(checks[check].status == status) if check in checks else 0.0 for check, status in PRESENCE]
    return np.concatenate([probs.max(axis=0), judged.max(axis=0), second, rule, presence,
                           [len(scores.probs) / 10]])


class ReplyModel:
    """Logistic scores per fault check over FEATURES, and the threshold chosen for each."""

    def __init__(self, card: dict):
        if tuple(card["features"]) != FEATURES:
            raise ValueError("reply model was trained on other features: run `coach train`")
        self.labels = tuple(card["weights"])
        self.weights = np.array([card["weights"][label] for label in self.labels])
        self.intercepts = np.array([card["intercepts"][label] for label in self.labels])
        self.thresholds = {label: t for label, t in card["thresholds"].items() if t is not None}

    def probabilities(self, vector: np.ndarray) -> dict[str, float]:
        """Probability of each fault check for one reply's feature vector (see `features`)."""
        scores = 1.0 / (1.0 + np.exp(-(self.weights @ vector + self.intercepts)))
        return dict(zip(self.labels, map(float, scores)))

    def findings(self, ctx, checks: dict[str, CheckResult], scores: SentenceScores) -> dict[str, Finding]:
        """A finding per fault check left "ok" whose reply probability reaches its threshold."""
        if not scores.judged.any():
            return {}  # no sentence a fault could be pinned on
        probs = self.probabilities(features(scores, checks))
        added = {}
        text = None  # spaCy rebuilds Doc.text on each access: only when a finding needs it
        for label, threshold in self.thresholds.items():
            result = checks.get(label)
            if result is None or result.status != "ok" or probs[label] < threshold:
                continue
            text = ctx.doc.text if text is None else text
            column = scores.probs[:, LABELS.index(label)]
            best = int(np.argmax(np.where(scores.judged, column, -1.0)))
            start, end = _without_opening_lines(text, *scores.spans[best])
            message = ctx.messages["model"]
            rule = f"{label}.model"
            added[label] = Finding(
                check=label, rule=rule, level=ctx.level_for(label, rule, DEFAULT_LEVELS[label]), start=start,
                end=end, text=text[start:end], message=message["message"].format(check=label),
                principle=message["principle"], suggestion=message.get("suggestion", ""), source="model",
                confidence=probs[label])
        return added


def _without_opening_lines(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop short lines heading the sentence ("Hello,", "Bonjour Monsieur Perrin,"): spaCy may glue
    the greeting to the first sentence, and the finding is about what follows it."""
    while True:
        cut = text.find("\n", start, end)
        if cut < 0 or len(text[start:cut].split()) > 4:
            return start, end
        start = cut + 1
        while start < end and text[start].isspace():
            start += 1


def card_path(lang: str):
    return model_dir() / f"reply-{lang}.json"


@lru_cache(maxsize=None)
def load_reply_model(lang: str) -> ReplyModel | None:
    """The shipped reply model for `lang`, or None when not shipped."""
    path = card_path(lang)
    if not path.is_file():
        return None
    return ReplyModel(json.loads(path.read_text(encoding="utf-8")))
