"""The review pipeline: draft -> own words -> language -> spaCy -> rules -> checks -> verdict.

`Reviewer` holds what is expensive (pipelines, matchers, the model) and is built once per
process; `review()` in the package root uses a shared default instance.
"""
from __future__ import annotations

import threading
from functools import lru_cache

from . import nlp as nlp_module
from .checks import FAULT_CHECKS, REGISTRY, CheckContext
from .config import Config
from .findings import LEVEL_ORDER, CheckResult, Review
from .grammar import GrammarChecker
from .inputs import Draft
from .language import choose_language
from .lexicon import active_rules, check_messages
from .matching import RuleMatcher
from .resources import language_meta
from .scoring import score, verdict
from .segment import segment

MAX_CHARS = 200_000  # beyond this a "draft" is not a reply; refuse rather than stall


class Reviewer:
    """Reviews drafts under one configuration. Thread-safe; build once, reuse."""

    def __init__(self, config: Config | None = None):
        self.config = config or Config()
        self._matchers: dict[str, RuleMatcher] = {}
        self._lock = threading.Lock()
        self.grammar = GrammarChecker(self.config.grammar, {lang: check_messages(lang).get("grammar", {})
                                                            for lang in ("fr", "en")})

    # -- building blocks ---------------------------------------------------------------------
    def matcher(self, lang: str) -> RuleMatcher:
        with self._lock:
            if lang not in self._matchers:
                nlp = nlp_module.pipeline(lang)
                self._matchers[lang] = RuleMatcher(nlp, active_rules(lang, self.config), language_meta(lang))
            return self._matchers[lang]

    def model(self, lang: str):
        if not self.config.use_model or self.config.is_disabled("model"):
            return None
        from .model import load_model

        return load_model(lang)

    def reply_model(self, lang: str):
        if not self.config.use_model or self.config.is_disabled("model"):
            return None
        from .replymodel import load_reply_model

        return load_reply_model(lang)

    # -- reviewing ---------------------------------------------------------------------------
    def review_draft(self, draft: Draft, lang: str | None = None) -> Review:
        return self.review(draft.reply, lang=lang or draft.lang, incoming=draft.incoming, id=draft.id,
                           customer_name=draft.customer_name)

    def review(self, text: str, *, lang: str | None = None, incoming: str | None = None, id: str | None = None,
               customer_name: str | None = None) -> Review:
        """Review one draft. Never raises for bad text: the Review's status says what happened."""
        if not isinstance(text, str):
            raise TypeError("text must be a str")
        early, own, chosen, incoming, excluded = self._prepare(text, lang, incoming, id)
        if early is not None:
            return early
        return self._review_doc(chosen, nlp_module.pipeline(chosen)(own), incoming, id, excluded, customer_name)

    def review_many(self, drafts: list[Draft], batch_size: int = 64) -> list[Review]:
        """Review several drafts, running spaCy with nlp.pipe per language; results keep input order."""
        results: list[Review | None] = [None] * len(drafts)
        pending: dict[str, list[tuple[int, str, str | None, object]]] = {}
        for index, draft in enumerate(drafts):
            early, own, lang, incoming, excluded = self._prepare(draft.reply, draft.lang, draft.incoming, draft.id)
            if early is not None:
                results[index] = early
            else:
                pending.setdefault(lang, []).append((index, own, incoming, excluded))
        for lang, items in pending.items():
            pipeline = nlp_module.pipeline(lang)
            docs = pipeline.pipe((own for _, own, _, _ in items), batch_size=batch_size)
            for (index, _, incoming, excluded), doc in zip(items, docs):
                results[index] = self._review_doc(lang, doc, incoming, drafts[index].id, excluded,
                                                  drafts[index].customer_name)
        return results  # type: ignore[return-value]

    def _prepare(self, text, lang, incoming, id):
        """Segment and pick the language; returns (early Review or None, own, lang, incoming, excluded)."""
        if len(text) > MAX_CHARS:
            return (Review(id=id, language=None, status="error", verdict=None, score=None,
                           error=f"draft too long ({len(text):,} characters; the limit is {MAX_CHARS:,})"),
                    "", None, incoming, ())
        parts = segment(text)
        own = parts.own
        if incoming is None and parts.quoted:
            incoming = parts.quoted
        if not own.strip():
            return (Review(id=id, language=None, status="empty", verdict=None, score=None, text_reviewed=own,
                           excluded=parts.excluded, incoming=incoming,
                           error="nothing to review: the draft is empty once quotes and signature are set aside"),
                    own, None, incoming, parts.excluded)
        chosen, detected = choose_language(own, lang, self.config.default_lang, incoming)
        if chosen is None:
            return (Review(id=id, language=detected, status="unsupported_language", verdict=None, score=None,
                           text_reviewed=own, excluded=parts.excluded, incoming=incoming,
                           error=f"unsupported language '{detected}': coach reviews French (fr) and English (en); "
                                 "use --lang to force one"),
                    own, None, incoming, parts.excluded)
        return None, own, chosen, incoming, parts.excluded

    def _review_doc(self, lang: str, doc, incoming: str | None, id, excluded,
                    customer_name: str | None = None) -> Review:
        """Match the parsed draft and the customer's message, then run the checks."""
        matcher = self.matcher(lang)
        incoming_doc, incoming_matches = None, []
        if incoming and incoming.strip():
            incoming_doc = nlp_module.pipeline(lang)(incoming[:MAX_CHARS])
            incoming_matches = [m for m in matcher.matches(incoming_doc) if m.rule.applies_to in ("incoming", "both")]
        return self._assemble(lang, doc, matcher.matches(doc), incoming_doc, incoming_matches, incoming, id,
                              excluded, customer_name)

    def _assemble(self, lang, doc, matches, incoming_doc, incoming_matches, incoming, id, excluded,
                  customer_name: str | None = None) -> Review:
        ctx = CheckContext(
            lang=lang, doc=doc, matches=matches, incoming_doc=incoming_doc, incoming_matches=incoming_matches,
            messages=check_messages(lang), level_for=self.config.level_for,
            fault_spans=[(m.start_char, m.end_char) for m in matches if m.rule.type in ("fault", "shouting")
                         and m.rule.check not in ("timeline",)],
        )
        model = self.model(lang)
        if model is not None:
            model.read(doc, ctx)
        if incoming_doc is not None and len(incoming_doc) and self.config.use_model:
            from .model import incoming_kind, load_incoming_model

            classifier = load_incoming_model(lang)
            if classifier is not None:
                ctx.incoming_kind = incoming_kind(classifier, incoming_doc.text)
        checks: dict[str, CheckResult] = {}
        for name, run in REGISTRY.items():
            if self.config.is_disabled(name):
                checks[name] = CheckResult(name, "disabled")
                continue
            checks[name] = run(ctx)
        reply_model = self.reply_model(lang) if ctx.sentence_scores is not None else None
        if reply_model is not None:
            for name, finding in reply_model.findings(ctx, checks, ctx.sentence_scores).items():
                checks[name] = CheckResult(name, "found", (finding,))  # only checks the rules left "ok"
        text = doc.text  # spaCy rebuilds Doc.text from the tokens on every access
        if not self.config.is_disabled("grammar"):
            ignore = set(customer_name.split()) if customer_name else set()
            checks["grammar"] = self.grammar.check(text, lang, ignore)
        checks = self._in_register(checks, lang, text)
        findings = tuple(sorted((f for r in checks.values() for f in r.findings),
                                key=lambda f: (f.start, -LEVEL_ORDER[f.level], f.rule)))
        outcome = verdict(findings)
        return Review(id=id, language=lang, status="reviewed", verdict=outcome, score=score(checks, findings, outcome),
                      checks=checks, findings=findings, text_reviewed=text, incoming=incoming, excluded=excluded)


    def _in_register(self, checks: dict[str, CheckResult], lang: str, text: str) -> dict[str, CheckResult]:
        """Suggestions of fault findings rendered from the templates in the draft's register (vous/tu)."""
        import dataclasses

        from .lexicon import rules_by_id
        from .rewrite import register_of, templates

        tpl = templates(lang, (self.config.extra.get("templates") or {}).get("dir"))
        rules = rules_by_id(lang)
        register = register_of(text, lang)
        updated = {}
        for name, result in checks.items():
            if name not in FAULT_CHECKS or not result.findings:
                updated[name] = result
                continue
            findings = tuple(dataclasses.replace(f, suggestion=tpl.suggest(f, rules.get(f.rule), register))
                             for f in result.findings)
            updated[name] = dataclasses.replace(result, findings=findings)
        return updated


@lru_cache(maxsize=8)
def default_reviewer(config: Config | None = None) -> Reviewer:
    return Reviewer(config)
