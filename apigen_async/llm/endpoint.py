"""Which LLM endpoint a command talks to, from its flags and the environment."""

from __future__ import annotations

import argparse
import urllib.parse
from pathlib import Path

import msgspec

from apigen_async.errors import ConfigError
from apigen_async.llm.local import DEFAULT_LOCAL_CHECKER, LOCAL_MODELS

__all__ = [
    "DEFAULT_OPENAI_MODEL",
    "DEFAULT_OPENAI_URL",
    "Endpoint",
    "local_alias",
    "resolve_endpoint",
]

DEFAULT_OPENAI_URL = "https://api.openai.com/v1"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


class Endpoint(msgspec.Struct, frozen=True, kw_only=True):
    kind: str  # "local" or "remote"
    base_url: str | None
    model: str
    judge_model: str
    #: Embedded models by the name they are served under: the generator's, and the
    #: checker's (re-solve and judge) when it is another model.
    local_models: dict[str, str] = {}

    @property
    def local_model(self) -> str | None:
        return self.local_models.get(self.model)


def resolve_endpoint(args: argparse.Namespace, api_key: str) -> Endpoint:
    """`--base-url` if given, else OpenAI if a key is set, else the embedded model."""
    if args.base_url:
        if not args.model:
            raise ConfigError("--base-url needs --model (the model name the server serves)")
        base = args.base_url.rstrip("/")
        try:
            url = urllib.parse.urlsplit(base)
            usable = url.scheme in ("http", "https") and bool(url.hostname)
        except ValueError:
            usable = False
        if not usable:
            raise ConfigError(
                f"--base-url {args.base_url}: not an http(s) URL; "
                "expected e.g. http://127.0.0.1:8000/v1"
            )
        return Endpoint(
            kind="remote",
            base_url=base,
            model=args.model,
            judge_model=getattr(args, "judge_model", None) or args.model,
        )
    if api_key:
        model = args.model or DEFAULT_OPENAI_MODEL
        return Endpoint(
            kind="remote",
            base_url=DEFAULT_OPENAI_URL,
            model=model,
            judge_model=getattr(args, "judge_model", None) or model,
        )
    model = args.model or local_alias(args.local_model)
    checker = getattr(args, "local_checker", None) or DEFAULT_LOCAL_CHECKER
    if checker in ("same", args.local_model):
        return Endpoint(
            kind="local",
            base_url=None,
            model=model,
            judge_model=model,
            local_models={model: args.local_model},
        )
    judge = local_alias(checker)
    if judge == model:
        raise ConfigError(f"--local-checker {checker!r} has the name of --local-model; rename one")
    return Endpoint(
        kind="local",
        base_url=None,
        model=model,
        judge_model=judge,
        local_models={model: args.local_model, judge: checker},
    )


def local_alias(choice: str) -> str:
    """The name an embedded model is served under: its built-in name, or the file's stem."""
    return choice if choice in LOCAL_MODELS else Path(choice).stem
