"""Language detection for drafts: French, English, or "another language" (not reviewed).

Short chat replies ("ok je regarde ça") defeat character n-gram detectors, so this scores
function words: spaCy's stop-word lists for French, English and the languages agents most often
receive instead (Spanish, German, Italian, Portuguese, Dutch), weighting words that belong to a
single language. No model is loaded, nothing leaves the machine.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .textnorm import fold

SUPPORTED = ("fr", "en")
CANDIDATES = ("fr", "en", "es", "de", "it", "pt", "nl")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_MARKS = {
    "fr": set("éèêàçùœâîô"),
    "es": set("ñ¿¡"),
    "de": set("äöüß"),
    "pt": set("ãõ"),
}
# Frequent customer-service words that stop-word lists miss but that tell the languages apart.
_EXTRA = {
    "fr": {"bonjour", "merci", "désolé", "desole", "cordialement", "colis", "commande", "votre", "vos",
           "nous", "délai", "remboursement", "demain", "semaine", "jours", "rappel", "bonsoir", "svp", "stp",
           "courriel", "facture", "ça", "ca", "d'ici", "bien", "oui", "madame", "monsieur"},
    "en": {"hi", "hello", "thanks", "thank", "sorry", "regards", "order", "refund", "please", "team",
           "tomorrow", "week", "days", "issue", "cheers", "we'll", "i'll", "i'm", "you're", "can't", "don't",
           "won't", "asap", "ok", "yes"},
}


@dataclass(frozen=True)
class Detection:
    lang: str | None  # the detected language, None if there is no evidence at all
    confidence: float
    scores: tuple[tuple[str, float], ...]


@lru_cache(maxsize=None)
def _vocabularies() -> dict[str, frozenset[str]]:
    import importlib.util
    from pathlib import Path

    import spacy.lang

    vocab = {}
    for lang in CANDIDATES:
        # Load only the stop-word module: importing spacy.lang.<lang> itself compiles the language's
        # tokenizer exceptions, which costs seconds for French.
        path = Path(spacy.lang.__path__[0]) / lang / "stop_words.py"
        spec = importlib.util.spec_from_file_location(f"_coach_stop_words_{lang}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        words = set(module.STOP_WORDS)
        words |= _EXTRA.get(lang, set())
        vocab[lang] = frozenset(fold(w) for w in words if len(w) > 1)
    return vocab


@lru_cache(maxsize=None)
def _weights() -> dict[str, dict[str, float]]:
    vocab = _vocabularies()
    owners = Counter(w for words in vocab.values() for w in words)
    return {lang: {w: 1.0 / owners[w] for w in words} for lang, words in vocab.items()}


def detect(text: str) -> Detection:
    """Score each candidate language on the text's words and accent marks."""
    weights = _weights()
    words = [fold(w) for w in _WORD.findall(text[:20000])]
    scores = dict.fromkeys(CANDIDATES, 0.0)
    for word in words:
        for lang in CANDIDATES:
            scores[lang] += weights[lang].get(word, 0.0)
    chars = set(text[:20000].lower())
    for lang, marks in _MARKS.items():
        scores[lang] += 0.5 * len(chars & marks)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    best, best_score = ranked[0]
    total = sum(scores.values())
    if best_score <= 0:
        return Detection(None, 0.0, tuple(ranked))
    return Detection(best, best_score / total, tuple(ranked))


def choose_language(text: str, forced: str | None, default: str, incoming: str | None = None) -> tuple[str | None, str]:
    """Pick the review language: forced, else detected, else the incoming's, else `default`.

    Returns (lang or None when the text is in an unsupported language, the detected code).
    """
    if forced:
        return forced, forced
    detection = detect(text)
    if detection.lang is None or detection.scores[0][1] < 0.6:
        if incoming:
            other = detect(incoming)
            if other.lang in SUPPORTED and other.scores[0][1] >= 1.0:
                return other.lang, other.lang
        if detection.lang is not None and detection.lang not in SUPPORTED:
            # too little text to call it another language with confidence
            return default, detection.lang
        return (detection.lang if detection.lang in SUPPORTED else default), detection.lang or "unknown"
    if detection.lang in SUPPORTED:
        return detection.lang, detection.lang
    return None, detection.lang
