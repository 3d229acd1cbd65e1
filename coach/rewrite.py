"""Suggested rewrites: every draft gets a better version, built in the order a good reply takes.

greeting -> acknowledgement that restates the subject -> empathy fitted to the situation -> the
agent's own useful content, faulty words removed or replaced (a workload excuse becomes an
apology and a commitment, a vague promise a computed deadline) -> the next step with a concrete
date -> closing and the agent's signature, kept. The pieces are Jinja2 templates and YAML in
`coach/templates/<lang>/` (overridable with `[templates] dir` in coach.toml). Facts of the draft
(numbers, amounts, dates, URLs...) are always kept; nothing is invented: what a template needs
and the draft does not say becomes a visible placeholder.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import yaml
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from .deadlines import ServiceLevels, deadline, parse_service_levels
from .facts import extract_facts, missing_facts
from .findings import Finding, Review
from .inputs import Draft
from .textnorm import fold

_GREETING_WORDS = {"bonjour", "bonsoir", "salut", "allo", "hello", "hi", "hey", "dear", "good", "madame", "monsieur",
                   "cher", "chere", "coucou", "greetings"}
_TU_WORDS = {"tu", "te", "t'", "toi", "ton", "ta", "tes", "stp"}
_VOUS_WORDS = {"vous", "votre", "vos"}
_GREETING_HEAD = re.compile(r"^\s*((?:[\w'’-]+\s?){1,4}),\s+")
_LEAD_JUNK = re.compile(r"^[\s,;:.!?—–-]*(?:(?:mais|but|et|and|donc|so|alors|then|du coup|cependant|however)\b[\s,]*)?",
                        re.I)
_TRAIL_JUNK = re.compile(r"[\s,;:—–-]+$")
MAX_PASSES = 3


@dataclass(frozen=True)
class Rewrite:
    text: str
    placeholders: tuple[str, ...]
    situation: str
    deadline: str | None
    verdict: str | None = None
    templates_used: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"text": self.text, "placeholders": list(self.placeholders), "situation": self.situation,
                "deadline": self.deadline, "verdict": self.verdict}


class TemplateSet:
    """The templates and phrase data of one language (package defaults, optional override dir)."""

    def __init__(self, lang: str, override: str | None = None):
        loaders = [PackageLoader("coach", "templates")]
        if override:
            loaders.insert(0, FileSystemLoader(override))
        self.env = Environment(loader=ChoiceLoader(loaders), undefined=StrictUndefined, autoescape=False,
                               keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True)
        self.lang = lang
        self.situations = self._yaml("situations.yml")
        self.fixes = self._yaml("fixes.yml")
        self.phrases = self._yaml("phrases.yml")
        self._compiled: dict = {}

    def _yaml(self, name: str):
        source, _, _ = self.env.loader.get_source(self.env, f"{self.lang}/{name}")
        return yaml.safe_load(source)

    def render(self, source: str, **context) -> str:
        if source not in self._compiled:
            self._compiled[source] = self.env.from_string(source)
        return self._compiled[source].render(**context).strip()

    def fix_for(self, rule, check: str) -> tuple[str, str]:
        """The Jinja2 source of the sentence that replaces a fault of this rule ("" if none), and
        which template it is ("fix:<name>" or "fix-check:<check>", for the golden coverage test)."""
        name = rule.template if rule is not None and rule.template else (rule.name if rule is not None else "")
        if name in self.fixes["templates"]:
            return self.fixes["templates"][name], f"fix:{name}"
        return self.fixes["checks"].get(check, ""), f"fix-check:{check}"

    def suggest(self, finding, rule, register: str) -> str:
        """A finding's suggestion in the draft's register: the rule's advice, then an example
        sentence rendered from the fix template with the register's pronouns."""
        source, _ = self.fix_for(rule, finding.check)
        if not source:
            return finding.suggestion
        example = self.render(source, p=self.phrases["register"][register])
        return self.render(self.phrases["suggestion"], advice=finding.suggestion, example=example)

    def reply(self, **context) -> str:
        return self.env.get_template(f"{self.lang}/reply.txt.j2").render(**context).strip() + "\n"


@lru_cache(maxsize=8)
def templates(lang: str, override: str | None) -> TemplateSet:
    return TemplateSet(lang, override)


