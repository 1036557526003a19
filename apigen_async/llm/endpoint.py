"""Which LLM endpoint a command talks to, from its flags and the environment."""

from __future__ import annotations

import argparse
from pathlib import Path

import msgspec

from apigen_async.errors import ConfigError
from apigen_async.llm.endpoints import URL_HINT, EndpointSpec, check_url, load_endpoints_file
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
    #: Several endpoints (`--endpoints FILE`, a repeated `--base-url`); empty for one.
    lanes: tuple[EndpointSpec, ...] = ()

    @property
    def local_model(self) -> str | None:
        return self.local_models.get(self.model)


def resolve_endpoint(args: argparse.Namespace, api_key: str) -> Endpoint:
    """`--base-url` if given, else OpenAI if a key is set, else the embedded model."""
    urls = (
        args.base_url if isinstance(args.base_url, list) else [args.base_url] * bool(args.base_url)
    )
    if getattr(args, "endpoints", None) or len(urls) > 1:
        return _several(args, urls)
    if urls:
        args.base_url = urls[0]
    if args.base_url:
        if not args.model:
            raise ConfigError("--base-url needs --model (the model name the server serves)")
        base = _url(args.base_url)
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


def _several(args: argparse.Namespace, urls: list[str]) -> Endpoint:
    """Several endpoints; requests name the first one's models, each maps them to its own."""
    if getattr(args, "endpoints", None) is not None:
        if urls:
            raise ConfigError("--endpoints and --base-url: give the endpoints in one of them")
        for flag in ("model", "judge_model"):
            if getattr(args, flag, None):
                raise ConfigError(
                    f"--{flag.replace('_', '-')} with --endpoints: set {flag} per endpoint "
                    f"in {args.endpoints}"
                )
        specs = load_endpoints_file(args.endpoints)
    else:
        if not args.model:
            raise ConfigError("--base-url needs --model (the model name the servers serve)")
        specs = [
            EndpointSpec(
                base_url=_url(url),
                model=args.model,
                judge_model=getattr(args, "judge_model", None),
            )
            for url in urls
        ]
    first = specs[0]
    # Requests name the first endpoint's models; a judge request is told from a generation
    # request by its model name only, so where some endpoint judges with another model the
    # first must too.
    if (first.judge_model or first.model) == first.model and any(
        s.judge_model not in (None, s.model) for s in specs[1:]
    ):
        where = getattr(args, "endpoints", None) or "--endpoints"
        raise ConfigError(
            f"{where}: a later endpoint judges with a judge_model of its own, so the first "
            "must name one other than its model too (its names are the run's)"
        )
    return Endpoint(
        kind="remote",
        base_url=first.base_url,
        model=first.model,
        judge_model=first.judge_model or first.model,
        lanes=tuple(specs),
    )


def _url(url: str) -> str:
    base = check_url(url)
    if base is None:
        raise ConfigError(f"--base-url {url}: {URL_HINT}")
    return base


def local_alias(choice: str) -> str:
    """The name an embedded model is served under: its built-in name, or the file's stem."""
    return choice if choice in LOCAL_MODELS else Path(choice).stem
