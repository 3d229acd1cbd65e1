"""The `grammar` check: spelling and grammar through LanguageTool, only where the user says so.

Backends (`[grammar] backend` in coach.toml):
- `none` (default): nothing leaves the machine; the check reports `unavailable`.
- `server`: a LanguageTool server the team runs itself (`url = "http://localhost:8081"`).
- `local`: a LanguageTool installation that language-tool-python manages on this machine (it
  needs Java and a downloaded or pre-downloaded copy; see language-tool-python's LTP_PATH).
- `public`: the public LanguageTool API. It sends the customer's text to a third party, so it
  is used only when configured explicitly, never as a fallback.

A backend that does not answer within `timeout` seconds makes the status `unavailable` with the
reason; the rest of the review is unchanged and nothing hangs.
"""
from __future__ import annotations

import concurrent.futures
import threading
import time
from dataclasses import dataclass, field

from .findings import CheckResult, Finding
from .textnorm import fold

BACKENDS = ("none", "server", "local", "public")
_RETRY_AFTER = 60.0  # seconds before trying a backend that failed again


@dataclass(frozen=True)
class GrammarSettings:
    backend: str = "none"
    url: str = ""
    timeout: float = 3.0
    level: str = "hint"
    ignore_words: tuple[str, ...] = ()
    disabled_rules: tuple[str, ...] = ()


@dataclass
class _Backend:
    tool: object | None = None
    failed_at: float = 0.0
    reason: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


_executor = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="coach-grammar")


class GrammarChecker:
    """Runs LanguageTool on the reviewed text and maps its matches to findings."""

    def __init__(self, settings: GrammarSettings, messages: dict[str, dict]):
        self.settings = settings
        self.messages = messages  # per language: the `grammar` entry of checks.yml
        self._backends: dict[str, _Backend] = {}

    def _make_tool(self, lang: str):
        import language_tool_python as ltp

        if self.settings.backend == "server":
            tool = ltp.LanguageTool(lang, remote_server=self.settings.url)
        elif self.settings.backend == "public":
            tool = ltp.LanguageToolPublicAPI(lang)
        else:
            tool = ltp.LanguageTool(lang)
        if self.settings.disabled_rules:
            tool.disabled_rules = set(self.settings.disabled_rules)
        return tool

    def _run(self, func, *args):
        future = _executor.submit(func, *args)
        return future.result(timeout=self.settings.timeout)

    def check(self, text: str, lang: str, ignore: set[str] | None = None) -> CheckResult:
        if self.settings.backend == "none":
            return CheckResult("grammar", "unavailable", (), "no LanguageTool backend configured ([grammar] backend)")
        backend = self._backends.setdefault(lang, _Backend())
        with backend.lock:
            if backend.tool is None:
                if backend.failed_at and time.monotonic() - backend.failed_at < _RETRY_AFTER:
                    return CheckResult("grammar", "unavailable", (), backend.reason)
                try:
                    backend.tool = self._run(self._make_tool, lang)
                except concurrent.futures.TimeoutError:
                    return self._fail(backend, f"LanguageTool did not answer within {self.settings.timeout:g} s")
                except Exception as exc:  # connection refused, no Java, bad URL...
                    return self._fail(backend, f"LanguageTool unavailable: {type(exc).__name__}: {exc}"[:300])
        try:
            matches = self._run(backend.tool.check, text)
        except concurrent.futures.TimeoutError:
            return CheckResult("grammar", "unavailable", (),
                               f"LanguageTool did not answer within {self.settings.timeout:g} s")
        except Exception as exc:
            return CheckResult("grammar", "unavailable", (), f"LanguageTool error: {type(exc).__name__}: {exc}"[:300])
        findings = matches_to_findings(matches, text, lang, self.settings, self.messages.get(lang, {}), ignore or set())
        return CheckResult("grammar", "found" if findings else "ok", tuple(findings))

    def _fail(self, backend: _Backend, reason: str) -> CheckResult:
        backend.failed_at, backend.reason = time.monotonic(), reason
        return CheckResult("grammar", "unavailable", (), reason)


def matches_to_findings(matches, text: str, lang: str, settings: GrammarSettings, message: dict,
                        ignore: set[str]) -> list[Finding]:
    """Map language-tool-python Match objects onto the reviewed text.

    Spelling matches on ignored words (customer and product names, the company word list) are
    dropped; overlapping matches keep the first.
    """
    ignored = {fold(w) for w in ignore} | {fold(w) for w in settings.ignore_words}
    findings: list[Finding] = []
    taken_until = -1
    for match in sorted(matches, key=lambda m: (m.offset, -m.error_length)):
        start, end = match.offset, match.offset + match.error_length
        if start < 0 or end > len(text) or start < taken_until:
            continue
        word = text[start:end]
        is_spelling = getattr(match, "rule_issue_type", "") == "misspelling" or getattr(match, "category", "") == "TYPOS"
        if is_spelling and fold(word) in ignored:
            continue
        replacements = list(match.replacements or [])[:3]
        suggestion = ""
        if replacements:
            suggestion = message.get("replace", "→ {replacements}").format(
                replacements=", ".join(f"« {r} »" if lang == "fr" else f'"{r}"' for r in replacements))
        findings.append(Finding(
            check="grammar", rule=f"grammar.{match.rule_id}", level=settings.level, start=start, end=end, text=word,
            message=match.message, principle=message.get("principle", ""), suggestion=suggestion,
            source="languagetool", replacement=replacements[0] if len(replacements) == 1 else None))
        taken_until = end
    return findings
