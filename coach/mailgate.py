"""The mail gate: the check on the path every outgoing mail already takes.

`coach smtp-gate` is an SMTP relay (aiosmtpd) that agents' mail clients use as their outgoing
server; `coach sendmail` is the same check as a drop-in for sendmail-compatible clients. A
message whose verdict reaches the configured level is refused with a permanent error that says
what to fix (the client keeps the draft); anything else is handed on unchanged, byte for byte.
The gate never accepts a message it has not handed on: an unreachable or hesitating upstream
gives a temporary error, so the client retries. Overrides and refusals are logged without text.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import email
import email.policy
import logging
import re
import smtplib
import ssl
import unicodedata
from dataclasses import dataclass
from email.header import Header, decode_header, make_header

from .errors import InputError
from .findings import Review
from .inputs import parse_email

log = logging.getLogger("coach.gate")
FAIL_LEVELS = {"block": ("block",), "revise": ("block", "revise")}


@dataclass(frozen=True)
class GateSettings:
    upstream_host: str = "127.0.0.1"
    upstream_port: int = 25
    upstream_security: str = "none"  # none | starttls | tls
    upstream_user: str = ""
    upstream_password: str = ""
    upstream_timeout: float = 30.0
    fail_on: str = "block"
    max_size: int = 26_214_400
    override_header: str = "X-Coach-Override"
    override_tag: str = "[send-anyway]"


@dataclass(frozen=True)
class Decision:
    action: str  # "relay" or "refuse"
    data: bytes  # what to hand on (the original bytes, less an override marker)
    reply: str = ""  # the refusal, one or two lines
    override: bool = False
    verdict: str | None = None


class TemporaryFailure(Exception):
    """The upstream is unreachable or answered 4xx: the client must retry."""


class PermanentFailure(Exception):
    """The upstream refused for good (5xx): the client keeps the message and tells the agent."""


# -- deciding -------------------------------------------------------------------------------
def _split(raw: bytes) -> tuple[bytes, bytes, bytes]:
    match = re.search(rb"\r?\n\r?\n", raw)
    if not match:
        return raw, b"", b""
    return raw[: match.start()], raw[match.start(): match.end()], raw[match.end():]


def _header_lines(head: bytes) -> list[bytes]:
    """Header fields with their continuation lines, each ending with its own line break."""
    fields: list[bytes] = []
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += line
        else:
            fields.append(line)
    return fields


def remove_override(raw: bytes, settings: GateSettings) -> tuple[bytes, bool]:
    """Strip the override header or subject tag; everything else stays byte for byte."""
    head, sep, body = _split(raw)
    fields = _header_lines(head)
    name = settings.override_header.lower().encode()
    kept, found = [], False
    for field in fields:
        field_name = field.split(b":", 1)[0].strip().lower()
        if field_name == name:
            found = True
            continue
        if field_name == b"subject" and settings.override_tag:
            value = field.split(b":", 1)[1]
            decoded = str(make_header(decode_header(value.decode("ascii", "replace").strip())))
            if settings.override_tag.lower() in decoded.lower():
                found = True
                cleaned = re.sub(r"\s*" + re.escape(settings.override_tag), "", decoded, flags=re.I).strip()
                ending = b"\r\n" if field.endswith(b"\r\n") else b"\n"
                if cleaned.isascii():
                    field = b"Subject: " + cleaned.encode() + ending
                else:
                    field = b"Subject: " + Header(cleaned, "utf-8").encode().encode() + ending
        kept.append(field)
    if not found:
        return raw, False
    rebuilt = b"".join(kept)
    if fields and not fields[-1].endswith((b"\n",)) and rebuilt.endswith(b"\n"):
        rebuilt = rebuilt.rstrip(b"\r\n")
    return rebuilt + sep + body, True


def _ascii(text: str) -> str:
    text = text.replace("«", '"').replace("»", '"').replace("’", "'").replace("…", "...")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "replace").decode()


def refusal_text(review: Review, settings: GateSettings) -> str:
    """One or two lines telling the agent what to fix, in the message's language (ASCII for SMTP)."""
    from .lexicon import check_messages

    words = check_messages(review.language)["gate"]
    gated = [f for f in review.findings if f.level in FAIL_LEVELS[settings.fail_on]]
    reasons = "; ".join(f"{f.rule}" + (f' "{f.text[:60]}"' if f.text else "") for f in gated[:4])
    first = words["refused"].format(verdict=review.verdict, score=review.score, reasons=reasons)
    second = words["how"].format(tag=settings.override_tag, header=settings.override_header)
    return f"550-5.7.1 {_ascii(first)[:400]}\r\n550 5.7.1 {_ascii(second)[:400]}"


