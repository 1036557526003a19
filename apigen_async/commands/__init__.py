"""The commands: thin functions from parsed flags to a result (exit status)."""
