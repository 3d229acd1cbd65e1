"""The `coach` command line: one function per command, shared options, documented exit codes."""
from __future__ import annotations

import functools
import os
import sys

import click

from . import __version__
from .config import Config, load_config
from .errors import CoachError, ExitCode, InputError
from .formatters import FORMATS, to_json, to_jsonl, to_text
from .inputs import Draft, load_draft, load_incoming, parse_jsonl_line

FAIL_LEVELS = {"block": ("block",), "revise": ("block", "revise")}


def _config_option(func):
    return click.option("--config", "config_path", type=click.Path(dir_okay=False),
                        help="Configuration file (default: ./coach.toml if present).")(func)


def _format_option(func):
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                        help="Output format: text for people, json or jsonl for programs.")(func)


def _lang_option(func):
    return click.option("--lang", type=click.Choice(["fr", "en"]), default=None,
                        help="Language of the draft (detected when omitted).")(func)


def guarded(func):
    """Turn user errors into one line and exit 2, anything else into exit 3 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except CoachError as exc:
            click.echo(f"coach: error: {exc}", err=True)
            sys.exit(ExitCode.USAGE)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("coach: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug: say so plainly, keep the traceback for COACH_DEBUG=1
            if os.environ.get("COACH_DEBUG"):
                raise
            click.echo(f"coach: internal error: {type(exc).__name__}: {exc} (set COACH_DEBUG=1 for details)", err=True)
            sys.exit(ExitCode.INTERNAL)

    return wrapper


def _load(config_path: str | None) -> Config:
    return load_config(config_path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coach")
def cli():
    """reply-coach: review a customer-service reply before it is sent."""


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--jsonl", "jsonl_path", type=click.Path(allow_dash=True),
              help="Batch mode: one JSON object per line (id, reply, incoming, lang, customer_name, agent); "
                   "'-' reads stdin. Writes one result per line, same id, same order.")
@click.option("--incoming", "incoming_path", type=click.Path(allow_dash=False),
              help="File holding the customer's message the draft answers.")
@_lang_option
@_format_option
@click.option("--fail-on", type=click.Choice(["block", "revise"]), default=None,
              help="Exit 1 when a draft reaches this verdict (default: block, or fail_on in the config).")
@click.option("--encoding", default=None, help="Encoding of plain-text input (default UTF-8).")
@click.option("--rewrite/--no-rewrite", default=False, help="Add a suggested rewrite of each draft.")
@_config_option
@guarded
def review(files, jsonl_path, incoming_path, lang, fmt, fail_on, encoding, rewrite, config_path):
    """Review drafts (files, '-' for stdin, .eml, HTML) and report what to fix.

    Exit codes: 0 no draft reaches --fail-on, 1 at least one does, 2 usage/config/input error,
    3 internal error.
    """
    from .reviewer import Reviewer

    config = _load(config_path)
    fail_on = fail_on or config.fail_on
    reviewer = Reviewer(config)
    if jsonl_path and files:
        raise click.UsageError("give either FILES or --jsonl, not both")
    if not jsonl_path and not files:
        raise click.UsageError("nothing to review: give FILES, '-' for stdin, or --jsonl FILE")
    incoming = load_incoming(incoming_path, max_bytes=config.max_bytes, encoding=encoding) if incoming_path else None
    failed = errored = False
    if jsonl_path:
        failed, errored = _review_batch(reviewer, jsonl_path, lang, fmt, fail_on, config, rewrite)
    else:
        reviews = []
        for name in files:
            try:
                draft = load_draft(name, max_bytes=config.max_bytes, encoding=encoding)
            except InputError as exc:
                click.echo(f"coach: error: {exc}", err=True)
                errored = True
                continue
            if incoming is not None:
                draft = Draft(**{**draft.__dict__, "incoming": incoming})
            result = _run(reviewer, draft, lang, rewrite)
            reviews.append((name, result))
            if result.status != "reviewed":
                click.echo(f"coach: error: {name}: {result.error}", err=True)
                errored = True
            elif result.verdict in FAIL_LEVELS[fail_on]:
                failed = True
            if fmt == "text":
                click.echo(to_text(result, name if name != "-" else "<stdin>"))
            elif fmt == "jsonl":
                click.echo(to_jsonl(result))
        if fmt == "json" and reviews:
            click.echo(to_json([r for _, r in reviews], single=len(files) == 1))
    if errored:
        sys.exit(ExitCode.USAGE)
    sys.exit(ExitCode.FAILED if failed else ExitCode.OK)


def _run(reviewer, draft: Draft, lang: str | None, rewrite: bool):
    result = reviewer.review_draft(draft, lang=lang)
    if rewrite and result.status == "reviewed":
        from .rewrite import attach_rewrite

        result = attach_rewrite(result, draft, reviewer)
    return result


def _review_batch(reviewer, path, lang, fmt, fail_on, config, rewrite) -> tuple[bool, bool]:
    """One result per input line, in order; a bad line gets an error result, not an abort."""
    if path == "-":
        import io

        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="strict")
    else:
        if not os.path.isfile(path):
            raise InputError("E001", f"{path}: no such file")
        stream = open(path, "r", encoding="utf-8", errors="strict")  # noqa: SIM115 - closed below
    failed = errored = False
    results = []
    try:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                draft = parse_jsonl_line(line, number)
                result = _run(reviewer, draft, lang or draft.lang, rewrite)
            except InputError as exc:
                from .findings import Review

                result = Review(id=str(number), language=None, status="error", verdict=None, score=None, error=str(exc))
            if result.status != "reviewed":
                errored = True
            elif result.verdict in FAIL_LEVELS[fail_on]:
                failed = True
            if fmt == "text":
                click.echo(to_text(result, f"[{result.id}]"))
            elif fmt == "jsonl":
                click.echo(to_jsonl(result))
            else:
                results.append(result)
    except UnicodeDecodeError:
        raise InputError("E007", f"{path}: batch input is not valid UTF-8") from None
    finally:
        if path != "-":
            stream.close()
    if fmt == "json":
        click.echo(to_json(results, single=False))
    return failed, errored


@cli.command()
@click.argument("check", required=False)
@_lang_option
@_format_option
@_config_option
@guarded
def rules(check, lang, fmt, config_path):
    """List every rule with its id, message, principle and examples (optionally one CHECK)."""
    import json as _json

    from .lexicon import active_rules
    from .rules import CHECKS

    config = _load(config_path)
    if check and check not in CHECKS and "." not in check:
        raise click.BadParameter(f"unknown check '{check}' (known: {', '.join(CHECKS)})", param_hint="CHECK")
    langs = [lang] if lang else ["fr", "en"]
    listed = [r for code in langs for r in active_rules(code, config)
              if not check or r.check == check or r.id == check]
    if fmt != "text":
        rows = [r.to_dict() for r in listed]
        click.echo(_json.dumps(rows, ensure_ascii=False, indent=2) if fmt == "json"
                   else "\n".join(_json.dumps(row, ensure_ascii=False) for row in rows))
        return
    for rule in listed:
        data = rule.to_dict()
        click.echo(click.style(f"{rule.id}", bold=True) + f"  [{rule.lang}, {rule.type}, {rule.level}]")
        click.echo(f"    {rule.message}")
        click.echo(click.style(f"    {rule.principle}", dim=True))
        if rule.suggestion:
            click.echo(click.style(f"    → {rule.suggestion}", fg="cyan"))
        for kind, examples in data["examples"].items():
            for example in examples[:3]:
                click.echo(f"      {kind}: {example}")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--in-place", is_flag=True, help="Replace FILE with the rewrite, keeping the original as FILE.bak.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Where to write (default FILE.coach.txt).")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of the draft and the rewrite.")
@click.option("--incoming", "incoming_path", type=click.Path(dir_okay=False), help="The customer's message.")
@_lang_option
@click.option("--encoding", default=None, help="Encoding of plain-text input (default UTF-8).")
@_config_option
@guarded
def fix(file, in_place, output, show_diff, incoming_path, lang, encoding, config_path):
    """Write the suggested rewrite of FILE next to it (FILE.coach.txt), or in place with a backup."""
    import difflib
    from pathlib import Path

    from .reviewer import Reviewer

    config = _load(config_path)
    draft = load_draft(file, max_bytes=config.max_bytes, encoding=encoding)
    if incoming_path:
        draft = Draft(**{**draft.__dict__, "incoming": load_incoming(incoming_path, max_bytes=config.max_bytes)})
    if in_place and Path(file).suffix.lower() in (".eml", ".html", ".htm"):
        raise click.UsageError("--in-place only rewrites plain-text drafts; use --output for mail and HTML")
    reviewer = Reviewer(config)
    result = _run(reviewer, draft, lang, rewrite=True)
    if result.status != "reviewed":
        click.echo(f"coach: error: {file}: {result.error}", err=True)
        sys.exit(ExitCode.USAGE)
    rewrite = result.rewrite_details
    target = Path(output) if output else Path(file) if in_place else Path(file + ".coach.txt")
    if in_place:
        backup = Path(file + ".bak")
        number = 1
        while backup.exists():  # never overwrite an earlier backup
            backup = Path(f"{file}.bak.{number}")
            number += 1
        backup.write_bytes(Path(file).read_bytes())
        click.echo(f"coach: backup of the draft in {backup}", err=True)
    target.write_text(rewrite.text, encoding="utf-8")
    if show_diff:
        before = draft.reply.replace("\r\n", "\n").splitlines(keepends=True)
        after = rewrite.text.splitlines(keepends=True)
        click.echo("".join(difflib.unified_diff(before, after, fromfile=file, tofile=str(target))), nl=False)
    click.echo(f"coach: rewrite written to {target} (verdict of the rewrite: {rewrite.verdict})", err=True)
    for placeholder in rewrite.placeholders:
        click.echo(f"coach: fill in the placeholder {placeholder}", err=True)


@cli.command()
@click.option("--lang", type=click.Choice(["fr", "en"]), multiple=True, help="Languages to train (default both).")
@guarded
def train(lang):
    """Fit the incoming, sentence and reply models from training_data/ and ship them in the package."""
    from .training import train as fit
    from .training import train_incoming

    for code in lang or ("fr", "en"):
        card = train_incoming(code)
        click.echo(f"{code} incoming: {card['messages']} messages, thresholds {card['thresholds']}, "
                   f"cv F1 {card['cv_f1_at_0.5']}, dev accuracy {card['dev_accuracy_empathy_needed']}")
        card = fit(code)
        click.echo(f"{code}: {card['sentences']} sentences, thresholds {card['thresholds']}, "
                   f"cv F1 {card['cv_f1_at_0.5']}")
        click.echo(f"{code} reply model (dev, out of fold): {card['reply']}")


@cli.command(name="eval")
@click.argument("path", type=click.Path(allow_dash=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for machines.")
@click.option("--model/--no-model", default=True, help="Use the statistical model beside the rules.")
@click.option("--misses", default=20, show_default=True, help="How many misses to list per language.")
@_config_option
@guarded
def evaluate_command(path, fmt, model, misses, config_path):
    """Precision, recall and F1 per check and language on labelled replies (JSONL with 'expected')."""
    import dataclasses
    import json as _json

    from .evaluate import evaluate, format_report, load_labelled
    from .reviewer import Reviewer

    config = dataclasses.replace(_load(config_path), use_model=model)
    report = evaluate(load_labelled(path), Reviewer(config))
    if fmt == "json":
        click.echo(_json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(report, misses))


@cli.group()
def data():
    """Labelled data maintenance (`coach data split`, `coach data good`)."""


@data.command()
@click.option("--force", is_flag=True, help="Redo the split even though one is recorded (don't, normally).")
@click.option("--add-new-to-dev", is_flag=True,
              help="Replies written after the split join dev (never test); the record lists them apart.")
@guarded
def split(force, add_new_to_dev):
    """Split reply-level data into dev and test once, recorded in training_data/replies/split.json."""
    from .training import split_replies

    try:
        counts = split_replies(force=force, add_new_to_dev=add_new_to_dev)
    except FileExistsError as exc:
        raise click.UsageError(str(exc)) from None
    added = f" ({counts['added']} added to dev)" if counts["added"] else ""
    click.echo(f"dev: {counts['dev']} replies, test: {counts['test']} replies{added}")


@data.command()
@guarded
def good():
    """Refresh training_data/good/ (dev replies labelled send) for the noise test."""
    from .training import export_good_replies

    counts = export_good_replies()
    click.echo(", ".join(f"{lang}: {n} good replies" for lang, n in sorted(counts.items())))


def _gate_settings(config: Config, **options):
    """Gate settings from [gate] in the config, overridden by command-line options."""
    from .mailgate import GateSettings

    table = dict(config.extra.get("gate", {}))
    password_env = table.pop("upstream_password_env", "")
    table.pop("listen", None)
    table.pop("sendmail_command", None)
    table.update({k: v for k, v in options.items() if v is not None})
    if password_env:
        if password_env not in os.environ:
            raise click.UsageError(f"[gate] upstream_password_env names {password_env}, which is not set")
        table["upstream_password"] = os.environ[password_env]
    return GateSettings(**table)


@cli.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1; another needs a token).")
@click.option("--port", type=int, default=None, help="Port (default 8765).")
@click.option("--token-env", default=None, help="Environment variable holding the API token.")
@click.option("--max-body", type=int, default=None, help="Largest request body in bytes (default 262144).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: one per CPU core).")
@_config_option
@guarded
def serve(host, port, token_env, max_body, workers, config_path):
    """Run the HTTP service (POST /v1/review, /v1/rewrite, GET /v1/rules, /healthz) and the web page."""
    from .server import serve as run_server

    config = _load(config_path)
    table = config.extra.get("server", {})
    token_env = token_env or table.get("token_env")
    token = None
    if token_env:
        token = os.environ.get(token_env)
        if not token:
            raise click.UsageError(f"the API token variable {token_env} is not set")
    run_server(config, host or table.get("host", "127.0.0.1"), port or table.get("port", 8765), token,
               max_body or table.get("max_body", 256 * 1024), workers or table.get("workers", os.cpu_count() or 1),
               token_env)


@cli.command("smtp-gate")
@click.option("--listen", default=None, help="Address to listen on, HOST:PORT (default 127.0.0.1:8025).")
@click.option("--upstream", default=None, help="The real outgoing server, HOST:PORT.")
@click.option("--upstream-security", type=click.Choice(["none", "starttls", "tls"]), default=None,
              help="How to talk to the upstream server.")
@click.option("--fail-on", type=click.Choice(["block", "revise"]), default=None,
              help="Refuse messages whose verdict reaches this level (default block).")
@click.option("--max-size", type=int, default=None, help="Largest message accepted, in bytes (default 25 MiB).")
@_config_option
@guarded
def smtp_gate(listen, upstream, upstream_security, fail_on, max_size, config_path):
    """Run the SMTP relay that checks each outgoing reply before handing it to the upstream server."""
    import logging
    import signal
    import threading

    from .mailgate import start_gate
    from .reviewer import Reviewer

    config = _load(config_path)
    options = {"upstream_security": upstream_security, "fail_on": fail_on, "max_size": max_size}
    if upstream:
        host, _, port = upstream.rpartition(":")
        options.update(upstream_host=host or upstream, upstream_port=int(port) if port.isdigit() else 25)
    settings = _gate_settings(config, **options)
    listen = listen or config.extra.get("gate", {}).get("listen", "127.0.0.1:8025")
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise click.BadParameter("use HOST:PORT", param_hint="--listen")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    reviewer = Reviewer(config)
    reviewer.review("Bonjour, merci.", lang="fr")  # load the pipelines before the first client
    reviewer.review("Hello, thanks.", lang="en")
    controller = start_gate(reviewer, settings, host or "127.0.0.1", int(port))
    click.echo(f"coach smtp-gate listening on {host}:{port}, relaying to {settings.upstream_host}:"
               f"{settings.upstream_port} ({settings.upstream_security})", err=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--sendmail-command", default=None,
              help="The real sendmail to hand messages to (default: [gate] sendmail_command or /usr/sbin/sendmail).")
@click.option("--fail-on", type=click.Choice(["block", "revise"]), default=None,
              help="Refuse messages whose verdict reaches this level (default block).")
@click.argument("sendmail_args", nargs=-1, type=click.UNPROCESSED)
@_config_option
@guarded
def sendmail(sendmail_command, fail_on, sendmail_args, config_path):
    """Drop-in for sendmail: check the message on stdin, then hand it unchanged to the real sendmail.

    Any other argument (-t, -i, -f sender, recipients...) is passed to the real sendmail. Exit 1
    with the reasons on stderr when the message is refused; otherwise the real sendmail's code.
    """
    import shlex
    import subprocess

    from .mailgate import decide
    from .reviewer import Reviewer

    config = _load(config_path)
    settings = _gate_settings(config, fail_on=fail_on)
    command = sendmail_command or config.extra.get("gate", {}).get("sendmail_command", "/usr/sbin/sendmail")
    raw = sys.stdin.buffer.read(settings.max_size + 1)
    if len(raw) > settings.max_size:
        raise InputError("E003", f"message too large (over {settings.max_size:,} bytes)")
    decision = decide(raw, Reviewer(config), settings)
    if decision.action == "refuse":
        for line in decision.reply.split("\r\n"):
            click.echo(line[4:] if line[:3].isdigit() else line, err=True)
        sys.exit(ExitCode.FAILED)
    try:
        done = subprocess.run(shlex.split(command) + list(sendmail_args), input=decision.data, check=False)
    except OSError as exc:
        raise InputError("E050", f"cannot run the real sendmail '{command}': {exc.strerror}") from None
    sys.exit(done.returncode)


@cli.group(invoke_without_command=True)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True, help="Quiz language.")
@click.option("--trainee", default=None, help="Trainee name (progress is kept per trainee).")
@click.option("--count", type=click.IntRange(1, 200), default=10, show_default=True, help="Number of questions.")
@click.option("--check", type=click.Choice(["acknowledgement", "timeline", "empathy", "defensive", "blame",
                                            "contempt", "dismissive", "effort"]), default=None,
              help="Only questions that train this check.")
@click.option("--db", type=click.Path(dir_okay=False), default=None,
              help="Progress database (default: quiz.sqlite in your user data directory).")
@click.option("--seed", type=int, default=None, help="Seed for the question order (repeatable sessions).")
@_config_option
@click.pass_context
@guarded
def quiz(ctx, lang, trainee, count, check, db, seed, config_path):
    """Training quiz for new hires: spot the faults, pick the best reply, write it yourself."""
    if ctx.invoked_subcommand is not None:
        return
    from pathlib import Path

    from .quiz.bank import load_bank
    from .quiz.session import QuizSession
    from .quiz.store import open_store
    from .reviewer import Reviewer

    config = _load(config_path)
    trainee = trainee or click.prompt("Nom" if lang == "fr" else "Name")
    store = open_store(Path(db) if db else None)
    try:
        QuizSession(store, load_bank(lang), Reviewer(config), lang, trainee, count, check, seed).run()
    except (KeyboardInterrupt, click.Abort):
        click.echo("\n" + ("Session interrompue : vos réponses sont enregistrées." if lang == "fr"
                           else "Session interrupted: your answers are saved."), err=True)
    finally:
        store.close()


@quiz.command("report")
@click.option("--db", type=click.Path(dir_okay=False), default=None, help="Progress database.")
@click.option("--trainee", default=None, help="Only this trainee.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "html", "json"]), default="text", show_default=True,
              help="text, csv, or an HTML page with charts that opens offline.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="Write to this file.")
@guarded
def quiz_report(db, trainee, fmt, output):
    """Progress per trainee and per check over time, for the trainer."""
    from pathlib import Path

    from .quiz.report import progress, render
    from .quiz.store import open_store

    store = open_store(Path(db) if db else None)
    try:
        text = render(progress(store, trainee), fmt)
    finally:
        store.close()
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"coach: report written to {output}", err=True)
    else:
        click.echo(text)


def main() -> None:
    cli(prog_name="coach")


if __name__ == "__main__":
    main()
