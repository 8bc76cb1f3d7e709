"""Understanding by the language model: a question the rules cannot map becomes the same `Query`
the engine executes against the side store.

The model fills a small JSON object (bodies, prose, cell, column, op). Servers that support it
(llama.cpp, vLLM, Ollama, OpenAI) are held to a JSON schema whose enums are the candidate bodies
(all of a small catalog; the rules' bodies and the closest names of a large one: candidates())
and the template's cells as one enum of 「table.row」 keys (so a row is always chosen with its
table); whatever comes back is validated again here: bodies must be names from the catalog,
the cell a template key, op one of the engine's ops. Output that fails is rejected as a whole
and the rules' own reading stands, with a Chinese notice. Plausibility rules (to_query) keep a
small model's guesses out: a body must be mentioned (an office by its place and a standard
abbreviation), a real place the catalog lacks is not mapped elsewhere, and which cell or the
text is decided by the evidence of the words said. The model never states a number.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from .. import template as T
from ..engine.catalog import is_subsequence
from ..engine.cells import CellQuery
from ..engine.understand import Query
from . import prompts
from .gate import WHAT_CUES
from .models import LLMError, chat_model, invoke

if TYPE_CHECKING:
    from ..engine.catalog import Catalog

# Collective words: a question with them is about many bodies on purpose (rules handle it).
COLLECTIVE = r"各|所有|全部|一共|合计|总共|加起来|累计|总和|哪|谁|全区|全市|库里|排名|排行|最多|最少|最高|最低|in total|all|each|every|which"
PLACE_SUFFIX = ("省", "市", "区", "县")
# Words that describe a body without naming it.
BODY_WORDS = r"单位|部门|机关|那边|那个局|这个局|口子|管.{1,6}的"

APP_ROW_TEXT = {
    "new_received": "本年新收申请", "carried_over": "上年结转申请", "granted": "予以公开",
    "partially_granted": "部分公开", "denied": "不予公开（合计）", "unavailable": "无法提供（合计）",
    "not_processed": "不予处理（合计）", "other": "其他处理（合计）", "total": "办理结果总计",
    "carried_forward": "结转下年度继续办理", "other.other": "其他处理·其他",
}


def model_may_help(query: Query, question: str, rules_unsure: bool, catalog=None, history=None) -> list[str]:
    """The reasons (gate.py) to ask the model: where the rules' own reading shows they are
    unsure. [] (falsy): the rules understood every word, the model is not asked. A bare
    follow-up with nothing before it is answered by the rules (which question?)."""
    from .gate import reasons
    if not history and "no_body" in (r := reasons(query, question, catalog, history)) and len(r) == 1 \
            and re.search(r"^(那|那么|和|与|跟|同|what about)|呢[?？]?$", question.strip().lower()):
        return []
    out = reasons(query, question, catalog, history)
    if "bodies" in query.inherited and re.search(BODY_WORDS, question) and "no_referent" not in out:
        out.append("no_referent")  # 「管上访的单位呢」: a follow-up that describes a body
    if history and len(query.bodies) == 1 and re.search(COMPARE_FOLLOW_UP, question) and query.op != "compare":
        # 「和红旗区政府办比呢？」 after a question whose body only the model had found
        out.append("compare_follow_up")
    return out


# ---------------------------------------------------------------------------------------
# What the model may choose from

def _proactive_rows():
    seen, out = set(), []
    for r in T.PROACTIVE_ROWS_2021 + T.PROACTIVE_ROWS_2019:
        if r.key not in seen:
            seen.add(r.key)
            cols = tuple(dict.fromkeys(c for x in T.PROACTIVE_ROWS_2021 + T.PROACTIVE_ROWS_2019
                                       if x.key == r.key for c in x.columns))
            out.append((r.key, r.label, cols))
    return out


def cell_keys() -> dict[str, dict[str, tuple[str, ...]]]:
    """table -> row -> the columns that row has (the template's keys)."""
    app = {r.key: tuple(c.key for c in T.APPLICATION_COLUMNS) for r in T.APPLICATION_ROWS}
    pro = {k: cols for k, _, cols in _proactive_rows()}
    rev = {r.key: T.REVIEW_COLS for r in T.REVIEW_ROWS}
    rev["litigation"] = T.REVIEW_COLS
    return {"applications": app, "proactive": pro, "review_litigation": rev}


def clean_label(label: str) -> str:
    """「(二)部分公开(区分处理的,…)」 -> 「部分公开」."""
    s = re.sub(r"^[一二三四五六七八九十]+、|^[(（][一二三四五六七八九十]+[)）]|^\d+[.、]", "", label)
    return re.sub(r"[(（].*?[)）]$", "", s).replace("“", "").replace("”", "")


def _row_text(r) -> str:
    """A short Chinese name for a row: its own words for sub-rows (「不予公开·国家秘密」)."""
    if r.key in APP_ROW_TEXT:
        return APP_ROW_TEXT[r.key]
    group = APP_ROW_TEXT.get(r.key.split(".")[0], "").replace("（合计）", "")
    return f"{group}·{r.words[0] if r.words else clean_label(r.label)}"


# The prompt names the rows and columns people ask about (short prompts are fast prompts); the
# schema still allows every key of the template.
PROMPT_APP_ROWS = ("new_received", "carried_over", "granted", "partially_granted", "denied", "unavailable",
                   "unavailable.not_held", "not_processed", "other", "total", "carried_forward")
PROMPT_APP_COLS = ("natural_person", "commercial_enterprise", "legal_person_or_org", "total")
PROMPT_PRO_COLS = ("issued", "in_force", "decisions", "amount")


def cell_choices() -> list[tuple[str, str]]:
    """(key, Chinese name) of every cell row the model may choose, keyed 「table.row」 so that a
    row is always chosen with its own table (the schema's one enum; 「proactive.granted」 cannot
    be written)."""
    out = [(f"applications.{r.key}", _row_text(r)) for r in T.APPLICATION_ROWS]
    out += [(f"proactive.{k}", label) for k, label, _ in _proactive_rows()]
    out += [("review_litigation.review", "行政复议"), ("review_litigation.litigation", "行政诉讼（合计）"),
            ("review_litigation.litigation_direct", "行政诉讼·直接起诉"),
            ("review_litigation.litigation_after_review", "行政诉讼·复议后起诉")]
    keys = cell_keys()
    return [(k, label) for k, label in out if k.partition(".")[2] in keys[k.partition(".")[0]]]


# Everyday words for a cell, shown to the model next to its key (the template's own labels are
# official words people rarely use: 「答应公开的」 is 予以公开, 「挨过告」 is 行政诉讼).
CELL_HINTS = {
    "applications.new_received": "新来的、收到的申请",
    "applications.granted": "同意、答应、全部公开",
    "applications.partially_granted": "只公开一部分、公开一半",
    "applications.unavailable.not_held": "手里没有、查无此信息",
    "applications.total": "办结、答复总数",
    "proactive.administrative_licensing": "审批、批证、发许可",
    "proactive.administrative_punishment": "罚款、处罚",
    "review_litigation.litigation": "被告、起诉、打官司",
}


def _cells_text() -> str:
    """The cells the prompt names (the rows and columns people ask about: short prompts are fast
    prompts); the schema still allows every key of the template."""
    prompt_rows = {f"applications.{k}" for k in PROMPT_APP_ROWS} | {
        f"proactive.{k}" for k, _, _ in _proactive_rows() if k not in ("other_management_services", "centralized_procurement")
    } | {k for k, _ in cell_choices() if k.startswith("review_litigation.")}
    cells = "；".join(f"{k} {label}" + (f"（{CELL_HINTS[k]}）" if k in CELL_HINTS else "")
                     for k, label in cell_choices() if k in prompt_rows)
    app_cols = "；".join(f"{c.key} {c.label}" for c in T.APPLICATION_COLUMNS if c.key in PROMPT_APP_COLS)
    pro_cols = "；".join(f"{c.key} {c.label.replace('（单位：万元）', '')}" for c in T.PROACTIVE_COLUMNS
                         if c.key in PROMPT_PRO_COLS)
    rev_cols = "；".join(f"{c.key} {c.label}" for c in T.REVIEW_COLUMNS)
    return (f"cell：{cells}\n"
            f"column（applications.*）：{app_cols}\ncolumn（proactive.*）：{pro_cols}\n"
            f"column（review_litigation.*）：{rev_cols}")


# A catalog this small is listed whole in the system prompt (fixed per catalog, so its cache is
# reused); a larger one gives the model a short list of candidates next to the question.
PROMPT_BODIES_MAX = 12


def _body_line(b) -> str:
    names = sorted((n for n in b.names if n != b.agency and not n.startswith("区")), key=lambda n: (len(n), n))
    alias = "、".join(names[:4])  # sorted fully: the prompt must be the same in every process
    years = "、".join(str(y) for y in b.years) or "未标年度"
    return f"- {b.agency}（{years}年{'；也称' + alias if alias else ''}）"


def _bodies_text(catalog: Catalog) -> str:
    if len(catalog.bodies) > PROMPT_BODIES_MAX:
        return "（库中单位较多，候选单位列在当前问题之前，只能从候选中选）"
    return "\n".join(_body_line(b) for b in sorted(catalog.bodies.values(), key=lambda b: b.agency))


def candidates(question: str, catalog: Catalog, rules: Query | None = None, k: int = PROMPT_BODIES_MAX) -> list:
    """The bodies the model may choose from: all of a small catalog; of a larger one the bodies
    the rules read (named, or fitting an ambiguous name), then the k best by how closely one of
    their names or aliases matches a span of the question (rapidfuzz partial ratio, after the
    one-character corrections of names.py), with a bonus for each telling character of the name
    the question holds (「管上访的」 and 信访局 share 访)."""
    bodies = sorted(catalog.bodies.values(), key=lambda b: b.agency)
    if len(bodies) <= k:
        return bodies
    from rapidfuzz import fuzz

    from ..engine.names import correct
    text = question + "\n" + correct(question, catalog)[0]

    def score(b) -> float:
        close = max(fuzz.partial_ratio(n, text) for n in b.names | {b.agency})
        region = set(b.region or "")
        telling = {ch for n in b.names for ch in n if ch not in GENERIC_CHARS and ch not in region}
        return close + 10 * sum(1 for ch in telling if ch in text)

    first = []
    for b in (list(rules.bodies) + list(rules.ambiguous)) if rules is not None else []:
        if b not in first:
            first.append(b)
    ranked = sorted((b for b in bodies if b not in first), key=lambda b: (-score(b), b.agency))
    return (first + ranked)[:max(k, len(first))]


def registry_ops() -> list[str]:
    """The op names the model may choose: every op the registry (engine/ops) runs on cells or
    lists reports (a prose reading is `prose: true`, not an op)."""
    from ..engine.ops import REGISTRY
    from ..engine.plan import Op
    return [op.value for op in REGISTRY if op is not Op.PROSE]


def schema(catalog: Catalog, choices: list | None = None) -> dict:
    """The JSON the model must produce. Keys in the order the model should decide them (llama.cpp
    generates properties in schema order): which body, text or table, which cell, how. The cell
    is one enum of 「table.row」 keys, so a row can only be chosen with its own table. Years are
    the rules' (written numbers; 「去年」 counted from the calendar), so the model does not spend
    tokens on them."""
    keys = cell_keys()
    cols = sorted({c for t in keys.values() for r in t.values() for c in r})
    bodies = sorted(b.agency for b in choices) if choices is not None else sorted(catalog.bodies)
    body_items = {"type": "string", "enum": bodies} if 0 < len(bodies) <= 300 else {"type": "string"}
    props = {
        "bodies": {"type": "array", "items": body_items},
        "prose": {"type": "boolean"},
        "cell": {"anyOf": [{"type": "string", "enum": sorted(k for k, _ in cell_choices())}, {"type": "null"}]},
        "column": {"anyOf": [{"type": "string", "enum": cols}, {"type": "null"}]},
        "op": {"type": "string", "enum": registry_ops()},
    }
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


def messages(question: str, catalog: Catalog, history, choices: list | None = None) -> list[tuple[str, str]]:
    """The system prompt (fixed for a catalog: cached), then the conversation, the candidate
    bodies when the catalog is too large to list whole, and the question."""
    system = prompts.load("understand", bodies=_bodies_text(catalog), cells=_cells_text())
    turns = [("用户：" if role == "user" else "助手：") + " ".join(text.split())[:160]
             for role, text in _turns(history)[-6:]]
    user = ("对话记录：\n" + "\n".join(turns) + "\n\n") if turns else ""
    if choices is not None and len(catalog.bodies) > PROMPT_BODIES_MAX:
        user += "候选单位（bodies 只能从中选）：\n" + "\n".join(_body_line(b) for b in choices) + "\n\n"
    user += f"当前问题：{question}\n只输出 JSON。"
    return [("system", system), ("user", user)]


# ---------------------------------------------------------------------------------------
# Parsing and validating what the model said

class Rejected(Exception):
    """The model's query is not valid; the message is Chinese."""


def parse_json(text: str) -> dict:
    text = re.sub(r"<think>.*?</think>", "", text or "", flags=re.S).strip()
    m = re.search(r"```(?:json)?\s*(\{.*?\})\s*```", text, re.S)
    if m:
        text = m.group(1)
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise Rejected("不是 JSON")
    try:
        data = json.loads(text[start:end + 1])
    except json.JSONDecodeError as e:
        raise Rejected("JSON 无法解析") from e
    if not isinstance(data, dict):
        raise Rejected("不是 JSON 对象")
    return data


NAME_ENDINGS = PLACE_SUFFIX + ("局", "委", "办", "室", "处", "镇", "乡", "街道", "中心", "委员会")


def foreign_places(question: str, unknown: list[str]) -> list[str]:
    """Real places (China's divisions: 海淀区, not 「管城市」 of 「管城市建设的局」) named in the
    question or in the rules' unknown names and followed by a body word (政府办, 教育局…), so
    they name a body of that place, not a description (「搞城市建设的」)."""
    from ..engine.names import _real_place
    out = []
    for u in list(unknown) + [question]:
        for m in re.finditer(r"[\u4e00-\u9fa5]{2,5}?[省市区县]", u):
            place = m.group(0)
            if not _real_place(place):
                continue
            after = question[question.find(place) + len(place):] if place in question else u[m.end():]
            if re.match(r"(人民)?政府|[\u4e00-\u9fa5]{0,6}?(局|委员会|委|办公室|办|街道|镇|乡)", after):
                out.append(place)
    return list(dict.fromkeys(out))


def _default_column(table: str, row: str) -> str:
    if table != "proactive":
        return "total"
    return {"regulations": "in_force", "normative_documents": "in_force", "administrative_fees": "amount",
            "centralized_procurement": "amount"}.get(row, "decisions")


def to_query(data: dict, question: str, catalog: Catalog, rules: Query, history=None) -> Query:
    """Validate the model's JSON against the catalog and the template; a Query, or Rejected.

    Besides the keys, plausibility rules guard against a small model's guesses:
    - every body it picks must be referred to in what the user said (a name, a telling
      character: 「管上访的单位」 and 红旗区信访局 share 访; or a kind of body the catalog has once);
    - a place the catalog does not hold (海淀区政府办) is not mapped onto another place's body;
    - a year nobody wrote is dropped;
    - the rules' cell, read from the words said, stands over the model's cell and over a model
      reading of the question as one about the text; a model's cell nothing
      points at is rejected (number questions) or read as a question about the text;
    - a table reading needs a question that asks for a number (多少, 几, 有没有…);
    - 「和X比呢？」 also compares the body named in the last answer."""
    op = data.get("op") or "lookup"
    if op not in registry_ops():
        raise Rejected(f"未知的查询方式「{op}」")
    names = data.get("bodies") or []
    if not isinstance(names, list):
        raise Rejected("bodies 不是列表")
    bodies = []
    for n in names:
        b = catalog.bodies.get(n) if isinstance(n, str) else None
        if b is None and isinstance(n, str):
            b = next((x for x in catalog.bodies.values() if n in x.names), None)
        if b is None:
            raise Rejected(f"单位「{n}」不在库中")
        if b not in bodies:
            bodies.append(b)
    years = data.get("years") or []
    if not isinstance(years, list) or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        raise Rejected("years 不是整数列表")
    if any(not 1990 <= y <= 2100 for y in years):
        raise Rejected("年份不合理")
    said = question + "\n".join(_history_texts(history, users_only=True))
    # a year nobody wrote is dropped (the engine then takes the latest report and says so)
    years = [y for y in years if str(y) in said or f"{y % 100:02d}年" in said]
    regions = [r for r in (data.get("regions") or []) if r]
    bad = [r for r in regions if r not in catalog.regions]
    if bad:
        raise Rejected(f"地区「{bad[0]}」不在库中")
    unknown = [u for u in (data.get("unknown") or []) if isinstance(u, str) and u.strip()]
    prose = data.get("prose")
    if not isinstance(prose, bool):
        raise Rejected("prose 不是是/否")
    cell = parse_cell(data)
    from ..engine.names import correct as correct_names
    said_fixed = said + "\n" + correct_names(question, catalog)[0]  # 「宏谷滩区政付办」 names 红谷滩区政府办
    names_sure = bool(rules.bodies) and not rules.unknown and not rules.ambiguous and not rules.name_note \
        and "bodies" not in rules.inherited
    if names_sure and not (history and re.search(COMPARE_FOLLOW_UP, question)):
        bodies = list(rules.bodies)  # bodies the rules found by their exact names stand
    # A body of a place the catalog does not hold stays unknown: the model may not map
    # 「海淀区政府办」 onto a body of another place.
    for place in foreign_places(question, rules.unknown):
        core = place[:-1]
        hit = [b for b in bodies if core not in (b.region or "") and not any(core in n for n in b.names)]
        if hit:
            said_body = re.search(re.escape(place) + r"(?:人民)?政府|" + re.escape(place) + r"[\u4e00-\u9fa5]{0,6}?(?:局|委员会|委|办公室|办|街道|镇|乡)", question)
            if not rules.bodies and not rules.unknown and said_body and len(hit) == len(bodies):
                # the rules found no body, only a generic word that fits several (「海淀区政府那个办公室」
                # read as 「区政府」): the body asked is one of a place the catalog does not hold
                return replace(rules, bodies=[], ambiguous=[], regions=[], unknown=[said_body.group(0)], cell=rules.cell,
                               inherited=list(rules.inherited) + ["model"])
            raise Rejected(f"「{place}」不在库中，不能对应到{hit[0].agency}")
    for b in bodies:
        if not mentioned(b, said_fixed, catalog):
            raise Rejected(f"问题里看不出指的是{b.agency}")
    # Which cell, or the text: the words said decide, the model only where they do not.
    rest = without_names(said, bodies, rules)  # 「红谷滩区人民政府办公室」 holds 办, which is no 办理结果
    rest_now = without_names(question, bodies, rules)  # which cell wins: this question's words only
    number = asks_number(question, history) or (  # the rules read a named cell, and nothing asks for text
        rules.cell is not None and not rules.cell.weak and not rules.prose and not rules.topics
        and not re.search(WHAT_CUES, question)) or (
        # 「挨过告吗」: a yes/no question about no topic of the text is answered by the count
        not rules.topics and re.search(YES_NO, question) and not re.search(WHAT_CUES, question))
    rules_cell = rules.cell if rules.cell is not None and not rules.prose else None
    if not prose and cell is None and op != "list_reports":
        if not rules.prose:
            raise Rejected("既不是表格数字也不是正文问题")
        prose = True  # the model left both open: the rules' reading of a question about the text stands
    if cell is not None and not prose:
        if rules_cell is not None and rules_cell_stands(rules_cell, cell, rest_now):
            cell = rules_cell  # the rules read the cell from the words said (or the last question's)
        elif not cell_mentioned(cell, rest) and not (
                # the rules' own cell finder read this row from the words (「申请」), though it then
                # took the question for one about the text; no topic of the text says otherwise
                rules.cell is not None and rules.cell.row == cell.row and not rules.topics):
            if number and not rules.topics:
                raise Rejected(f"问题里看不出问的是「{_row_name(cell)}」")
            # 「街道那边存在什么问题？」, 「在网站上发了多少条信息」: the text, not a cell nothing points at
            prose, cell = True, None
    unknown = [u for u in unknown if u.endswith(NAME_ENDINGS) or "政府" in u]
    if not bodies and rules.unknown and not unknown:
        unknown = list(rules.unknown)
    if cell is not None and not prose and not number and op != "list_reports":
        prose, cell = True, None  # 「…贴了啥」 asks for text, whatever the model thought
    if prose and rules_cell is not None and not rules_cell.weak and number:
        prose, cell = False, rules_cell  # a cell the rules read from the words said wins over a model reading of prose
    if prose:
        cell = None
        if op not in ("lookup", "sum"):
            op = "lookup"
    if history and re.search(COMPARE_FOLLOW_UP, question) and is_follow_up(question):
        bodies = [b for b in previous_answer_bodies(history, catalog) if b not in bodies] + bodies
        if cell is not None and len(bodies) > 1:
            op = "compare"
    # What the rules read for sure stands: bodies named exactly, a cell named by its own words,
    # an op a lexicon cue chose. The model only fills what the rules lacked or misread.
    if rules.explicit_years or not years:
        years = list(rules.years)  # the years are the rules' (the schema does not ask for them)
    if rules_cell is not None and not rules_cell.weak and not prose and rules_cell_stands(rules_cell, cell, rest_now):
        cell = rules_cell
    if rules.op not in ("lookup", "sum", "compare") and not rules.prose:
        op = rules.op
    if op == "lookup" and len(bodies) > 1 and cell is not None:
        op = "compare"
    if cell is not None and op == "compare" and len(bodies) < 2:
        op = "lookup" if bodies else "sum"
    if cell is not None and op == "lookup" and not bodies:
        op = "sum"
    return replace(rules, op=op, bodies=bodies, years=years, regions=regions, unknown=unknown if not bodies else [],
                   cell=cell, prose=prose, ambiguous=[], inherited=list(rules.inherited) + ["model"])



def parse_cell(data: dict) -> CellQuery | None:
    """The cell the model chose: one key 「table.row」 (the schema's joint enum, so a row always
    belongs to its table) and a column, or the older separate table/row/column. A column the row
    does not have (proactive rows differ) is dropped for the row's own default."""
    cell_key, column = data.get("cell"), data.get("column")
    table, row = data.get("table"), data.get("row")
    if isinstance(cell_key, str) and cell_key:
        table, _, row = cell_key.partition(".")
    if not (table or row or column):
        return None
    keys = cell_keys()
    if table not in keys:
        raise Rejected(f"表「{table}」不是模板中的表")
    if row not in keys[table]:
        raise Rejected(f"行「{row}」不是表 {table} 的行")
    if column is not None and column not in keys[table][row]:
        if column not in {c for r in keys[table].values() for c in r}:
            raise Rejected(f"列「{column}」不是 {table}.{row} 的列")
        column = None  # a column of another row of the same table: the row's own
    default = _default_column(table, row)
    if default not in keys[table][row]:
        default = keys[table][row][-1]
    return CellQuery(table, row, column or default, column_named=bool(column) and column != default)


def rules_cell_stands(rules_cell: CellQuery, cell: CellQuery | None, rest: str) -> bool:
    """Whether the rules' cell stands over the model's: always, unless the model's cell is in the
    words said (rest: names blanked) and the rules' was only a weak guess, or the words said hold
    more of the model's cell than of the rules' (「只公开了一部分的」: 部分 of 部分公开 against the
    部 of 全部公开, a word of 予以公开), or as much and the rules' is the table's total (the model
    chose one of its parts)."""
    if cell is None or cell.row == rules_cell.row or not cell_mentioned(cell, rest):
        return True
    if rules_cell.weak:
        return False
    mine, theirs = len(cell_evidence(rules_cell, rest)), len(cell_evidence(cell, rest))
    if mine == theirs and rules_cell.row == "total" and cell.table == rules_cell.table:
        return False  # 「查无此信息的答复」: an outcome named as well as 答复 is that outcome, not the total
    return mine >= theirs


def without_names(said: str, bodies, rules: Query) -> str:
    """What was said with the names of bodies and the names the rules read blanked out, so that
    a name's characters (办 of 办公室, 访 of 信访局) do not count as words about a cell."""
    names = set(rules.said) | set(rules.unknown)
    for b in list(bodies) + list(rules.bodies) + list(rules.ambiguous):
        names |= set(b.names) | {b.agency}
    for n in sorted((n for n in names if n), key=len, reverse=True):
        said = said.replace(n, " ")
    return said

# 「新来的申请数」, 「办理结果总计」: a count named at the end asks for it too
NUMBER_CUES = (r"多少|几|数量|数目|总数|有没有|是否有|有无|多大|金额|how many|how much|number|count"
               r"|[^\W\d_]数[?？]?$|(?:总计|合计)[?？]?$")
YES_NO = r"吗[?？]?$|有没有|是否"
# Characters of a body name that say nothing about which body it is.
GENERIC_CHARS = set("区市县省镇乡街道办事处人民政府办公室局委员会中心的")


def asks_number(question: str, history) -> bool:
    """The question asks for a number, or is a short follow-up of one that did (「那行政复议呢？」)."""
    if re.search(NUMBER_CUES, question.lower()):
        return True
    prev = _history_texts(history, users_only=True)
    return bool(prev and is_follow_up(question) and any(re.search(NUMBER_CUES, p.lower()) for p in prev[-3:]))


COMPARE_FOLLOW_UP = r"^(和|与|跟|同)|比呢|相比|对比|比较"


def is_follow_up(question: str) -> bool:
    q = question.strip()
    return len(q) <= 6 or bool(re.match(r"^(那|那么|还有|再|和|与|跟|同|换成)", q)) or q.rstrip("？?").endswith("呢")


def previous_answer_bodies(history, catalog: Catalog) -> list:
    """Bodies named (in full) in the last answer of the conversation: what 「和X比呢？」 compares with."""
    answers = [t for r, t in _turns(history) if r != "user"]
    if not answers:
        return []
    return [b for b in catalog.bodies.values() if b.agency in answers[-1]]


# Characters that do not tell one cell from another, and words people use that the template's
# own words lack (「被告」 for litigation).
GENERIC_CELL_CHARS = set("申请政府信息公开件数量多少本年度的了和与及其他情况总计合共一是否有没")
EXTRA_CELL_WORDS = {"litigation": "告官司诉", "litigation_direct": "告官司诉", "litigation_after_review": "告官司诉",
                    "review": "复议", "new_received": "申请收新来", "administrative_licensing": "许可审批批证",
                    "administrative_punishment": "罚", "administrative_fees": "收费钱", "total": "办结处理完结果",
                    "granted": "给同意答应全完拿到", "partially_granted": "部分一半", "unavailable": "没法无法提供",
                    "unavailable.not_held": "没有不存在查无没查到手里不掌握", "denied": "拒绝不予", "carried_forward": "结转下"}


def _row_name(cell: CellQuery) -> str:
    return f"{cell.table}.{cell.row}"


def cell_evidence(cell: CellQuery, said: str) -> set[str]:
    """The telling characters of the cell's row (its label, words and everyday words; generic
    ones left out) that appear in what was said."""
    rows = [r for t in (T.APPLICATION_ROWS, T.PROACTIVE_ROWS_2021, T.PROACTIVE_ROWS_2019, T.REVIEW_ROWS)
            for r in t if r.key in cell.rows or r.key == cell.row]
    text = "".join(r.label + "".join(r.words) for r in rows) + EXTRA_CELL_WORDS.get(cell.row, "")
    chars = {ch for ch in text if "\u4e00" <= ch <= "\u9fa5" and ch not in GENERIC_CELL_CHARS}
    return {ch for ch in chars if ch in said}


def cell_mentioned(cell: CellQuery, said: str) -> bool:
    """Whether the conversation asks about this cell at all: a telling character of its row's
    label or words appears in what was said."""
    return bool(cell_evidence(cell, said))


# (an office, 政府办 or 办公室, is named by its place too: see mentioned)
TYPE_WORDS = ("街道", "办事处", "镇", "乡", "委员会", "中心")
# Template and topic words that hold 政府/办 without naming a government office (「政府信息」, 「区政府网站」).
NOT_OFFICE_WORDS = re.compile(r"政府信息|信息公开|政府网站|政府门户|政府公报|政务|办理|办结|办事|举办|承办|督办|交办")


def _abbreviates(word: str, generic: str) -> bool:
    """「府办」, 「政府」, 「政办」, 「办公室」 for 人民政府办公室: two or more characters of the
    question, written together, that are the generic name's characters in order and hold 府 or
    办公 (a standard abbreviation of a government office), never one character alone."""
    for n in range(len(word), 1, -1):
        for i in range(len(word) - n + 1):
            piece = word[i:i + n]
            if ("府" in piece or "办公" in piece) and is_subsequence(piece, generic):
                return True
    return False


def _place_said(body, said: str) -> bool:
    """The body's own place (红谷滩 of 江西省南昌市红谷滩区) is in what was said."""
    from ..engine.catalog import _weak_alias
    short = body.region_short
    return bool(short) and short in said or any(n in said for n in body.names if len(n) >= 3 and not _weak_alias(n, body))


def mentioned(body, said: str, catalog: Catalog | None = None) -> bool:
    """Whether the conversation refers to `body` at all: one of its names; a content character
    of its name (without region and generic words: 「管上访的」 for 信访局); a kind of body
    (街道, 镇…) that no other body in the catalog is; or, for a body whose name is only its place
    and a generic office name (红旗区人民政府办公室, 红谷滩区政府办), its place and a standard
    abbreviation of the office (「红旗区府办」, 「红谷滩的区府办」, 「红谷滩那个政府办公室」) —
    never the abbreviation alone, which fits every place's office (nor a generic alias, 区政府办)."""
    from ..engine.catalog import _weak_alias
    if any(n in said for n in body.names if not _weak_alias(n, body)):
        return True
    if catalog is not None:
        for w in TYPE_WORDS:
            if w in body.agency and w in said and not any(w in b.agency for b in catalog.bodies.values() if b is not body):
                return True
    region_chars = set(body.region or "")
    core = {ch for n in body.names for ch in n if ch not in GENERIC_CHARS and ch not in region_chars}
    if not core:  # e.g. 红旗区人民政府办公室: only its place and generic words
        if not _place_said(body, said):
            return False
        text = NOT_OFFICE_WORDS.sub(" ", said)
        generic = max((n.replace(body.region_short or "\0", "") for n in body.names | {body.agency}), key=len)
        return any(_abbreviates(w, generic + "人民政府办公室") for w in re.findall(r"[\u4e00-\u9fa5]+", text))
    return any(ch in said for ch in core)


def _turns(history) -> list[tuple[str, str]]:
    """(role, text) of each earlier turn; a bare string is a user question."""
    out = []
    for h in history or []:
        if isinstance(h, str):
            out.append(("user", h))
        elif isinstance(h, dict):
            out.append((str(h.get("role", "user")), str(h.get("content", ""))))
        elif isinstance(h, (list, tuple)) and len(h) >= 2:
            out.append((str(h[0]), str(h[1])))
    return out


def _history_texts(history, users_only: bool = False) -> list[str]:
    return [t for r, t in _turns(history) if r == "user" or not users_only]


def understand_with_llm(question: str, catalog: Catalog, history, settings, query: Query,
                        rules_unsure: bool = True) -> tuple[Query, str]:
    """(query, notice): the model's reading when the rules are unsure and the model gives a valid
    one; else the rules' query, with a Chinese notice when the model failed."""
    why = model_may_help(query, question, rules_unsure, catalog, history)
    if not why:
        return query, ""
    try:
        model = chat_model(settings)
        choices = candidates(question, catalog, query)
        msgs = messages(question, catalog, history, choices)
        fmt = {"type": "json_schema", "json_schema": {"name": "query", "schema": schema(catalog, choices)}}
        # the JSON is about 60 tokens; 160 leaves room and stops a runaway at once
        kwargs = {"response_format": fmt, "max_tokens": 160} if _is_openai(model) else {}
        saved = None
        if kwargs and (settings.llm_mode or "").lower() == "local":
            from .local import cached_prompt
            extra, saved = cached_prompt(settings.llm_gguf, "route", msgs[0][1])
            kwargs["extra_body"] = extra
        try:
            msg = invoke(model, msgs, settings.llm_timeout, **kwargs)
        except LLMError as e:
            if kwargs and "BadRequest" in repr(e.__cause__):  # a server without json_schema support
                kwargs.pop("response_format")
                msg = invoke(model, msgs, settings.llm_timeout, **kwargs)
            else:
                raise
        if saved is not None:
            saved()
        text = msg.content if isinstance(msg.content, str) else str(msg.content)
        new = to_query(parse_json(text), question, catalog, query, history)
    except LLMError as e:
        return query, f"{e.reason}，已按规则理解问题"
    except Rejected as e:
        return query, f"语言模型对问题的理解无效（{e}），已按规则理解问题"
    return new, ""


def _is_openai(model) -> bool:
    return any(c.__name__ in ("ChatOpenAI", "AzureChatOpenAI") for c in type(model).__mro__)
