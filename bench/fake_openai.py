"""A simulated OpenAI-compatible chat-completions endpoint, over real HTTP.

Used by the benchmarks and the fault-injection tests: it answers like a model would,
from the request itself, without a model.

- Generator prompts (`<style>`, `<n_pairs>`, `<tools>` tags in the last user message) get
  `{"pairs": [...]}` built from the tools offered, with a configurable share of broken
  pairs; judge prompts (`<pair>` blocks with a `<query>`, or `<query>`, `<calls>`,
  `<results>`) get `{"thought", "passes"}` at a configured pass rate, or
  `{"verdicts": [...]}` with one per `<pair>` block when the prompt numbers several
  pairs; anything else gets a short text.
- Faults: 429 with Retry-After, 500, hang, truncated body, malformed content,
  `finish_reason: "length"`, plus optional real RPM/TPM limits.
- Every choice is a function of (seed, body hash): the same request gets the same answer.
  Transport faults (429, 500, hang, truncation) also take the attempt number of that body
  so that a retry can succeed; content choices do not, so resumed runs see the same pairs.

Three ways to run it:
    python -m bench.fake_openai --port 8000 --latency lognormal:1.0,0.3
    async with FakeOpenAI(FakeConfig(...)) as fake: ... fake.base_url, fake.requests
    await task_group.start(serve, FakeConfig(...))   # returns the running FakeOpenAI
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import math
import random
import re
import signal
import socket
import sys
import time
from collections import deque
from pathlib import Path
from statistics import NormalDist
from typing import Any, Literal, Self

import anyio
import msgspec
import orjson
from aiohttp import web

__all__ = [
    "FakeConfig",
    "FakeOpenAI",
    "FakeStats",
    "Fixed",
    "LogNormal",
    "RequestRecord",
    "Uniform",
    "main",
    "parse_latency",
    "serve",
]

# ---------------------------------------------------------------------------------------
# Configuration


class Fixed(msgspec.Struct, frozen=True, tag="fixed"):
    seconds: float = 0.0


class Uniform(msgspec.Struct, frozen=True, tag="uniform"):
    lo: float
    hi: float


class LogNormal(msgspec.Struct, frozen=True, tag="lognormal"):
    median: float
    sigma: float = 0.5


Latency = Fixed | Uniform | LogNormal


class FakeConfig(msgspec.Struct, frozen=True, kw_only=True):
    """What the fake endpoint serves and how it misbehaves. Rates are probabilities."""

    models: tuple[str, ...] = ("fake",)
    seed: int = 0
    #: Time to first token (streaming) or before the body (non-streaming).
    latency: Latency = Fixed()
    #: Output tokens per second per stream; 0 answers at once.
    tokens_per_s: float = 0.0
    #: Requests served at once; later ones queue (0 = no cap).
    max_concurrency: int = 0
    # Transport faults, drawn per (body, attempt); their rates add up to at most 1.
    rate_429: float = 0.0
    retry_after: float = 1.0
    rate_500: float = 0.0
    rate_hang: float = 0.0
    #: How long a hung request waits before giving up with a 504 (clients time out first).
    hang_seconds: float = 600.0
    rate_truncated: float = 0.0
    # Content faults, drawn per body.
    rate_malformed: float = 0.0
    rate_length: float = 0.0
    #: Share of generated pairs with a format error, a wrong argument or a wrong function.
    bad_share: float = 0.0
    #: Share of generator answers wrapped in ```json fences with chatter around them.
    fence_share: float = 0.0
    judge_pass_rate: float = 1.0
    #: Share of re-solved queries whose calls agree with the generated ones.
    resolve_agree_rate: float = 1.0
    #: Length of answers to prompts that are neither generator nor judge prompts.
    text_tokens: int = 24
    #: Real limits like a provider's: over them the request gets a 429 (0 = none).
    limit_rpm: int = 0
    limit_tpm: int = 0
    #: Error bodies quote the caller's Authorization header and token, as some proxies do.
    echo_auth: bool = False
    #: Answer 400 to any request with `response_format`, as servers without it do.
    refuse_structured: bool = False
    #: Answer 400 to any request with `tools`, as servers without function calling do.
    refuse_tools: bool = False
    #: Keep `FakeOpenAI.requests`; switch off for very long runs.
    keep_log: bool = True
    #: Answers kept by body hash (each answer is built once).
    cache_size: int = 65536


def parse_latency(spec: str) -> Latency:
    """`0.5`, `fixed:0.5`, `uniform:0.2,1.5` or `lognormal:1.0,0.4` (median, sigma)."""
    kind, _, args = spec.partition(":")
    if not args:
        return Fixed(float(kind))
    nums = [float(x) for x in args.split(",")]
    if kind == "fixed":
        return Fixed(nums[0])
    if kind == "uniform":
        return Uniform(nums[0], nums[1])
    if kind == "lognormal":
        return LogNormal(nums[0], nums[1] if len(nums) > 1 else 0.5)
    raise ValueError(f"unknown latency kind {kind!r}")


# ---------------------------------------------------------------------------------------
# Request log

Fault = Literal["none", "429", "500", "hang", "truncated", "malformed", "length", "limit"]


class RequestRecord(msgspec.Struct, frozen=True, gc=False):
    """One request as the endpoint saw it. Times are `time.monotonic()` seconds."""

    arrival: float
    start: float
    end: float
    body_hash: str
    status: int
    prompt_tokens: int
    completion_tokens: int
    model: str = ""
    attempt: int = 0
    fault: Fault = "none"
    stream: bool = False
    kind: str = "text"


class FakeStats(msgspec.Struct, frozen=True):
    requests: int
    by_status: dict[int, int]
    active: int
    queued: int
    peak_active: int
    peak_in_flight: int


# ---------------------------------------------------------------------------------------
# Deterministic draws


def _unit(seed: int, digest: bytes, salt: bytes, attempt: int = 0) -> float:
    """A uniform number in [0, 1) fixed by its inputs."""
    h = hashlib.blake2b(digest, digest_size=8, key=b"%d/%s/%d" % (seed, salt, attempt))
    return int.from_bytes(h.digest(), "big") / 2.0**64


def _rng(seed: int, digest: bytes) -> random.Random:
    return random.Random(int.from_bytes(digest, "big") ^ (seed * 0x9E3779B97F4A7C15))


def _latency(config: FakeConfig, digest: bytes, attempt: int) -> float:
    lat = config.latency
    if isinstance(lat, Fixed):
        return lat.seconds
    u = _unit(config.seed, digest, b"latency", attempt)
    if isinstance(lat, Uniform):
        return lat.lo + u * (lat.hi - lat.lo)
    z = NormalDist().inv_cdf(min(max(u, 1e-9), 1 - 1e-9))
    return lat.median * math.exp(lat.sigma * z)


def _tokens(text_len: int) -> int:
    return max(1, (text_len + 3) // 4)


# ---------------------------------------------------------------------------------------
# Answers built from the prompt

_TAG_RE = {
    name: re.compile(rf"<{name}>(.*?)</{name}>", re.DOTALL)
    for name in ("style", "n_pairs", "tools", "functions", "query", "calls", "results")
}
_WORDS = (
    "apple",
    "river",
    "quantum",
    "maple",
    "orbit",
    "silver",
    "harbor",
    "lantern",
    "meadow",
)
_STR_HINTS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("email",), ("alice@example.com", "bob@example.org")),
    (("url", "link", "website"), ("https://example.com", "https://example.org/docs")),
    (("date", "day"), ("2024-03-15", "2023-11-02", "2025-01-20")),
    (("time",), ("09:30", "14:45")),
    (("symbol", "ticker"), ("AAPL", "MSFT", "GOOG")),
    (("currency",), ("USD", "EUR", "JPY")),
    (("city",), ("Paris", "Tokyo", "Nairobi")),
    (("country",), ("France", "Japan", "Kenya")),
    (("lang",), ("en", "fr", "de")),
    (("name", "user", "author"), ("Alice", "Bob", "Chen")),
    (("color", "colour"), ("red", "blue", "green")),
    (("number", "digits"), ("101", "255", "42")),
    (
        ("text", "sentence", "string", "message", "content", "phrase"),
        (
            "The quick brown fox jumps over the lazy dog",
            "A man a plan a canal Panama",
            "hello world",
        ),
    ),
    (("word",), ("level", "racecar", "python")),
)
_IRRELEVANT = (
    "What is the capital of Mongolia?",
    "Write a short haiku about autumn leaves.",
    "Who painted the ceiling of the Sistine Chapel?",
    "Recommend a good book about the history of tea.",
    "How do I say 'good morning' in Portuguese?",
    "What time does the sun set in Reykjavik in June?",
    "Tell me a fun fact about octopuses.",
    "Translate 'thank you very much' into Japanese.",
)
_TEMPLATES = (
    "Can you {p}{a}?",
    "Please {p}{a}.",
    "I need to {p}{a}.",
    "Could you {p}{a} for me?",
    "Help me {p}{a}.",
    "I'd like to {p}{a}.",
    "Quick question: can you {p}{a}?",
    "For my homework I have to {p}{a}.",
)
_CHATTER = (
    ("Here are the pairs you asked for:\n", "\nLet me know if you need more."),
    ("Sure! ", ""),
    ("", "\nEach answer uses only the functions provided."),
)


class _Answer(msgspec.Struct, frozen=True, gc=False):
    content: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    kind: str
    fault: Fault = "none"
    #: Native function calls (requests with `tools`), OpenAI's wire form.
    tool_calls: list[dict[str, Any]] | None = None


def _message_text(message: Any) -> str:
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _tag(name: str, text: str) -> str | None:
    m = _TAG_RE[name].search(text)
    return m.group(1).strip() if m else None


def _normalise_tool(tool: Any) -> dict[str, Any] | None:
    """Accept the xlam dialect and, leniently, OpenAI/JSON-Schema tools."""
    if not isinstance(tool, dict):
        return None
    if isinstance(tool.get("function"), dict):
        tool = tool["function"]
    name = tool.get("name")
    if not isinstance(name, str):
        return None
    params = tool.get("parameters") or {}
    if isinstance(params, dict) and isinstance(params.get("properties"), dict):
        required = set(params.get("required") or ())
        params = {
            k: {
                **v,
                "type": str(v.get("type", "str")) + ("" if k in required else ", optional"),
            }
            for k, v in params["properties"].items()
            if isinstance(v, dict)
        }
    if not isinstance(params, dict):
        params = {}
    return {
        "name": name,
        "description": str(tool.get("description", "")),
        "parameters": params,
    }


def _scalar(rng: random.Random, kind: str, pname: str) -> Any:
    low = pname.lower()
    if kind in ("int", "integer"):
        if "year" in low:
            return rng.randint(1990, 2024)
        if "month" in low:
            return rng.randint(1, 12)
        if "base" in low:
            return rng.choice((2, 8, 10, 16))
        return rng.randint(2, 60)
    if kind in ("float", "number"):
        if any(h in low for h in ("rate", "prob", "ratio", "fraction")):
            return round(rng.uniform(0.05, 0.95), 2)
        return round(rng.uniform(0.5, 100.0), 2)
    if kind in ("bool", "boolean"):
        return rng.random() < 0.5
    for hints, values in _STR_HINTS:
        if any(h in low for h in hints):
            return rng.choice(values)
    return rng.choice(_WORDS)


def _value(rng: random.Random, pname: str, spec: dict[str, Any]) -> Any:
    enum = spec.get("enum")
    if isinstance(enum, list) and enum:
        return rng.choice(enum)
    if spec.get("format") == "date":
        return rng.choice(("2024-03-15", "2023-11-02", "2025-01-20"))
    t = str(spec.get("type", "str")).removesuffix(", optional").strip()
    low = t.lower()
    if low.startswith(("list", "array", "tuple", "set")):
        inner = t[t.find("[") + 1 : t.rfind("]")].strip().lower() if "[" in t else "int"
        inner = (
            spec.get("items", {}).get("type", inner)
            if isinstance(spec.get("items"), dict)
            else inner
        )
        return [_scalar(rng, inner, pname) for _ in range(rng.randint(2, 5))]
    if low.startswith(("dict", "object", "mapping")):
        return {rng.choice(_WORDS): rng.randint(1, 9) for _ in range(2)}
    return _scalar(rng, low, pname)


def _arguments(rng: random.Random, tool: dict[str, Any]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for pname, spec in tool["parameters"].items():
        if not isinstance(spec, dict):
            continue
        # Only the ", optional" suffix makes a parameter optional: ToolBench-derived specs
        # give required parameters a default too (an example value that the API accepts).
        if "optional" in str(spec.get("type", "")) and rng.random() < 0.6:
            continue
        default = spec.get("default")
        if default is not None and rng.random() < 0.5:
            args[pname] = default
        else:
            args[pname] = _value(rng, pname, spec)
    # Functions such as n-choose-k want k <= n; keep such pairs ordered.
    if isinstance(args.get("n"), int) and isinstance(args.get("k"), int) and args["k"] > args["n"]:
        args["n"], args["k"] = args["k"], args["n"]
    return args


def _verb_phrase(description: str) -> str:
    first = description.strip().split(". ")[0].rstrip(".").strip()
    if not first:
        return "run this tool"
    word, _, rest = first.partition(" ")
    w = word.lower()
    # "Calculates the..." -> "calculate the..."
    if w.endswith("ies"):
        w = w[:-3] + "y"
    elif w.endswith(("ches", "shes", "sses", "xes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return f"{w} {rest}".strip()


def _render_args(args: dict[str, Any]) -> str:
    if not args:
        return ""
    # Parameter names as words: a query that spells `weight_kg` restates the spec.
    parts = [
        f"{_spoken(k)} = '{v}'" if isinstance(v, str) else f"{_spoken(k)} = {_json(v)}"
        for k, v in args.items()
    ]
    tail = parts[-1] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return " with " + tail


def _spoken(name: str) -> str:
    return name.replace("_", " ")


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _parse_sentence(sentence: str, tools: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The call a generated sentence states, read back from its `_render_args` form."""
    low = sentence.lower()
    found = [
        (len(phrase), tool, low.index(phrase) + len(phrase))
        for tool in tools
        if (phrase := _verb_phrase(tool["description"] or _spoken(tool["name"])).lower()) in low
    ]
    if not found:
        return None
    _, tool, end = max(found, key=lambda f: f[0])
    rest = sentence[end:]
    names = {_spoken(k): k for k in tool["parameters"]}
    args: dict[str, Any] = {}
    if rest.startswith(" with ") and names:
        alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        marks = list(re.finditer(rf"(?:^ with |, | and )({alternation}) = ", rest))
        for i, mark in enumerate(marks):
            stop = marks[i + 1].start() if i + 1 < len(marks) else len(rest)
            text = rest[mark.end() : stop]
            args[names[mark.group(1)]] = _read_value(text)
    return {"name": tool["name"], "arguments": args}


