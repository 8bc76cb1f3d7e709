"""The language-model assisted mode (settings.llm_mode = openai | local): understanding and
phrasing by a model, numbers still from the side store.

- `understand_with_llm`: when the rules cannot map a question, the model turns it into the
  engine's `Query` (validated against the catalog and the template; route.py).
- `phrase_with_llm`: a short Chinese answer written from the extractive answer's cited
  passages, kept only if verify.py finds every number and [n] marker in what it cites
  (phrase.py); otherwise the extractive answer stands, with a notice.
- `use_model`: put any LangChain chat model in place of the configured one (tests).

Importing this package is cheap: langchain-openai and xllamacpp are imported only when a model
is actually called. With llm_mode=none the engine never imports it.
"""
from __future__ import annotations


def understand_with_llm(question, catalog, history, settings, query, rules_unsure: bool = True):
    from .route import understand_with_llm as run
    return run(question, catalog, history, settings, query, rules_unsure)


def phrase_with_llm(answer, settings, history=None):
    from .phrase import phrase_with_llm as run
    return run(answer, settings, history)


def use_model(model):
    from .models import use_model as run
    return run(model)
