"""Running a language's rules over a doc, with the scope logic that keeps precision high.

`RuleMatcher` follows spaCy's SpanRuler shape: build it once, call it on a doc, read the
accepted matches from `doc.spans["coach"]` (span label = rule id).
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .rules import Rule
from .scope import (QUOTE_PAIRS, Scope, ScopeAnalyzer, clause_start, clause_tense, in_quotes, is_conditional,
                    is_negated, is_question)
from .textnorm import fold
from .tokenregex import TokenPatterns, encode

SPAN_KEY = "coach"
_WORDS_SPLIT = str.maketrans({c: " " for c in "<>|?*#:"})
# A label in capitals may also sit in single quotes ('SMALL DOG 4-10KG'), which are apostrophes
# everywhere else, so only the shouting check treats them as quotes.
_LABEL_QUOTES = {**QUOTE_PAIRS, "'": "'’", "‘": "’'"}

if not Doc.has_extension("coach_scope"):
    Doc.set_extension("coach_scope", default=None)


@dataclass(frozen=True)
class Match:
    rule: Rule
    start: int  # token index
    end: int
    start_char: int
    end_char: int
    text: str


class RuleMatcher:
    """Matches one language's rules; keeps only the matches the scope logic accepts."""

    def __init__(self, nlp, rules: list[Rule], meta: dict):
        self.rules = {rule.id: rule for rule in rules}
        self.scope = ScopeAnalyzer(meta)
        self.patterns = TokenPatterns()
        self.excuses = TokenPatterns()
        self.regex_rules = [r for r in rules if r.regexes]
        self.shouting_rules = [r for r in rules if r.type == "shouting"]
        # A negation inside a match is the rule's own when the rule names it ("je n'y peux rien").
        # A regex spells words its own way ("didn['’]?t"): whatever negation it matched is its own.
        self.own_words = {
            rule.id: frozenset(fold(w) for p in rule.patterns_source for w in p.translate(_WORDS_SPLIT).split())
            | (frozenset(self.scope.negation) if rule.regexes else frozenset())
            for rule in rules
        }
        for rule in rules:
            if rule.token_patterns:
                self.patterns.add(rule.id, [list(p) for p in rule.token_patterns])
            if rule.excuse_patterns:
                self.excuses.add(rule.id, [list(p) for p in rule.excuse_patterns])

    def __call__(self, doc: Doc) -> Doc:
        scope = self.scope.analyze(doc)
        doc._.coach_scope = scope
        accepted = [self._span(doc, m) for m in self.matches(doc, scope)]
        doc.spans[SPAN_KEY] = accepted
        return doc

    @staticmethod
    def _span(doc: Doc, match: Match) -> Span:
        return Span(doc, match.start, match.end, label=match.rule.id)

    def matches(self, doc: Doc, scope: Scope | None = None) -> list[Match]:
        """Every accepted match, one per rule and place (overlaps within a rule merged)."""
        scope = scope or self.scope.analyze(doc)
        doc._.coach_scope = scope  # the sentence model reads it too (no fault in a condition)
        raw: dict[str, list[Span]] = {}
        encoded = encode(doc)
        for rule_id, start, end in self.patterns(doc, encoded):
            raw.setdefault(rule_id, []).append(Span(doc, start, end))
        text = doc.text
        folded = text.casefold()
        for rule in self.regex_rules:
            for regex in rule.regexes:
                for found in regex.finditer(text, folded):
                    span = doc.char_span(found.start(), found.end(), alignment_mode="expand")
                    if span is not None and len(span):
                        raw.setdefault(rule.id, []).append(span)
        for rule in self.shouting_rules:
            raw.setdefault(rule.id, []).extend(shouted_spans(doc, rule))
        excused: dict[str, set[int]] = {}
        for rule_id, start, _ in self.excuses(doc, encoded):
            excused.setdefault(rule_id, set()).add(scope.clauses[scope.clause_of[start]].sent_start)
        accepted: list[Match] = []
        for rule_id, spans in raw.items():
            rule = self.rules[rule_id]
            kept = [s for s in spans if self._in_scope(doc, scope, rule, s)
                    and not self._excused(scope, excused.get(rule_id), s)]
            for span in sorted(filter_spans(kept), key=lambda s: s.start):
                accepted.append(Match(rule, span.start, span.end, span.start_char, span.end_char, span.text))
        accepted.sort(key=lambda m: (m.start_char, m.rule.id))
        return accepted

    @staticmethod
    def _excused(scope: Scope, sentences: set[int] | None, span: Span) -> bool:
        """An alternative offered in the same sentence or the next one ("mais je vous propose...")."""
        if not sentences:
            return False
        clause = scope.clauses[scope.clause_of[span.start]]
        return clause.sent_start in sentences or clause.sent_end in sentences

    def _self_negating(self, doc: Doc, scope: Scope, rule: Rule, span: Span) -> bool:
        """A match whose own words are negative ("je n'y peux rien") handles negation itself."""
        own = self.own_words[rule.id]
        return any(i in scope.negation_at and doc[i].norm_ in own for i in range(span.start, span.end))

    def _in_scope(self, doc: Doc, scope: Scope, rule: Rule, span: Span) -> bool:
        if rule.skips("quote") and in_quotes(scope, span.start_char, span.end_char):
            return False
        if rule.skips("negation") and not self._self_negating(doc, scope, rule, span) and is_negated(doc, scope, span.start, span.end, self.own_words[rule.id]):
            return False
        if rule.skips("condition") and is_conditional(scope, span.start):
            return False
        if rule.skips("question") and is_question(scope, span.start):
            return False
        if rule.requires == "future" and clause_tense(scope, span.start) != "future":
            return False
        if rule.requires == "not_past":
            tense = clause_tense(scope, span.start)
            if tense == "past":
                return False
            if tense == "future":
                return True
            if doc[span.start].norm_ in self.scope.deadline_words:
                return True  # "versé sous 30 jours", "booked for Friday": introduced as a deadline
            before = doc[span.start - 1] if span.start > 0 else None
            if before is not None and "Part" in before.morph.get("VerbForm") and "Past" in before.morph.get("Tense"):
                return False  # "reçue le 3 décembre": the date of a past event
            # "placed on March 3", "commande passée le 3": a past event named just before the date
            if any(
                    doc[i].norm_ in self.scope.past_before or doc[i].norm_ in self.scope.past_words
                    for i in range(max(clause_start(scope, span.start), span.start - 4), span.start)):
                return False
        return True


