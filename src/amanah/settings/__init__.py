"""Django settings: `base` (everything, driven by the environment) and `test`."""
