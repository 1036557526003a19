"""--push-to-hub: a finished run's shareable files to a Hugging Face dataset repo.

What goes up is what a reader of the dataset needs, named one by one: the dataset file
of each `--export` format, the card (README.md, whose `configs` point at those files) and
report.html. Never the store (every request, answer and cached completion), report.json
(the sessions and their endpoints) or a request log, wherever they are.

The token comes from `huggingface_hub` itself (HF_TOKEN, or what `hf auth login`
stored); it is handed to the client and never written or printed. `huggingface_hub`
(and its HTTP library) is imported only when a push is asked for.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from apigen_async.errors import ConfigError, HubError
from apigen_async.export import EXPORT_FILES

__all__ = ["HUB_FILES", "hub_files", "hub_token", "push_to_hub"]

#: Uploaded beside the dataset files, when the run wrote them.
HUB_FILES = ("README.md", "report.html")


def hub_files(out: Path, formats: Sequence[str]) -> list[Path]:
    """The files of `out` a push uploads: the formats' dataset files, card and report.html."""
    names = [EXPORT_FILES[f] for f in formats] + list(HUB_FILES)
    return [out / name for name in names if (out / name).is_file()]


def hub_token(repo: str) -> str:
    """The token a push of `repo` will use; asked before the run, so a missing one costs
    nothing. A malformed repo id is a `ConfigError`, no token a `HubError`."""
    from huggingface_hub import get_token
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(repo)
    except HFValidationError as exc:
        raise ConfigError(f"--push-to-hub {repo!r}: not a repo id (owner/name): {exc}") from None
    token = get_token()
    if not token:
        raise HubError(
            f"--push-to-hub {repo}: no Hugging Face token; set HF_TOKEN or run "
            "`hf auth login`, then run the same command again"
        )
    return token


def push_to_hub(out: Path, repo: str, formats: Sequence[str], token: str) -> str:
    """Upload `hub_files(out, formats)` to the dataset repo `repo` (made if missing) in
    one commit; the repo's URL. Any failure is one `HubError` line naming the repo."""
    import httpx2
    from huggingface_hub import CommitOperationAdd, HfApi
    from huggingface_hub.errors import HfHubHTTPError

    # Read here, not at huggingface_hub's import, so it follows the environment.
    endpoint = os.environ.get("HF_ENDPOINT") or None
    api = HfApi(endpoint=endpoint, token=token)
    files = hub_files(out, formats)
    # The files stay in --out, and a rerun of a finished run sends no request: it only
    # exports and pushes again.
    kept = f"the run's files are in {out}; rerun the command without --fresh to push them"
    try:
        api.create_repo(repo, repo_type="dataset", exist_ok=True)
        commit = api.create_commit(
            repo,
            repo_type="dataset",
            operations=[CommitOperationAdd(path_in_repo=f.name, path_or_fileobj=f) for f in files],
            commit_message=f"apigen-async: {', '.join(f.name for f in files)}",
        )
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        why = {
            401: "the token was refused (HTTP 401)",
            403: "the token may not write to it (HTTP 403)",
        }.get(status or 0, f"the Hub answered HTTP {status}")
        raise HubError(f"--push-to-hub {repo}: {why}; {kept}") from exc
    except (httpx2.TransportError, OSError) as exc:
        # OSError: connection refused, DNS, and huggingface_hub's offline mode.
        where = endpoint or "huggingface.co"
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise HubError(f"--push-to-hub {repo}: cannot reach {where} ({reason}); {kept}") from exc
    return str(commit.repo_url)
