"""`coach train` and `coach data split`: fit the models from training_data/, reproducibly.

The sentence model is fitted on the sentence-level data (including `part_f`, sentences cut from
the dev replies that are not `send`); its presence thresholds come from out-of-fold predictions on
that data (precision first). The reply model (coach/replymodel.py) is fitted on the dev replies,
from features that sentence models refitted without each reply's own sentences give it, and its
thresholds flag no dev reply labelled `send` out of fold. Test is never read. The results are
saved with skops (sentence model) and as JSON cards (data hash, library versions, labels,
cross-validated scores, thresholds, weights of the reply model).
"""
from __future__ import annotations

import json
import random
import zipfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from .evaluate import load_labelled
from .features import UNKNOWN, build_pipeline, export_arrays, slim
from .model import FAULT_LABELS, LABELS, data_hash, model_dir

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "training_data"
THRESHOLDS = [round(x, 2) for x in np.arange(0.5, 0.96, 0.05)]


def sentence_files(lang: str) -> list[Path]:
    return sorted((DATA / "sentences" / lang).glob("*.jsonl"))


def training_files(lang: str) -> list[Path]:
    """Everything the shipped model depends on: sentences of `lang` and the dev split."""
    return sentence_files(lang) + [dev_path()]


def load_sentences(lang: str) -> tuple[list[str], np.ndarray, list[str | None]]:
    """Texts, a (sentences x LABELS) target matrix (1, 0, or UNKNOWN for a label the row's
    `unknown` list says its data does not judge), and the dev reply each sentence was cut from
    (part_f) or None."""
    texts, targets, replies = [], [], []
    for path in sentence_files(lang):
        for line in path.open(encoding="utf-8"):
            if line.strip():
                row = json.loads(line)
                unknown = set(row.get("unknown", ()))
                texts.append(row["text"])
                targets.append([UNKNOWN if label in unknown else int(label in row["labels"]) for label in LABELS])
                replies.append(row.get("reply"))
    return texts, np.array(targets), replies


def dev_path() -> Path:
    """The dev replies: thresholds are chosen and guarded on them, the noise test reads their good ones."""
    return DATA / "replies" / "dev.jsonl"


def _reply_rows() -> list[dict]:
    rows = []
    for path in sorted((DATA / "replies").glob("*/*.jsonl")):
        rows += load_labelled(path)
    return rows


def _write_split(name: str, items: list[dict]) -> None:
    items.sort(key=lambda r: r["id"])
    with open(DATA / "replies" / f"{name}.jsonl", "w", encoding="utf-8") as handle:
        for row in items:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def split_replies(seed: int = 20261129, dev_share: float = 0.6, force: bool = False,
                  add_new_to_dev: bool = False) -> dict:
    """Split reply-level data into dev and test once (stratified by language and verdict).

    A batch written later (new ids) never goes to test, whose replies must stay unseen: with
    `add_new_to_dev` it joins dev, and the record lists it apart, so the split itself is unchanged.
    """
    record = DATA / "replies" / "split.json"
    rows = _reply_rows()
    if record.exists() and not force:
        summary = json.loads(record.read_text(encoding="utf-8"))
        known = set(summary["dev"]) | set(summary["test"]) | set(summary.get("added_to_dev", []))
        fresh = sorted(r["id"] for r in rows if r["id"] not in known)
        if not add_new_to_dev or not fresh:
            raise FileExistsError(f"{record} exists: the split is made once (use --force only to start over)"
                                  + (f"; {len(fresh)} new replies can join dev with --add-new-to-dev" if fresh else ""))
        summary["added_to_dev"] = summary.get("added_to_dev", []) + fresh
        dev_ids = set(summary["dev"]) | set(summary["added_to_dev"])
        _write_split("dev", [r for r in rows if r["id"] in dev_ids])
        record.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
        return {"dev": len(dev_ids), "test": len(summary["test"]), "added": len(fresh)}
    groups = defaultdict(list)
    for row in rows:
        groups[(row["lang"], row["expected"]["verdict"])].append(row)
    rng = random.Random(seed)
    dev, test = [], []
    for key in sorted(groups):
        items = sorted(groups[key], key=lambda r: r["id"])
        rng.shuffle(items)
        cut = round(len(items) * dev_share)
        dev += items[:cut]
        test += items[cut:]
    _write_split("dev", dev)
    _write_split("test", test)
    summary = {"seed": seed, "dev_share": dev_share, "dev": [r["id"] for r in dev], "test": [r["id"] for r in test]}
    record.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return {"dev": len(dev), "test": len(test), "added": 0}


