"""The one module that reads packaged data files (lexicons, templates, models).

Everything goes through importlib.resources so an installed wheel behaves like the checkout.
Loaded data is cached and returned as immutable structures.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

import yaml

LEXICON_PACKAGE = "coach.lexicons"


def lexicon_root() -> Traversable:
    """Root folder of the packaged lexicons (`lexicons/` in the checkout)."""
    return resources.files(LEXICON_PACKAGE)


def read_yaml(path: Traversable):
    """Parse a packaged YAML file; a syntax error names the file (LexiconError)."""
    try:
        with path.open("r", encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        from .errors import LexiconError

        raise LexiconError("E027", f"{path}: invalid YAML ({str(exc).splitlines()[0]})") from None


@lru_cache(maxsize=None)
def language_meta(lang: str) -> dict:
    """The language's meta.yml: variants, sources, word lists used by the scope logic."""
    return read_yaml(lexicon_root() / lang / "meta.yml")


@lru_cache(maxsize=None)
def rule_files(lang: str) -> tuple[tuple[str, str, dict], ...]:
    """Every rule file of a language as (check, rule_name, raw mapping), sorted by id."""
    found = []
    base = lexicon_root() / lang
    for check_dir in base.iterdir():
        if not check_dir.is_dir():
            continue
        for entry in check_dir.iterdir():
            if entry.name.endswith((".yml", ".yaml")):
                name = entry.name.rsplit(".", 1)[0]
                found.append((check_dir.name, name, read_yaml(entry)))
    return tuple(sorted(found, key=lambda item: (item[0], item[1])))
