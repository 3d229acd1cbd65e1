"""acknowledgement: the reply shows the request was received or understood.

Evidence is a thank-you or receipt phrase from the lexicon, or a reply that takes up the
customer's own subject: it shares a content word with the incoming message, a word of the same
family where the language's meta.yml asks for it (French "annulation"/"annulé",
"crevaison"/"crevé": `restatement_stem`), or a figure of two digits or more (an amount, a time,
an order number: "les 1 200 €", "vers 19h30").
"""
from __future__ import annotations

import re

from ..findings import CheckResult
from ..resources import language_meta
from ..textnorm import fold
from . import CheckContext

NAME = "acknowledgement"
_GENERIC = {"avoir", "etre", "faire", "pouvoir", "devoir", "aller", "vouloir", "souhaiter", "falloir", "dire",
            "have", "be", "do", "get", "can", "will", "would", "want", "need", "like", "say", "make",
            "bonjour", "hello", "merci", "thank", "thanks", "client", "customer", "madame", "monsieur"}


def content_lemmas(tokens) -> set[str]:
    """Lemmas that carry meaning: nouns, verbs and adjectives (or long non-stop words without POS)."""
    found = set()
    for t in tokens:
        if t.is_stop or not t.text.replace("-", "").isalpha() or len(t) < 3 or t.lemma_ in _GENERIC:
            continue
        if t.pos_ and t.pos_ not in ("NOUN", "PROPN", "VERB", "ADJ"):
            continue
        if not t.pos_ and len(t) < 3:
            continue
        found.add(t.lemma_)
    return found


_FIGURE = re.compile(r"\d[\d\s.,:h]*\d")


def figures(text: str) -> set[str]:
    """Numbers of two digits or more, spaces and separators dropped ("1 200 €" -> "1200")."""
    return {re.sub(r"\D", "", m) for m in _FIGURE.findall(text)}


def stems(lemmas: set[str], length: int | None) -> set[str]:
    """Word-family keys: the first `length` letters of long lemmas, accents folded."""
    if not length:
        return set()
    return {fold(lemma)[:length] for lemma in lemmas if len(lemma) >= length}


def restates_incoming(ctx: CheckContext) -> bool:
    """The reply takes up the customer's own subject: a shared content word, figure or (where the
    language asks for it) word family.

    A reply that names what the customer wrote about ("votre thermopompe", "the DNS change")
    engages with the request; a generic template ("votre demande a été traitée") does not.
    """
    if ctx.incoming_doc is None or not len(ctx.incoming_doc):
        return False
    own, theirs = content_lemmas(ctx.doc), content_lemmas(ctx.incoming_doc)
    if own & theirs or figures(ctx.doc.text) & figures(ctx.incoming_doc.text):
        return True
    length = language_meta(ctx.lang).get("restatement_stem")
    return bool(stems(own, length) & stems(theirs, length))


def run(ctx: CheckContext) -> CheckResult:
    evidence = ctx.of(NAME, "evidence")
    if evidence or restates_incoming(ctx) or NAME in ctx.model_evidence:
        return CheckResult(NAME, "ok")
    return CheckResult(NAME, "missing", (ctx.status_finding(NAME, "missing"),))
