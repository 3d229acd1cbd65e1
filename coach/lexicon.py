"""A language's compiled rule set: packaged rule files plus the company phrases of the config."""
from __future__ import annotations

from functools import lru_cache

from . import resources
from .config import Config
from .errors import LexiconError
from .nlp import pipeline
from .rules import Rule, build_rule


@lru_cache(maxsize=None)
def packaged_rules(lang: str) -> tuple[Rule, ...]:
    """Every packaged rule of `lang`, compiled once per process."""
    tokenizer = pipeline(lang).tokenizer
    rules = [build_rule(lang, check, name, raw, tokenizer) for check, name, raw in resources.rule_files(lang)]
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise LexiconError("E026", f"duplicate rule id in lexicons/{lang}")
    return tuple(rules)


@lru_cache(maxsize=None)
def rules_by_id(lang: str) -> dict[str, Rule]:
    """The packaged rules of `lang` by id (built once; used to find a finding's rule)."""
    return {rule.id: rule for rule in packaged_rules(lang)}


@lru_cache(maxsize=None)
def check_messages(lang: str) -> dict:
    """Messages for what a reply lacks (acknowledgement missing, timeline missing, ...)."""
    return resources.read_yaml(resources.lexicon_root() / lang / "checks.yml")


def company_rules(lang: str, config: Config) -> list[Rule]:
    """Rules made from `[phrases.<lang>]` in the configuration."""
    tokenizer = pipeline(lang).tokenizer
    messages = check_messages(lang)["company_phrase"]
    rules = []
    for phrase_lang, check, phrases in config.phrases:
        if phrase_lang != lang:
            continue
        raw = {"message": messages["message"], "principle": messages["principle"],
               "patterns": list(phrases), "suggestion": messages.get("suggestion", "")}
        rules.append(build_rule(lang, check, "company-phrase", raw, tokenizer))
    return rules


def active_rules(lang: str, config: Config) -> list[Rule]:
    rules = [r for r in packaged_rules(lang) if not config.is_disabled(r.id)]
    return rules + [r for r in company_rules(lang, config) if not config.is_disabled(r.id)]
