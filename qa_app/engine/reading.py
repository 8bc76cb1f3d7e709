"""How sure the reader was of the cells an answer cites, said in the answer's own words.

Two things the side store knows about a printed cell and an answer must not hide:
- the table reader was not sure of its row (numbers printed apart from their labels and placed
  by position, with no 勾稽 identity to confirm it: `Store.is_uncertain`), which is not the
  same as the report's own numbers not adding up (that is the checks' warning);
- it was read from a scanned page by OCR (the report's source_format is "pdf-ocr"; each such
  cell's status in `Store.ocr_cells`: read, corrected by the identities, or uncertain).

`reading_note(answer, store)` gives the sentence to add (empty when every cited cell was read
with confidence from text). It does not change a number or a citation.
"""
from __future__ import annotations


def reading_note(ans, store) -> str:
    unsure: list[str] = []
    scanned: dict[str, list[str]] = {}
    ocr_doubt: list[str] = []
    cache: dict[int, dict] = {}
    for c in ans.citations:
        if c.report_id is None or not c.table or not c.row_key:
            continue
        label = c.row + (f"·{c.column}" if c.column else "")
        try:
            if store.is_uncertain(c.report_id, c.table, c.row_key, c.column_key or None):
                unsure.append(f"{c.report}「{label}」")
            info = store.report(c.report_id)
            if info is not None and info.source_format == "pdf-ocr":
                scanned.setdefault(info.file_name, [])
                cells = cache.get(c.report_id)
                if cells is None:
                    cells = cache[c.report_id] = store.ocr_cells(c.report_id)
                st = (cells.get((c.table, c.row_key, c.column_key)) or {}).get("status")
                if st == "uncertain":
                    ocr_doubt.append(f"「{label}」")
                elif st == "corrected":
                    ocr_doubt.append(f"「{label}」（按勾稽关系校正了一个数字）")
        except Exception:  # an index without these tables: nothing to say
            continue
    out = []
    if unsure:
        out.append("读取不确定：" + "、".join(dict.fromkeys(unsure)) + " 这一行的数字与行名在原文中分开印出，"
                   "是按位置对应的，勾稽关系未能确认，请对照原文核实")
    if scanned:
        s = "数字来自扫描件的文字识别（OCR）：" + "、".join(scanned)
        if ocr_doubt:
            s += "；其中 " + "、".join(dict.fromkeys(ocr_doubt)) + " 识别不确定，请对照原件"
        out.append(s)
    return "。".join(out) + ("。" if out else "")