def _read_value(text: str) -> Any:
    # Whatever the template put after the value (" for me?", ".", "?") is cut off here.
    if text.startswith("'"):
        return text[1 : text.index("'", 1)]
    for end in range(len(text), 0, -1):
        try:
            return orjson.loads(text[:end])
        except orjson.JSONDecodeError:
            continue
    return text


_QUERY_RE = re.compile(r'<query id="\d+">(.*?)</query>', re.S)


def _resolve_content(config: FakeConfig, text: str) -> str | None:
    """Re-solve prompts: the calls each numbered query states, read back from its words."""
    queries = _QUERY_RE.findall(text)
    raw_tools = _tag("functions", text)
    if not queries or raw_tools is None:
        return None
    try:
        parsed = orjson.loads(raw_tools)
    except orjson.JSONDecodeError:
        return None
    tools = [t for t in map(_normalise_tool, parsed if isinstance(parsed, list) else []) if t]
    answers = []
    for query in queries:
        calls = [
            call
            for sentence in query.split(" Also, ")
            if (call := _parse_sentence(sentence, tools)) is not None
        ]
        # Drawn from the query alone, so it is the same whichever batch it comes in.
        query_digest = hashlib.blake2b(query.encode(), digest_size=16).digest()
        if _unit(config.seed, query_digest, b"resolve") >= config.resolve_agree_rate:
            calls = calls[:-1]
        answers.append({"calls": calls})
    return _json({"answers": answers})