def register_of(text: str, lang: str) -> str:
    """"tu" when the draft says tu more than vous (French only)."""
    if lang != "fr":
        return "vous"
    words = re.findall(r"[\w']+", fold(text))
    tu = sum(1 for w in words if w in _TU_WORDS or w.startswith("t'"))
    vous = sum(1 for w in words if w in _VOUS_WORDS)
    return "tu" if tu > vous else "vous"


def situation_of(text: str, situations: list[dict]) -> dict:
    folded = fold(text)
    for situation in situations:
        if any(fold(word) in folded for word in situation["words"]):
            return situation
    return situations[-1]


def _clean_remainder(text: str) -> str:
    text = _LEAD_JUNK.sub("", text)
    text = _TRAIL_JUNK.sub("", text).strip()
    text = re.sub(r"\s{2,}", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text) if not text.startswith("«") else text
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    if text[-1] not in ".!?»\"":
        text += "."
    return text


class Rewriter:
    """Builds the rewrite of a reviewed draft and checks that it passes review."""

    def __init__(self, reviewer, today: dt.date | None = None):
        self.reviewer = reviewer
        config = reviewer.config
        self.override = (config.extra.get("templates") or {}).get("dir")
        self.levels: ServiceLevels = parse_service_levels(config.extra.get("service_levels"))
        self.today = today

    def rewrite(self, review: Review, draft: Draft) -> Rewrite:
        lang = review.language
        tpl = templates(lang, self.override)
        register = register_of(review.text_reviewed, lang)
        pronouns = tpl.phrases["register"][register]
        situation = situation_of(review.incoming or "", tpl.situations)
        if situation["name"] == "generic":
            situation = situation_of(review.text_reviewed, tpl.situations)
        _, due = deadline(situation["kind"], lang, self.levels, self.today)
        pieces = self._pieces(review, draft, tpl, register, pronouns, situation, due)
        placeholders = list(pieces.pop("placeholders"))
        used = tuple(dict.fromkeys(pieces.pop("used")))
        text = tpl.reply(**pieces)
        verdict = None
        for attempt in range(MAX_PASSES + 1):  # the last repair is checked too
            check = self.reviewer.review(text, lang=lang, incoming=review.incoming)
            verdict = check.verdict
            if verdict == "send" or attempt == MAX_PASSES:
                break
            pieces = self._repair(check, pieces, tpl, pronouns, situation, due)
            text = tpl.reply(**pieces)
        removed = [(f.start, f.end) for f in review.findings if f.level in ("block", "revise") and f.end > f.start
                   and f.check != "timeline"]
        lost = missing_facts(review.text_reviewed, text, removed)
        if lost:  # never lose a fact, even from a dropped sentence
            carried = "; ".join(_with_context(review.text_reviewed, fact) for fact in lost)
            pieces["body"] = pieces["body"] + [tpl.render(tpl.phrases["facts"], facts=carried)]
            text = tpl.reply(**pieces)
            verdict = self.reviewer.review(text, lang=lang, incoming=review.incoming).verdict
        return Rewrite(text=text, placeholders=tuple(placeholders), situation=situation["name"],
                       deadline=due, verdict=verdict, templates_used=used)

    # -- building the pieces ----------------------------------------------------------------
    def _pieces(self, review, draft, tpl, register, p, situation, due) -> dict:
        from .lexicon import rules_by_id
        from .nlp import pipeline

        lang = review.language
        rules = rules_by_id(lang)
        faults = [f for f in review.findings if f.level in ("block", "revise") and f.end > f.start
                  and not f.rule.endswith(".missing") and f.check != "grammar"]
        fixes: list[str] = []
        used: list[str] = [f"situation:{situation['name']}"]
        for finding in faults:
            if finding.check == "timeline":
                continue
            rule = rules.get(finding.rule)
            source, used_name = tpl.fix_for(rule, finding.check)
            used.append(used_name)
            sentence = tpl.render(source, p=p) if source else ""
            if sentence and sentence not in fixes:
                fixes.append(sentence)
        deadline_phrase = tpl.render(tpl.phrases["deadline_phrase"], deadline=due)
        time_words = {fold(w) for w in tpl.phrases["time_words"]}
        replacements = [f for f in review.findings if f.replacement is not None]
        text = review.text_reviewed
        nlp = pipeline(lang)
        whole = nlp(text)
        keep = [(m.start_char, m.end_char) for m in self.reviewer.matcher(lang).matches(whole)
                if m.rule.check == "timeline" and m.rule.type == "evidence"]
        greeting, paragraphs = None, []
        for number, (pstart, pend) in enumerate(_paragraphs(text)):
            if number == 0:
                first_line_end = text.find("\n", pstart, pend)
                first_line_end = pend if first_line_end == -1 else first_line_end
                line = text[pstart:first_line_end]
                if _is_greeting_line(line):
                    greeting = line.strip()
                    pstart = first_line_end
                else:
                    head = _GREETING_HEAD.match(line)
                    if head and fold(head.group(1).split()[0]) in _GREETING_WORDS:
                        greeting = head.group(0).strip()
                        pstart += head.end()
            kept = []
            for sent in nlp(text[pstart:pend]).sents:
                if not sent.text.strip():
                    continue
                start, end = pstart + sent.start_char, pstart + sent.end_char
                rebuilt = self._rebuild(text, start, end, faults, replacements, deadline_phrase, time_words, keep)
                if rebuilt:
                    kept.append(rebuilt[0].upper() + rebuilt[1:])
            if kept:
                paragraphs.append(" ".join(kept))
        name = draft.customer_name or None
        if greeting is None:
            greeting = tpl.render(tpl.phrases["greeting"], name=name)
        opening = []
        statuses = {name_: r.status for name_, r in review.checks.items()}
        if statuses.get("acknowledgement") == "missing":
            subject = tpl.render(situation.get(f"subject_{register}", situation["subject"]), p=p)
            opening.append(tpl.render(tpl.phrases["acknowledgement"], p=p, subject=subject))
            used.append("acknowledgement")
        apology = {fold(w) for w in tpl.phrases["apology_words"]}
        fixes_apologise = any(w in apology for fix in fixes for w in re.findall(r"[\w']+", fold(fix)))
        wants_empathy = statuses.get("empathy") == "missing" or any(
            f.check in ("defensive", "blame", "dismissive") for f in faults)
        if wants_empathy and not fixes_apologise:
            opening.append(situation.get(f"empathy_{register}", situation["empathy"]))
            used.append(f"empathy:{situation['name']}")
        opening.extend(fixes)
        next_step = ""
        dated = any(deadline_phrase in paragraph for paragraph in paragraphs)
        if statuses.get("timeline") in ("missing", "vague") and not dated:
            next_step = tpl.render(tpl.phrases["next_step"], p=p, deadline=due)
            used.append("next_step")
        signature = next((e["text"] for e in review.excluded if e["kind"] == "signature"), "")
        placeholders = []
        if not signature:
            closing = tpl.render(tpl.phrases["closing"], tu=register == "tu")
            used.append("closing")
            signer = draft.agent or tpl.phrases["placeholder_name"]
            if not draft.agent:
                placeholders.append(signer)
            signature = f"{closing}\n{signer}"
        return {"greeting": greeting, "opening": " ".join(opening), "body": paragraphs, "next_step": next_step,
                "closing": signature, "placeholders": placeholders, "used": used}

    def _rebuild(self, text: str, start: int, end: int, faults: list[Finding], replacements: list[Finding],
                 deadline_phrase: str, time_words: set[str], keep: list[tuple[int, int]] = ()) -> str:
        """The sentence with vague promises replaced, faulty words removed, single replacements applied.

        A vague time expression ("dans les meilleurs délais") becomes the computed deadline; a vague
        promise that is a whole phrase ("we'll be in touch") drops the sentence: the next step
        sentence with its date replaces it.
        """
        edits = []
        for f in faults:
            if f.start < end and start < f.end:
                if f.check == "timeline":
                    first = fold(f.text.split()[0]) if f.text.split() else ""
                    if first not in time_words:
                        return ""
                    edits.append((max(f.start, start), min(f.end, end), deadline_phrase))
                elif f.replacement is None:
                    return ""  # the sentence carries the fault: it goes (its facts are carried over)
                else:
                    edits.append((max(f.start, start), min(f.end, end), f.replacement))
        for f in replacements:
            if start <= f.start and f.end <= end and not any(s < f.end and f.start < e for s, e, _ in edits):
                edits.append((f.start, f.end, f.replacement))
        if not edits:
            return text[start:end].strip()
        pieces, cursor = [], start
        for s, e, new in sorted(edits):
            if s < cursor:
                continue
            pieces.append(text[cursor:s])
            pieces.append(new)
            cursor = e
        pieces.append(text[cursor:end])
        rebuilt = "".join(pieces)
        removed_only = all(new == "" for _, _, new in edits) and any(
            f.replacement == "" for f in faults if f.start < end and start < f.end)
        cleaned = _clean_remainder(rebuilt) if removed_only else re.sub(r"\s{2,}", " ", rebuilt).strip()
        carries_date = any(start <= s and e <= end and not any(a <= s < b for a, b, _ in edits) for s, e in keep)
        if removed_only and not extract_facts(cleaned) and not carries_date:
            return ""  # what is left of a faulty sentence is kept only to carry a fact or a date
        return cleaned

    def _repair(self, check: Review, pieces: dict, tpl, p, situation, due) -> dict:
        """Drop what still fails in the body and add what is still missing."""
        pieces = dict(pieces)
        text = check.text_reviewed
        bad = [(f.start, f.end) for f in check.findings if f.level in ("block", "revise") and f.end > f.start
               and not f.rule.endswith(".missing")]
        body = []
        for paragraph in pieces["body"]:
            position = text.find(paragraph)
            if position >= 0 and any(position <= s < position + len(paragraph) for s, _ in bad):
                sentences = re.split(r"(?<=[.!?])\s+", paragraph)
                kept = []
                for sentence in sentences:
                    at = text.find(sentence)
                    if at >= 0 and any(at <= s < at + len(sentence) for s, _ in bad):
                        continue
                    kept.append(sentence)
                if kept:
                    body.append(" ".join(kept))
            else:
                body.append(paragraph)
        opening = pieces["opening"]
        if opening and any(text.find(opening) <= s < text.find(opening) + len(opening) for s, _ in bad
                           if text.find(opening) >= 0):
            opening = ""
        statuses = {name: r.status for name, r in check.checks.items()}
        additions = []
        if statuses.get("acknowledgement") == "missing":
            additions.append(tpl.render(tpl.phrases["acknowledgement"], p=p, subject=""))
        if statuses.get("empathy") == "missing":
            additions.append(situation.get("empathy"))
        ack = [a for a in additions if a and a not in opening and a == additions[0] and statuses.get("acknowledgement") == "missing"]
        rest = [a for a in additions if a not in ack]
        pieces["opening"] = " ".join(x for x in ack + [opening] + rest if x)
        pieces["body"] = body
        if statuses.get("timeline") in ("missing", "vague") and not pieces["next_step"]:
            pieces["next_step"] = tpl.render(tpl.phrases["next_step"], p=p, deadline=due)
        return pieces


