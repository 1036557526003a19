"""Which LLM endpoint a command talks to, from its endpoint settings and the environment."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from apigen_async.errors import ConfigError
from apigen_async.llm.endpoints import URL_HINT, EndpointSpec, check_url, load_endpoints_file
from apigen_async.llm.local import DEFAULT_LOCAL_CHECKER, DEFAULT_LOCAL_MODEL, LOCAL_MODELS

__all__ = [
    "DEFAULT_OPENAI_MODEL",
    "DEFAULT_OPENAI_URL",
    "Endpoint",
    "EndpointConfig",
    "endpoint_config",
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

    @property
    def request_timeout(self) -> float:
        """Seconds a request may take when no --timeout is given: a 2-core machine's
        embedded model can take minutes for one long answer, an API far less."""
        return 900.0 if self.kind == "local" else 300.0


class EndpointConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The endpoint settings of a command (`--base-url`, `--model`, ...); a command
    without a flag leaves its default."""

    #: One `--base-url`, or several servers of the same model (the flag repeated).
    base_url: tuple[str, ...] = ()
    #: `--endpoints FILE`: several endpoints from a TOML file.
    endpoints: Path | None = None
    model: str | None = None
    judge_model: str | None = None
    local_model: str = DEFAULT_LOCAL_MODEL
    #: The embedded checker model; "same": the generator's.
    local_checker: str = DEFAULT_LOCAL_CHECKER


def endpoint_config(flags: Mapping[str, Any]) -> EndpointConfig:
    """The endpoint settings among a command's parsed flags (`vars(args)`); the rest and
    flags left unset (None) are ignored."""
    values = {k: v for k, v in flags.items() if k in EndpointConfig.__struct_fields__}
    values = {k: v for k, v in values.items() if v is not None}
    if isinstance(values.get("base_url"), str):
        values["base_url"] = (values["base_url"],)
    return EndpointConfig(**values)


def resolve_endpoint(config: EndpointConfig, api_key: str) -> Endpoint:
    """`--base-url` if given, else OpenAI if a key is set, else the embedded model."""
    if config.endpoints is not None or len(config.base_url) > 1:
        return _several(config)
    if config.base_url:
        if not config.model:
            raise ConfigError("--base-url needs --model (the model name the server serves)")
        return Endpoint(
            kind="remote",
            base_url=_url(config.base_url[0]),
            model=config.model,
            judge_model=config.judge_model or config.model,
        )
    if api_key:
        model = config.model or DEFAULT_OPENAI_MODEL
        return Endpoint(
            kind="remote",
            base_url=DEFAULT_OPENAI_URL,
            model=model,
            judge_model=config.judge_model or model,
        )
    model = config.model or local_alias(config.local_model)
    checker = config.local_checker
    if checker in ("same", config.local_model):
        return Endpoint(
            kind="local",
            base_url=None,
            model=model,
            judge_model=model,
            local_models={model: config.local_model},
        )
    judge = local_alias(checker)
    if judge == model:
        raise ConfigError(f"--local-checker {checker!r} has the name of --local-model; rename one")
    return Endpoint(
        kind="local",
        base_url=None,
        model=model,
        judge_model=judge,
        local_models={model: config.local_model, judge: checker},
    )


def _several(config: EndpointConfig) -> Endpoint:
    """Several endpoints; requests name the first one's models, each maps them to its own."""
    if config.endpoints is not None:
        if config.base_url:
            raise ConfigError("--endpoints and --base-url: give the endpoints in one of them")
        for flag, value in (("model", config.model), ("judge_model", config.judge_model)):
            if value:
                raise ConfigError(
                    f"--{flag.replace('_', '-')} with --endpoints: set {flag} per endpoint "
                    f"in {config.endpoints}"
                )
        specs = load_endpoints_file(config.endpoints)
    else:
        if not config.model:
            raise ConfigError("--base-url needs --model (the model name the servers serve)")
        specs = [
            EndpointSpec(base_url=_url(url), model=config.model, judge_model=config.judge_model)
            for url in config.base_url
        ]
    first = specs[0]
    # Requests name the first endpoint's models; a judge request is told from a generation
    # request by its model name only, so where some endpoint judges with another model the
    # first must too.
    if (first.judge_model or first.model) == first.model and any(
        s.judge_model not in (None, s.model) for s in specs[1:]
    ):
        where = config.endpoints or "--endpoints"
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