def _calls_for_style(rng: random.Random, style: str, tools: list[dict[str, Any]]) -> list[Any]:
    # A copy of the call counts of `apigen_async/styles.py` (the fake imports nothing from
    # the package): a style added there answers like `simple` here until added too.
    if style == "irrelevance":
        return []
    if style == "multiple":
        return [rng.choice(tools)]
    if style == "parallel":
        return [tools[0]] * rng.randint(2, 3)
    if style == "parallel_multiple":
        picked = rng.sample(tools, min(len(tools), rng.randint(2, 3)))
        if len(picked) < 2:
            picked = picked * 2
        return picked
    return [tools[0]]


def _corrupt(rng: random.Random, pair: dict[str, Any], tools: list[dict[str, Any]]) -> None:
    """Break one pair the way generator models do: format, argument name or function."""
    answers = pair["answers"]
    if not answers:  # an irrelevance pair that calls something anyway
        answers.append({"name": "search_web", "arguments": {"query": pair["query"]}})
        return
    call = rng.choice(answers)
    kind = rng.choice(("format", "arg_name", "func_name"))
    if kind == "func_name":
        call["name"] = call["name"] + rng.choice(("_v2", "_tool", "_api"))
    elif kind == "arg_name":
        if call["arguments"]:
            old = rng.choice(list(call["arguments"]))
            call["arguments"][old + "_value"] = call["arguments"].pop(old)
        else:
            call["arguments"]["value"] = 1
    else:
        sub = rng.randrange(3)
        if sub == 0:
            call["arguments"] = orjson.dumps(call["arguments"]).decode()
        elif sub == 1:
            pair["question"] = pair.pop("query")
        else:
            numeric = [k for k, v in call["arguments"].items() if isinstance(v, (int, float))]
            if numeric:
                call["arguments"][numeric[0]] = "twelve"
            else:
                call["arguments"] = orjson.dumps(call["arguments"]).decode()


