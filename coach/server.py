"""`coach serve`: the pre-send check as a local HTTP service, with a page agents can write in.

Safe by default: binds 127.0.0.1 and refuses any other address unless an API token is
configured, in which case every request needs it; request bodies over the limit get 413;
malformed JSON gets 422 naming the field; draft text is never written to logs; an internal
error is a 500 with an error id and the service keeps running.
"""
from __future__ import annotations

import contextlib
import hmac
import ipaddress
import logging
import uuid
from importlib import resources
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from . import __version__
from .config import Config
from .inputs import Draft

log = logging.getLogger("coach.server")
DEFAULT_MAX_BODY = 256 * 1024


class ReviewRequest(BaseModel):
    """A draft to review: the agent's reply and, optionally, the customer's message."""

    reply: str = Field(..., description="The agent's draft reply (plain text; quoted history and signature allowed).",
                       max_length=200_000)
    incoming: str | None = Field(None, description="The customer's message the draft answers.", max_length=200_000)
    lang: Literal["fr", "en"] | None = Field(None, description="Language of the draft; detected when omitted.")
    customer_name: str | None = Field(None, description="The customer's name, used in the rewrite's greeting.",
                                      max_length=200)
    agent: str | None = Field(None, description="The agent's name, used to sign the rewrite.", max_length=200)


class CheckStatus(BaseModel):
    status: str
    findings: int
    reason: str | None = None


class FindingModel(BaseModel):
    check: str
    rule: str
    level: Literal["block", "revise", "hint"]
    start: int = Field(..., description="Character offset into text_reviewed.")
    end: int
    text: str
    message: str
    principle: str
    suggestion: str
    source: str
    confidence: float | None = None
    replacement: str | None = None


class RewriteModel(BaseModel):
    text: str
    placeholders: list[str]
    situation: str
    deadline: str | None
    verdict: str | None


