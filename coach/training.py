"""`coach train` and `coach data split`: fit the sentence model from training_data/, reproducibly.

The model is fitted on the sentence-level data; its per-check thresholds come from out-of-fold
predictions on that same data (precision first), never from the reply splits. The result is saved with
skops next to a JSON model card (data hash, library versions, labels, cross-validated scores,
thresholds).
"""
from __future__ import annotations

import json
import random
import zipfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from .features import build_pipeline, export_arrays, slim
from .model import FAULT_LABELS, LABELS, data_hash, model_dir

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "training_data"
THRESHOLDS = [round(x, 2) for x in np.arange(0.5, 0.96, 0.05)]


def sentence_files(lang: str) -> list[Path]:
    return sorted((DATA / "sentences" / lang).glob("*.jsonl"))


def training_files(lang: str) -> list[Path]:
    """Everything the shipped model depends on: sentences of `lang` and the dev split."""
    return sentence_files(lang) + [DATA / "replies" / "dev.jsonl"]


def load_sentences(lang: str) -> tuple[list[str], np.ndarray]:
    texts, targets = [], []
    for path in sentence_files(lang):
        for line in path.open(encoding="utf-8"):
            if line.strip():
                row = json.loads(line)
                texts.append(row["text"])
                targets.append([1 if label in row["labels"] else 0 for label in LABELS])
    return texts, np.array(targets)


def split_replies(seed: int = 20261129, dev_share: float = 0.6, force: bool = False) -> dict:
    """Split reply-level data into dev and test once (stratified by language and verdict)."""
    record = DATA / "replies" / "split.json"
    if record.exists() and not force:
        raise FileExistsError(f"{record} exists: the split is made once (use --force only to start over)")
    rows = []
    for path in sorted((DATA / "replies").glob("*/*.jsonl")):
        rows += [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
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
    for name, items in (("dev", dev), ("test", test)):
        items.sort(key=lambda r: r["id"])
        with open(DATA / "replies" / f"{name}.jsonl", "w", encoding="utf-8") as handle:
            for row in items:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    summary = {"seed": seed, "dev_share": dev_share, "dev": [r["id"] for r in dev], "test": [r["id"] for r in test]}
    record.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return {"dev": len(dev), "test": len(test)}


SENTENCE_PRECISION = 0.95
FAULT_SENTENCE_PRECISION = 0.98  # a reply has many sentences: a fault flag must be nearly certain


def sentence_thresholds(targets: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Per label, the lowest threshold whose out-of-fold sentence precision reaches the target
    (SENTENCE_PRECISION for evidence, FAULT_SENTENCE_PRECISION for faults); none if never."""
    chosen = {}
    for index, label in enumerate(LABELS):
        target = FAULT_SENTENCE_PRECISION if label in FAULT_LABELS else SENTENCE_PRECISION
        for threshold in THRESHOLDS:
            flagged = predicted[:, index] >= threshold
            if flagged.sum() < 5:
                break
            precision = float((targets[flagged, index] == 1).mean())
            if precision >= target:
                chosen[label] = float(threshold)
                break
    return chosen


def train(lang: str) -> dict:
    """Fit, cross-validate, tune thresholds on dev, save model and card. Returns the card."""
    import sklearn
    import skops
    import spacy
    from skops.io import dump
    from sklearn.metrics import f1_score
    from sklearn.model_selection import KFold, cross_val_predict

    texts, targets = load_sentences(lang)
    pipeline = build_pipeline()
    predicted = cross_val_predict(build_pipeline(), texts, targets, cv=KFold(3, shuffle=True, random_state=0),
                                  method="predict_proba")
    cv_scores = {label: round(float(f1_score(targets[:, i], predicted[:, i] >= 0.5)), 3)
                 for i, label in enumerate(LABELS)}
    pipeline.fit(texts, targets)
    slim(pipeline)
    # Thresholds come from out-of-fold predictions on the sentence data: the rules were written
    # while reading the dev replies, so dev would hide what the model adds on new wording.
    thresholds = sentence_thresholds(targets, predicted)
    out = model_dir()
    out.mkdir(exist_ok=True)
    dump(pipeline, out / f"{lang}.skops", compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    np.savez_compressed(out / f"{lang}.npz", **export_arrays(pipeline))
    card = {
        "language": lang, "labels": list(LABELS), "sentences": len(texts),
        "data_sha256": data_hash(training_files(lang)),
        "files": {"reference": f"{lang}.skops", "runtime": f"{lang}.npz"},
        "versions": {"scikit-learn": sklearn.__version__, "skops": skops.__version__, "spacy": spacy.__version__,
                     "numpy": np.__version__},
        "cv_f1_at_0.5": cv_scores, "thresholds": thresholds,
        "threshold_rule": f"lowest threshold with out-of-fold sentence precision >= {SENTENCE_PRECISION} "
                          f"(faults: {FAULT_SENTENCE_PRECISION})",
        "recipe": "coach.model.build_pipeline(): word 1-2-grams + char_wb 2-5-grams, calibrated LinearSVC per label",
    }
    (out / f"{lang}.json").write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    from .model import load_model

    load_model.cache_clear()
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
    from sklearn.model_selection import KFold, cross_val_predict

    from .model import INCOMING_LABELS

    rows = [json.loads(line) for path in incoming_files(lang) for line in path.open(encoding="utf-8") if line.strip()]
    texts = [r["text"] for r in rows]
    targets = np.array([[int(r["label"] == label) for label in INCOMING_LABELS] for r in rows])
    predicted = cross_val_predict(build_pipeline(), texts, targets, cv=KFold(3, shuffle=True, random_state=0),
                                  method="predict_proba")
    cv_scores = {label: round(float(f1_score(targets[:, i], predicted[:, i] >= 0.5)), 3)
                 for i, label in enumerate(INCOMING_LABELS)}
    pipeline = build_pipeline()
    pipeline.fit(texts, targets)
    slim(pipeline)
    dev = [json.loads(line) for line in (DATA / "replies" / "dev.jsonl").open(encoding="utf-8")
           if line.strip() and json.loads(line)["lang"] == lang and json.loads(line).get("incoming")]
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
        "data_sha256": data_hash(incoming_files(lang) + [DATA / "replies" / "dev.jsonl"]),
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