def _generator_content(config: FakeConfig, digest: bytes, text: str, json_mode: bool) -> str | None:
    raw_tools = _tag("tools", text)
    style = (_tag("style", text) or "simple").strip().lower()
    if raw_tools is None:
        return None
    try:
        parsed = orjson.loads(raw_tools)
    except orjson.JSONDecodeError:
        return None
    if isinstance(parsed, dict):
        parsed = [parsed]
    tools = [t for t in map(_normalise_tool, parsed if isinstance(parsed, list) else []) if t]
    try:
        n_pairs = max(1, min(50, int(_tag("n_pairs", text) or 3)))
    except ValueError:
        n_pairs = 3
    rng = _rng(config.seed, digest)
    pairs = []
    for _ in range(n_pairs):
        if not tools or style == "irrelevance":
            pair: dict[str, Any] = {"query": rng.choice(_IRRELEVANT), "answers": []}
        else:
            answers = []
            sentences = []
            for tool in _calls_for_style(rng, style, tools):
                args = _arguments(rng, tool)
                answers.append({"name": tool["name"], "arguments": args})
                template = rng.choice(_TEMPLATES)
                phrase = _verb_phrase(tool["description"] or tool["name"].replace("_", " "))
                sentences.append(template.format(p=phrase, a=_render_args(args)))
            query = sentences[0] + "".join(" Also, " + s[0].lower() + s[1:] for s in sentences[1:])
            pair = {"query": query, "answers": answers}
        if config.bad_share and rng.random() < config.bad_share:
            _corrupt(rng, pair, tools)
        pairs.append(pair)
    content = orjson.dumps({"pairs": pairs}).decode()
    if not json_mode and _unit(config.seed, digest, b"fence") < config.fence_share:
        before, after = _CHATTER[rng.randrange(len(_CHATTER))]
        content = f"{before}```json\n{content}\n```{after}"
    return content


_PAIR_RE = re.compile(r"<pair\b[^>]*>(.*?)</pair>", re.S)


