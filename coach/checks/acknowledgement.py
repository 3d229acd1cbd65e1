"""acknowledgement: the reply shows the request was received or understood.

Evidence is a thank-you or receipt phrase from the lexicon, or a reply that takes up the
customer's own subject (it shares a content word with the incoming message).
"""
from __future__ import annotations

from ..findings import CheckResult
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


def restates_incoming(ctx: CheckContext) -> bool:
    """The reply takes up the customer's own subject: it shares a content word with their message.

    A reply that names what the customer wrote about ("votre thermopompe", "the DNS change")
    engages with the request; a generic template ("votre demande a été traitée") does not.
    """
    if ctx.incoming_doc is None or not len(ctx.incoming_doc):
        return False
    return bool(content_lemmas(ctx.doc) & content_lemmas(ctx.incoming_doc))


def run(ctx: CheckContext) -> CheckResult:
    evidence = ctx.of(NAME, "evidence")
    if evidence or restates_incoming(ctx) or NAME in ctx.model_evidence:
        return CheckResult(NAME, "ok")
    return CheckResult(NAME, "missing", (ctx.status_finding(NAME, "missing"),))
