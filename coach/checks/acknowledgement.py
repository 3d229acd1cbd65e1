"""acknowledgement: the reply shows the request was received or understood.

Evidence is a thank-you or receipt phrase from the lexicon, or a sentence that restates the
customer's issue (it shares enough content words with the incoming message).
"""
from __future__ import annotations

from ..findings import CheckResult
from . import CheckContext

NAME = "acknowledgement"
_GENERIC = {"avoir", "etre", "faire", "pouvoir", "devoir", "aller", "have", "be", "do", "get", "can",
            "will", "would", "bonjour", "hello", "merci", "thank", "thanks", "client", "customer"}


def content_lemmas(tokens) -> set[str]:
    """Lemmas that carry meaning: nouns, verbs and adjectives (or long non-stop words without POS)."""
    found = set()
    for t in tokens:
        if t.is_stop or not t.is_alpha or len(t) < 3 or t.lemma_ in _GENERIC:
            continue
        if t.pos_ and t.pos_ not in ("NOUN", "PROPN", "VERB", "ADJ"):
            continue
        if not t.pos_ and len(t) < 4:
            continue
        found.add(t.lemma_)
    return found


def restates_incoming(ctx: CheckContext) -> bool:
    if ctx.incoming_doc is None or not len(ctx.incoming_doc):
        return False
    theirs = content_lemmas(ctx.incoming_doc)
    for sent in list(ctx.doc.sents)[:4]:
        if any(s <= sent.start_char < e for s, e in ctx.fault_spans):
            continue
        if len(content_lemmas(sent) & theirs) >= 3:
            return True
    return False


def run(ctx: CheckContext) -> CheckResult:
    evidence = ctx.of(NAME, "evidence")
    if evidence or restates_incoming(ctx) or NAME in ctx.model_evidence:
        return CheckResult(NAME, "ok")
    return CheckResult(NAME, "missing", (ctx.status_finding(NAME, "missing"),))