def _judge_content(config: FakeConfig, digest: bytes, text: str) -> str | None:
    blocks = _PAIR_RE.findall(text)
    if blocks:
        # Numbered pairs: one verdict each, drawn from the pair itself, so a pair gets
        # the same verdict whichever batch it is judged in.
        verdicts = []
        for block in blocks:
            query = _tag("query", block)
            if query is None:
                return None
            pair_digest = hashlib.blake2b(block.encode(), digest_size=16).digest()
            verdicts.append(_verdict(config, pair_digest, query))
        return orjson.dumps({"verdicts": verdicts}).decode()
    query = _tag("query", text)
    if query is None or _tag("calls", text) is None or _tag("results", text) is None:
        return None
    return orjson.dumps(_verdict(config, digest, query)).decode()


def _verdict(config: FakeConfig, digest: bytes, query: str) -> dict[str, str]:
    short = query[:80].replace("\n", " ")
    if _unit(config.seed, digest, b"judge") < config.judge_pass_rate:
        thought = f"The calls match the request '{short}' and the results answer it."
        return {"thought": thought, "passes": "yes"}
    thought = f"The calls or their results do not fully answer the request '{short}'."
    return {"thought": thought, "passes": "no"}


# `apigen eval --mode prompt` lists the functions after this line of its system prompt.
_EVAL_FUNCTIONS = "Here is a list of functions in JSON format that you can invoke."


