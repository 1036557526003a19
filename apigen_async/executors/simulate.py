"""StableToolBench's fallback: an LLM answers a REST call from the API's documentation."""

from __future__ import annotations

from typing import Any

import msgspec

from apigen_async.catalog.dialects import tool_to_xlam
from apigen_async.llm.client import LLMClient
from apigen_async.llm.decode import extract_json
from apigen_async.llm.types import ChatRequest, Completion
from apigen_async.schema import Call, Tool

__all__ = ["SimulationFailed", "llm_simulator"]

_SYSTEM = (
    "You imitate a REST API. Given its documentation, an example of its response shape and "
    "the request's arguments, reply with the JSON body the real API would return: realistic "
    "values consistent with the arguments, the same structure as the example, JSON only."
)


class SimulationFailed(Exception):
    """The LLM gave no usable body; the virtual server falls back to its schema filler."""


def llm_simulator(client: LLMClient, model: str, *, max_tokens: int = 400):
    async def simulate(tool: Tool, call: Call) -> Any:
        shape = tool.rest.template_response if tool.rest is not None else None
        user = msgspec.json.encode(
            {
                "api": tool_to_xlam(tool),
                "response_shape": None if shape is msgspec.UNSET else shape,
                "arguments": call.arguments,
            }
        ).decode()
        answer = await client.complete(
            ChatRequest(
                model=model,
                messages=[
                    {"role": "system", "content": _SYSTEM},
                    {"role": "user", "content": user},
                ],
                temperature=0.0,
                max_tokens=max_tokens,
                seed=0,
            )
        )
        if not isinstance(answer, Completion):
            raise SimulationFailed(answer.message)
        value, problem = extract_json(answer.content)
        if problem is not None:
            raise SimulationFailed(problem)
        return value

    return simulate
