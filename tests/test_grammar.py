"""The grammar check: LanguageTool responses mapped onto the reviewed text, never hanging.

Mapping is tested on recorded /v2/check responses (LanguageTool's exact JSON), through the real
language-tool-python client against a small HTTP server on loopback. A real LanguageTool server
is used when COACH_LT_URL names one; otherwise that test is skipped with the reason.
"""
from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from coach.config import parse_config
from coach.errors import ConfigError
from coach.grammar import GrammarSettings, matches_to_findings
from coach.reviewer import Reviewer

DATA = Path(__file__).parent / "data" / "languagetool"
LANGUAGES = [{"name": "French", "code": "fr", "longCode": "fr"},
             {"name": "English (US)", "code": "en", "longCode": "en-US"}]


def recorded(lang):
    return json.loads((DATA / f"check_{lang}.json").read_text(encoding="utf-8"))


class FakeLanguageTool(BaseHTTPRequestHandler):
    """Answers /v2/languages and /v2/check from the recorded responses; `delay` simulates a slow server."""

    delay = 0.0

    def log_message(self, *args):  # keep test output clean; never log text
        pass

    def _send(self, payload):
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._send(LANGUAGES)

    def do_POST(self):
        time.sleep(self.delay)
        fields = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        lang = fields["language"][0][:2]
        data = recorded(lang)
        assert fields["text"][0] == data["text"], "the reviewed text is sent as is"
        self._send(data["response"])


@pytest.fixture()
def server():
    handler = type("Handler", (FakeLanguageTool,), {"delay": 0.0})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, handler
    httpd.shutdown()


def reviewer_for(url, **extra):
    return Reviewer(parse_config({"grammar": {"backend": "server", "url": url, **extra}}))


def test_default_is_unavailable_and_sends_nothing():
    review = Reviewer().review("Bonjour, merci pour votre message.", lang="fr")
    assert review.checks["grammar"].status == "unavailable"
    assert "no LanguageTool backend" in review.checks["grammar"].reason


def test_recorded_french_response_maps_onto_the_text(server):
    httpd, _ = server
    data = recorded("fr")
    review = reviewer_for(f"http://127.0.0.1:{httpd.server_port}").review(
        data["text"], lang="fr", customer_name="Mme Kowalczyk")
    grammar = [f for f in review.findings if f.check == "grammar"]
    assert review.checks["grammar"].status == "found"
    assert [f.text for f in grammar] == ["recu", "les remboursement"]  # the customer's name is not a typo
    assert all(review.text_reviewed[f.start:f.end] == f.text for f in grammar)
    assert grammar[0].rule == "grammar.FR_SPELLING_RULE" and grammar[0].level == "hint"
    assert grammar[0].replacement == "reçu"  # a single clear replacement
    assert grammar[1].replacement is None and "les remboursements" in grammar[1].suggestion
    without = Reviewer().review(data["text"], lang="fr", customer_name="Mme Kowalczyk")
    assert review.verdict == without.verdict  # hints never change the verdict


def test_company_words_are_not_spelling_mistakes(server):
    httpd, _ = server
    data = recorded("en")
    review = reviewer_for(f"http://127.0.0.1:{httpd.server_port}", ignore_words=["tommorow"]).review(
        data["text"], lang="en")
    assert [f.text for f in review.findings if f.check == "grammar"] == ["you"]


def test_slow_server_gives_unavailable_without_hanging(server):
    httpd, handler = server
    handler.delay = 3.0
    started = time.monotonic()
    review = reviewer_for(f"http://127.0.0.1:{httpd.server_port}", timeout=0.5).review(recorded("fr")["text"], lang="fr")
    assert time.monotonic() - started < 2.5
    assert review.checks["grammar"].status == "unavailable"
    assert "did not answer within 0.5 s" in review.checks["grammar"].reason
    assert review.checks["acknowledgement"].status == "ok"  # the rest of the review is unchanged


def test_unreachable_server_gives_unavailable():
    review = reviewer_for("http://127.0.0.1:9", timeout=2).review("Hello, thanks for your message.", lang="en")
    assert review.checks["grammar"].status == "unavailable"
    assert review.checks["grammar"].reason


def test_mapping_drops_out_of_range_and_overlapping_matches():
    from language_tool_python import Match

    data = recorded("en")
    matches = [Match(dict(m, rule=dict(m["rule"])), data["text"]) for m in data["response"]["matches"]]
    matches.append(Match(dict(data["response"]["matches"][0], offset=len(data["text"]) + 5,
                              rule=dict(data["response"]["matches"][0]["rule"])), data["text"]))
    found = matches_to_findings(matches, data["text"], "en", GrammarSettings(backend="server"), {}, set())
    assert [f.text for f in found] == ["you", "tommorow"]


@pytest.mark.parametrize("table,key", [
    ({"backend": "cloud"}, "grammar.backend"),
    ({"backend": "server"}, "grammar.url"),
    ({"backend": "server", "url": "http://x", "timeout": 0}, "grammar.timeout"),
    ({"backend": "none", "colour": "red"}, "grammar.colour"),
])
def test_invalid_grammar_config_names_the_key(table, key):
    with pytest.raises(ConfigError, match=key):
        parse_config({"grammar": table})


@pytest.mark.skipif(not os.environ.get("COACH_LT_URL"),
                    reason="no real LanguageTool server configured (set COACH_LT_URL=http://host:8081)")
def test_against_a_real_languagetool_server():
    review = reviewer_for(os.environ["COACH_LT_URL"], timeout=20).review(
        "Bonjour, merci pour votre message. Nous avons recu votre colis.", lang="fr")
    assert review.checks["grammar"].status == "found"
    assert any(f.text == "recu" for f in review.findings if f.check == "grammar")


def test_single_replacements_are_applied_by_the_rewrite(server):
    from coach.inputs import Draft
    from coach.rewrite import Rewriter

    httpd, _ = server
    data = recorded("fr")
    reviewer = reviewer_for(f"http://127.0.0.1:{httpd.server_port}")
    draft = Draft(id=None, reply=data["text"], lang="fr", customer_name="Mme Kowalczyk")
    review = reviewer.review_draft(draft)
    text = Rewriter(reviewer).rewrite(review, draft).text
    assert "reçu votre colis" in text and "recu" not in text  # one clear replacement: applied
    assert "les remboursement" in text  # two candidate replacements: left to the agent
