"""The mail gate with real SMTP on loopback: smtplib client -> coach gate -> aiosmtpd upstream."""
from __future__ import annotations

import smtplib
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from coach.mailgate import GateSettings, remove_override, start_gate

GOOD = ("Bonjour Madame Roy,\n\nMerci pour votre message. Je suis désolé pour ce retard : votre colis part "
        "aujourd'hui et arrivera d'ici jeudi.\n\nBien à vous,\nClaire\n")
BAD = "Bonjour,\n\nNous sommes débordés, c'est votre point de vue. Attendez lundi.\n\nCordialement,\nMarc\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """Upstream server: keeps every message exactly as received."""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []
        self.lock = threading.Lock()
        self.answer = None  # e.g. "451 4.3.2 try later"

    async def handle_DATA(self, server, session, envelope):
        if self.answer:
            return self.answer
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture()
def upstream():
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True, decode_data=False)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture()
def gate(reviewer, upstream):
    sink, upstream_port = upstream
    settings = GateSettings(upstream_host="127.0.0.1", upstream_port=upstream_port, upstream_timeout=5,
                            max_size=5_000_000)
    port = free_port()
    controller = start_gate(reviewer, settings, "127.0.0.1", port)
    yield port, sink
    controller.stop()


def message(body: str, subject: str = "Re: votre commande", to=("client@example.com",), **headers) -> bytes:
    msg = EmailMessage()
    msg["From"] = "agent@support.example"
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Message-ID"] = "<test@example>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body, charset="utf-8", cte="8bit")
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def send(port: int, raw: bytes, to=("client@example.com",), options=()):
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        return client.sendmail("agent@support.example", list(to), raw, mail_options=list(options))


def test_good_reply_arrives_byte_identical(gate):
    port, sink = gate
    raw = message(GOOD)
    send(port, raw)
    assert sink.received[0][2] == raw


def test_defensive_reply_is_refused_with_the_reasons(gate):
    port, sink = gate
    with pytest.raises(smtplib.SMTPDataError) as info:
        send(port, message(BAD))
    assert info.value.smtp_code == 550
    text = info.value.smtp_error.decode()
    assert "defensive" in text and "send-anyway" in text
    assert not sink.received


def test_override_tag_sends_anyway_and_is_removed(gate, caplog):
    port, sink = gate
    send(port, message(BAD, subject="Re: votre commande [send-anyway]"))
    relayed = sink.received[0][2]
    assert b"[send-anyway]" not in relayed and b"Subject: Re: votre commande\r\n" in relayed
    assert "override" in caplog.text and "débordés" not in caplog.text  # logged, without the text


def test_override_header_is_removed_and_nothing_else_changes(gate):
    port, sink = gate
    raw = message(BAD, X_Coach_Override="yes")
    send(port, raw)
    assert sink.received[0][2] == raw.replace(b"X-Coach-Override: yes\r\n", b"")


def test_upstream_down_gives_a_temporary_failure(reviewer):
    settings = GateSettings(upstream_host="127.0.0.1", upstream_port=free_port(), upstream_timeout=2)
    port = free_port()
    controller = start_gate(reviewer, settings, "127.0.0.1", port)
    try:
        with pytest.raises(smtplib.SMTPDataError) as info:
            send(port, message(GOOD))
        assert 400 <= info.value.smtp_code < 500  # the client keeps the message and retries
    finally:
        controller.stop()


def test_upstream_temporary_error_is_passed_on_as_temporary(gate):
    port, sink = gate
    sink.answer = "451 4.3.2 try later"
    with pytest.raises(smtplib.SMTPDataError) as info:
        send(port, message(GOOD))
    assert info.value.smtp_code == 451


def test_several_recipients_8bit_and_smtputf8(gate):
    port, sink = gate
    to = ("client@example.com", "copie@example.com", "jérôme@exemple.fr")
    raw = message(GOOD + "Pièce jointe : 25 € TTC, reçu n° 4521.\n", to=to)
    send(port, raw, to=to, options=("SMTPUTF8", "BODY=8BITMIME"))
    assert sink.received[0][1] == list(to)
    assert sink.received[0][2] == raw


def test_large_attachment_goes_through_untouched(gate):
    port, sink = gate
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "agent@support.example", "client@example.com", "Facture"
    msg.set_content(GOOD)
    msg.add_attachment(bytes(range(256)) * 8000, maintype="application", subtype="pdf", filename="facture.pdf")
    raw = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
    send(port, raw)
    assert sink.received[0][2] == raw


def test_malformed_message_gets_a_clear_refusal(gate):
    port, sink = gate
    raw = b"From: a@example.com\r\nTo: b@example.com\r\nContent-Type: text/plain; charset=klingon-8\r\n\r\nHello"
    with pytest.raises(smtplib.SMTPDataError) as info:
        send(port, raw)
    assert info.value.smtp_code == 554 and b"charset" in info.value.smtp_error
    assert not sink.received


def test_bounded_load_loses_nothing(gate):
    port, sink = gate
    raws = [message(GOOD if i % 2 else BAD, subject=f"n{i} [send-anyway]") for i in range(100)]

    def one(raw):
        send(port, raw)

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(one, raws))
    assert len(sink.received) == 100


def test_remove_override_keeps_other_bytes():
    raw = b"From: a\r\nSubject: =?utf-8?q?R=C3=A9ponse_[send-anyway]?=\r\nX-Other: 1\r\n\r\nbody\r\n"
    cleaned, found = remove_override(raw, GateSettings())
    assert found and cleaned.endswith(b"X-Other: 1\r\n\r\nbody\r\n") and b"send-anyway" not in cleaned


def test_sendmail_drop_in(tmp_path):
    import subprocess

    capture = tmp_path / "captured.eml"
    fake = tmp_path / "fake-sendmail"
    fake.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path / 'args'}\ncat > {capture}\n")
    fake.chmod(0o755)
    coach = [sys.executable, "-m", "coach", "sendmail", "--sendmail-command", str(fake)]
    good = message(GOOD)
    done = subprocess.run(coach + ["-t", "-i"], input=good, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert capture.read_bytes() == good
    assert (tmp_path / "args").read_text().split() == ["-t", "-i"]
    capture.unlink()
    refused = subprocess.run(coach + ["-t"], input=message(BAD), capture_output=True)
    assert refused.returncode == 1
    assert b"defensive" in refused.stderr and not capture.exists()
