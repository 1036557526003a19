"""Which endpoint and models a command uses, from its flags and the environment."""

from __future__ import annotations

import pytest

from apigen_async.errors import ConfigError
from apigen_async.llm.endpoint import EndpointConfig, endpoint_config, resolve_endpoint


def _args(**kw: object) -> EndpointConfig:
    flags: dict[str, object] = {"base_url": None, "model": None, "judge_model": None}
    flags |= {"local_model": "qwen2.5-coder-0.5b", "local_checker": "qwen2.5-coder-1.5b"}
    return endpoint_config(flags | kw)


def test_the_embedded_default_checks_with_a_stronger_model_of_its_own() -> None:
    endpoint = resolve_endpoint(_args(), api_key="")
    assert endpoint.kind == "local"
    assert (endpoint.model, endpoint.judge_model) == ("qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b")
    assert endpoint.local_models == {
        "qwen2.5-coder-0.5b": "qwen2.5-coder-0.5b",
        "qwen2.5-coder-1.5b": "qwen2.5-coder-1.5b",
    }
    assert endpoint.local_model == "qwen2.5-coder-0.5b"


def test_same_checker_serves_one_model() -> None:
    endpoint = resolve_endpoint(_args(local_model="smollm2-135m", local_checker="same"), api_key="")
    assert endpoint.model == endpoint.judge_model == "smollm2-135m"
    assert endpoint.local_models == {"smollm2-135m": "smollm2-135m"}
    # A GGUF file is served under its file name.
    gguf = resolve_endpoint(_args(local_model="/m/tiny.gguf", local_checker="same"), api_key="")
    assert gguf.model == "tiny"


def test_an_endpoint_or_a_key_needs_no_embedded_model() -> None:
    remote = resolve_endpoint(_args(base_url="http://h/v1/", model="m"), api_key="")
    assert (remote.kind, remote.base_url, remote.judge_model) == ("remote", "http://h/v1", "m")
    assert remote.local_models == {} and remote.local_model is None
    openai = resolve_endpoint(_args(judge_model="j"), api_key="sk-test")
    assert openai.kind == "remote" and openai.judge_model == "j"
    with pytest.raises(ConfigError, match="--base-url needs --model"):
        resolve_endpoint(_args(base_url="http://h/v1"), api_key="")
    with pytest.raises(ConfigError, match="--local-checker"):
        resolve_endpoint(_args(local_model="/a/x.gguf", local_checker="/b/x.gguf"), api_key="")
