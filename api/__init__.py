"""The HTTP API (``wenda serve``): search, grounded answers, adding documents, and an
OpenAI-compatible chat endpoint, over one index."""

from api.app import create_app
from api.service import Service

__all__ = ["Service", "create_app"]
