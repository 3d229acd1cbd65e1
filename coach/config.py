"""`coach.toml`: which checks and rules run, their levels, the verdict threshold, company phrases.

Every key is validated; an unknown or mistyped key is an error that names it, so a typo never
silently turns a check off.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError
from .grammar import GrammarSettings
from .rules import CHECKS, LEVELS

DEFAULT_FILE = "coach.toml"
_TOP_KEYS = {"default_lang", "fail_on", "max_bytes", "checks", "levels", "phrases", "model", "templates",
             "grammar", "service_levels", "server", "gate", "quiz"}


@dataclass(frozen=True)
class Config:
    """Validated configuration; `Config()` is the documented default policy."""

    default_lang: str = "fr"
    fail_on: str = "block"
    max_bytes: int = 1_048_576
    disabled: tuple[str, ...] = ()
    levels: tuple[tuple[str, str], ...] = ()
    phrases: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (lang, check, phrases)
    use_model: bool = True
    source: str = "defaults"
    grammar: GrammarSettings = GrammarSettings()
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def is_disabled(self, rule_or_check: str) -> bool:
        return any(rule_or_check == d or rule_or_check.startswith(d + ".") for d in self.disabled)

    def level_for(self, check: str, rule_id: str, default: str) -> str:
        table = dict(self.levels)
        return table.get(rule_id, table.get(check, default))

    def cache_key(self) -> tuple:
        return (self.disabled, self.phrases)


def _fail(key: str, why: str) -> ConfigError:
    return ConfigError("E030", f"invalid configuration key '{key}': {why}")


def load_config(path: str | Path | None = None, *, cwd: Path | None = None) -> Config:
    """Read `path`, or `coach.toml` in the working directory if present, else the defaults."""
    if path is None:
        candidate = (cwd or Path.cwd()) / DEFAULT_FILE
        if not candidate.is_file():
            return Config()
        path = candidate
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("E031", f"configuration file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("E032", f"configuration file {path} is not valid TOML: {exc}") from None
    return parse_config(data, source=str(path))


def parse_config(data: dict, source: str = "<dict>") -> Config:
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise _fail(sorted(unknown)[0], f"unknown key (known: {', '.join(sorted(_TOP_KEYS))})")
    default_lang = data.get("default_lang", "fr")
    if default_lang not in ("fr", "en"):
        raise _fail("default_lang", "must be 'fr' or 'en'")
    fail_on = data.get("fail_on", "block")
    if fail_on not in ("block", "revise"):
        raise _fail("fail_on", "must be 'block' or 'revise'")
    max_bytes = data.get("max_bytes", 1_048_576)
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or not 1 <= max_bytes <= 50_000_000:
        raise _fail("max_bytes", "must be a whole number of bytes between 1 and 50000000")
    checks = data.get("checks", {})
    if not isinstance(checks, dict) or set(checks) - {"disable"}:
        raise _fail("checks", "takes only 'disable = [ids or prefixes]'")
    disabled = checks.get("disable", [])
    if not isinstance(disabled, list) or not all(isinstance(x, str) for x in disabled):
        raise _fail("checks.disable", "must be a list of rule ids or check names")
    for item in disabled:
        if item.split(".")[0] not in CHECKS + ("grammar", "model"):
            raise _fail("checks.disable", f"'{item}' names no check (known: {', '.join(CHECKS)})")
    levels = data.get("levels", {})
    if not isinstance(levels, dict):
        raise _fail("levels", "must be a table of id = level")
    for key, value in levels.items():
        if key.split(".")[0] not in CHECKS + ("grammar",):
            raise _fail(f"levels.{key}", "names no check")
        if value not in LEVELS:
            raise _fail(f"levels.{key}", f"must be one of {', '.join(LEVELS)}")
    phrases = []
    raw_phrases = data.get("phrases", {})
    if not isinstance(raw_phrases, dict):
        raise _fail("phrases", "must be a table [phrases.<lang>]")
    for lang, table in raw_phrases.items():
        if lang not in ("fr", "en"):
            raise _fail(f"phrases.{lang}", "language must be 'fr' or 'en'")
        if not isinstance(table, dict):
            raise _fail(f"phrases.{lang}", "must be a table of check = [phrases]")
        for check, items in table.items():
            if check not in ("defensive", "blame", "contempt", "dismissive", "effort", "timeline"):
                raise _fail(f"phrases.{lang}.{check}", "company phrases go to a fault check")
            if not isinstance(items, list) or not all(isinstance(x, str) and x.strip() for x in items):
                raise _fail(f"phrases.{lang}.{check}", "must be a list of phrases")
            phrases.append((lang, check, tuple(items)))
    model = data.get("model", {})
    if not isinstance(model, dict) or set(model) - {"enabled"} or not isinstance(model.get("enabled", True), bool):
        raise _fail("model", "takes only 'enabled = true|false'")
    grammar = _grammar_settings(data.get("grammar", {}))
    from .deadlines import parse_service_levels

    parse_service_levels(data.get("service_levels"))  # validated now, used by rewrites
    templates = data.get("templates", {})
    if not isinstance(templates, dict) or set(templates) - {"dir"}:
        raise _fail("templates", "takes only 'dir = \"path/to/templates\"'")
    if "dir" in templates and not (isinstance(templates["dir"], str) and Path(templates["dir"]).is_dir()):
        raise _fail("templates.dir", "must name an existing directory (with fr/ and en/ inside)")
    _check_gate(data.get("gate", {}))
    server = data.get("server", {})
    server_keys = {"host": str, "port": int, "token_env": str, "max_body": int, "workers": int}
    if not isinstance(server, dict):
        raise _fail("server", "must be a table")
    for key, value in server.items():
        if key not in server_keys or not isinstance(value, server_keys[key]) or isinstance(value, bool):
            raise _fail(f"server.{key}", f"unknown key or wrong type (known: {', '.join(server_keys)})")
    extra = {k: data[k] for k in ("templates", "service_levels", "server", "gate", "quiz") if k in data}
    return Config(
        default_lang=default_lang, fail_on=fail_on, max_bytes=max_bytes, disabled=tuple(disabled),
        levels=tuple(sorted(levels.items())), phrases=tuple(phrases),
        use_model=model.get("enabled", True), source=source, extra=extra, grammar=grammar,
    )


def _grammar_settings(table) -> GrammarSettings:
    from .grammar import BACKENDS

    if not isinstance(table, dict):
        raise _fail("grammar", "must be a table")
    known = {"backend", "url", "timeout", "level", "ignore_words", "disabled_rules"}
    unknown = set(table) - known
    if unknown:
        raise _fail(f"grammar.{sorted(unknown)[0]}", f"unknown key (known: {', '.join(sorted(known))})")
    backend = table.get("backend", "none")
    if backend not in BACKENDS:
        raise _fail("grammar.backend", f"must be one of {', '.join(BACKENDS)}")
    url = table.get("url", "")
    if backend == "server" and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
        raise _fail("grammar.url", "the server backend needs an http(s) URL, e.g. http://localhost:8081")
    timeout = table.get("timeout", 3.0)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0.1 <= timeout <= 60:
        raise _fail("grammar.timeout", "must be a number of seconds between 0.1 and 60")
    level = table.get("level", "hint")
    if level not in LEVELS:
        raise _fail("grammar.level", f"must be one of {', '.join(LEVELS)}")
    for key in ("ignore_words", "disabled_rules"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise _fail(f"grammar.{key}", "must be a list of strings")
    return GrammarSettings(backend=backend, url=url, timeout=float(timeout), level=level,
                           ignore_words=tuple(table.get("ignore_words", [])),
                           disabled_rules=tuple(table.get("disabled_rules", [])))


_GATE_KEYS = {"listen": str, "upstream_host": str, "upstream_port": int, "upstream_security": str,
              "upstream_user": str, "upstream_password_env": str, "upstream_timeout": (int, float),
              "fail_on": str, "max_size": int, "override_header": str, "override_tag": str,
              "sendmail_command": str}


def _check_gate(table) -> None:
    if not isinstance(table, dict):
        raise _fail("gate", "must be a table")
    for key, value in table.items():
        if key not in _GATE_KEYS:
            raise _fail(f"gate.{key}", f"unknown key (known: {', '.join(sorted(_GATE_KEYS))})")
        if not isinstance(value, _GATE_KEYS[key]) or isinstance(value, bool):
            raise _fail(f"gate.{key}", "has the wrong type")
    if table.get("upstream_security", "none") not in ("none", "starttls", "tls"):
        raise _fail("gate.upstream_security", "must be none, starttls or tls")
    if table.get("fail_on", "block") not in ("block", "revise"):
        raise _fail("gate.fail_on", "must be block or revise")
