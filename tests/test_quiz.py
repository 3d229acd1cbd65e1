"""The quiz driven with scripted answers: scores, persistence, resumption, adaptivity, report."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from coach.quiz.bank import load_bank
from coach.quiz.engine import mastery, plan, score_best, score_spot
from coach.quiz.report import as_csv, as_html, progress
from coach.quiz.session import QuizSession
from coach.quiz.store import Store

BANK = Path(__file__).parent / "data" / "quiz"


@pytest.fixture()
def scenarios():
    return load_bank("fr", root=BANK)


def drive(store, scenarios, reviewer, answers: str, plan_questions=None, **kwargs):
    """Run a session with `answers` typed on stdin; returns the summary (or None if interrupted)."""
    runner = CliRunner()
    with runner.isolation(input=answers) as (out, _err, *_):
        session = QuizSession(store, scenarios, reviewer, "fr", "Alice", kwargs.get("count", 3), None, seed=1)
        if plan_questions is not None:
            import coach.quiz.session as module

            original = module.plan
            module.plan = lambda *a, **k: list(plan_questions)
        try:
            result = session.run()
        except Exception as exc:  # EOF from the scripted input: an interruption
            result = exc
        finally:
            if plan_questions is not None:
                module.plan = original
        return result, out.getvalue().decode()


def test_spot_scoring_gives_partial_credit(scenarios):
    first = scenarios[0]
    assert score_spot(first, set(first.spot_faults))[0] == 1.0
    assert score_spot(first, {"defensive"})[0] == pytest.approx(1 / 4)
    assert score_spot(first, {"defensive", "blame"})[0] == pytest.approx(1 / 5)
    assert score_best(first, 0)[0] == 1.0 and score_best(first, 1)[0] == 0.0


def test_a_scripted_session_is_scored_and_saved(tmp_path, scenarios, reviewer):
    store = Store(tmp_path / "q.sqlite")
    questions = [("t-1", "spot"), ("t-1", "best"), ("t-2", "write")]
    # spot: all four faults; best: find the letter of the correct candidate from the shuffled order
    rng = random.Random(1)
    order = list(range(3))
    rng.shuffle(order)
    letter = "ABC"[order.index(0)]
    answers = ("1,2,3,4\n" + letter + "\n"
               "Bonjour, merci pour votre message. Je suis désolé pour cette coupure : un technicien vous rappelle "
               "demain avant 10 h.\n.\n")
    summary, output = drive(store, scenarios, reviewer, answers, plan_questions=questions)
    assert "Question 1/3" in output and "Bonne réponse" in output
    rows = store.history(store.trainee("Alice"))
    assert [(r["scenario"], r["kind"], r["score"]) for r in rows] == [
        ("t-1", "spot", 1.0), ("t-1", "best", 1.0), ("t-2", "write", 1.0)]
    assert summary["score"] == 1.0
    assert all(v >= 0.5 for v in summary["mastery"].values())


def test_an_interrupted_session_keeps_its_answers_and_resumes(tmp_path, scenarios, reviewer):
    store = Store(tmp_path / "q.sqlite")
    questions = [("t-1", "spot"), ("t-2", "spot"), ("t-1", "best")]
    result, _ = drive(store, scenarios, reviewer, "1,3,4,7\n", plan_questions=questions)  # EOF after one answer
    assert not isinstance(result, dict)
    trainee = store.trainee("Alice")
    assert len(store.history(trainee)) == 1
    session = store.open_session(trainee, "fr")
    assert json.loads(session["plan"]) == [list(q) for q in questions]
    # next run: accept to resume, answer the two remaining questions
    summary, output = drive(store, scenarios, reviewer, "y\n1,4,5,7\nA\n")
    assert "2/3" in output or "Question 2/3" in output
    assert [(r["scenario"], r["kind"]) for r in store.history(trainee)] == questions
    assert store.open_session(trainee, "fr") is None


def test_missed_questions_come_back_and_weak_checks_are_favoured(tmp_path, scenarios):
    store = Store(tmp_path / "q.sqlite")
    trainee = store.trainee("Bob")
    session = store.start_session(trainee, "fr", [])
    store.record(session, trainee, "t-2", "best", 0.0, {"dismissive": 0, "effort": 1}, {})
    history = store.history(trainee)
    assert mastery(history)["dismissive"] == 0.0
    questions = plan(scenarios, history, 3, None, random.Random(0))
    assert questions[0] == ("t-2", "best")  # the missed one first
    only_blame = plan(scenarios, history, 6, "blame", random.Random(0))
    assert set(only_blame) == {("t-1", "best"), ("t-1", "write"), ("t-2", "write")}  # no spot without blame


def test_report_text_csv_and_offline_html(tmp_path):
    store = Store(tmp_path / "q.sqlite")
    trainee = store.trainee("Chloé")
    session = store.start_session(trainee, "fr", [])
    store.record(session, trainee, "t-1", "spot", 0.5, {"defensive": 1, "timeline": 0}, {})
    data = progress(store)
    assert data["Chloé"][0]["defensive"] == 1.0 and data["Chloé"][0]["timeline"] == 0.0
    assert as_csv(data).splitlines()[0].startswith("trainee,date,answers,score,acknowledgement")
    page = as_html(data)
    assert "<svg" in page and "Chloé" in page and "http" not in page.replace("http-equiv", "")


def test_quiz_report_command(tmp_path):
    from coach.cli import cli

    db = tmp_path / "q.sqlite"
    store = Store(db)
    trainee = store.trainee("Dan")
    store.record(store.start_session(trainee, "fr", []), trainee, "t-1", "spot", 1.0, {"blame": 1}, {})
    store.close()
    result = CliRunner().invoke(cli, ["quiz", "report", "--db", str(db), "--format", "csv"])
    assert result.exit_code == 0 and "Dan" in result.stdout
    out = tmp_path / "report.html"
    assert CliRunner().invoke(cli, ["quiz", "report", "--db", str(db), "--format", "html", "-o", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
