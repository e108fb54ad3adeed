"""The chat window: a Gradio app with streamed answers and clickable citations.

``serve`` is ``wenda chat``; ``build_app`` + ``launch`` embed the same page elsewhere.
"""

from ui.app import build_app
from ui.chat import Settings
from ui.server import launch, serve

__all__ = ["Settings", "build_app", "launch", "serve"]
