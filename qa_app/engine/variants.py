"""Traditional or old characters in a question folded to simplified ones (紅旗區信訪局 -> 红旗区信访局),
and a year written in Chinese digits read as Arabic digits (二〇二三年 -> 2023年).

Reads the pairs of variants.txt (data); char for char, so positions in the question are kept.
Does not touch report text (the index reads reports as printed) nor guess unknown characters.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0", "O": "0"}
# four Chinese digits before 年/年度 (二〇二三年, 二零二二年度); a digit-for-digit year keeps its length
_CN_YEAR = re.compile(r"[一二][〇零○Ｏ一二三四五六七八九]{3}(?=\s*年)")


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
    >>> simplify("红旗区信访局二〇二二年行政复议")
    '红旗区信访局2022年行政复议'
    """
    text = text.translate(_table())
    return _CN_YEAR.sub(lambda m: "".join(_DIGITS.get(c, c) for c in m.group(0)), text)