class ReviewResponse(BaseModel):
    """The `coach.review/1` result, exactly as `coach review --format json` prints it."""

    schema_: str = Field("coach.review/1", alias="schema")
    id: str | None
    status: str
    language: str | None
    verdict: Literal["block", "revise", "send"] | None
    score: int | None
    checks: dict[str, CheckStatus]
    findings: list[FindingModel]
    text_reviewed: str
    excluded: list[dict[str, str]]
    error: str | None = None
    rewrite: RewriteModel | None = None


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(config: Config | None = None, token: str | None = None, max_body: int = DEFAULT_MAX_BODY) -> FastAPI:
    """The ASGI app. Pipelines, matchers and model are loaded once, at start-up."""
    from .reviewer import Reviewer
    from .rewrite import attach_rewrite

    config = config or Config()
    reviewer = Reviewer(config)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        for lang, text in (("fr", "Bonjour, merci."), ("en", "Hello, thanks.")):  # load everything once
            reviewer.review(text, lang=lang)
        yield

    app = FastAPI(title="reply-coach", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Reviews a customer-service reply before it is sent (French and English). "
                              "Schema of results: coach.review/1.")

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if request.method in ("POST", "PUT", "PATCH"):
            length = request.headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > max_body):
                return JSONResponse({"error": f"request body over the limit of {max_body} bytes"}, status_code=413)
            body = await request.body()
            if len(body) > max_body:
                return JSONResponse({"error": f"request body over the limit of {max_body} bytes"}, status_code=413)
        if token is not None:
            if request.url.path == "/" and request.query_params.get("token"):
                if hmac.compare_digest(request.query_params["token"], token):
                    response = RedirectResponse("/", status_code=303)
                    response.set_cookie("coach_token", token, httponly=True, samesite="strict")
                    return response
            supplied = request.headers.get("authorization", "").removeprefix("Bearer ").strip() or \
                request.cookies.get("coach_token", "")
            if not hmac.compare_digest(supplied, token):
                return JSONResponse({"error": "missing or wrong API token"}, status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
        try:
            return await call_next(request)
        except Exception as exc:  # never leak the draft: log the type and an id only
            error_id = uuid.uuid4().hex[:12]
            log.error("internal error %s: %s", error_id, type(exc).__name__)
            return JSONResponse({"error": "internal error", "error_id": error_id}, status_code=500)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        fields = []
        for error in exc.errors():
            location = [str(part) for part in error.get("loc", ()) if part != "body"]
            fields.append({"field": ".".join(location) or "body", "message": error.get("msg", "invalid")})
        return JSONResponse({"error": "invalid request", "fields": fields}, status_code=422)

    def run(request: ReviewRequest, rewrite: bool) -> dict[str, Any]:
        draft = Draft(id=None, reply=request.reply, incoming=request.incoming, lang=request.lang,
                      customer_name=request.customer_name, agent=request.agent)
        result = reviewer.review_draft(draft)
        if rewrite:
            result = attach_rewrite(result, draft, reviewer)
        return result.to_dict()

    documented = {200: {"model": ReviewResponse, "description": "The coach.review/1 result"},
                  413: {"description": "Request body over the limit"},
                  422: {"description": "Malformed JSON or invalid field (named in `fields`)"}}

    @app.post("/v1/review", responses=documented, summary="Review a draft reply")
    def review(request: ReviewRequest) -> JSONResponse:
        """Review one draft: verdict, score, status of every check and the findings."""
        return JSONResponse(run(request, rewrite=False))

    @app.post("/v1/rewrite", responses=documented, summary="Review a draft and propose a full rewrite")
    def rewrite(request: ReviewRequest) -> JSONResponse:
        """The review plus `rewrite`: a suggested reply that keeps the draft's facts."""
        return JSONResponse(run(request, rewrite=True))

    @app.get("/v1/rules", summary="Every rule with its message, principle and examples")
    def rules(lang: Literal["fr", "en"] | None = None, check: str | None = None) -> list[dict[str, Any]]:
        from .lexicon import active_rules

        return [r.to_dict() for code in ([lang] if lang else ["fr", "en"]) for r in active_rules(code, config)
                if not check or r.check == check]

    @app.get("/healthz", summary="Liveness and version")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "languages": ["fr", "en"]}

    static = resources.files("coach") / "static"

    @app.get("/", include_in_schema=False)
    def page() -> Response:
        return Response((static / "index.html").read_text(encoding="utf-8"), media_type="text/html")

    @app.get("/static/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        allowed = {"app.js": "text/javascript", "app.css": "text/css", "i18n.json": "application/json"}
        if name not in allowed:
            return JSONResponse({"error": "not found"}, status_code=404)
        return Response((static / name).read_bytes(), media_type=allowed[name])

    return app


def app_from_environment() -> FastAPI:
    """App factory for uvicorn worker processes: settings come through COACH_SERVE_* variables."""
    import os

    from .config import load_config

    config = load_config(os.environ.get("COACH_SERVE_CONFIG") or None)
    token_env = os.environ.get("COACH_SERVE_TOKEN_ENV")
    token = os.environ.get(token_env) if token_env else None
    return create_app(config, token=token, max_body=int(os.environ.get("COACH_SERVE_MAX_BODY", DEFAULT_MAX_BODY)))


def serve(config: Config, host: str, port: int, token: str | None, max_body: int, workers: int = 1,
          token_env: str | None = None) -> None:
    """Run the service with uvicorn (access log keeps paths only, never bodies).

    With several workers, each process loads the pipelines and the model once; spaCy holds the
    GIL, so processes, not threads, are what use more than one core.
    """
    import os

    import uvicorn

    if not is_loopback(host) and not token:
        from .errors import ConfigError

        raise ConfigError("E060", f"refusing to listen on {host}: set an API token ([server] token_env or "
                                  "--token-env) to serve beyond this machine")
    if workers <= 1:
        uvicorn.run(create_app(config, token=token, max_body=max_body), host=host, port=port, log_level="info",
                    access_log=True)
        return
    os.environ["COACH_SERVE_CONFIG"] = config.source if config.source != "defaults" else ""
    os.environ["COACH_SERVE_MAX_BODY"] = str(max_body)
    if token_env:
        os.environ["COACH_SERVE_TOKEN_ENV"] = token_env
    uvicorn.run("coach.server:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="info", access_log=True)

