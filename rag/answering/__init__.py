"""Grounded answers with exact citations: an extractive answerer and an LLM answerer
(llama.cpp or an OpenAI-compatible server) behind one LangChain ``Runnable``."""

from rag.answering.answer import Answer, Citation
from rag.answering.chain import ANSWERERS, STAGES, AnswerChain, AnswerPipeline, make_answerer
from rag.answering.citations import ground, without_markers
from rag.answering.config import AnswerConfig
from rag.answering.extractive import ExtractiveAnswerer
from rag.answering.followup import expand, is_follow_up, rewrite_with_llm
from rag.answering.generative import LLMAnswerer
from rag.answering.language import REFUSALS, in_script
from rag.answering.llm import AnswerError, ChatLlamaCpp, endpoint_chat, llama_chat

__all__ = [
    "ANSWERERS",
    "REFUSALS",
    "STAGES",
    "Answer",
    "AnswerChain",
    "AnswerConfig",
    "AnswerPipeline",
    "Citation",
    "AnswerError",
    "ChatLlamaCpp",
    "ExtractiveAnswerer",
    "LLMAnswerer",
    "endpoint_chat",
    "expand",
    "ground",
    "in_script",
    "is_follow_up",
    "llama_chat",
    "make_answerer",
    "rewrite_with_llm",
    "without_markers",
]
