"""Traditional or old characters in a question folded to simplified ones (紅旗區信訪局 -> 红旗区信访局).

Reads the pairs of variants.txt (data); char for char, so positions in the question are kept.
Does not touch report text (the index reads reports as printed) nor guess unknown characters.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    pairs = {}
    for line in (Path(__file__).with_name("variants.txt")).read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        for tok in line.split():
            if len(tok) == 2:
                pairs[ord(tok[0])] = tok[1]
    return pairs


def simplify(text: str) -> str:
    """The text with each traditional character of the table replaced by its simplified form.

    >>> simplify("紅谷灘區政府辦2023年部分公開多少件")
    '红谷滩区政府办2023年部分公开多少件'
    """
    return text.translate(_table())