def _with_context(text: str, fact: str) -> str:
    """A fact with the up to three words before it ("numéro de suivi 6A123..."), for the carrier.
    An e-mail or web address names itself: the words before it are often the very demand that
    was removed ("has to email ...")."""
    if "@" in fact or fact.lower().startswith(("http", "www.")):
        return fact
    at = text.find(fact)
    window = re.split(r"[.!?\n]", text[max(0, at - 40): at])[-1] if at > 0 else ""  # this sentence only
    words = re.findall(r"[^\W\d_][\w'’°-]*", window)[-3:]
    return " ".join(words + [fact])


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in re.finditer(r"\n\s*\n", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _is_greeting_line(line: str) -> bool:
    """"Bonjour Madame Roy," or "Hi Sam!": a greeting word, a name at most, no sentence."""
    words = re.findall(r"[\w'’-]+", fold(line))
    return bool(words) and words[0] in _GREETING_WORDS and len(words) <= 4 and not line.rstrip().endswith((".", "?"))


def attach_rewrite(review: Review, draft: Draft, reviewer, today: dt.date | None = None) -> Review:
    """The review with its `rewrite` filled in (drafts that were not reviewed are returned as is)."""
    if review.status != "reviewed":
        return review
    result = Rewriter(reviewer, today).rewrite(review, draft)
    return dataclasses.replace(review, rewrite=result.text, rewrite_details=result)


__all__ = ["Rewrite", "Rewriter", "attach_rewrite"]
