"""Shared fixtures: the session-wide indexes most engine tests ask, and a fake chat model.

- `corpus_settings`: the five seeds plus the three edited reports of tests/ask_corpus.py
  (红谷滩区政府办 2022, 红旗区信访局 2023, a 红旗区市场监督管理局 2023 whose numbers do not add up),
  indexed once per session by the real `qa-app index --no-narrative`. Read-only: a test that
  writes to an index builds its own.
- `seed_settings`: the five seeds alone, the same way.
- `fake_chat_model`: LangChain's FakeListChatModel giving the replies asked for, and the prompts
  it was sent (for tests of the language-model mode without a model).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from ask_corpus import build_index, write_corpus  # noqa: E402


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory):
    from qa_app.settings import Settings
    files = write_corpus(tmp_path_factory.mktemp("corpus_reports"))
    return Settings.load(index=build_index(files, tmp_path_factory.mktemp("corpus_index")))


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory):
    from qa_app.settings import Settings
    files = write_corpus(tmp_path_factory.mktemp("seed_reports"), extra=False)
    return Settings.load(index=build_index(files, tmp_path_factory.mktemp("seed_index")))


@pytest.fixture
def fake_chat_model():
    """fake_chat_model("reply 1", "reply 2") -> (model, prompts): the model answers in turn;
    prompts collects the messages of each call."""
    from langchain_core.callbacks import BaseCallbackHandler
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    def make(*replies: str):
        prompts: list = []

        class Recorder(BaseCallbackHandler):
            def on_chat_model_start(self, serialized, messages, **kwargs):
                prompts.append(messages[0])

        return FakeListChatModel(responses=list(replies), callbacks=[Recorder()]), prompts
    return make
