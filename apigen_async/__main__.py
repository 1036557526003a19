from apigen_async.cli import entry

entry()