def export_good_replies() -> dict[str, int]:
    """Write the dev replies labelled `send` to training_data/good/<lang>/ (one file each, the
    customer's message beside it), for the noise test. Test replies never go there."""
    counts: dict[str, int] = defaultdict(int)
    rows = load_labelled(dev_path())
    for lang in {r["lang"] for r in rows}:
        folder = DATA / "good" / lang
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.txt"):
            old.unlink()
    for row in rows:
        if row["expected"]["verdict"] != "send":
            continue
        folder = DATA / "good" / row["lang"]
        (folder / f"{row['id']}.txt").write_text(row["reply"], encoding="utf-8")
        if row.get("incoming"):
            (folder / f"{row['id']}.incoming.txt").write_text(row["incoming"], encoding="utf-8")
        counts[row["lang"]] += 1
    return dict(counts)


SENTENCE_PRECISION = 0.95


def sentence_thresholds(targets: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Per label, the lowest threshold whose out-of-fold sentence precision reaches
    SENTENCE_PRECISION; none if never (fault thresholds are then guarded on dev)."""
    chosen = {}
    for index, label in enumerate(LABELS):
        for threshold in THRESHOLDS:
            flagged = (predicted[:, index] >= threshold) & (targets[:, index] != UNKNOWN)
            if flagged.sum() < 5:
                break
            precision = float((targets[flagged, index] == 1).mean())
            if precision >= SENTENCE_PRECISION:
                chosen[label] = float(threshold)
                break
    return chosen


REPLY_FOLDS = 4
REPLY_THRESHOLDS = [round(x, 2) for x in np.arange(0.5, 0.96, 0.05)]
GOOD_REPLY_SHARE = 0.01  # of the good dev replies a revise-level check's model may flag (none for block)


class _FeatureRecorder:
    """Stands in for the reply model during training: records each reviewed reply's features."""

    def __init__(self):
        self.vectors: list[np.ndarray] = []

    def findings(self, ctx, checks, scores) -> dict:
        from .replymodel import features

        self.vectors.append(features(scores, checks))
        return {}


def _reply_features(lang: str, rows: list[dict], arrays: dict, presence_thresholds: dict) -> dict[str, np.ndarray]:
    """Review `rows` with the sentence model given as arrays; the reply-model features of each."""
    from .config import Config
    from .inputs import Draft
    from .model import SentenceModel
    from .reviewer import Reviewer

    sentence_model = SentenceModel(arrays, presence_thresholds, lang, LABELS)
    recorder = _FeatureRecorder()

    class Probe(Reviewer):
        def model(self, code):
            return sentence_model

        def reply_model(self, code):
            return recorder

    reviews = Probe(Config()).review_many([Draft(id=r["id"], reply=r["reply"], incoming=r.get("incoming"),
                                                 lang=lang) for r in rows])
    reviewed = [row for row, review in zip(rows, reviews) if review.status == "reviewed"]
    assert len(reviewed) == len(recorder.vectors)
    return {row["id"]: vector for row, vector in zip(reviewed, recorder.vectors)}


def reply_features_out_of_fold(lang: str, texts: list[str], targets: np.ndarray, replies: list[str | None],
                               presence_thresholds: dict) -> tuple[list[dict], np.ndarray]:
    """The dev replies of `lang` and their reply-model features, each from a sentence model that
    never saw that reply: part_f holds sentences cut from dev replies, so for each of REPLY_FOLDS
    folds of replies the sentence model is refitted without the fold's sentences, then reviews it.
    (On new replies the shipped model behaves like these fold models, not like itself on dev.)"""
    rows = dev_rows(lang)
    fold_of = {row["id"]: n % REPLY_FOLDS for n, row in enumerate(rows)}
    vectors: dict[str, np.ndarray] = {}
    for fold in range(REPLY_FOLDS):
        keep = [i for i, reply in enumerate(replies) if fold_of.get(reply) != fold]
        pipeline = build_pipeline().fit([texts[i] for i in keep], targets[keep])
        held = [r for r in rows if fold_of[r["id"]] == fold]
        vectors.update(_reply_features(lang, held, export_arrays(pipeline), presence_thresholds))
    kept = [row for row in rows if row["id"] in vectors]
    return kept, np.vstack([vectors[row["id"]] for row in kept])


def dev_rows(lang: str) -> list[dict]:
    """The dev replies of `lang`, in id order (the reply folds depend on it)."""
    return sorted((r for r in load_labelled(dev_path()) if r["lang"] == lang), key=lambda r: r["id"])


def _f1(flagged: np.ndarray, truth: np.ndarray) -> float:
    right = float((flagged & truth).sum())
    return 2 * right / max(float(flagged.sum() + truth.sum()), 1.0)


def _reply_classifier():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000)


