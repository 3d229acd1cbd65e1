"""Load on `coach serve`: C concurrent clients send mixed FR/EN drafts for D seconds (loopback
only, bounded in count and time). Reports errors, throughput and latency percentiles.

Each client waits `--think` seconds between requests (an agent pausing while typing); with
`--think 0` the clients send back to back and the figures show the saturation point instead.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_review import corpus  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.5)
    parser.add_argument("--max-requests", type=int, default=200_000)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "coach"), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        drafts = [json.dumps({"reply": text}).encode() for _, text in corpus(400, seed=3)]
        latencies: list[float] = []
        errors = [0]
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds

        def client(seed: int) -> None:
            rng = random.Random(seed)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while time.monotonic() < stop_at and len(latencies) < args.max_requests:
                body = rng.choice(drafts)
                start = time.perf_counter()
                try:
                    conn.request("POST", "/v1/review", body=body, headers={"Content-Type": "application/json"})
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                except OSError:
                    ok = False
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    latencies.append((time.perf_counter() - start) * 1000)
                    errors[0] += 0 if ok else 1
                if args.think:
                    time.sleep(rng.uniform(0, 2 * args.think))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        latencies.sort()
        print(f"| clients / seconds / think | {args.clients} / {args.seconds:g} / {args.think:g} s |")
        print(f"| requests / errors | {len(latencies)} / {errors[0]} |")
        print(f"| throughput | {len(latencies) / elapsed:.0f} requests/s |")
        print(f"| latency p50 / p95 / p99 | {statistics.median(latencies):.0f} / "
              f"{latencies[int(0.95 * (len(latencies) - 1))]:.0f} / {latencies[int(0.99 * (len(latencies) - 1))]:.0f} ms |")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
