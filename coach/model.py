"""The statistical layer beside the rules: a sentence classifier per language.

Rules are precise but miss paraphrases ("our queue is enormous this month, so..."). The model
reads each sentence of the reply and, above a per-check threshold chosen on the dev split for
precision, adds what the rules missed: a finding for a fault check (span = the sentence, message
says it is a likely case), or evidence for a presence check. It never removes a rule finding.

`build_pipeline()` is the scikit-learn recipe; `coach train` fits it from training_data/ and
saves it with skops (trusted types only) next to a JSON model card.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from .findings import Finding
from .textnorm import fold

LABELS = ("acknowledgement", "timeline_concrete", "timeline_vague", "empathy", "defensive", "blame",
          "contempt", "dismissive", "effort")
FAULT_LABELS = ("defensive", "blame", "contempt", "dismissive", "effort")
MODEL_DIR = "models"


class FoldText(BaseEstimator, TransformerMixin):
    """Lowercase, accent-free text, so "desole" and "Désolé" share features."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [fold(x) for x in X]


def build_pipeline(C: float = 0.5) -> Pipeline:
    """Word 1-2-grams and character 2-5-grams, a calibrated linear SVM per label."""
    features = FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, token_pattern=r"(?u)\b\w[\w']*\b")),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                  max_features=60000)),
    ])
    classifier = OneVsRestClassifier(
        CalibratedClassifierCV(LinearSVC(C=C, class_weight="balanced"), cv=3, method="sigmoid"))
    return Pipeline([("fold", FoldText()), ("features", features), ("classifier", classifier)])


def model_dir() -> Path:
    return Path(__file__).resolve().parent / MODEL_DIR


def trusted_types() -> list[str]:
    return [
        "coach.model.FoldText",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.calibration.CalibratedClassifierCV",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.multiclass.OneVsRestClassifier",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._label.LabelBinarizer",
        "sklearn.svm._classes.LinearSVC",
        "sklearn.frozen._frozen.FrozenEstimator",
        "numpy.dtype",
        "builtins.slice",
        "re.Pattern",
        "scipy.sparse._csr.csr_matrix",
    ]


def data_hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class SentenceModel:
    """A fitted pipeline with its thresholds; turns a reply doc into model findings/evidence."""

    def __init__(self, pipeline: Pipeline, thresholds: dict[str, float], lang: str, messages: dict):
        self.pipeline = pipeline
        self.thresholds = thresholds
        self.lang = lang
        self.messages = messages

    def probabilities(self, sentences: list[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, len(LABELS)))
        return self.pipeline.predict_proba(sentences)

    def findings(self, doc, ctx) -> list[Finding]:
        """Model findings for fault checks, and evidence flags stored on ctx for presence checks."""
        sents = [s for s in doc.sents if s.text.strip()]
        probs = self.probabilities([s.text for s in sents])
        found: list[Finding] = []
        ctx.model_evidence = {}
        for sent, row in zip(sents, probs):
            for index, label in enumerate(LABELS):
                threshold = self.thresholds.get(label)
                if threshold is None or row[index] < threshold:
                    continue
                if label in FAULT_LABELS:
                    text = self.messages["model"]
                    start, end = sent.start_char, sent.end_char
                    while end > start and doc.text[end - 1].isspace():
                        end -= 1
                    found.append(Finding(
                        check=label, rule=f"{label}.model", level=ctx.level_for(label, f"{label}.model",
                                                                                 _default_level(label)),
                        start=start, end=end, text=doc.text[start:end],
                        message=text["message"].format(check=label), principle=text["principle"],
                        suggestion=text.get("suggestion", ""), source="model", confidence=float(row[index])))
                else:
                    ctx.model_evidence.setdefault(label, (sent.start_char, sent.end_char))
        return found


def _default_level(label: str) -> str:
    from .rules import DEFAULT_LEVELS

    return DEFAULT_LEVELS[label]


@lru_cache(maxsize=None)
def load_model(lang: str) -> SentenceModel | None:
    """The shipped model for `lang`, or None when the package carries none."""
    from skops.io import load

    from .lexicon import check_messages

    path = model_dir() / f"{lang}.skops"
    card_path = model_dir() / f"{lang}.json"
    if not path.is_file() or not card_path.is_file():
        return None
    card = json.loads(card_path.read_text(encoding="utf-8"))
    pipeline = load(path, trusted=trusted_types())
    return SentenceModel(pipeline, card.get("thresholds", {}), lang, check_messages(lang))
