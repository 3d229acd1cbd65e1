"""Load on the SMTP gate: N messages from C concurrent clients through the gate to a loopback
upstream. Reports throughput and latency, and checks that nothing is lost. Loopback only."""
from __future__ import annotations

import argparse
import smtplib
import socket
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

from coach.mailgate import GateSettings, start_gate  # noqa: E402
from coach.reviewer import Reviewer  # noqa: E402

BODIES = [
    "Bonjour,\n\nMerci pour votre message. Je suis désolé pour ce retard : votre colis arrivera d'ici jeudi.\n\nClaire",
    "Hi Sam,\n\nThanks for flagging this, and sorry for the trouble. Your refund will reach your card within 3 "
    "business days.\n\nPriya",
    "Bonjour,\n\nNous sommes débordés, attendez lundi.\n\nMarc",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--clients", type=int, default=10)
    args = parser.parse_args()
    sink = Sink()
    upstream_port, gate_port = free_port(), free_port()
    upstream = Controller(sink, hostname="127.0.0.1", port=upstream_port)
    upstream.start()
    reviewer = Reviewer()
    reviewer.review("Bonjour merci", lang="fr")
    reviewer.review("Hello thanks", lang="en")
    gate = start_gate(reviewer, GateSettings(upstream_host="127.0.0.1", upstream_port=upstream_port), "127.0.0.1",
                      gate_port)
    outcomes = {"relayed": 0, "refused": 0, "error": 0}
    latencies: list[float] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "agent@example.com", "client@example.com", f"Re: ticket {i}"
        msg.set_content(BODIES[i % len(BODIES)])
        start = time.perf_counter()
        try:
            with smtplib.SMTP("127.0.0.1", gate_port, timeout=60) as client:
                client.send_message(msg)
            kind = "relayed"
        except smtplib.SMTPDataError as exc:
            kind = "refused" if exc.smtp_code == 550 else "error"
        except Exception:
            kind = "error"
        with lock:
            outcomes[kind] += 1
            latencies.append((time.perf_counter() - start) * 1000)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        list(pool.map(one, range(args.messages)))
    elapsed = time.perf_counter() - started
    gate.stop()
    upstream.stop()
    latencies.sort()
    print(f"| messages / clients | {args.messages} / {args.clients} |")
    print(f"| relayed / refused / errors | {outcomes['relayed']} / {outcomes['refused']} / {outcomes['error']} |")
    print(f"| received upstream | {sink.count} (lost: {outcomes['relayed'] - sink.count}) |")
    print(f"| throughput | {args.messages / elapsed:.1f} messages/s |")
    print(f"| latency p50 / p95 | {statistics.median(latencies):.0f} / "
          f"{latencies[int(0.95 * (len(latencies) - 1))]:.0f} ms |")


if __name__ == "__main__":
    main()
