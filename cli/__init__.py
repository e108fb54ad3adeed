"""The ``wenda`` command line, on top of everything: ``rag``, ``ui``, ``eval`` and ``api``
know nothing of it."""
