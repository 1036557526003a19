"""apigen-async: verified, diverse function-calling datasets, generated asynchronously.

The flow, and the order the modules may import each other in (each imports only those
above it; `tests/test_imports.py` checks there is no cycle):

1. Foundation: `errors`, `schema`, `styles`, `compact`, `scrub`, `outdir`.
2. What exists and how it is reached: `catalog/` (tools), then `executors/` (how a call
   runs) and `llm/` (how a model is asked: types, transports, retry, client).
3. The flow: `sampling` and `prompts/` (sample) -> `generate` -> `checks/` (format,
   rules, execution, resolve, judge) -> `stages/` (one module per stage, `ORDER` their one
   list) -> `ledger` (open tasks, epochs, stop rule) -> `pipeline` (wires `ORDER`) ->
   `store` -> `dedup`, `export`, `report`, `card`, `report_html`, `hub` (--push-to-hub).
4. `config` (`RunConfig`, every setting with its one default), then `commands/` (a config
   to a result), then `cli` (flags to a config and a command), imported only by
   `__main__`. `apis/` (the API library) imports nothing of this package.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