def decide(raw: bytes, reviewer, settings: GateSettings) -> Decision:
    """Review the agent's own words of a message and decide: relay as is, or refuse."""
    if not raw.strip():
        return Decision("refuse", raw, "554 5.6.0 coach: empty message")
    data, override = remove_override(raw, settings)
    try:
        draft = parse_email("message", raw)
    except InputError as exc:
        if "no text or HTML body" in exc.message:
            return Decision("relay", data, override=override)  # nothing written to review
        return Decision("refuse", raw, f"554 5.6.0 coach: {_ascii(exc.message)[:300]}")
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    ident = message.get("Message-ID", "<no message-id>")
    review = reviewer.review_draft(draft)
    if review.status != "reviewed":
        log.info("relay %s: not reviewed (%s)", ident, review.status)
        return Decision("relay", data, override=override)
    if review.verdict in FAIL_LEVELS[settings.fail_on]:
        if override:
            log.warning("override %s: sent anyway with verdict %s (rules: %s)", ident, review.verdict,
                        ",".join(sorted({f.rule for f in review.findings if f.level != "hint"})))
            return Decision("relay", data, override=True, verdict=review.verdict)
        log.info("refuse %s: verdict %s", ident, review.verdict)
        return Decision("refuse", raw, refusal_text(review, settings), verdict=review.verdict)
    return Decision("relay", data, override=override, verdict=review.verdict)


# -- handing on -----------------------------------------------------------------------------
class Relay:
    """Hands a message to the upstream server, all recipients or none."""

    def __init__(self, settings: GateSettings):
        self.settings = settings

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.upstream_security == "tls":
            client = smtplib.SMTP_SSL(s.upstream_host, s.upstream_port, timeout=s.upstream_timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(s.upstream_host, s.upstream_port, timeout=s.upstream_timeout)
            if s.upstream_security == "starttls":
                client.starttls(context=ssl.create_default_context())
        client.ehlo_or_helo_if_needed()
        if s.upstream_user:
            client.login(s.upstream_user, s.upstream_password)
        return client

    def send(self, sender: str, recipients: list[str], data: bytes, mail_options: list[str]) -> None:
        try:
            client = self._connect()
        except smtplib.SMTPAuthenticationError as exc:
            log.error("upstream refused the gate's credentials (%s)", exc.smtp_code)
            raise TemporaryFailure("upstream authentication failed") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"upstream unreachable ({type(exc).__name__})") from None
        try:
            options = [o for o in mail_options if o.upper() in ("SMTPUTF8", "BODY=8BITMIME")]
            self._check(*client.mail(sender, options))
            for recipient in recipients:
                code, text = client.rcpt(recipient)
                if code not in (250, 251):
                    client.rset()
                    self._check(code, text, recipient)
            self._check(*client.data(data))
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            raise TemporaryFailure(f"upstream connection lost ({type(exc).__name__})") from None
        finally:
            try:
                client.quit()
            except Exception:
                client.close()

    @staticmethod
    def _check(code: int, text: bytes, recipient: str | None = None) -> None:
        if code in (250, 251, 354):
            return
        where = f" for {recipient}" if recipient else ""
        detail = text.decode("ascii", "replace")[:200] if isinstance(text, bytes) else str(text)[:200]
        if 400 <= code < 500:
            raise TemporaryFailure(f"upstream answered {code}{where}: {detail}")
        raise PermanentFailure(f"upstream refused{where}: {code} {detail}")


class GateHandler:
    """aiosmtpd handler: review in a worker thread, then refuse or relay."""

    def __init__(self, reviewer, settings: GateSettings, relay: Relay | None = None, workers: int = 4):
        self.reviewer = reviewer
        self.settings = settings
        self.relay = relay or Relay(settings)
        self.executor = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="coach-gate")

    async def handle_DATA(self, server, session, envelope) -> str:
        raw = envelope.original_content or envelope.content
        loop = asyncio.get_running_loop()
        try:
            decision = await loop.run_in_executor(self.executor, decide, raw, self.reviewer, self.settings)
        except Exception:  # a bug must not lose mail: ask the client to retry
            log.exception("internal error while reviewing a message")
            return "451 4.3.0 coach: internal error while checking the message, try again later"
        if decision.action == "refuse":
            return decision.reply
        try:
            await loop.run_in_executor(self.executor, self.relay.send, envelope.mail_from, list(envelope.rcpt_tos),
                                       decision.data, list(envelope.mail_options))
        except TemporaryFailure as exc:
            log.warning("temporary failure: %s", exc)
            return f"451 4.4.1 coach: {_ascii(str(exc))[:300]}; try again later"
        except PermanentFailure as exc:
            log.warning("permanent failure: %s", exc)
            return f"550 5.0.0 coach: {_ascii(str(exc))[:300]}"
        return "250 2.0.0 OK: checked and handed on"


def start_gate(reviewer, settings: GateSettings, host: str = "127.0.0.1", port: int = 8025):
    """Start the gate in a background thread; returns the aiosmtpd Controller (call .stop())."""
    from aiosmtpd.controller import Controller

    controller = Controller(GateHandler(reviewer, settings), hostname=host, port=port,
                            data_size_limit=settings.max_size, enable_SMTPUTF8=True, decode_data=False,
                            ident="coach smtp-gate")
    controller.start()
    return controller
