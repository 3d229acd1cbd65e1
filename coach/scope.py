"""Where a match stands in its sentence: negated, conditional, a question, quoted, past or future.

Precision lives here. A phrase from a lexicon is only a finding when the agent actually says it:
"ce n'est pas de votre faute" negates the blame, "si vous préférez, rappelez-nous" is an offer,
« vos mots » in quotes are the customer's. The cue words come from each language's meta.yml.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc

from .textnorm import fold

_CLAUSE_PUNCT = {",", ";", ":", "—", "–", "(", ")", ".", "!", "?", "…", "...", "\n"}
QUOTE_PAIRS = {"«": "»", "“": "”", '"': '"', "„": "“"}


@dataclass(frozen=True)
class Clause:
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    sent_start: int
    sent_end: int
    conditional_from: int | None  # first token of a condition inside this clause
    question: bool


@dataclass(frozen=True)
class Scope:
    """Per-document context computed once and shared by every check."""

    clauses: tuple[Clause, ...]
    clause_of: tuple[int, ...]
    quotes: tuple[tuple[int, int], ...]
    negation_at: frozenset[int]  # token indices that are negation cues
    doc: Doc | None = field(default=None, compare=False, repr=False)
    analyzer: "ScopeAnalyzer | None" = field(default=None, compare=False, repr=False)
    tenses: dict = field(default_factory=dict, compare=False, repr=False)

    def tense(self, index: int) -> str:
        """"future", "past" or "present" for clause `index`; computed only when a rule asks."""
        if index not in self.tenses:
            clause = self.clauses[index]
            self.tenses[index] = self.analyzer._tense(self.doc, clause.start, clause.end)
        return self.tenses[index]


class ScopeAnalyzer:
    """Computes a `Scope` for a doc with the cue lists of one language."""

    def __init__(self, meta: dict):
        cues = meta.get("scope", {})
        self.negation = {fold(w) for w in cues.get("negation", [])}
        self.not_negation = [tuple(fold(w) for w in phrase.split()) for phrase in cues.get("not_negation", [])]
        self.gap_window = 5  # "ne ... que": the second part within this many tokens
        self.conjunctions = {fold(w) for w in cues.get("clause_conjunctions", [])}
        self.conditional = [tuple(fold(w) for w in phrase.split()) for phrase in cues.get("conditional", [])]
        self.interrogative = {fold(w) for w in cues.get("interrogative_starts", [])}
        self.future_words = {fold(w) for w in cues.get("future_markers", [])}
        self.past_words = {fold(w) for w in cues.get("past_markers", [])}
        self.past_before = {fold(w) for w in cues.get("past_before", [])}
        self.deadline_words = {fold(w) for w in cues.get("deadline_words", [])}
        self.intensifier_if = {fold(w) for w in cues.get("intensifier_if", [])}
        self.counterfactual_aux = {fold(w) for w in cues.get("counterfactual_aux", [])}
        self.participles = {fold(w) for w in cues.get("participles", [])}
        self.participle_endings = tuple(cues.get("participle_endings", []))
        self.wish_after_if = {fold(w) for w in cues.get("wish_after_if", [])}
        self.obligation = [tuple(fold(w) for w in phrase.split()) for phrase in cues.get("obligation", [])]
        self.future_endings = tuple(cues.get("future_endings", []))
        self.future_stems = tuple(fold(w) for w in cues.get("future_stems", []))

    # -- building -------------------------------------------------------------------------
    def analyze(self, doc: Doc) -> Scope:
        clauses: list[Clause] = []
        clause_of = [0] * len(doc)
        for sent in doc.sents:
            question = self._sentence_is_question(sent)
            bounds = self._clause_bounds(doc, sent.start, sent.end)
            # "Si vous préférez, vous pouvez rappeler..." : a sentence that opens with a condition
            # is conditional as a whole (the main clause only says what would follow).
            opens_with_condition = self._condition_start(doc, *bounds[0]) == bounds[0][0]
            if opens_with_condition and self._wish_then_demand(doc, bounds):
                opens_with_condition = False  # only the "si vous voulez..." clause is conditional
            for index, (start, end) in enumerate(bounds):
                is_last = index == len(bounds) - 1
                clause = Clause(
                    start=start, end=end, sent_start=sent.start, sent_end=sent.end,
                    conditional_from=start if opens_with_condition else self._condition_start(doc, start, end),
                    question=question == "all" or (question == "last" and is_last),
                )
                for i in range(start, end):
                    clause_of[i] = len(clauses)
                clauses.append(clause)
        return Scope(
            clauses=tuple(clauses), clause_of=tuple(clause_of),
            quotes=tuple(quote_spans(doc.text)), negation_at=frozenset(self._negation_cues(doc)),
            doc=doc, analyzer=self,
        )

    def _clause_bounds(self, doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
        bounds, current = [], start
        for i in range(start, end):
            token = doc[i]
            if token.text in _CLAUSE_PUNCT or token.text.strip() == "" and "\n" in token.text:
                if i + 1 > current:
                    bounds.append((current, i + 1))
                current = i + 1
            elif token.norm_ in self.conjunctions and i > current:
                bounds.append((current, i))
                current = i
        if current < end:
            bounds.append((current, end))
        return bounds or [(start, end)]

    def _condition_start(self, doc: Doc, start: int, end: int) -> int | None:
        norms = [doc[i].norm_ for i in range(start, end)]
        for offset in range(len(norms)):
            for phrase in self.conditional:
                if tuple(norms[offset: offset + len(phrase)]) == phrase:
                    nxt = start + offset + len(phrase)
                    if phrase[-1] in self.intensifier_if and nxt < end and doc[nxt].pos_ in ("ADJ", "ADV"):
                        continue  # "si frustrant": an intensifier, not a condition
                    if self._counterfactual(doc, nxt, end):
                        continue  # "si vous aviez lu...", "if you had checked...": a reproach
                    return start + offset
        return None

    def _wish_then_demand(self, doc: Doc, bounds: list[tuple[int, int]]) -> bool:
        """ "Si vous voulez X, il faudra Y" / "If you want X, you'll have to Y": the condition is the
        customer's wish; what follows is a demand made of them, not a hypothesis."""
        start, end = bounds[0]
        if not self.wish_after_if or not any(doc[i].norm_ in self.wish_after_if for i in range(start, min(start + 4, end))):
            return False
        rest = [doc[i].norm_ for i in range(end, bounds[-1][1])]
        return any(tuple(rest[k: k + len(p)]) == p for p in self.obligation for k in range(len(rest)))

    def _counterfactual(self, doc: Doc, start: int, end: int) -> bool:
        """Subject + pluperfect after si/if: "vous aviez (bien) lu", "you'd (only) checked"."""
        for k in range(start + 1, min(start + 3, end)):
            if doc[k].norm_ not in self.counterfactual_aux:
                continue
            for j in range(k + 1, min(k + 4, end)):
                token = doc[j]
                if "Part" in token.morph.get("VerbForm") or token.norm_ in self.participles or (
                        self.participle_endings and token.norm_.endswith(self.participle_endings) and len(token) > 3):
                    return True
                if token.pos_ not in ("ADV", "") or token.is_punct:
                    break
            return False
        return False

    def _sentence_is_question(self, sent) -> str:
        tokens = [t for t in sent if not t.is_space]
        if not tokens or not any(t.text.endswith("?") for t in tokens[-3:]):
            return ""
        first = tokens[0].norm_
        if first in self.interrogative or any(t.text.startswith("-") for t in tokens[:3]):
            return "all"
        return "last"

    def _tense(self, doc: Doc, start: int, end: int) -> str:
        span = doc[start:end]
        if any("Fut" in t.morph.get("Tense") or self._future_form(t) for t in span) or any(
                t.norm_ in self.future_words for t in span):
            return "future"
        tokens = list(span)
        for k, t in enumerate(tokens):  # periphrastic future: "on va vous rappeler", "we're going to fix"
            nxt = tokens[k + 1: k + 4]
            if t.lemma_ == "aller" and any("Inf" in u.morph.get("VerbForm") for u in nxt):
                return "future"
            if t.norm_ == "going" and nxt and nxt[0].norm_ == "to":
                return "future"
        for t in span:
            if t.norm_ in self.past_words:
                return "past"
            tense, form = t.morph.get("Tense"), t.morph.get("VerbForm")
            # imparfait or passé simple; the tagger also says Imp for some present forms
            # ("je rétablis"), so the ending must agree. A passé composé does not make the clause
            # past: "j'ai réservé un créneau samedi" schedules the future.
            if "Imp" in tense and t.norm_.endswith(("ais", "ait", "ions", "iez", "aient")):
                return "past"
            if "Past" in tense and "Fin" in form:
                return "past"
        return "present"

    def _future_form(self, token) -> bool:
        """A synthetic future the tagger missed: infinitive stem + ending ("reviendrons", "traiterons")."""
        if not self.future_endings or token.pos_ not in ("VERB", "AUX"):
            return False
        norm, lemma = token.norm_, token.lemma_
        for ending in self.future_endings:
            if not norm.endswith(ending):
                continue
            stem = norm[: -len(ending)]
            if lemma.endswith(("er", "ir")) and stem == lemma or lemma.endswith("re") and stem == lemma[:-1]:
                return True
            if any(stem == s or (len(s) > 2 and stem.endswith(s)) for s in self.future_stems):
                return True
        return False

    def _negation_cues(self, doc: Doc) -> set[int]:
        """Tokens that negate, less those in phrases that only look negative ("n'hésitez pas",
        "ne ... que": "nous ne faisons qu'appliquer" restricts, it does not negate)."""
        cues = {t.i for t in doc if t.norm_ in self.negation}
        norms = [t.norm_ for t in doc]
        for phrase in self.not_negation:
            if "..." in phrase:
                cut = phrase.index("...")
                head, tail = phrase[:cut], phrase[cut + 1:]
                for i in range(len(norms) - len(head) + 1):
                    if tuple(norms[i: i + len(head)]) != head:
                        continue
                    after = i + len(head)
                    for j in range(after, min(len(norms), after + self.gap_window)):
                        if norms[j] in self.negation and norms[j] not in tail:
                            break  # "ne ... pas ... que": a real negation comes first
                        if tuple(norms[j: j + len(tail)]) == tail or (
                                len(tail) == 1 and norms[j].startswith(tail[0].rstrip("'")) and norms[j].endswith("'")):
                            cues.difference_update(range(i, i + len(head)))
                            break
                continue
            n = len(phrase)
            for i in range(len(norms) - n + 1):
                if tuple(norms[i: i + n]) == phrase:
                    cues.difference_update(range(i, i + n))
        return cues


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of quoted passages (« », “ ”, paired straight double quotes)."""
    spans, i = [], 0
    while i < len(text):
        closing = QUOTE_PAIRS.get(text[i])
        if closing:
            j = text.find(closing, i + 1)
            limit = text.find("\n\n", i + 1)
            if j != -1 and (limit == -1 or j < limit):
                spans.append((i, j + 1))
                i = j + 1
                continue
        i += 1
    return spans


def in_quotes(scope: Scope, start_char: int, end_char: int) -> bool:
    return any(qs <= start_char and end_char <= qe for qs, qe in scope.quotes)


def is_negated(doc: Doc, scope: Scope, start: int, end: int, own_words: frozenset[str]) -> bool:
    """A negation cue in the match's clause before it (or inside it, if the rule did not ask for it)."""
    clause = scope.clauses[scope.clause_of[start]]
    window_start = max(clause.start, start - 4)
    for i in range(window_start, end):
        if i in scope.negation_at and (i < start or doc[i].norm_ not in own_words):
            return True
    return False


def is_conditional(scope: Scope, start: int) -> bool:
    clause = scope.clauses[scope.clause_of[start]]
    return clause.conditional_from is not None and clause.conditional_from <= start


def is_question(scope: Scope, start: int) -> bool:
    return scope.clauses[scope.clause_of[start]].question


def clause_tense(scope: Scope, start: int) -> str:
    return scope.tense(scope.clause_of[start])


def clause_start(scope: Scope, start: int) -> int:
    return scope.clauses[scope.clause_of[start]].start
