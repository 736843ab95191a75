"""The HTTP API (SPEC §8): FastAPI, translation only; the registry does the work."""
