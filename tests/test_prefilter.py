"""The literal prefilter may skip a raw-text regex only when the regex could not have matched."""
import pytest

from coach.lexicon import packaged_rules
from coach.prefilter import may_match, required_literals
from coach.rules import GuardedRegex


@pytest.mark.parametrize("pattern, expected", [
    (r"\bas I (?:already )?said\b", ("as i ",)),
    (r"(?:per|as per) (?:my|our) (?:last|previous) (?:email|message)", ("email", "message")),
    (r"(?:policy|terms)\b", ("policy", "terms")),
    (r"(?:foo)?barbaz", ("barbaz",)),
    (r"(?:quickly)*done", ("done",)),
    (r"(?:abc|d)xyz", ("xyz",)),  # one branch too short to test: the other literal is used
    (r"\d{1,2}/\d{1,2}", None),
    (r"(?:a|b)c", None),
])
def test_required_literals(pattern, expected):
    got = required_literals(pattern)
    assert (set(got) if got else None) == (set(expected) if expected else None)


def test_case_and_accents_follow_the_regex():
    literals = required_literals(r"Désolé de l'apprendre")
    assert may_match(literals, "DÉSOLÉ DE L'APPRENDRE".casefold())
    assert not may_match(literals, "desole de l'apprendre")  # the regex needs the accents too


def _every_regex():
    for lang in ("fr", "en"):
        for rule in packaged_rules(lang):
            for regex in rule.regexes:
                yield rule, regex


@pytest.mark.parametrize("rule, regex", list(_every_regex()), ids=lambda x: getattr(x, "id", ""))
def test_prefiltered_regex_matches_like_the_plain_one(rule, regex):
    """On every example of the rule, with and without the prefilter: the same matches."""
    assert isinstance(regex, GuardedRegex)
    for example in rule.examples:
        text = example.text
        plain = [m.span() for m in regex.finditer(text)]
        filtered = [m.span() for m in regex.finditer(text, text.casefold())]
        assert filtered == plain, text
