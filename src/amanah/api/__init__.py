"""The HTTP API at /api/v1/: one NinjaAPI, its authentication and error handling; each
app brings its own router."""
