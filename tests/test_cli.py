"""The command line: formats parse, exit codes follow the README, errors are one line."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from coach.cli import cli

ROOT = Path(__file__).resolve().parent.parent
BAD_FR = "Bonjour, nous sommes débordés. Nous reviendrons vers vous dans les meilleurs délais."
GOOD_FR = ("Bonjour, merci pour votre message. Je suis désolé pour ce retard : votre colis part aujourd'hui "
           "et arrivera d'ici jeudi.")


@pytest.fixture()
def runner():
    return CliRunner()


def draft(tmp_path, text, name="d.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_json_output_follows_the_schema(runner, tmp_path):
    result = runner.invoke(cli, ["review", "--format", "json", draft(tmp_path, BAD_FR)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["schema"] == "coach.review/1"
    assert data["verdict"] == "block" and data["language"] == "fr"
    assert 0 <= data["score"] <= 49
    assert set(data["checks"]) >= {"acknowledgement", "timeline", "empathy", "defensive", "blame", "contempt",
                                  "dismissive", "effort"}
    for f in data["findings"]:
        assert set(f) >= {"check", "rule", "level", "start", "end", "text", "message", "principle", "suggestion"}
        assert data["text_reviewed"][f["start"]:f["end"]] == f["text"]


def test_good_draft_exits_zero(runner, tmp_path):
    result = runner.invoke(cli, ["review", "--format", "json", draft(tmp_path, GOOD_FR)])
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["verdict"] == "send"


def test_fail_on_revise(runner, tmp_path):
    text = "Bonjour, merci pour votre message. Nous reviendrons vers vous dans les meilleurs délais."
    path = draft(tmp_path, text)
    assert runner.invoke(cli, ["review", path]).exit_code == 0
    assert runner.invoke(cli, ["review", "--fail-on", "revise", path]).exit_code == 1


def test_several_files_in_json_make_an_array(runner, tmp_path):
    result = runner.invoke(cli, ["review", "--format", "json", draft(tmp_path, BAD_FR, "a.txt"),
                                 draft(tmp_path, GOOD_FR, "b.txt")])
    data = json.loads(result.stdout)
    assert [d["id"] for d in data] == ["a.txt", "b.txt"]


def test_stdin_and_text_format(runner):
    result = runner.invoke(cli, ["review", "-"], input=BAD_FR)
    assert result.exit_code == 1
    assert "defensive.workload-excuse" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes when not on a terminal


def test_jsonl_batch_keeps_ids_and_order_and_reports_bad_lines(runner, tmp_path):
    lines = [json.dumps({"id": "b1", "reply": BAD_FR}), "{broken", json.dumps({"id": "g1", "reply": GOOD_FR}),
             json.dumps({"id": "e1", "reply": "   "})]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["review", "--jsonl", str(path), "--format", "jsonl"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["b1", "2", "g1", "e1"]
    assert [r["status"] for r in rows] == ["reviewed", "error", "reviewed", "empty"]
    assert result.exit_code == 2  # bad lines are input errors


def test_jsonl_from_stdin(runner):
    result = runner.invoke(cli, ["review", "--jsonl", "-", "--format", "jsonl"],
                           input=json.dumps({"id": "x", "reply": GOOD_FR, "lang": "fr"}) + "\n")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["id"] == "x"


@pytest.mark.parametrize("content,needle", [
    (b"", "nothing to review"),
    (b"   \n\t  ", "nothing to review"),
    (b"\x00\x01\x02binary\x00", "binary"),
    ("Hola, gracias por su mensaje. Le enviaremos el pedido mañana por la tarde.".encode(), "unsupported language"),
])
def test_bad_input_gives_one_line_and_exit_2(runner, tmp_path, content, needle):
    path = tmp_path / "x.txt"
    path.write_bytes(content)
    result = runner.invoke(cli, ["review", str(path)])
    assert result.exit_code == 2
    assert needle in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_usage_errors_exit_2(runner):
    assert runner.invoke(cli, ["review"]).exit_code == 2
    assert runner.invoke(cli, ["review", "--format", "xml", "-"]).exit_code == 2


def test_invalid_config_names_the_key(runner, tmp_path):
    config = tmp_path / "coach.toml"
    config.write_text('fail_on = "block"\n[levelz]\neffort = "hint"\n', encoding="utf-8")
    result = runner.invoke(cli, ["review", "--config", str(config), draft(tmp_path, GOOD_FR)])
    assert result.exit_code == 2
    assert "levelz" in result.stderr


def test_config_can_disable_a_rule_and_change_levels(runner, tmp_path):
    config = tmp_path / "coach.toml"
    config.write_text('[checks]\ndisable = ["defensive.workload-excuse"]\n[levels]\n"timeline" = "hint"\n',
                      encoding="utf-8")
    result = runner.invoke(cli, ["review", "--format", "json", "--config", str(config), draft(tmp_path, BAD_FR)])
    data = json.loads(result.stdout)
    assert not [f for f in data["findings"] if f["rule"] == "defensive.workload-excuse"]
    assert all(f["level"] == "hint" for f in data["findings"] if f["check"] == "timeline")


def test_company_phrases_from_config(runner, tmp_path):
    config = tmp_path / "coach.toml"
    config.write_text('[phrases.fr]\ndefensive = ["c\'est la procédure maison"]\n', encoding="utf-8")
    text = GOOD_FR + " C'est la procédure maison."
    result = runner.invoke(cli, ["review", "--format", "json", "--config", str(config), draft(tmp_path, text)])
    data = json.loads(result.stdout)
    assert "defensive.company-phrase" in [f["rule"] for f in data["findings"]]
    assert result.exit_code == 1


def test_rules_command_lists_rules_with_principles(runner):
    result = runner.invoke(cli, ["rules", "--lang", "fr", "--format", "json", "defensive"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows and all(r["check"] == "defensive" and r["principle"] and r["lang"] == "fr" for r in rows)
    assert runner.invoke(cli, ["rules", "nonsense"]).exit_code == 2


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert re.search(rf"`coach {name}\b", readme), f"coach {name} is not documented in README.md"
