"""`coach eval`: precision, recall and F1 per check and language on labelled replies.

"Flagged" means missing/vague/found: the statuses that ask the agent to change something. Also
reports the timeline status confusion, verdict accuracy, the share of good replies wrongly
blocked, and the misses with their text.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from .errors import InputError
from .inputs import Draft

CHECKS = ("acknowledgement", "timeline", "empathy", "defensive", "blame", "contempt", "dismissive", "effort")
FLAGGED = {"missing", "vague", "found"}


def load_labelled(path: str | Path) -> list[dict]:
    rows = []
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError("E040", f"{path} line {number}: not valid JSON ({exc.msg})") from None
                if "reply" not in row or "expected" not in row:
                    raise InputError("E045", f"{path} line {number}: needs 'reply' and 'expected'")
                rows.append(row)
    except FileNotFoundError:
        raise InputError("E001", f"{path}: no such file") from None
    return rows


def evaluate(rows: list[dict], reviewer) -> dict:
    drafts = [Draft(id=r.get("id"), reply=r["reply"], incoming=r.get("incoming"), lang=r.get("lang"),
                    customer_name=r.get("customer_name")) for r in rows]
    reviews = reviewer.review_many(drafts)
    per_lang: dict[str, dict] = defaultdict(lambda: {"counts": defaultdict(Counter), "timeline": Counter(),
                                                     "verdict_ok": 0, "n": 0, "good": 0, "good_blocked": 0,
                                                     "misses": []})
    for row, review in zip(rows, reviews):
        lang = row.get("lang") or review.language or "?"
        stats = per_lang[lang]
        stats["n"] += 1
        expected = row["expected"]
        if review.verdict == expected["verdict"]:
            stats["verdict_ok"] += 1
        if expected["verdict"] == "send":
            stats["good"] += 1
            stats["good_blocked"] += review.verdict == "block"
        for check in CHECKS:
            want = expected["checks"][check]
            got = review.checks[check].status if check in review.checks else "error"
            truth, flagged = want in FLAGGED, got in FLAGGED
            key = "tp" if truth and flagged else "fn" if truth else "fp" if flagged else "tn"
            stats["counts"][check][key] += 1
            if check == "timeline":
                stats["timeline"][f"{want}->{got}"] += 1
            if truth != flagged:
                stats["misses"].append({"id": row.get("id"), "check": check, "expected": want, "got": got,
                                        "reply": review.text_reviewed[:300]})
    report = {}
    for lang, stats in sorted(per_lang.items()):
        checks = {}
        for check in CHECKS:
            c = stats["counts"][check]
            precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
            recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            checks[check] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                             "support": c["tp"] + c["fn"]}
        report[lang] = {
            "replies": stats["n"], "checks": checks,
            "verdict_accuracy": round(stats["verdict_ok"] / stats["n"], 3) if stats["n"] else 0.0,
            "good_blocked_rate": round(stats["good_blocked"] / stats["good"], 3) if stats["good"] else 0.0,
            "timeline_confusion": dict(sorted(stats["timeline"].items())),
            "misses": stats["misses"],
        }
    return report


def format_report(report: dict, show_misses: int = 20) -> str:
    lines = []
    for lang, data in report.items():
        lines.append(f"## {lang}: {data['replies']} replies, verdict accuracy {data['verdict_accuracy']:.3f}, "
                     f"good replies blocked {data['good_blocked_rate']:.3f}")
        lines.append(f"{'check':<16} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}")
        for check, m in data["checks"].items():
            lines.append(f"{check:<16} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} {m['support']:>5}")
        lines.append("timeline (expected->got): " + ", ".join(f"{k} {v}" for k, v in data["timeline_confusion"].items()))
        if show_misses:
            lines.append(f"misses ({len(data['misses'])}, first {show_misses}):")
            for miss in data["misses"][:show_misses]:
                lines.append(f"  {miss['id']} {miss['check']}: expected {miss['expected']}, got {miss['got']} | "
                             + miss["reply"].replace("\n", " ")[:160])
        lines.append("")
    return "\n".join(lines)
