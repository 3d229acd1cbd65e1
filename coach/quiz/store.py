"""Quiz progress in SQLite: every answer is written as soon as it is given, so an interrupted
session loses nothing and can be resumed."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS trainees (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  id INTEGER PRIMARY KEY, trainee_id INTEGER NOT NULL REFERENCES trainees(id), lang TEXT NOT NULL,
  plan TEXT NOT NULL, started TEXT NOT NULL, finished TEXT);
CREATE TABLE IF NOT EXISTS answers (
  id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id),
  trainee_id INTEGER NOT NULL REFERENCES trainees(id), scenario TEXT NOT NULL, kind TEXT NOT NULL,
  score REAL NOT NULL, per_check TEXT NOT NULL, detail TEXT NOT NULL, answered TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS answers_by_trainee ON answers(trainee_id, answered);
"""


def default_db() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("reply-coach", appauthor=False)) / "quiz.sqlite"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """A trainee-progress database; one connection, autocommit after each write."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.row_factory = sqlite3.Row
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def trainee(self, name: str) -> int:
        with self.db:
            self.db.execute("INSERT OR IGNORE INTO trainees(name, created) VALUES (?, ?)", (name, now()))
        return self.db.execute("SELECT id FROM trainees WHERE name = ?", (name,)).fetchone()["id"]

    def open_session(self, trainee_id: int, lang: str) -> sqlite3.Row | None:
        return self.db.execute(
            "SELECT * FROM sessions WHERE trainee_id = ? AND lang = ? AND finished IS NULL ORDER BY id DESC LIMIT 1",
            (trainee_id, lang)).fetchone()

    def start_session(self, trainee_id: int, lang: str, plan: list[tuple[str, str]]) -> int:
        with self.db:
            cursor = self.db.execute("INSERT INTO sessions(trainee_id, lang, plan, started) VALUES (?, ?, ?, ?)",
                                     (trainee_id, lang, json.dumps(plan), now()))
        return cursor.lastrowid

    def finish_session(self, session_id: int) -> None:
        with self.db:
            self.db.execute("UPDATE sessions SET finished = ? WHERE id = ?", (now(), session_id))

    def record(self, session_id: int, trainee_id: int, scenario: str, kind: str, score: float,
               per_check: dict[str, int], detail: dict) -> None:
        with self.db:
            self.db.execute(
                "INSERT INTO answers(session_id, trainee_id, scenario, kind, score, per_check, detail, answered) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, trainee_id, scenario, kind, score, json.dumps(per_check), json.dumps(detail), now()))

    def answered_in(self, session_id: int) -> list[tuple[str, str]]:
        rows = self.db.execute("SELECT scenario, kind FROM answers WHERE session_id = ? ORDER BY id", (session_id,))
        return [(r["scenario"], r["kind"]) for r in rows]

    def history(self, trainee_id: int) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM answers WHERE trainee_id = ? ORDER BY id", (trainee_id,)).fetchall()

    def trainees(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM trainees ORDER BY name").fetchall()


def open_store(path: Path | None) -> Store:
    return Store(path or default_db())


__all__ = ["Store", "default_db", "open_store"]
