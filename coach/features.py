"""The scikit-learn side of the sentence model: the recipe, training-time classes, skops I/O.

Only `coach train` and the tests import this module (and so scikit-learn); reviewing uses the
exported arrays through coach/model.py, which loads in milliseconds.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import LabelBinarizer
from sklearn.svm import LinearSVC

from .textnorm import fold

WORD_PATTERN = r"(?u)\b\w[\w']*\b"
CHAR_NGRAMS = (2, 5)
WORD_NGRAMS = (1, 2)


class FoldText(BaseEstimator, TransformerMixin):
    """Lowercase, accent-free text, so "desole" and "Désolé" share features."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [fold(x) for x in X]


UNKNOWN = -1  # a label the data does not judge for that sentence (see training_data/README.md)


class MaskedOneVsRest(OneVsRestClassifier):
    """One-vs-rest whose targets may say UNKNOWN: each label is fitted only on the rows that judge it.

    Sentences cut from labelled replies know their fault labels (the reply says which faults it
    has, and helpers marked where) but not always the presence ones (which sentence thanks?).
    """

    def fit(self, X, y, **fit_params):
        y = np.asarray(y)
        if not (y == UNKNOWN).any():
            return super().fit(X, y, **fit_params)
        self.label_binarizer_ = LabelBinarizer(sparse_output=False).fit(np.where(y == UNKNOWN, 0, y))
        self.classes_ = self.label_binarizer_.classes_
        self.estimators_ = [clone(self.estimator).fit(X[column != UNKNOWN], column[column != UNKNOWN])
                            for column in y.T]
        self.n_features_in_ = X.shape[1]
        return self


def build_pipeline(C: float = 0.5):
    """Word 1-2-grams and character 2-5-grams (TF-IDF), a calibrated linear SVM per label."""
    features = FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=WORD_NGRAMS, min_df=2, sublinear_tf=True, token_pattern=WORD_PATTERN)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, min_df=2, sublinear_tf=True,
                                  max_features=20000)),
    ])
    classifier = MaskedOneVsRest(
        CalibratedClassifierCV(LinearSVC(C=C, class_weight="balanced", random_state=0), cv=3, method="sigmoid"))
    return Pipeline([("fold", FoldText()), ("features", features), ("classifier", classifier)])


def trusted_types() -> list[str]:
    """The only types a shipped .skops file may contain."""
    return [
        "coach.features.FoldText",
        "coach.features.MaskedOneVsRest",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.calibration.CalibratedClassifierCV",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._label.LabelBinarizer",
        "sklearn.svm._classes.LinearSVC",
        "numpy.dtype",
        "builtins.slice",
        "re.Pattern",
        "scipy.sparse._csr.csr_matrix",
    ]


def slim(pipeline) -> None:
    """Drop `stop_words_` (every pruned n-gram): introspection only, and most of the file size."""
    for _, vectorizer in pipeline.named_steps["features"].transformer_list:
        if hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_


def load_pipeline(path: Path):
    from skops.io import load

    return load(path, trusted=trusted_types())


def export_arrays(pipeline) -> dict[str, np.ndarray]:
    """The fitted pipeline as plain arrays for coach.model.SentenceModel (no scikit-learn needed).

    Per label, mean over the calibration folds of expit(-(a * (x.w + c) + b)): the arithmetic of
    CalibratedClassifierCV(LinearSVC, method="sigmoid").predict_proba.
    """
    arrays: dict[str, np.ndarray] = {}
    offset = 0
    for name, vectorizer in pipeline.named_steps["features"].transformer_list:
        vocabulary = sorted(vectorizer.vocabulary_.items(), key=lambda item: item[1])
        arrays[f"{name}_terms"] = np.array([term for term, _ in vocabulary])
        arrays[f"{name}_idf"] = vectorizer.idf_
        arrays[f"{name}_offset"] = np.array(offset)
        offset += len(vocabulary)
    columns, intercepts, slopes, offsets, groups = [], [], [], [], []
    for label_estimator in pipeline.named_steps["classifier"].estimators_:
        groups.append(len(columns))
        for calibrated in label_estimator.calibrated_classifiers_:
            (calibrator,) = calibrated.calibrators
            columns.append(np.asarray(calibrated.estimator.coef_).ravel())
            intercepts.append(float(np.ravel(calibrated.estimator.intercept_)[0]))
            slopes.append(calibrator.a_)
            offsets.append(calibrator.b_)
    arrays.update(weights=np.column_stack(columns), intercepts=np.array(intercepts), slopes=np.array(slopes),
                  offsets=np.array(offsets), groups=np.array(groups))
    return arrays
