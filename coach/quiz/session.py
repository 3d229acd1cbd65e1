"""The terminal quiz: progress, colours, clear feedback; every answer saved as it is given."""
from __future__ import annotations

import random
import sys

import click
import yaml

from ..rules import CHECKS
from .bank import Scenario, flagged_checks
from .engine import mastery, plan, score_best, score_spot, score_written
from .store import Store


def strings(lang: str) -> dict:
    from importlib import resources

    return yaml.safe_load((resources.files("coach") / "templates" / lang / "quiz.yml").read_text(encoding="utf-8"))


def bar(value: float, width: int = 20) -> str:
    filled = round(value * width)
    colour = "green" if value >= 0.75 else "yellow" if value >= 0.5 else "red"
    return click.style("█" * filled, fg=colour) + "·" * (width - filled)


class QuizSession:
    """One trainee's run through a planned list of questions."""

    def __init__(self, store: Store, scenarios: list[Scenario], reviewer, lang: str, trainee: str,
                 count: int, check: str | None, seed: int | None, read_text=None):
        self.store, self.reviewer, self.lang = store, reviewer, lang
        self.by_id = {s.id: s for s in scenarios}
        self.scenarios = scenarios
        self.name = trainee
        self.trainee_id = store.trainee(trainee)
        self.t = strings(lang)
        self.count, self.check = count, check
        self.rng = random.Random(seed)
        self.read_text = read_text or self._read_inline

    # -- flow ---------------------------------------------------------------------------------
    def run(self) -> dict:
        history = self.store.history(self.trainee_id)
        session = self.store.open_session(self.trainee_id, self.lang)
        questions = None
        if session is not None:
            import json

            planned = [tuple(q) for q in json.loads(session["plan"])]
            done = self.store.answered_in(session["id"])
            if click.confirm(self.t["resume"].format(done=len(done), total=len(planned)), default=True):
                session_id, questions = session["id"], [q for q in planned if q not in done]
                total, offset = len(planned), len(done)
            else:
                self.store.finish_session(session["id"])
        if questions is None:
            questions = plan(self.scenarios, history, self.count, self.check, self.rng)
            session_id = self.store.start_session(self.trainee_id, self.lang, questions)
            total, offset = len(questions), 0
        click.echo(click.style(self.t["welcome"].format(name=self.name, count=len(questions)), bold=True))
        scores = []
        queue = list(questions)
        position = offset
        while queue:
            scenario_id, kind = queue.pop(0)
            position += 1
            click.echo("\n" + click.style(self.t["progress"].format(n=min(position, total), total=total), fg="cyan"))
            score = self.ask(session_id, self.by_id[scenario_id], kind)
            scores.append(score)
            if score < 1 and kind != "write" and (scenario_id, kind) not in queue and len(queue) >= 2:
                queue.insert(2, (scenario_id, kind))  # a missed question comes back later
                total += 1
        self.store.finish_session(session_id)
        return self.summary(scores)

    def summary(self, scores: list[float]) -> dict:
        level = mastery(self.store.history(self.trainee_id))
        overall = sum(scores) / len(scores) if scores else 0.0
        click.echo("\n" + click.style(self.t["summary"].format(name=self.name, score=overall, count=len(scores)),
                                      bold=True))
        click.echo(self.t["mastery"] + " :" if self.lang == "fr" else self.t["mastery"] + ":")
        for check in CHECKS:
            click.echo(f"  {self.t['checks'][check]:<32} {bar(level[check])} {level[check]:.0%}")
        weakest = sorted(CHECKS, key=lambda c: level[c])[:2]
        click.echo(self.t["weakest"] + " : " + ", ".join(self.t["checks"][c] for c in weakest))
        click.echo(self.t["bye"])
        return {"score": overall, "mastery": level, "answered": len(scores)}

    # -- questions ----------------------------------------------------------------------------
    def header(self, scenario: Scenario) -> None:
        click.echo(click.style(scenario.title, bold=True))
        click.echo(click.style(f"{self.t['context']} : " if self.lang == "fr" else f"{self.t['context']}: ", dim=True)
                   + scenario.context)
        click.echo(click.style(self.t["customer"], fg="magenta") + " »  " + scenario.incoming)

    def ask(self, session_id: int, scenario: Scenario, kind: str) -> float:
        self.header(scenario)
        return {"spot": self.ask_spot, "best": self.ask_best, "write": self.ask_write}[kind](session_id, scenario)

    def ask_spot(self, session_id: int, scenario: Scenario) -> float:
        click.echo(click.style(self.t["spot_title"], bold=True))
        click.echo(click.style("  " + scenario.spot_draft.replace("\n", "\n  "), fg="yellow"))
        for number, check in enumerate(CHECKS, 1):
            click.echo(f"  {number}. {self.t['checks'][check]} ({check})")
        while True:
            raw = click.prompt(self.t["spot_prompt"], default="0")
            try:
                numbers = {int(x) for x in raw.replace(" ", "").split(",") if x}
                if all(0 <= n <= len(CHECKS) for n in numbers):
                    break
            except ValueError:
                pass
        picked = {CHECKS[n - 1] for n in numbers if n}
        score, per_check = score_spot(scenario, picked)
        self.feedback(score)
        click.echo(f"  {self.t['expected']} : " + ", ".join(self.t["checks"][c] for c in scenario.spot_faults))
        click.echo(click.style(f"  {self.t['why']} : {scenario.spot_explanation}", dim=True))
        self.store.record(session_id, self.trainee_id, scenario.id, "spot", score, per_check,
                          {"picked": sorted(picked)})
        return score

    def ask_best(self, session_id: int, scenario: Scenario) -> float:
        click.echo(click.style(self.t["best_title"], bold=True))
        order = list(range(len(scenario.candidates)))
        self.rng.shuffle(order)
        letters = "ABCD"
        for letter, index in zip(letters, order):
            click.echo(f"  {letter}. " + scenario.candidates[index].text.replace("\n", "\n     "))
        choice = click.prompt(self.t["best_prompt"], type=click.Choice(list(letters[: len(order)]),
                                                                       case_sensitive=False))
        index = order[letters.index(choice.upper())]
        score, per_check = score_best(scenario, index)
        self.feedback(score)
        for letter, i in zip(letters, order):
            candidate = scenario.candidates[i]
            mark = click.style("✔", fg="green") if candidate.correct else click.style("✘", fg="red")
            click.echo(f"  {mark} {letter}: {candidate.why}")
        self.store.record(session_id, self.trainee_id, scenario.id, "best", score, per_check, {"chosen": index})
        return score

    def ask_write(self, session_id: int, scenario: Scenario) -> float:
        from ..formatters import to_text
        from ..inputs import Draft
        from ..rewrite import attach_rewrite

        click.echo(click.style(self.t["write_title"], bold=True) + " — " + scenario.write_prompt)
        first = None
        attempt = 0
        while True:
            attempt += 1
            click.echo(click.style(self.t["write_help"], dim=True))
            text = self.read_text()
            draft = Draft(id=None, reply=text, incoming=scenario.incoming, lang=self.lang,
                          customer_name=scenario.customer_name)
            review = self.reviewer.review_draft(draft)
            if review.status != "reviewed":
                click.echo(click.style(review.error or review.status, fg="magenta"))
                score, per_check = 0.0, {c: 0 for c in CHECKS}
            else:
                score, per_check = score_written(review)
                review = attach_rewrite(review, draft, self.reviewer)
                click.echo(to_text(review, "→"))
            self.store.record(session_id, self.trainee_id, scenario.id, "write" if attempt == 1 else "write-retry",
                              score, per_check, {"verdict": review.verdict, "flagged": list(flagged_checks(review))
                                                 if review.status == "reviewed" else []})
            first = score if first is None else first
            self.feedback(score)
            if score == 1 or attempt >= 3 or not click.confirm(self.t["retry"], default=False):
                break
        click.echo(click.style(self.t["model_answer"], bold=True) + ":\n  " + scenario.model_answer.replace("\n", "\n  "))
        return first

    def feedback(self, score: float) -> None:
        if score == 1:
            click.echo(click.style(self.t["right"], fg="green", bold=True))
        elif score > 0:
            click.echo(click.style(self.t["partial"].format(score=score), fg="yellow", bold=True))
        else:
            click.echo(click.style(self.t["wrong"], fg="red", bold=True))

    @staticmethod
    def _read_inline() -> str:
        lines = []
        stream = sys.stdin
        while True:
            line = stream.readline()
            if not line or line.strip() == ".":
                break
            lines.append(line.rstrip("\n"))
        return "\n".join(lines)
