"""The demo `make run` loads: it sits above every domain app, so it may use all of them."""
