"""`coach serve`: the HTTP API returns the CLI's JSON, is safe by default and never logs drafts."""
from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from coach.cli import cli
from coach.config import Config
from coach.errors import ConfigError
from coach.server import create_app, serve

BAD = "Bonjour, nous sommes débordés. C'est votre point de vue."
GOOD = ("Bonjour, merci pour votre message. Je suis désolé pour ce retard : votre colis part aujourd'hui et "
        "arrivera d'ici jeudi.")


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Config())) as test_client:
        yield test_client


def test_review_returns_exactly_the_cli_json(client, tmp_path):
    api = client.post("/v1/review", json={"reply": BAD}).json()
    path = tmp_path / "d.txt"
    path.write_text(BAD, encoding="utf-8")
    cli_json = json.loads(CliRunner().invoke(cli, ["review", "--format", "json", str(path)]).stdout)
    cli_json["id"] = None
    assert api == cli_json
    assert api["schema"] == "coach.review/1" and api["verdict"] == "block"


def test_rewrite_endpoint(client):
    data = client.post("/v1/rewrite", json={"reply": BAD, "customer_name": "Mme Roy", "agent": "Julie"}).json()
    assert data["rewrite"]["verdict"] == "send"
    assert data["rewrite"]["text"].startswith("Bonjour")


def test_rules_health_and_openapi(client):
    rules = client.get("/v1/rules", params={"lang": "fr", "check": "defensive"}).json()
    assert rules and all(r["check"] == "defensive" and r["principle"] for r in rules)
    assert client.get("/healthz").json()["status"] == "ok"
    spec = client.get("/openapi.json").json()
    assert {"/v1/review", "/v1/rewrite", "/v1/rules", "/healthz"} <= set(spec["paths"])
    assert "reply" in json.dumps(spec["components"]["schemas"]["ReviewRequest"])


def test_malformed_json_and_missing_field_are_422_naming_the_field(client):
    response = client.post("/v1/review", content=b'{"reply": ', headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    response = client.post("/v1/review", json={"incoming": "x"})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "reply"
    assert client.post("/v1/review", json={"reply": "x", "lang": "es"}).json()["fields"][0]["field"] == "lang"


def test_large_bodies_get_413(client):
    response = client.post("/v1/review", json={"reply": "a" * 300_000})
    assert response.status_code == 413


def test_drafts_never_reach_the_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    client.post("/v1/review", json={"reply": "Texte secret du client XQ17 : nous sommes débordés."})
    assert "XQ17" not in caplog.text


def test_internal_error_is_500_with_an_id_and_the_service_survives(monkeypatch):
    from coach.reviewer import Reviewer

    def boom(self, *args, **kwargs):
        raise RuntimeError("secret draft text")

    with TestClient(create_app(Config()), raise_server_exceptions=False) as test_client:
        monkeypatch.setattr(Reviewer, "review_draft", boom)
        response = test_client.post("/v1/review", json={"reply": GOOD})
        assert response.status_code == 500
        assert response.json()["error_id"] and "secret" not in response.text
        monkeypatch.undo()
        assert test_client.post("/v1/review", json={"reply": GOOD}).status_code == 200


def test_token_is_required_on_every_request_when_configured():
    with TestClient(create_app(Config(), token="s3cret")) as test_client:
        assert test_client.post("/v1/review", json={"reply": GOOD}).status_code == 401
        assert test_client.get("/healthz").status_code == 401
        ok = test_client.post("/v1/review", json={"reply": GOOD}, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        page = test_client.get("/?token=s3cret", follow_redirects=False)
        assert page.status_code == 303 and "coach_token" in page.headers["set-cookie"]


def test_refuses_to_listen_beyond_loopback_without_a_token():
    with pytest.raises(ConfigError, match="refusing to listen on 0.0.0.0"):
        serve(Config(), "0.0.0.0", 8765, token=None, max_body=1000)


def test_page_and_assets_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and 'contenteditable="true"' in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # no CDN: every asset comes from coach
    for name in ("app.js", "app.css", "i18n.json"):
        assert client.get(f"/static/{name}").status_code == 200
    assert client.get("/static/../server.py").status_code == 404