def _eval_calls(
    config: FakeConfig, digest: bytes, query: str, tools: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Eval questions: the calls a generated query states (read back from its words);
    none for a known irrelevant query; else a call of the first function with values made
    up from its parameters (BFCL's questions: the fake reads no natural language)."""
    calls = [
        call
        for sentence in query.split(" Also, ")
        if (call := _parse_sentence(sentence, tools)) is not None
    ]
    if calls or query in _IRRELEVANT or not tools:
        return calls
    tool = tools[0]
    return [{"name": tool["name"], "arguments": _arguments(_rng(config.seed, digest), tool)}]


def _py_literal(value: Any) -> str:
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{_py_literal(k)}: {_py_literal(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(_py_literal(v) for v in value) + "]"
    return repr(value)


def _eval_answer(
    config: FakeConfig, digest: bytes, body: dict[str, Any], texts: list[str], query: str
) -> tuple[str, list[dict[str, Any]] | None] | None:
    """(text, tool calls) for an eval request, or None when the request is not one."""
    raw_tools = body.get("tools")
    if isinstance(raw_tools, list):
        tools = [t for t in map(_normalise_tool, raw_tools) if t]
        calls = _eval_calls(config, digest, query, tools)
        if not calls:
            return "None of the functions can answer that.", None
        wire = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": c["name"], "arguments": _json(c["arguments"])},
            }
            for i, c in enumerate(calls)
        ]
        return "", wire
    system = texts[0] if texts else ""
    if _EVAL_FUNCTIONS not in system:
        return None
    listed = system.split(_EVAL_FUNCTIONS, 1)[1].strip()
    end = _json_end(listed)
    try:
        parsed = orjson.loads(listed[:end])
    except orjson.JSONDecodeError:
        return None
    tools = [t for t in map(_normalise_tool, parsed if isinstance(parsed, list) else []) if t]
    calls = _eval_calls(config, digest, query, tools)
    if not calls:
        return "None of the functions can answer that.", None
    parts = [
        f"{c['name']}({', '.join(f'{k}={_py_literal(v)}' for k, v in c['arguments'].items())})"
        for c in calls
    ]
    return "[" + ", ".join(parts) + "]", None


def _json_end(text: str) -> int:
    """Length of the JSON list at the start of `text` (the item's own system text may follow)."""
    depth, in_string, escaped = 0, False, False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def _text_content(config: FakeConfig, digest: bytes) -> str:
    rng = _rng(config.seed, digest)
    words: list[str] = []
    chars, target = 0, 4 * max(1, config.text_tokens)
    while chars < target:
        words.append(rng.choice(_WORDS))
        chars += len(words[-1]) + 1
    return " ".join(words) + "."


def _build_answer(config: FakeConfig, digest: bytes, body: dict[str, Any]) -> _Answer:
    """The deterministic answer to one request body (before transport faults)."""
    messages = body.get("messages")
    messages = messages if isinstance(messages, list) else []
    texts = [_message_text(m) for m in messages]
    prompt_tokens = _tokens(sum(map(len, texts))) + 3 * len(messages)
    last_user = next(
        (
            t
            for m, t in zip(reversed(messages), reversed(texts), strict=True)
            if isinstance(m, dict) and m.get("role") == "user"
        ),
        "",
    )
    rf = body.get("response_format")
    json_mode = isinstance(rf, dict) and rf.get("type") in (
        "json_schema",
        "json_object",
    )

    evaluated = _eval_answer(config, digest, body, texts, last_user)
    if evaluated is not None:
        content, tool_calls = evaluated
        finish = "tool_calls" if tool_calls else "stop"
        tokens = _tokens(len(content) + len(_json(tool_calls or [])))
        return _Answer(content, finish, prompt_tokens, tokens, "eval", tool_calls=tool_calls)
    # Judge and re-solve prompts list the tools too, so they are recognised first.
    kind = "resolve"
    content = _resolve_content(config, last_user)
    if content is None:
        kind = "judge"
        content = _judge_content(config, digest, last_user)
    if content is None:
        kind = "generator"
        content = _generator_content(config, digest, last_user, json_mode)
    if content is None:
        kind = "text"
        content = _text_content(config, digest)

    finish, fault = "stop", "none"
    u = _unit(config.seed, digest, b"content")
    if u < config.rate_malformed:
        # Single quotes and a dangling bracket: reads like JSON, is not JSON.
        content, fault = "Sure, " + content.replace('"', "'")[:-1], "malformed"
    elif u < config.rate_malformed + config.rate_length:
        content, finish, fault = (
            content[: max(1, len(content) * 3 // 5)],
            "length",
            "length",
        )
    max_tokens = body.get("max_completion_tokens") or body.get("max_tokens")
    if isinstance(max_tokens, int) and max_tokens > 0 and _tokens(len(content)) > max_tokens:
        content, finish, fault = content[: max_tokens * 4], "length", "length"
    return _Answer(content, finish, prompt_tokens, _tokens(len(content)), kind, fault)


# ---------------------------------------------------------------------------------------
# The server


def _error(status: int, message: str, type_: str, code: str | None = None, **headers: str):
    payload = {"error": {"message": message, "type": type_, "param": None, "code": code}}
    return web.Response(
        status=status,
        body=orjson.dumps(payload),
        content_type="application/json",
        headers=headers or None,
    )


class _Trace(msgspec.Struct):
    """What a handler learnt about its request, for the log record written at the end."""

    start: float
    status: int = 0
    fault: Fault = "none"
    ptok: int = 0
    ctok: int = 0
    kind: str = ""


class _Window:
    """Sliding 60-second window of (time, amount) for the optional RPM/TPM limits."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.events: deque[tuple[float, int]] = deque()
        self.total = 0

    def wait_for(self, now: float, amount: int) -> float:
        """Seconds until `amount` fits; 0 means it fits now (and is then counted)."""
        while self.events and self.events[0][0] <= now - 60.0:
            self.total -= self.events.popleft()[1]
        if self.total + amount <= self.limit or not self.events:
            self.events.append((now, amount))
            self.total += amount
            return 0.0
        need, freed = self.total + amount - self.limit, 0
        for t, a in self.events:
            freed += a
            if freed >= need:
                return max(0.01, t + 60.0 - now)
        return 60.0


class FakeOpenAI:
    """The endpoint: `async with FakeOpenAI(config) as fake:` serves on `fake.base_url`."""

    def __init__(
        self,
        config: FakeConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        self.config = config or FakeConfig()
        self.host = host
        self.port = port
        self.requests: list[RequestRecord] = []
        self._attempts: dict[bytes, int] = {}
        self._cache: dict[bytes, _Answer] = {}
        self._sem = (
            asyncio.Semaphore(self.config.max_concurrency) if self.config.max_concurrency else None
        )
        self._rpm = _Window(self.config.limit_rpm) if self.config.limit_rpm else None
        self._tpm = _Window(self.config.limit_tpm) if self.config.limit_tpm else None
        self._models = set(self.config.models)
        self._by_status: dict[int, int] = {}
        self._count = 0
        self._active = 0
        self._in_flight = 0
        self._peak_active = 0
        self._peak_in_flight = 0
        self._runner: web.AppRunner | None = None

    # -- lifecycle ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._list_models)
        app.router.add_get("/v1/models/{model}", self._get_model)
        # Cancel a handler when its client goes away, so hung requests and queue slots are
        # released as soon as the client times out.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock, backlog=4096).start()

    async def close(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def stats(self) -> FakeStats:
        return FakeStats(
            requests=self._count,
            by_status=dict(self._by_status),
            active=self._active,
            queued=self._in_flight - self._active,
            peak_active=self._peak_active,
            peak_in_flight=self._peak_in_flight,
        )

    # -- handlers -----------------------------------------------------------------------

    async def _list_models(self, request: web.Request) -> web.Response:
        data = [
            {"id": m, "object": "model", "created": 0, "owned_by": "fake"}
            for m in self.config.models
        ]
        return web.Response(
            body=orjson.dumps({"object": "list", "data": data}),
            content_type="application/json",
        )

    async def _get_model(self, request: web.Request) -> web.Response:
        model = request.match_info["model"]
        if model not in self._models:
            return self._model_not_found(model)
        body = {"id": model, "object": "model", "created": 0, "owned_by": "fake"}
        return web.Response(body=orjson.dumps(body), content_type="application/json")

    @staticmethod
    def _model_not_found(model: str) -> web.Response:
        return _error(
            404,
            f"The model `{model}` does not exist",
            "invalid_request_error",
            "model_not_found",
        )

    def _answer(self, digest: bytes, body: dict[str, Any]) -> _Answer:
        answer = self._cache.get(digest)
        if answer is None:
            answer = _build_answer(self.config, digest, body)
            if len(self._cache) >= self.config.cache_size:
                del self._cache[next(iter(self._cache))]
            self._cache[digest] = answer
        return answer

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        arrival = time.monotonic()
        raw = await request.read()
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return _error(400, f"Invalid JSON body: {exc}", "invalid_request_error")
        if not isinstance(body, dict):
            return _error(400, "The body must be a JSON object.", "invalid_request_error")
        model = body.get("model")
        if model not in self._models:
            return self._model_not_found(str(model))
        digest = hashlib.blake2b(raw, digest_size=16).digest()
        attempt = self._attempts.get(digest, 0)
        self._attempts[digest] = attempt + 1
        stream = body.get("stream") is True
        cfg = self.config

        rec = _Trace(start=arrival)
        self._in_flight += 1
        self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
        try:
            return await self._serve_chat(request, body, digest, attempt, stream, arrival, rec)
        finally:
            self._in_flight -= 1
            self._count += 1
            status = rec.status
            self._by_status[status] = self._by_status.get(status, 0) + 1
            if cfg.keep_log:
                self.requests.append(
                    RequestRecord(
                        arrival=arrival,
                        start=rec.start,
                        end=time.monotonic(),
                        body_hash=digest.hex(),
                        status=status,
                        prompt_tokens=rec.ptok,
                        completion_tokens=rec.ctok,
                        model=str(model),
                        attempt=attempt,
                        fault=rec.fault,
                        stream=stream,
                        kind=rec.kind,
                    )
                )

    async def _serve_chat(
        self,
        request: web.Request,
        body: dict[str, Any],
        digest: bytes,
        attempt: int,
        stream: bool,
        arrival: float,
        rec: _Trace,
    ) -> web.StreamResponse:
        cfg = self.config
        answer = self._answer(digest, body)
        rec.ptok, rec.kind = answer.prompt_tokens, answer.kind

        for window, amount in (
            (self._rpm, 1),
            (self._tpm, answer.prompt_tokens + answer.completion_tokens),
        ):
            if window is not None:
                wait = window.wait_for(arrival, amount)
                if wait:
                    rec.status, rec.fault = 429, "limit"
                    return self._too_many(wait, "Rate limit reached for requests or tokens per min")

        if cfg.refuse_tools and body.get("tools") is not None:
            rec.status = 400
            return _error(400, "tools are not supported by this server", "invalid_request_error")
        if cfg.refuse_structured and body.get("response_format") is not None:
            rec.status = 400
            return _error(400, "response_format is not supported", "invalid_request_error")
        u = _unit(cfg.seed, digest, b"transport", attempt)
        if u < cfg.rate_429:
            rec.status, rec.fault = 429, "429"
            return self._too_many(cfg.retry_after, "Rate limit reached. Please try again later.")
        u -= cfg.rate_429
        if u < cfg.rate_500:
            rec.status, rec.fault = 500, "500"
            message = "The server had an error while processing your request."
            if cfg.echo_auth:
                header = request.headers.get("Authorization", "")
                token = header.partition(" ")[2]
                message += f" Upstream rejected token {token} (Authorization: {header})."
            return _error(500, message, "server_error")
        u -= cfg.rate_500
        hang = u < cfg.rate_hang
        truncated = not hang and u - cfg.rate_hang < cfg.rate_truncated

        if self._sem is not None:
            await self._sem.acquire()
        try:
            rec.start = time.monotonic()
            self._active += 1
            self._peak_active = max(self._peak_active, self._active)
            if hang:
                rec.fault = "hang"
                await asyncio.sleep(cfg.hang_seconds)
                rec.status = 504
                return _error(504, "Gateway timeout.", "server_error")
            rec.fault = "truncated" if truncated else answer.fault
            latency = _latency(cfg, digest, attempt)
            if stream:
                if latency > 0:
                    await asyncio.sleep(latency)
                return await self._stream(request, body, digest, answer, truncated, rec)
            delay = latency + (
                answer.completion_tokens / cfg.tokens_per_s if cfg.tokens_per_s else 0
            )
            if delay > 0:
                await asyncio.sleep(delay)
            payload = orjson.dumps(self._completion(body, digest, answer))
            rec.status, rec.ctok = 200, answer.completion_tokens
            if truncated:
                payload = payload[: len(payload) // 2]
            return web.Response(body=payload, content_type="application/json")
        finally:
            self._active -= 1
            if self._sem is not None:
                self._sem.release()

    @staticmethod
    def _too_many(seconds: float, message: str) -> web.Response:
        return _error(
            429,
            message,
            "requests",
            "rate_limit_exceeded",
            **{
                "Retry-After": f"{seconds:g}",
                "retry-after-ms": str(int(seconds * 1000)),
            },
        )

    @staticmethod
    def _completion(body: dict[str, Any], digest: bytes, answer: _Answer) -> dict[str, Any]:
        return {
            "id": "chatcmpl-" + digest.hex()[:24],
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "system_fingerprint": "fp_fake",
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": answer.content if not answer.tool_calls else None,
                        "refusal": None,
                        **({"tool_calls": answer.tool_calls} if answer.tool_calls else {}),
                    },
                    "logprobs": None,
                    "finish_reason": answer.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": answer.prompt_tokens,
                "completion_tokens": answer.completion_tokens,
                "total_tokens": answer.prompt_tokens + answer.completion_tokens,
            },
        }

    async def _stream(
        self,
        request: web.Request,
        body: dict[str, Any],
        digest: bytes,
        answer: _Answer,
        truncated: bool,
        rec: _Trace,
    ) -> web.StreamResponse:
        cfg = self.config
        resp = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await resp.prepare(request)
        rec.status = 200
        base = {
            "id": "chatcmpl-" + digest.hex()[:24],
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body["model"],
            "system_fingerprint": "fp_fake",
        }

        def chunk(delta: dict[str, Any], finish: str | None) -> bytes:
            choice = {
                "index": 0,
                "delta": delta,
                "logprobs": None,
                "finish_reason": finish,
            }
            return b"data: " + orjson.dumps({**base, "choices": [choice]}) + b"\n\n"

        await resp.write(chunk({"role": "assistant", "content": ""}, None))
        # Pace in steps of ~50 ms so that fast streams do not cost one write per token.
        if cfg.tokens_per_s:
            step_tokens = max(1, round(cfg.tokens_per_s * 0.05))
            pause = step_tokens / cfg.tokens_per_s
        else:
            step_tokens, pause = 16, 0.0
        step = step_tokens * 4
        content = answer.content
        stop_at = len(content) // 2 if truncated else len(content)
        sent = 0
        while sent < stop_at:
            piece = content[sent : min(sent + step, stop_at)]
            if pause:
                await asyncio.sleep(pause)
            await resp.write(chunk({"content": piece}, None))
            sent += len(piece)
        rec.ctok = _tokens(sent)
        if truncated:
            # No finish_reason and no [DONE]: the stream just stops.
            await resp.write_eof()
            return resp
        await resp.write(chunk({}, answer.finish_reason))
        options = body.get("stream_options")
        if isinstance(options, dict) and options.get("include_usage"):
            usage = {
                "prompt_tokens": answer.prompt_tokens,
                "completion_tokens": answer.completion_tokens,
                "total_tokens": answer.prompt_tokens + answer.completion_tokens,
            }
            data = {**base, "choices": [], "usage": usage}
            await resp.write(b"data: " + orjson.dumps(data) + b"\n\n")
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp


async def serve(
    config: FakeConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    task_status: anyio.abc.TaskStatus[FakeOpenAI] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Serve until cancelled; `await tg.start(serve, config)` returns the running endpoint."""
    async with FakeOpenAI(config, host=host, port=port) as fake:
        task_status.started(fake)
        await anyio.sleep_forever()


# ---------------------------------------------------------------------------------------
# Command line


def _parser() -> argparse.ArgumentParser:
    d = FakeConfig()
    p = argparse.ArgumentParser(
        prog="python -m bench.fake_openai", description=__doc__.split("\n")[0]
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    p.add_argument("--config", type=Path, help="a JSON FakeConfig; flags below override it")
    p.add_argument("--model", action="append", dest="models", help="served model name (repeatable)")
    p.add_argument("--seed", type=int)
    p.add_argument(
        "--latency",
        type=parse_latency,
        help="0.5 | uniform:LO,HI | lognormal:MEDIAN,SIGMA",
    )
    flags = {
        "tokens_per_s": float, "max_concurrency": int, "rate_429": float, "retry_after": float,
        "rate_500": float, "rate_hang": float, "hang_seconds": float, "rate_truncated": float,
        "rate_malformed": float, "rate_length": float, "bad_share": float, "fence_share": float,
        "judge_pass_rate": float, "resolve_agree_rate": float, "text_tokens": int,
        "limit_rpm": int, "limit_tpm": int,
    }  # fmt: skip
    for name, typ in flags.items():
        p.add_argument(
            "--" + name.replace("_", "-"),
            type=typ,
            dest=name,
            help=f"default {getattr(d, name)}",
        )
    for name in ("echo_auth", "refuse_structured", "refuse_tools"):
        p.add_argument("--" + name.replace("_", "-"), action="store_const", const=True, dest=name)
    p.add_argument("--log", type=Path, help="write the request log here (JSON lines) on exit")
    return p


def _config_from_args(args: argparse.Namespace) -> FakeConfig:
    base = (
        msgspec.json.decode(args.config.read_bytes(), type=FakeConfig)
        if args.config
        else FakeConfig()
    )
    fields = set(FakeConfig.__struct_fields__)
    changes = {k: v for k, v in vars(args).items() if k in fields and v is not None}
    if "models" in changes:
        changes["models"] = tuple(changes["models"])
    changes["keep_log"] = args.log is not None
    return msgspec.structs.replace(base, **changes)


async def _run(args: argparse.Namespace) -> None:
    fake = FakeOpenAI(_config_from_args(args), host=args.host, port=args.port)
    await fake.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # Harnesses wait for this line before sending traffic.
    print(f"READY {fake.base_url}", flush=True)
    try:
        await stop.wait()
    finally:
        await fake.close()
        if args.log:
            enc = msgspec.json.Encoder()
            args.log.write_bytes(b"".join(enc.encode(r) + b"\n" for r in fake.requests))
        s = fake.stats()
        print(
            f"served {s.requests} requests {s.by_status} peak active {s.peak_active}",
            file=sys.stderr,
        )


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        import uvloop
    except ImportError:
        asyncio.run(_run(args))
    else:
        uvloop.run(_run(args))


if __name__ == "__main__":
    main()
