"""The generator stage: one LLM call asks for several query/answer pairs for a task.

With structured output the endpoint is held to a JSON Schema whose call items name
only the sampled functions and carry their argument schemas; without it the answer is
decoded robustly (fences, chatter). Every item of the answer is kept for checking.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import msgspec

from apigen_async.catalog.dialects import tool_to_openai, tool_to_xlam
from apigen_async.llm.decode import extract_json
from apigen_async.llm.types import ChatRequest, Completion
from apigen_async.prompts import PromptLibrary
from apigen_async.sampling import Example, render_avoid, render_examples
from apigen_async.schema import Param, Rejection, Style, Task, Tool
from apigen_async.styles import spec

__all__ = [
    "call_schema",
    "generation_request",
    "generation_schema",
    "read_pairs",
    "render_needs",
]

#: Bounds on generated values, so a looping model still closes its JSON in time.
_MAX_STRING = 200
_MAX_ITEMS = 8


def _bounded(parameters: dict[str, Any]) -> dict[str, Any]:
    properties = {}
    for name, schema in parameters["properties"].items():
        schema = dict(schema)
        if schema.get("type") == "string" and "enum" not in schema:
            schema["maxLength"] = _MAX_STRING
        elif schema.get("type") == "array":
            schema["maxItems"] = _MAX_ITEMS
        properties[name] = schema
    return parameters | {"properties": properties}


def call_schema(tools: Sequence[Tool]) -> dict[str, Any]:
    """JSON Schema of one call: the name of one of `tools` with that tool's arguments."""
    calls = [
        {
            "type": "object",
            "properties": {
                "name": {"type": "string", "enum": [t.name]},
                "arguments": _bounded(tool_to_openai(t)["function"]["parameters"]),
            },
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        for t in tools
    ]
    return calls[0] if len(calls) == 1 else {"anyOf": calls}


def generation_schema(style: Style, tools: Sequence[Tool], n_pairs: int) -> dict[str, Any]:
    """`response_format` holding each call to a sampled function and its argument schema."""
    lo, hi = spec(style).schema_calls
    answers: dict[str, Any] = {"type": "array", "minItems": lo}
    if hi is not None:
        answers["maxItems"] = hi
    if hi != 0:
        answers["items"] = call_schema(tools)
    pair = {
        "type": "object",
        # Bounded so a looping model still closes the JSON within max_tokens.
        "properties": {"answers": answers, "query": {"type": "string", "maxLength": 400}},
        "required": ["answers", "query"],
        "additionalProperties": False,
    }
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "pairs",
            "schema": {
                "type": "object",
                "properties": {
                    "pairs": {
                        "type": "array",
                        "items": pair,
                        "minItems": 1,
                        "maxItems": n_pairs,
                    }
                },
                "required": ["pairs"],
                "additionalProperties": False,
            },
        },
    }


_TYPE_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "boolean": "yes/no",
    "string": "text",
    "array": "a list",
}


def _kind(param: Param) -> str:
    return "one of the listed values" if param.enum else _TYPE_WORDS.get(param.type, param.type)


def render_needs(style: Style, tools: Sequence[Tool]) -> str:
    """Which values a query must state for each function: the rule small models break most.

    bench/verify's reading of generated rows: most wrong rows call a function with values
    the query never gives; naming them per function beside the specs tells the generator
    what its query has to contain.
    """
    if spec(style).no_call:
        return ""
    lines = ["Values the query must state for a call (the user's own, written out):"]
    for tool in tools:
        required = [f"{p.name} ({_kind(p)})" for p in tool.parameters if p.required]
        optional = [p.name for p in tool.parameters if not p.required]
        line = f"- {tool.name}: {', '.join(required) or 'nothing'}"
        if optional:
            line += f"; only if the user asks for them: {', '.join(optional)}"
        lines.append(line)
    return "\n".join(lines)


def generation_request(
    prompts: PromptLibrary,
    task: Task,
    tools: Sequence[Tool],
    examples: Sequence[Example],
    *,
    model: str,
    temperature: float,
    max_tokens: int,
    structured: bool,
    avoid: Sequence[str] = (),
) -> ChatRequest:
    """The generation request; `avoid`: verified queries its pairs should differ from."""
    shown = [render_examples(examples), render_avoid(avoid)]
    user = prompts.generate[task.template].substitute(
        n_pairs=task.n_pairs,
        tools=msgspec.json.encode([tool_to_xlam(t) for t in tools]).decode(),
        examples="\n".join(part for part in shown if part),
        needs=render_needs(task.style, tools),
    )
    return ChatRequest(
        model=model,
        messages=[
            {"role": "system", "content": prompts.system},
            {"role": "user", "content": user.strip()},
        ],
        temperature=temperature,
        max_tokens=max_tokens,
        # A per-task seed makes deterministic endpoints repeat themselves on resume.
        seed=zlib.crc32(task.id.encode()),
        response_format=generation_schema(task.style, tools, task.n_pairs) if structured else None,
    )


def read_pairs(completion: Completion) -> list[Any] | Rejection:
    """The generated items (unchecked), or a format rejection of the whole answer."""
    if completion.finish_reason == "length":
        return Rejection(
            stage="format", code="truncated", message="answer cut at max_tokens (finish=length)"
        )
    value, problem = extract_json(completion.content)
    if problem is not None:
        return Rejection(stage="format", code="invalid_json", message=problem)
    if isinstance(value, dict):
        if "pairs" in value:
            value = value["pairs"]
        elif "query" in value:
            value = [value]
    if not isinstance(value, list):
        return Rejection(stage="format", code="not_a_list", message="answer holds no list of pairs")
    if not value:
        return Rejection(stage="format", code="no_pairs", message="answer holds an empty list")
    return value
