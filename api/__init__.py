"""The HTTP API (``wenda serve``): search, grounded answers, adding documents, and an
OpenAI-compatible chat endpoint, over one index."""

from api.app import create_app

__all__ = ["create_app"]