def shouted_spans(doc: Doc, rule: Rule) -> list[Span]:
    """Runs of words in capitals (acronyms allowed) and stacked ! or ? marks."""
    spans: list[Span] = []
    run: list[int] = []

    def quoted_label(first: int, last: int) -> bool:
        """'SMALL DOG 4-10KG', « OFFRE FAMILLE »: a label in quotes is cited, not shouted."""
        start, end = doc[first].idx, doc[last].idx + len(doc[last])
        before = doc.text[start - 1: start] if start else ""
        after = doc.text[end: end + 20]
        closing = _LABEL_QUOTES.get(before.strip() or doc.text[start - 2: start - 1])
        return bool(closing) and any(c in after.split("\n")[0] for c in closing)

    def keyword(first: int) -> bool:
        """'répondez simplement REPORT ou REMBOURSEMENT', 'text STOP': words the customer is asked to type."""
        before = [t.norm_ for t in doc[max(0, first - 4): first] if not t.is_punct]
        return any(word in rule.keyword_after for word in before)

    def close_run() -> None:
        if len(run) >= 2 or (len(run) == 1 and (doc[run[0]].norm_ in rule.emphasis or len(doc[run[0]]) >= 7)):
            if not quoted_label(run[0], run[-1]) and not (len(run) <= 2 and keyword(run[0])):
                spans.append(Span(doc, run[0], run[-1] + 1))
        run.clear()

    marks: list[int] = []
    for token in doc:
        text = token.text
        bare = text.replace("'", "").replace("’", "")
        capitals = bare.isalpha() and bare.isupper()
        letters = bare if capitals else ""
        shouted = capitals and len(letters) >= 2 and token.norm_ not in rule.allow
        elided = capitals and text.endswith(("'", "’"))  # "C'EST", "L'ERREUR"
        if shouted or (elided and token.i + 1 < len(doc) and doc[token.i + 1].text.isupper()):
            run.append(token.i)
        elif not (text in ("'", "’", "-") and run):
            close_run()
        if set(text) <= {"!", "?"} and text:
            if marks and marks[-1] == token.i - 1 or len(text) >= 2:
                marks.append(token.i)
            else:
                if len(marks) >= 2:
                    spans.append(Span(doc, marks[0], marks[-1] + 1))
                marks[:] = [token.i]
        else:
            if len(marks) >= 2 or (len(marks) == 1 and len(doc[marks[0]].text) >= 2):
                spans.append(Span(doc, marks[0], marks[-1] + 1))
            marks.clear()
    close_run()
    if len(marks) >= 2 or (len(marks) == 1 and len(doc[marks[0]].text) >= 2):
        spans.append(Span(doc, marks[0], marks[-1] + 1))
    return spans