def _reply_threshold(scores: np.ndarray, rule: np.ndarray, truth: np.ndarray, good: np.ndarray,
                     tolerated: int) -> tuple[float, float | None]:
    """(F1, threshold): the threshold with the best F1 of "rule or score >= threshold" among those
    that add at most `tolerated` good replies; (F1 of the rules alone, None) if none helps."""
    best = (_f1(rule, truth), None)
    for threshold in REPLY_THRESHOLDS:
        added = ~rule & (scores >= threshold)
        if (added & good).sum() <= tolerated and _f1(rule | added, truth) > best[0] + 1e-9:
            best = (_f1(rule | added, truth), threshold)
    return best


def train_reply_model(lang: str, texts: list[str], targets: np.ndarray, replies: list[str | None],
                      presence_thresholds: dict, shipped_arrays: dict) -> dict:
    """Fit the reply model (a logistic regression per fault check over coach.replymodel.FEATURES)
    on out-of-fold features of the dev replies. Each threshold maximises the check's reply-level
    F1 (rules, plus the model where the rules found nothing) on the model's own out-of-fold scores,
    among those that flag no dev reply labelled `send` (for the checks that block a reply; a
    check that only asks for a revision may flag GOOD_REPLY_SHARE of them); it is then raised
    until the shipped pair (sentence model `shipped_arrays`, fitted reply model) flags no more
    either (the noise test's replies). Returns the card (weights included)."""
    from sklearn.model_selection import StratifiedKFold

    from .replymodel import FEATURES
    from .rules import DEFAULT_LEVELS

    rows, X = reply_features_out_of_fold(lang, texts, targets, replies, presence_thresholds)
    good = np.array([row["expected"]["verdict"] == "send" for row in rows])
    shipped = _reply_features(lang, rows, shipped_arrays, presence_thresholds)
    X_shipped = np.vstack([shipped[row["id"]] for row in rows])
    card: dict = {"language": lang, "features": list(FEATURES), "replies": len(rows), "weights": {},
                  "intercepts": {}, "thresholds": {}, "dev_out_of_fold": {}}
    for label in FAULT_LABELS:
        truth = np.array([row["expected"]["checks"][label] == "found" for row in rows])
        column = FEATURES.index(f"rule:{label}")
        rule = X[:, column] > 0
        scores = np.zeros(len(rows))
        for train_rows, test_rows in StratifiedKFold(5, shuffle=True, random_state=0).split(X, truth):
            scores[test_rows] = _reply_classifier().fit(X[train_rows], truth[train_rows]).predict_proba(X[test_rows])[:, 1]
        tolerated = 0 if DEFAULT_LEVELS[label] == "block" else int(GOOD_REPLY_SHARE * good.sum())
        f1, threshold = _reply_threshold(scores, rule, truth, good, tolerated)
        final = _reply_classifier().fit(X, truth)
        if threshold is not None:  # what ships must not flag more good dev replies either
            shipped_scores = np.maximum(final.predict_proba(X)[:, 1], final.predict_proba(X_shipped)[:, 1])
            quiet = ~rule & ~(X_shipped[:, column] > 0)
            safe = [t for t in REPLY_THRESHOLDS
                    if t >= threshold and (quiet & (shipped_scores >= t) & good).sum() <= tolerated]
            threshold = safe[0] if safe else None
            f1 = _f1(rule | (~rule & (scores >= threshold)), truth) if safe else _f1(rule, truth)
        card["weights"][label] = [round(float(w), 6) for w in final.coef_[0]]
        card["intercepts"][label] = round(float(final.intercept_[0]), 6)
        card["thresholds"][label] = threshold
        added = ~rule & (scores >= (threshold or 2.0))
        card["dev_out_of_fold"][label] = {"f1_rules": round(_f1(rule, truth), 3), "f1_with_model": round(f1, 3),
                                          "added_right": int((added & truth).sum()),
                                          "added_wrong": int((added & ~truth).sum())}
    return card


def out_of_fold(texts: list[str], targets: np.ndarray, folds: int = 3) -> np.ndarray:
    """Out-of-fold probabilities (3-fold, fixed seed). Not cross_val_predict: it re-encodes each
    target column as classes and would turn UNKNOWN into a class of its own."""
    from sklearn.model_selection import KFold

    predicted = np.zeros(targets.shape, dtype=float)
    for train_rows, test_rows in KFold(folds, shuffle=True, random_state=0).split(texts):
        model = build_pipeline().fit([texts[i] for i in train_rows], targets[train_rows])
        predicted[test_rows] = model.predict_proba([texts[i] for i in test_rows])
    return predicted


