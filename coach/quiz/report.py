"""`coach quiz report`: progress per trainee and per check over time, as text, CSV or an HTML
page with charts (inline SVG, no script, opens offline)."""
from __future__ import annotations

import csv
import html
import io
import json
from collections import defaultdict

from ..rules import CHECKS
from .engine import mastery

COLOURS = ["#175cd3", "#b42318", "#067647", "#b54708", "#6941c6", "#c11574", "#0e9384", "#475467"]


def progress(store, trainee: str | None = None) -> dict[str, list[dict]]:
    """Per trainee: one row per day with the mastery of each check at the end of that day."""
    data: dict[str, list[dict]] = {}
    for row in store.trainees():
        if trainee and row["name"] != trainee:
            continue
        history = store.history(row["id"])
        by_day: dict[str, list] = defaultdict(list)
        for answer in history:
            by_day[answer["answered"][:10]].append(answer)
        points, so_far = [], []
        for day in sorted(by_day):
            so_far.extend(by_day[day])
            level = mastery(so_far)
            points.append({"date": day, "answers": len(by_day[day]),
                           "score": sum(a["score"] for a in by_day[day]) / len(by_day[day]),
                           **{c: level[c] for c in CHECKS}})
        data[row["name"]] = points
    return data


def as_text(data: dict[str, list[dict]]) -> str:
    lines = []
    for name, points in data.items():
        lines.append(f"{name}: {sum(p['answers'] for p in points)} answers")
        header = f"  {'date':<10} {'n':>3} {'score':>6} " + " ".join(f"{c[:6]:>6}" for c in CHECKS)
        lines.append(header)
        for p in points:
            lines.append(f"  {p['date']:<10} {p['answers']:>3} {p['score']:>6.0%} "
                         + " ".join(f"{p[c]:>6.0%}" for c in CHECKS))
    return "\n".join(lines) or "no trainee yet"


def as_csv(data: dict[str, list[dict]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["trainee", "date", "answers", "score", *CHECKS])
    for name, points in data.items():
        for p in points:
            writer.writerow([name, p["date"], p["answers"], f"{p['score']:.3f}", *(f"{p[c]:.3f}" for c in CHECKS)])
    return out.getvalue()


def _chart(points: list[dict]) -> str:
    width, height, pad = 640, 220, 30
    n = max(1, len(points) - 1)
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="mastery per check over time">',
             f'<rect x="{pad}" y="10" width="{width - 2 * pad}" height="{height - 40}" fill="#f9fafb"/>']
    for level in (0, 0.5, 1):
        y = 10 + (1 - level) * (height - 40)
        parts.append(f'<line x1="{pad}" x2="{width - pad}" y1="{y}" y2="{y}" stroke="#e4e7ec"/>'
                     f'<text x="2" y="{y + 4}" font-size="10">{level:.0%}</text>')
    for colour, check in zip(COLOURS, CHECKS):
        coords = " ".join(f"{pad + i * (width - 2 * pad) / n:.1f},{10 + (1 - p[check]) * (height - 40):.1f}"
                          for i, p in enumerate(points))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}">'
                     f'<title>{check}</title></polyline>')
    for i, p in enumerate(points):
        x = pad + i * (width - 2 * pad) / n
        parts.append(f'<text x="{x - 20:.1f}" y="{height - 12}" font-size="10">{html.escape(p["date"][5:])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def as_html(data: dict[str, list[dict]]) -> str:
    legend = "".join(f'<span style="color:{c}">■ {html.escape(check)}</span> ' for c, check in zip(COLOURS, CHECKS))
    sections = []
    for name, points in data.items():
        if not points:
            continue
        last = points[-1]
        rows = "".join(f"<tr><td>{html.escape(c)}</td><td>{last[c]:.0%}</td></tr>" for c in CHECKS)
        sections.append(f"<section><h2>{html.escape(name)}</h2>{_chart(points)}<p>{legend}</p>"
                        f"<table><tr><th>check</th><th>mastery</th></tr>{rows}</table></section>")
    body = "".join(sections) or "<p>no trainee yet</p>"
    return ("<!doctype html><html><head><meta charset='utf-8'><title>reply-coach quiz report</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1d2939}section{margin-bottom:2rem}"
            "svg{max-width:640px;width:100%}table{border-collapse:collapse}td,th{padding:.2rem .8rem;"
            "border-bottom:1px solid #e4e7ec;text-align:left}</style></head><body><h1>Quiz progress</h1>"
            f"{body}</body></html>")


def render(data: dict[str, list[dict]], fmt: str) -> str:
    return {"text": as_text, "csv": as_csv, "html": as_html, "json": lambda d: json.dumps(d, indent=1)}[fmt](data)
