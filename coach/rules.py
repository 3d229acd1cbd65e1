"""Rules as data: loading, validating and compiling `lexicons/<lang>/<check>/<rule>.yml`.

A rule names one of a small closed set of types implemented in code:
- `fault`: a phrase that breaks a check (a workload excuse, a threat); each match is a finding.
- `evidence`: a phrase that satisfies a check (an apology, a thank-you, a concrete deadline).
- `trigger`: a phrase that makes a check needed (a complaint in the customer's message, a step
  still pending in the reply).
- `shouting`: words in capitals and stacked punctuation, detected in code with the rule's lists.

Patterns are phrases in a small language, compiled to spaCy Matcher token patterns:
  word          folded form of the word (case, accents and apostrophe style ignored)
  a|b|c         any of these words
  <lemma|lem2>  any form of these lemmas
  re:REGEX      a token whose folded form matches REGEX
  #num          a number (one or more number tokens: "50 000")
  (a b|c)       a group: the phrase "a b" or the phrase "c" (groups cannot nest)
  *             any one token that is not punctuation
  ...  / ...N   up to 4 (or N) tokens that are not punctuation
  X?            the unit X is optional
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import LexiconError
from .prefilter import may_match, required_literals
from .textnorm import fold

CHECKS = (
    "acknowledgement",
    "timeline",
    "empathy",
    "defensive",
    "blame",
    "contempt",
    "dismissive",
    "effort",
)
RULE_TYPES = ("fault", "evidence", "trigger", "shouting")
LEVELS = ("block", "revise", "hint")
SCOPES = ("negation", "question", "condition", "quote")
DEFAULT_LEVELS = {
    "defensive": "block",
    "blame": "block",
    "contempt": "block",
    "dismissive": "revise",
    "effort": "revise",
    "timeline": "revise",
    "acknowledgement": "revise",
    "empathy": "revise",
}
ALLOWED_KEYS = {
    "type", "message", "principle", "level", "patterns", "regex", "suggestion", "template",
    "scope", "requires", "applies_to", "examples", "replacement", "allow", "emphasis", "keyword_after", "note",
    "status", "excused_by",
}
EXAMPLE_KEYS = {"fault": ("incorrect", "correct"), "shouting": ("incorrect", "correct"),
                "evidence": ("match", "no_match"), "trigger": ("match", "no_match")}
_MARKER = re.compile(r"<marker>(.*?)</marker>", re.S)


@dataclass(frozen=True)
class Example:
    """One example sentence; `span` is the marked (start, end) in `text`, if any."""

    text: str
    span: tuple[int, int] | None
    fires: bool


@dataclass(frozen=True)
class Rule:
    """One compiled rule. `token_patterns` feed the spaCy Matcher, `regexes` run on raw text."""

    id: str
    check: str
    name: str
    lang: str
    type: str
    message: str
    principle: str
    level: str
    suggestion: str = ""
    template: str = ""
    replacement: str | None = None
    status: str = ""
    applies_to: str = "reply"
    requires: str = ""
    scope: tuple[tuple[str, bool], ...] = ()
    token_patterns: tuple = ()
    excuse_patterns: tuple = ()  # an alternative offered in the same or next sentence cancels a match
    regexes: tuple = ()
    patterns_source: tuple[str, ...] = ()
    allow: frozenset = frozenset()
    emphasis: frozenset = frozenset()
    keyword_after: frozenset = frozenset()  # shouting: "répondez OUI", "text STOP": a keyword to type, not a shout
    examples: tuple[Example, ...] = field(default=(), compare=False)

    def skips(self, context: str) -> bool:
        """True when a match in `context` (negation, question, ...) must be ignored."""
        return dict(self.scope).get(context, True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "lang": self.lang,
            "type": self.type,
            "level": self.level,
            "message": self.message,
            "principle": self.principle,
            "suggestion": self.suggestion,
            "patterns": list(self.patterns_source),
            "examples": {
                kind: [e.text if e.span is None else _mark(e) for e in self.examples if e.fires is fires]
                for kind, fires in zip(EXAMPLE_KEYS[self.type], (True, False))
            },
        }


def _mark(example: Example) -> str:
    start, end = example.span
    return f"{example.text[:start]}<marker>{example.text[start:end]}</marker>{example.text[end:]}"


class GuardedRegex:
    """A raw-text regex whose leading negative look-behinds are checked only where it matches.

    Rules such as "contact the carrier, unless preceded by 'I'll'" carry dozens of look-behinds;
    Python tests every one of them at every position of the text, which made those rules cost
    more than the whole spaCy pass. The body is searched first, the look-behinds afterwards on
    the few characters before each match: same matches, a fraction of the time.
    """

    def __init__(self, source: str, flags: int = re.I):
        guards, rest = _leading_lookbehinds(source)
        self.pattern = re.compile(rest, flags)
        self.guard = re.compile("(?:" + "|".join(guards) + r")\Z", flags) if guards else None
        self.width = 80
        self.literals = required_literals(rest, flags) if flags & re.I else None

    def finditer(self, text: str, folded: str | None = None):
        """Matches in `text`; with `folded` (text.casefold()), a regex whose required words are
        absent is skipped without running (coach/prefilter.py)."""
        if folded is not None and not may_match(self.literals, folded):
            return
        for match in self.pattern.finditer(text):
            start = match.start()
            if self.guard is not None and self.guard.search(text, max(0, start - self.width), start):
                continue
            yield match


def _leading_lookbehinds(source: str) -> tuple[list[str], str]:
    """Split "(?<!a)(?<!b)rest" into (["a", "b"], "rest"); nested groups are respected."""
    guards, i = [], 0
    while source.startswith("(?<!", i):
        depth, j = 0, i
        while j < len(source):
            if source[j] == "\\":
                j += 2
                continue
            if source[j] == "(":
                depth += 1
            elif source[j] == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        guards.append(source[i + 4: j])
        i = j + 1
    return guards, source[i:]


def parse_example(raw: str, fires: bool) -> Example:
    """Strip the <marker> tags and remember the marked span."""
    match = _MARKER.search(raw)
    if not match:
        return Example(text=raw, span=None, fires=fires)
    text = raw[: match.start()] + match.group(1) + raw[match.end():]
    return Example(text=text, span=(match.start(), match.start() + len(match.group(1))), fires=fires)


def _gap(unit: str) -> dict | None:
    if unit == "...":
        return {"IS_PUNCT": False, "OP": "{0,4}"}
    if re.fullmatch(r"\.\.\.\d", unit):
        return {"IS_PUNCT": False, "OP": "{0,%s}" % unit[3:]}
    return None


def _unit_variants(unit: str, tokenizer, rule_id: str, phrase: str) -> list[list[dict]]:
    """The token sequences one unit of a phrase can match (usually one sequence)."""
    gap = _gap(unit)
    if gap:
        return [[gap]]
    optional = unit.endswith("?") and len(unit) > 1 and not unit.endswith("\\?")
    if optional:
        unit = unit[:-1]
    unit = unit.replace("\\?", "?")
    if unit == "*":
        variants = [[{"IS_PUNCT": False}]]
    elif unit == "#num":
        variants = [[{"LIKE_NUM": True, "OP": "+"}]]  # "50 000" is two tokens
    elif unit.startswith("(") and unit.endswith(")"):
        if "(" in unit[1:-1] or ")" in unit[1:-1]:
            raise LexiconError("E029", f"rule {rule_id}: group {unit!r} is nested; groups cannot contain groups, "
                                       "list the phrases instead")
        variants, single = [], set()
        for alternative in unit[1:-1].split("|"):
            if alternative.strip():
                for variant in compile_phrase(alternative, tokenizer, rule_id, check=False):
                    if len(variant) == 1 and set(variant[0]) == {"NORM"} and isinstance(variant[0]["NORM"], str):
                        single.add(variant[0]["NORM"])  # one-word alternatives share one token test
                    else:
                        variants.append(variant)
        if single:
            variants.insert(0, [{"NORM": next(iter(single))} if len(single) == 1
                                else {"NORM": {"IN": sorted(single)}}])
    elif unit.startswith("re:"):
        try:
            re.compile(unit[3:])
        except re.error as exc:
            raise LexiconError("E020", f"rule {rule_id}: bad regex {unit!r}: {exc}") from exc
        variants = [[{"NORM": {"REGEX": unit[3:]}}]]
    elif unit.startswith("<") and unit.endswith(">") and len(unit) > 2:
        variants = [[{"LEMMA": {"IN": sorted({fold(x) for x in unit[1:-1].split("|")})}}]]
    else:
        single, multi = set(), []
        for alt in unit.split("|"):
            if alt.endswith(("'", "’")):
                single.add(fold(alt))  # an elided word ("l'", "qu'") is one token in text
                continue
            pieces = [fold(t.text) for t in tokenizer(alt)]
            if len(pieces) == 1:
                single.add(pieces[0])
            elif pieces:
                multi.append([{"NORM": piece} for piece in pieces])
        variants = multi
        if single:
            variants = [[{"NORM": next(iter(single))} if len(single) == 1 else {"NORM": {"IN": sorted(single)}}]] + multi
    if optional:
        if any(len(v) != 1 or "OP" in v[0] for v in variants):
            variants = variants + [[]]  # an optional group: with or without it
        else:
            variants = [[dict(v[0], OP="?")] for v in variants]
    return variants


_UNITS = re.compile(r"\([^()]*\)\??|\S+")


def compile_phrase(phrase: str, tokenizer, rule_id: str, check: bool = True) -> list[list[dict]]:
    """Compile one pattern phrase to one or more spaCy Matcher token patterns."""
    patterns: list[list[dict]] = [[]]
    for unit in _UNITS.findall(phrase):
        variants = _unit_variants(unit, tokenizer, rule_id, phrase)
        patterns = [p + v for p in patterns for v in variants]
        if len(patterns) > 64:
            raise LexiconError("E021", f"rule {rule_id}: pattern {phrase!r} expands to too many variants; split it")
    for pattern in patterns if check else ():
        if not pattern or all("OP" in spec and spec["OP"] != "+" for spec in pattern):
            raise LexiconError("E023", f"rule {rule_id}: pattern {phrase!r} matches nothing fixed")
        if _gap_spec(pattern[0]) or _gap_spec(pattern[-1]):
            raise LexiconError("E024", f"rule {rule_id}: pattern {phrase!r} starts or ends with a gap")
    return patterns


def _gap_spec(spec: dict) -> bool:
    return spec.get("OP", "").startswith("{")


def build_rule(lang: str, check: str, name: str, raw: Any, tokenizer) -> Rule:
    """Validate a raw YAML mapping and compile it. Unknown keys are errors."""
    rule_id = f"{check}.{name}"
    where = f"lexicons/{lang}/{check}/{name}.yml"
    if check not in CHECKS:
        raise LexiconError("E010", f"{where}: unknown check folder {check!r}")
    if not isinstance(raw, dict):
        raise LexiconError("E011", f"{where}: a rule file must be a mapping")
    unknown = set(raw) - ALLOWED_KEYS
    if unknown:
        raise LexiconError("E012", f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    rule_type = raw.get("type", "fault")
    if rule_type not in RULE_TYPES:
        raise LexiconError("E013", f"{where}: type must be one of {', '.join(RULE_TYPES)}")
    for key in ("message", "principle"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise LexiconError("E014", f"{where}: '{key}' is required")
    level = raw.get("level", DEFAULT_LEVELS[check])
    if level not in LEVELS:
        raise LexiconError("E015", f"{where}: level must be one of {', '.join(LEVELS)}")
    scope_raw = raw.get("scope", {}) or {}
    if not isinstance(scope_raw, dict) or set(scope_raw) - set(SCOPES) or not all(
            isinstance(v, bool) for v in scope_raw.values()):
        raise LexiconError("E016", f"{where}: scope takes {', '.join(SCOPES)} set to true or false")
    patterns = raw.get("patterns", []) or []
    regexes = raw.get("regex", []) or []
    if rule_type != "shouting" and not patterns and not regexes:
        raise LexiconError("E017", f"{where}: a rule needs patterns or regex")
    if raw.get("requires", "") not in ("", "future", "not_past"):
        raise LexiconError("E018", f"{where}: requires takes 'future' or 'not_past'")
    if raw.get("applies_to", "reply") not in ("reply", "incoming", "both"):
        raise LexiconError("E019", f"{where}: applies_to is reply, incoming or both")
    compiled_regex = []
    for source in regexes:
        try:
            re.compile(source, re.I)
            compiled_regex.append(GuardedRegex(source))
        except re.error as exc:
            raise LexiconError("E020", f"{where}: bad regex {source!r}: {exc}") from exc
    token_patterns = tuple(v for p in patterns for v in compile_phrase(p, tokenizer, rule_id))
    excuses = raw.get("excused_by", []) or []
    if not isinstance(excuses, list) or not all(isinstance(x, str) for x in excuses):
        raise LexiconError("E028", f"{where}: excused_by is a list of patterns")
    excuse_patterns = tuple(v for p in excuses for v in compile_phrase(p, tokenizer, rule_id))
    examples_raw = raw.get("examples") or {}
    positive_key, negative_key = EXAMPLE_KEYS[rule_type]
    if not isinstance(examples_raw, dict) or set(examples_raw) - {positive_key, negative_key}:
        raise LexiconError("E025", f"{where}: examples take '{positive_key}' and '{negative_key}'")
    examples = tuple(
        [parse_example(e, True) for e in examples_raw.get(positive_key, []) or []]
        + [parse_example(e, False) for e in examples_raw.get(negative_key, []) or []]
    )
    return Rule(
        id=rule_id, check=check, name=name, lang=lang, type=rule_type,
        message=raw["message"].strip(), principle=raw["principle"].strip(), level=level,
        suggestion=(raw.get("suggestion") or "").strip(), template=raw.get("template", ""),
        replacement=raw.get("replacement"), status=raw.get("status", ""),
        applies_to=raw.get("applies_to", "reply"), requires=raw.get("requires", ""),
        scope=tuple(sorted(scope_raw.items())), token_patterns=token_patterns, excuse_patterns=excuse_patterns,
        regexes=tuple(compiled_regex), patterns_source=tuple(patterns) + tuple(regexes),
        allow=frozenset(fold(x) for x in raw.get("allow", []) or []),
        emphasis=frozenset(fold(x) for x in raw.get("emphasis", []) or []),
        keyword_after=frozenset(fold(x) for x in raw.get("keyword_after", []) or []),
        examples=examples,
    )
