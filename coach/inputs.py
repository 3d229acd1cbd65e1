"""Reading drafts from files, stdin, .eml messages, HTML bodies and JSONL batches.

Input is never modified: files are opened read-only. Every way input can be unusable (empty,
binary, wrong encoding, too large, malformed mail) becomes an `InputError` with one clear line.
"""
from __future__ import annotations

import email
import email.policy
import json
import sys
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

from .errors import InputError
from .htmltext import html_to_text, looks_like_html


@dataclass(frozen=True)
class Draft:
    """One draft to review, with whatever context came with it."""

    id: str | None
    reply: str
    incoming: str | None = None
    lang: str | None = None
    customer_name: str | None = None
    agent: str | None = None
    source: str = "-"


def read_bytes(name: str, max_bytes: int) -> bytes:
    """Bytes of a file or of stdin ('-'), refusing anything over `max_bytes`."""
    if name == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        path = Path(name)
        if not path.exists():
            raise InputError("E001", f"{name}: no such file")
        if path.is_dir():
            raise InputError("E002", f"{name}: is a directory, not a draft")
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise InputError("E003", f"{name}: too large ({size:,} bytes; the limit is {max_bytes:,}, "
                                 "set max_bytes in coach.toml to raise it)")
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
        except PermissionError:
            raise InputError("E004", f"{name}: permission denied") from None
        except OSError as exc:
            raise InputError("E004", f"{name}: cannot be read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise InputError("E003", f"{name}: too large (over {max_bytes:,} bytes; set max_bytes in coach.toml "
                         "to raise the limit)")
    return data


def decode(name: str, data: bytes, encoding: str | None = None) -> str:
    """Text of `data`: UTF-8 (BOM allowed) unless `encoding` says otherwise."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("E005", f"{name}: looks like a binary file, not a text draft")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and encoding is None:
        encoding = "utf-16"
    try:
        text = data.decode(encoding or "utf-8-sig")
    except LookupError:
        raise InputError("E006", f"unknown encoding '{encoding}'") from None
    except UnicodeDecodeError as exc:
        raise InputError("E007", f"{name}: not valid {encoding or 'UTF-8'} (byte 0x{data[exc.start]:02x} at offset "
                         f"{exc.start}); give the right one with --encoding, e.g. --encoding cp1252") from None
    controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(8, len(text[:8192]) // 50):
        raise InputError("E005", f"{name}: looks like a binary file, not a text draft")
    return text


def looks_like_email(text: str) -> bool:
    head = text.lstrip()[:4000].replace("\r\n", "\n").split("\n\n", 1)[0]
    lines = [line for line in head.split("\n") if line and not line[0].isspace()]
    fields = [line.split(":", 1)[0].lower() for line in lines if ":" in line and " " not in line.split(":", 1)[0]]
    known = {"from", "to", "subject", "date", "mime-version", "content-type", "message-id", "received", "cc"}
    return len(lines) >= 2 and len(fields) == len(lines) and len(known & set(fields)) >= 2


def _body_text(message: EmailMessage, name: str) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        raise InputError("E008", f"{name}: malformed e-mail: no text or HTML body found")
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "utf-8"
        raise InputError("E009", f"{name}: e-mail body declares charset '{charset}' but cannot be decoded "
                         f"({len(payload)} bytes)") from None
    except Exception as exc:  # the email package raises many types on broken MIME
        raise InputError("E008", f"{name}: malformed e-mail body ({type(exc).__name__})") from None
    if not isinstance(content, str):
        raise InputError("E008", f"{name}: malformed e-mail: the body is not text")
    if part.get_content_subtype() == "html":
        content = html_to_text(content)
    return content


def parse_email(name: str, data: bytes) -> Draft:
    """A draft from an RFC 822 message: body text, the recipient's name as customer_name."""
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
    except Exception as exc:
        raise InputError("E008", f"{name}: malformed e-mail ({type(exc).__name__})") from None
    if not message.keys():
        raise InputError("E008", f"{name}: malformed e-mail: no headers")
    body = _body_text(message, name)
    customer = None
    try:
        recipients = getaddresses([str(v) for v in message.get_all("To", [])])
        customer = next((n for n, _ in recipients if n), None)
        agent = next((n for n, _ in getaddresses([str(message.get("From", ""))]) if n), None)
    except Exception:
        agent = None
    return Draft(id=Path(name).name if name != "-" else None, reply=body, customer_name=customer, agent=agent,
                 source=name)


def load_draft(name: str, *, max_bytes: int, encoding: str | None = None) -> Draft:
    """Read one draft file (plain text, HTML or .eml) or stdin."""
    data = read_bytes(name, max_bytes)
    is_eml = name.lower().endswith(".eml")
    if is_eml or (not data.lstrip()[:1] == b"<" and looks_like_email(data[:4000].decode("latin-1"))):
        if b"\x00" in data[:8192]:
            raise InputError("E005", f"{name}: looks like a binary file, not an e-mail")
        return parse_email(name, data)
    text = decode(name, data, encoding)
    if name.lower().endswith((".html", ".htm")) or looks_like_html(text):
        text = html_to_text(text)
    return Draft(id=None if name == "-" else Path(name).name, reply=text, source=name)


def load_incoming(name: str, *, max_bytes: int, encoding: str | None = None) -> str:
    draft = load_draft(name, max_bytes=max_bytes, encoding=encoding)
    return draft.reply


_JSONL_FIELDS = {"id", "reply", "incoming", "lang", "customer_name", "agent"}


def parse_jsonl_line(line: str, number: int) -> Draft:
    """One batch line; raises InputError naming the line and the field."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError("E040", f"line {number}: not valid JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise InputError("E041", f"line {number}: expected a JSON object")
    if not isinstance(obj.get("reply"), str):
        raise InputError("E042", f"line {number}: field 'reply' is required and must be a string")
    for key in ("id", "incoming", "lang", "customer_name", "agent"):
        if obj.get(key) is not None and not isinstance(obj[key], (str, int)):
            raise InputError("E043", f"line {number}: field '{key}' must be a string")
    lang = obj.get("lang")
    if lang is not None and lang not in ("fr", "en"):
        raise InputError("E044", f"line {number}: field 'lang' must be 'fr' or 'en', got {lang!r}")
    ident = obj.get("id")
    return Draft(id=str(ident) if ident is not None else str(number), reply=obj["reply"], incoming=obj.get("incoming"),
                 lang=lang, customer_name=obj.get("customer_name"), agent=obj.get("agent"), source=f"line {number}")
