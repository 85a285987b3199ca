"""Command-line entry points. `verify` and `log` import only `amanah.transparency`."""
