"""`apigen serve-apis`: the local REST API service (apis/rest) on 127.0.0.1."""

from __future__ import annotations

import argparse
from functools import partial

import anyio

__all__ = ["serve_apis_command"]


async def serve_apis_command(args: argparse.Namespace) -> int:
    from apigen_async.catalog.library import local_rest_tools
    from apis.rest.service import serve

    async with anyio.create_task_group() as tg:
        port = await tg.start(partial(serve, args.port, rps_per_key=args.rps_per_key))
        print(
            f"local APIs: {len(local_rest_tools())} tools on http://127.0.0.1:{port} "
            "(X-RapidAPI-Key: any non-empty value)",
            flush=True,
        )
    return 0
