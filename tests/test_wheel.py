"""The installed wheel works exactly like the checkout: lexicons, templates, models, page and quiz
bank are packaged, and a reply is reviewed from the installed package."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_the_data_and_reviews_a_reply(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(tmp_path.glob("reply_coach-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("coach/lexicons/fr/defensive/workload-excuse.yml", "coach/lexicons/en/meta.yml",
                   "coach/lexicons/mail.yml", "coach/templates/fr/reply.txt.j2", "coach/templates/en/situations.yml",
                   "coach/models/fr.npz", "coach/models/en.json", "coach/models/incoming-fr.npz",
                   "coach/models/reply-fr.json", "coach/models/reply-en.json",
                   "coach/static/index.html", "coach/quizbank/fr/fr-q-001.yaml"):
        assert needed in names, needed
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    code = ("import json, coach; r = coach.review('Bonjour, nous sommes débordés, attendez lundi.'); "
            "print(json.dumps({'file': coach.__file__, 'verdict': r.verdict, 'rules': [f.rule for f in r.findings]}))")
    env = dict(os.environ, PYTHONPATH=str(unpacked))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["file"].startswith(str(unpacked))
    assert result["verdict"] == "block" and "defensive.workload-excuse" in result["rules"]
