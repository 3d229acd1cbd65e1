"""The statistical layer beside the rules: a sentence classifier per language.

Rules are precise but miss paraphrases ("our queue is enormous this month, so..."). The model
scores each sentence of the reply for every label. Above a per-label threshold (out-of-fold
precision), a presence label is evidence for its check (a thank-you, a date). Fault scores go,
for the whole reply, to the reply model (coach/replymodel.py), which adds a likely-fault finding
where the rules found none. Neither ever removes a rule finding.

The model is trained with scikit-learn (coach/features.py, `coach train`) and shipped twice:
as a .skops file (the reference, loaded with a trusted-types allowlist) and as plain arrays
(.npz) that this module turns into predictions with numpy alone, so reviewing does not pay
for importing scikit-learn. A test checks both give the same probabilities.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .scope import in_quotes, is_conditional
from .textnorm import fold

LABELS = ("acknowledgement", "timeline_concrete", "timeline_vague", "empathy", "defensive", "blame",
          "contempt", "dismissive", "effort")
FAULT_LABELS = ("defensive", "blame", "contempt", "dismissive", "effort")
MODEL_DIR = "models"
MIN_FAULT_WORDS = 8
_WORD = re.compile(r"(?u)\b\w[\w']*\b")  # features.WORD_PATTERN
_SPACES = re.compile(r"\s\s+")


def model_dir() -> Path:
    return Path(__file__).resolve().parent / MODEL_DIR


def data_hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def word_terms(text: str) -> list[str]:
    """Word 1- and 2-grams, as scikit-learn's word analyzer makes them."""
    tokens = _WORD.findall(text)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def char_terms(text: str, low: int = 2, high: int = 5) -> list[str]:
    """Character n-grams inside word boundaries, as scikit-learn's char_wb analyzer makes them."""
    grams = []
    for word in _SPACES.sub(" ", text).split():
        word = f" {word} "
        for n in range(low, high + 1):
            offset = 0
            grams.append(word[offset: offset + n])
            while offset + n < len(word):
                offset += 1
                grams.append(word[offset: offset + n])
            if offset == 0:
                break
    return grams


class SentenceModel:
    """The exported model: TF-IDF features and calibrated linear scores with numpy only."""

    def __init__(self, arrays: dict, thresholds: dict[str, float], lang: str, labels: tuple[str, ...] = LABELS):
        self.labels = labels
        self.thresholds = thresholds
        self.lang = lang
        self.spaces = []
        for name, analyzer in (("words", word_terms), ("chars", char_terms)):
            terms = arrays[f"{name}_terms"].tolist()
            self.spaces.append((analyzer, {t: i for i, t in enumerate(terms)}, arrays[f"{name}_idf"],
                                int(arrays[f"{name}_offset"])))
        self.weights = arrays["weights"]
        self.intercepts, self.slopes = arrays["intercepts"], arrays["slopes"]
        self.offsets, self.groups = arrays["offsets"], arrays["groups"]

    def decision(self, text: str) -> np.ndarray:
        """x.w + c for every inner classifier, x the L2-normalised sublinear TF-IDF of `text`."""
        folded = fold(text)
        total = self.intercepts.copy()
        for analyzer, vocabulary, idf, offset in self.spaces:
            ids = [i for i in map(vocabulary.get, analyzer(folded)) if i is not None]
            if not ids:
                continue
            index, counts = np.unique(np.array(ids, dtype=np.int64), return_counts=True)
            values = (1.0 + np.log(counts)) * idf[index]
            values /= np.sqrt(values @ values)
            total += values @ self.weights[index + offset]
        return total

    def probabilities(self, sentences: list[str]) -> np.ndarray:
        """Calibrated probability of each label for each sentence (rows: sentences, columns: LABELS)."""
        if not sentences:
            return np.zeros((0, len(self.labels)))
        decision = np.vstack([self.decision(s) for s in sentences])
        calibrated = 1.0 / (1.0 + np.exp(self.slopes * decision + self.offsets))
        sizes = np.diff(np.append(self.groups, calibrated.shape[1]))
        return np.add.reduceat(calibrated, self.groups, axis=1) / sizes

    def read(self, doc, ctx) -> None:
        """Store on ctx the evidence for the presence checks (model_evidence) and every sentence's
        scores (sentence_scores), which the reply model turns into fault findings."""
        text = doc.text  # rebuilt from the tokens on every access: read it once
        sents = [s for s in doc.sents if s.text.strip()]
        probs = self.probabilities([s.text for s in sents])
        spans = tuple(_trimmed(text, s.start_char, s.end_char) for s in sents)
        ctx.model_evidence = {}
        for span, row in zip(spans, probs):
            for index, label in enumerate(self.labels):
                threshold = self.thresholds.get(label)
                if label not in FAULT_LABELS and threshold is not None and row[index] >= threshold:
                    ctx.model_evidence.setdefault(label, span)
        scope = doc._.coach_scope if doc.has_extension("coach_scope") else None
        judged = [long_enough(s) and not (scope is not None and _guarded(scope, s)) for s in sents]
        ctx.sentence_scores = SentenceScores(spans, probs, np.array(judged, dtype=bool))


@dataclass(frozen=True)
class SentenceScores:
    """The sentence model's probabilities for one reply, kept for the reply model."""

    spans: tuple[tuple[int, int], ...]  # trimmed (start, end) of each sentence
    probs: np.ndarray  # sentences x LABELS
    judged: np.ndarray  # bool per sentence: one a likely fault may be found in


def long_enough(sentence) -> bool:
    """Too short a sentence ("C'est notre faute.") is no ground for a likely fault."""
    return sum(1 for t in sentence if t.is_alpha) >= MIN_FAULT_WORDS


def _guarded(scope, sentence) -> bool:
    """A sentence that opens with a condition ("Si vous préférez, vous pouvez annuler...": an offer)
    or stands inside quotation marks (the customer's words): the rules' scope logic says the agent
    does not assert it, so the model does not find a fault there either."""
    return is_conditional(scope, sentence.start) or in_quotes(scope, sentence.start_char, sentence.end_char)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """A sentence's span without the blank lines around it: the span the agent sees highlighted."""
    while end > start and text[end - 1].isspace():
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _load(name: str, lang: str) -> SentenceModel | None:
    arrays_path, card_path = model_dir() / f"{name}.npz", model_dir() / f"{name}.json"
    if not arrays_path.is_file() or not card_path.is_file():
        return None
    card = json.loads(card_path.read_text(encoding="utf-8"))
    with np.load(arrays_path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    return SentenceModel(arrays, card.get("thresholds", {}), lang, tuple(card["labels"]))


@lru_cache(maxsize=None)
def load_model(lang: str) -> SentenceModel | None:
    """The shipped sentence model for `lang` (exported arrays + thresholds), or None."""
    return _load(lang, lang)


INCOMING_LABELS = ("problem", "request")


@lru_cache(maxsize=None)
def load_incoming_model(lang: str) -> SentenceModel | None:
    """The shipped classifier of customers' messages: does the customer report a problem, or ask
    for an action? (Neither: an information request.) None when not shipped."""
    return _load(f"incoming-{lang}", lang)


def incoming_kind(model: SentenceModel, text: str) -> dict[str, bool]:
    """{"problem": bool, "request": bool} for a customer's message, with the card's thresholds."""
    probs = model.probabilities([text])[0]
    return {label: bool(probs[i] >= model.thresholds.get(label, 0.5)) for i, label in enumerate(model.labels)}
