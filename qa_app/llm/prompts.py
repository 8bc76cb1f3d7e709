"""The prompts, as Chinese text files in the repository's prompts/ folder, read at run time.

`load("phrase")` reads prompts/phrase.md; `$name` placeholders are filled with
string.Template. Operators can edit the files without touching code.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from string import Template

from .models import LLMError

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


@lru_cache(maxsize=None)
def _read(name: str) -> str:
    path = PROMPTS_DIR / f"{name}.md"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as e:
        raise LLMError(f"找不到提示词文件 {path}") from e


def load(name: str, **values) -> str:
    return Template(_read(name)).safe_substitute(**values)