def train(lang: str) -> dict:
    """Fit, cross-validate, tune thresholds on dev, save model and card. Returns the card."""
    import sklearn
    import skops
    import spacy
    from skops.io import dump
    from sklearn.metrics import f1_score

    texts, targets, replies = load_sentences(lang)
    pipeline = build_pipeline()
    predicted = out_of_fold(texts, targets)
    known = targets != UNKNOWN
    cv_scores = {label: round(float(f1_score(targets[known[:, i], i], predicted[known[:, i], i] >= 0.5)), 3)
                 for i, label in enumerate(LABELS)}
    pipeline.fit(texts, targets)
    slim(pipeline)
    # Presence thresholds come from out-of-fold predictions on the sentence data; fault scores
    # are judged per reply by the reply model.
    thresholds = {label: t for label, t in sentence_thresholds(targets, predicted).items() if label not in FAULT_LABELS}
    arrays = export_arrays(pipeline)
    reply_card = train_reply_model(lang, texts, targets, replies, thresholds, arrays)
    out = model_dir()
    out.mkdir(exist_ok=True)
    dump(pipeline, out / f"{lang}.skops", compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    np.savez_compressed(out / f"{lang}.npz", **arrays)
    card = {
        "language": lang, "labels": list(LABELS), "sentences": len(texts),
        "data_sha256": data_hash(training_files(lang)),
        "files": {"reference": f"{lang}.skops", "runtime": f"{lang}.npz"},
        "versions": {"scikit-learn": sklearn.__version__, "skops": skops.__version__, "spacy": spacy.__version__,
                     "numpy": np.__version__},
        "cv_f1_at_0.5": cv_scores, "thresholds": thresholds,
        "threshold_rule": f"presence labels: lowest threshold with out-of-fold sentence precision >= "
                          f"{SENTENCE_PRECISION}; fault labels: see the reply model",
        "reply_model": f"reply-{lang}.json",
        "recipe": "coach.model.build_pipeline(): word 1-2-grams + char_wb 2-5-grams, calibrated LinearSVC per label",
    }
    (out / f"{lang}.json").write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    reply_card.update(data_sha256=card["data_sha256"], labels=list(FAULT_LABELS), versions=card["versions"],
                      recipe="coach.training.train_reply_model(): LogisticRegression(C=1, balanced) per fault check")
    (out / f"reply-{lang}.json").write_text(json.dumps(reply_card, indent=1) + "\n", encoding="utf-8")
    card["reply"] = reply_card["dev_out_of_fold"]
    from .model import load_model
    from .replymodel import load_reply_model

    load_model.cache_clear()
    load_reply_model.cache_clear()
    return card


def incoming_files(lang: str) -> list[Path]:
    return sorted((DATA / "incoming" / lang).glob("*.jsonl"))


def train_incoming(lang: str) -> dict:
    """Fit the customer-message classifier (problem / request / neither) from training_data/incoming,
    choose its thresholds on the dev replies (empathy needed <=> problem), save it like the sentence model."""
    import sklearn
    import skops
    from skops.io import dump
    from sklearn.metrics import f1_score

    from .model import INCOMING_LABELS

    rows = [json.loads(line) for path in incoming_files(lang) for line in path.open(encoding="utf-8") if line.strip()]
    texts = [r["text"] for r in rows]
    targets = np.array([[int(r["label"] == label) for label in INCOMING_LABELS] for r in rows])
    predicted = out_of_fold(texts, targets)
    cv_scores = {label: round(float(f1_score(targets[:, i], predicted[:, i] >= 0.5)), 3)
                 for i, label in enumerate(INCOMING_LABELS)}
    pipeline = build_pipeline()
    pipeline.fit(texts, targets)
    slim(pipeline)
    dev = [r for r in dev_rows(lang) if r.get("incoming")]
    probs = pipeline.predict_proba([r["incoming"] for r in dev])[:, 0] if dev else np.array([])
    needed = np.array([r["expected"]["checks"]["empathy"] != "not_needed" for r in dev])
    best = (0.0, 0.5)
    for threshold in [round(x, 2) for x in np.arange(0.2, 0.81, 0.05)]:
        accuracy = float(np.mean((probs >= threshold) == needed)) if len(dev) else 0.0
        if accuracy > best[0] + 1e-9:
            best = (accuracy, float(threshold))
    out = model_dir()
    name = f"incoming-{lang}"
    dump(pipeline, out / f"{name}.skops", compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    np.savez_compressed(out / f"{name}.npz", **export_arrays(pipeline))
    card = {
        "language": lang, "labels": list(INCOMING_LABELS), "messages": len(texts),
        "data_sha256": data_hash(incoming_files(lang) + [dev_path()]),
        "files": {"reference": f"{name}.skops", "runtime": f"{name}.npz"},
        "versions": {"scikit-learn": sklearn.__version__, "skops": skops.__version__, "numpy": np.__version__},
        "cv_f1_at_0.5": cv_scores, "thresholds": {"problem": best[1], "request": 0.5},
        "dev_accuracy_empathy_needed": round(best[0], 3),
        "recipe": "coach.features.build_pipeline() on customers' messages; labels problem, request (neither: info)",
    }
    (out / f"{name}.json").write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    from .model import load_incoming_model

    load_incoming_model.cache_clear()
    return card
