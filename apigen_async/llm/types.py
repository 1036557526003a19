"""What goes to an LLM endpoint and what comes back: the structs every layer shares.

`ChatRequest.key()` is the response cache's key, so these structs are also a store
format: fields are only ever added, with defaults (older cached answers still decode).
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

__all__ = ["TOOLS_UNSUPPORTED", "ChatRequest", "Completion", "LLMFailure", "ToolCall"]

#: `LLMFailure.code` of a request whose `tools` the endpoint refused (no function calling).
TOOLS_UNSUPPORTED = "tools_unsupported"


class ChatRequest(msgspec.Struct, frozen=True, kw_only=True):
    model: str
    messages: list[dict[str, str]]
    temperature: float
    max_tokens: int
    seed: int | None = None
    response_format: dict[str, Any] | None = None
    #: OpenAI `tools` (native function calling); the answer's calls come back in
    #: `Completion.tool_calls`.
    tools: list[dict[str, Any]] | None = None

    def key(self) -> str:
        fields = msgspec.structs.asdict(self)
        # Fields added after the first release are left out while unset, so the cache
        # keys of older requests (and their cached answers) stay what they were.
        for name in _ADDED_FIELDS:
            if fields[name] is None:
                del fields[name]
        return hashlib.sha256(msgspec.json.encode(fields)).hexdigest()


_ADDED_FIELDS = ("tools",)


class ToolCall(msgspec.Struct, frozen=True, kw_only=True):
    """One native function call as the endpoint returned it: arguments are raw JSON text
    (decoding them is the caller's judgement, not a transport fault)."""

    name: str
    arguments: str = ""


class Completion(msgspec.Struct, frozen=True, kw_only=True):
    content: str
    finish_reason: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False
    tool_calls: list[ToolCall] = []
    #: The model that answered, under the name its endpoint serves it ("" in caches
    #: written before several endpoints existed: the requested model).
    model: str = ""


class LLMFailure(msgspec.Struct, frozen=True, kw_only=True):
    """A request that got no answer after its retries: an expected outcome, not an error."""

    code: str
    message: str
