"""Grounded answers with exact citations: an extractive answerer and an LLM answerer
(llama.cpp or an OpenAI-compatible server) behind one LangChain ``Runnable``."""

from rag.answering.chain import ANSWERERS, AnswerChain, make_answerer
from rag.answering.citations import ground
from rag.answering.extractive import ExtractiveAnswerer
from rag.answering.generative import LLMAnswerer
from rag.answering.language import REFUSALS
from rag.answering.llm import AnswerError, ChatLlamaCpp, endpoint_chat, llama_chat

__all__ = [
    "ANSWERERS",
    "REFUSALS",
    "AnswerChain",
    "AnswerError",
    "ChatLlamaCpp",
    "ExtractiveAnswerer",
    "LLMAnswerer",
    "endpoint_chat",
    "ground",
    "llama_chat",
    "make_answerer",
]
