"""Bad input never produces a traceback, and input files are never modified."""
from __future__ import annotations

import hashlib
import os

import pytest

from coach.errors import InputError
from coach.inputs import load_draft, parse_jsonl_line
from coach.htmltext import html_to_text


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_utf8_with_bom(tmp_path):
    draft = load_draft(write(tmp_path, "a.txt", "\ufeffMerci pour votre message".encode()), max_bytes=1000)
    assert draft.reply == "Merci pour votre message"


def test_wrong_encoding_is_explained_and_overridable(tmp_path):
    name = write(tmp_path, "a.txt", "Désolé pour le délai".encode("cp1252"))
    with pytest.raises(InputError, match="not valid UTF-8.*--encoding"):
        load_draft(name, max_bytes=1000)
    assert load_draft(name, max_bytes=1000, encoding="cp1252").reply == "Désolé pour le délai"


def test_binary_file(tmp_path):
    with pytest.raises(InputError, match="binary"):
        load_draft(write(tmp_path, "a.bin", bytes(range(256)) * 4), max_bytes=10_000)


def test_huge_file_is_refused_quickly(tmp_path):
    name = write(tmp_path, "big.txt", b"a" * 5_000_000)
    with pytest.raises(InputError, match="too large"):
        load_draft(name, max_bytes=1_048_576)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_draft(str(tmp_path / "nope.txt"), max_bytes=1000)
    with pytest.raises(InputError, match="directory"):
        load_draft(str(tmp_path), max_bytes=1000)


def test_input_file_is_not_modified(tmp_path, reviewer):
    name = write(tmp_path, "a.txt", "Nous sommes débordés, attendez lundi.".encode())
    before = hashlib.sha256(open(name, "rb").read()).hexdigest(), os.stat(name).st_mtime_ns
    reviewer.review_draft(load_draft(name, max_bytes=1000))
    assert (hashlib.sha256(open(name, "rb").read()).hexdigest(), os.stat(name).st_mtime_ns) == before


EML = (b"From: Support <support@example.com>\r\nTo: Jane Doe <jane@example.com>\r\nSubject: Re: refund\r\n"
       b"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=XX\r\n\r\n--XX\r\n"
       b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
       b"D=E9sol=E9 pour le retard.\r\n--XX\r\nContent-Type: text/html; charset=utf-8\r\n"
       b"Content-Transfer-Encoding: base64\r\n\r\nPHA+SGVsbG88L3A+\r\n--XX--\r\n")


def test_multipart_quoted_printable_latin1_mail(tmp_path):
    draft = load_draft(write(tmp_path, "m.eml", EML), max_bytes=10_000)
    assert draft.reply.strip() == "Désolé pour le retard."
    assert draft.customer_name == "Jane Doe"


def test_html_only_base64_mail(tmp_path):
    data = (b"From: a@example.com\r\nTo: b@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            b"PHA+VGhhbmtzIGZvciB5b3VyIG1lc3NhZ2UuPC9wPg==\r\n")
    assert load_draft(write(tmp_path, "h.eml", data), max_bytes=10_000).reply.strip() == "Thanks for your message."


def test_malformed_mail(tmp_path):
    data = b"From: a@example.com\r\nTo: b@example.com\r\nContent-Type: image/png\r\n\r\n\x89PNG"
    with pytest.raises(InputError, match="malformed e-mail"):
        load_draft(write(tmp_path, "bad.eml", data), max_bytes=10_000)


def test_unknown_mail_charset(tmp_path):
    data = (b"From: a@example.com\r\nTo: b@example.com\r\nContent-Type: text/plain; charset=klingon-8\r\n\r\nHello")
    with pytest.raises(InputError, match="charset"):
        load_draft(write(tmp_path, "c.eml", data), max_bytes=10_000)


def test_html_blockquote_becomes_quote():
    text = html_to_text("<div>Thanks, on it.</div><blockquote>WHERE IS MY ORDER???</blockquote>")
    assert text.splitlines()[0] == "Thanks, on it."
    assert text.splitlines()[-1].startswith("> ")


@pytest.mark.parametrize("line,needle", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"id": 1}', "'reply' is required"),
    ('{"reply": "x", "lang": "es"}', "'lang' must be"),
])
def test_bad_batch_lines_name_the_problem(line, needle):
    with pytest.raises(InputError, match=needle):
        parse_jsonl_line(line, 3)
