"""The API library: Python function modules (`apis.python`) and REST services (`apis.rest`)."""
