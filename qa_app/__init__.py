"""qa-app: ask questions of Chinese government information-disclosure annual reports.

`qa_app.ask(question, history=None, ...)` answers with citations (see engine/); the CLI, the
Streamlit chat and the HTTP API all call it. Importing this package loads nothing heavy.
"""


def ask(question, history=None, **kwargs):
    """See qa_app.engine.ask."""
    from .engine import ask as _ask
    return _ask(question, history, **kwargs)


__all__ = ["ask"]
