"""apigen-async: verified, diverse function-calling datasets, generated asynchronously."""

__version__ = "0.1.0"

__all__ = ["__version__"]
