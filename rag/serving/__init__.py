"""What the chat and the HTTP API share: one knowledge base read concurrently while
documents are added, one rule for where uploads are kept, and follow-up understanding."""

from rag.serving.conversation import standalone_question, standalone_turns
from rag.serving.service import AddResult, Loader, LoadState, Service, ServiceError
from rag.serving.uploads import uploads_dir

__all__ = [
    "AddResult",
    "LoadState",
    "Loader",
    "Service",
    "ServiceError",
    "standalone_question",
    "standalone_turns",
    "uploads_dir",
]
