"""The local REST API service: real, deterministic endpoints over shipped data tables.

`apis.rest.service` holds the aiohttp app (`make_app`, `serve`) and `local_base_urls()`;
`apis.rest.endpoints` one module per tool; `apis.rest.tools` the ToolBench-format tool
files describing them (regenerate with `python -m apis.rest.gen_tools`).
"""
