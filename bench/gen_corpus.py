"""Synthetic corpus for the benchmarks: N annual reports with known numbers, and the questions.

Each report is a 2021-format 政府信息公开工作年度报告 of one body (「<区/县><部门>」 under a
city, names built from combinatorial lists and unique across the corpus) for one year
2021-2024, written in one of four layouts seen in real reports:

- ``pdf``: PDF text, labels wrapped over lines, numbers of a row on their own line, a number
  pushed to the next line, page markers (as seed 000);
- ``tsv``: tab-separated rows, group labels in the first column only (seeds 001-003);
- ``pipe``: one cell per line followed by ``|``, empty cells as ``||`` (seed 004);
- ``md``: Markdown tables (written as ``.md`` files).

The numbers are drawn at random and satisfy the template's 勾稽 identities, except in about
5% of reports where one printed cell is deliberately off (real reports do that; the expected
answer is still the printed number). The prose (总体情况, 存在的主要问题及改进情况, 其他需要报告
的事项) carries known facts too: items published (「主动公开各类信息994条」), platforms,
training sessions, problems, plans, fees.

Questions are generated alongside, from the generator's own values (never from a system
under test), in the JSONL format of shared/dev_questions.jsonl: ``id``, ``kind`` (table,
aggregate, text, refuse), ``q``, ``value`` / ``any`` / ``all``, ``source`` (file names).

Usage: ``python bench/gen_corpus.py N OUT_DIR [--seed 7]`` writes OUT_DIR/reports/* and
OUT_DIR/questions.jsonl (and OUT_DIR/truth.jsonl: every printed cell of every report).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

YEARS = (2021, 2022, 2023, 2024)
LAYOUTS = ("pdf", "tsv", "pipe", "md")

# ----------------------------------------------------------------------------------------
# Names. Districts are two characters (one from each list: the lists share no character)
# plus 区 or 县, unique across the corpus, so that every body name is unique.
CITY_A = "江临安宁清永长乐宜嘉德信泰常通沧洛襄荆衡"
CITY_B = "州阳平源川陵都"
DIST_A = "青云松柏桃李梅兰竹菊金银玉翠丹紫霞虹明华武康顺昌盛隆丰瑞祥福寿仁礼龙凤鹤鹿麟翔"
DIST_B = "山川河湖江海溪泉峰岭岗塘湾洲浦源林阳桥亭台门关原泽岩坪谷"
DEPARTMENTS = (
    "人民政府办公室", "发展和改革局", "教育局", "科学技术局", "工业和信息化局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局",
    "文化广电和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "统计局",
    "医疗保障局", "信访局", "林业局", "城市管理局", "行政审批服务局", "体育局", "生态环境分局", "公安分局",
)
STREETS = ("东风", "解放", "建设", "胜利", "向阳", "光明", "幸福", "朝阳", "红星", "团结", "前进", "新华", "人民路",
           "中山路", "北关", "南关", "西关", "东关")
SHORT_FORMS = {"人民政府办公室": "政府办", "住房和城乡建设局": "住建局", "人力资源和社会保障局": "人社局",
               "市场监督管理局": "市场监管局", "卫生健康委员会": "卫健委", "发展和改革局": "发改局"}
UNKNOWN_PLACES = ("海淀区", "朝阳区", "浦东新区", "天河区", "武侯区", "雁塔区", "鼓楼区", "江北区")

PROBLEMS = ("政策解读形式较为单一", "信息更新不够及时", "主动公开的深度和广度不够", "依申请公开答复的规范性有待提高",
            "工作人员业务水平有待提升", "政务新媒体互动回应不足", "公开栏目设置不够科学", "基层政务公开标准化程度不高",
            "数据开放程度不高", "公众参与渠道不够丰富", "重点领域信息公开不够全面", "信息发布审核不够细致")
PLANS = ("加强业务培训", "完善信息发布审核机制", "丰富政策解读形式", "拓宽信息公开渠道", "强化监督考核",
         "推进基层政务公开标准化规范化", "加强政务新媒体管理", "提高依申请公开办理质量", "优化政府网站栏目设置")
MEASURES = ("三级审核", "保密审查", "先审后发", "专人负责", "台账管理", "定期自查")


@dataclass
class Body:
    city: str
    district: str        # 「青山区」
    unit: str            # 「财政局」, 「东风街道办事处」
    kind: str            # dept | street | town
    city_in_text: bool = False  # the report names the city (「江州市青山区财政局」): same every year

    @property
    def name(self) -> str:
        return self.district + self.unit

    @property
    def core(self) -> str:
        return self.district[:-1]

    @property
    def short_name(self) -> str | None:
        s = SHORT_FORMS.get(self.unit)
        return self.district + s if s else None

    @property
    def self_ref(self) -> str:
        """How the report refers to itself (「我局」, 「区财政局」)."""
        if self.kind == "street":
            return "我街道"
        if self.kind == "town":
            return "我镇"
        if self.unit == "人民政府办公室":
            return "区政府办公室" if self.district.endswith("区") else "县政府办公室"
        return ("我委" if self.unit.endswith("委员会") else "我" + self.unit[-1])


@dataclass
class Report:
    file: str
    body: Body
    year: int
    layout: str
    app: dict = field(default_factory=dict)    # (row, col) -> printed int
    pro: dict = field(default_factory=dict)    # (row, col) -> printed number
    rev: dict = field(default_factory=dict)    # (row, col) -> printed int
    prose: dict = field(default_factory=dict)
    broken: tuple | None = None                # (table, row, col) deliberately off
    city_in_text: bool = False

    def value(self, table: str, row: str, col: str):
        """The expected value of a cell, printed or derived (group rows, 法人或其他组织)."""
        if table == "applications":
            if col == "legal_person_or_org":
                return sum(self.value(table, row, c) for c in ORG_COLS)
            if row in GROUPS:
                return sum(self.app[(s, col)] for s in GROUPS[row])
            return self.app[(row, col)]
        if table == "proactive":
            return self.pro[(row, col)]
        if row == "litigation":
            return self.rev[("litigation_direct", col)] + self.rev[("litigation_after_review", col)]
        return self.rev[(row, col)]


# ----------------------------------------------------------------------------------------
# The template, as printed (labels as they appear in real reports)
APP_COLS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
            "legal_service_org", "other_org", "total")
ORG_COLS = APP_COLS[1:6]
PERSON_COLS = APP_COLS[:6]
GROUPS = {
    "denied": ("denied.state_secret", "denied.prohibited_by_law", "denied.endangers_safety_stability",
               "denied.third_party_rights", "denied.internal_affairs", "denied.process_information",
               "denied.law_enforcement_file", "denied.administrative_query"),
    "unavailable": ("unavailable.not_held", "unavailable.needs_creation", "unavailable.unclear_after_correction"),
    "not_processed": ("not_processed.petition_complaint", "not_processed.duplicate", "not_processed.publication",
                      "not_processed.excessive", "not_processed.confirm_or_reissue"),
    "other": ("other.no_correction", "other.unpaid_fee", "other.other"),
}
GROUP_LABELS = {"denied": "（三）不予公开", "unavailable": "（四）无法提供", "not_processed": "（五）不予处理",
                "other": "（六）其他处理"}
SUB_LABELS = {
    "denied.state_secret": "1.属于国家秘密", "denied.prohibited_by_law": "2.其他法律行政法规禁止公开",
    "denied.endangers_safety_stability": "3.危及“三安全一稳定”", "denied.third_party_rights": "4.保护第三方合法权益",
    "denied.internal_affairs": "5.属于三类内部事务信息", "denied.process_information": "6.属于四类过程性信息",
    "denied.law_enforcement_file": "7.属于行政执法案卷", "denied.administrative_query": "8.属于行政查询事项",
    "unavailable.not_held": "1.本机关不掌握相关政府信息", "unavailable.needs_creation": "2.没有现成信息需要另行制作",
    "unavailable.unclear_after_correction": "3.补正后申请内容仍不明确",
    "not_processed.petition_complaint": "1.信访举报投诉类申请", "not_processed.duplicate": "2.重复申请",
    "not_processed.publication": "3.要求提供公开出版物", "not_processed.excessive": "4.无正当理由大量反复申请",
    "not_processed.confirm_or_reissue": "5.要求行政机关确认或重新出具已获取信息",
    "other.no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other.unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other.other": "3.其他",
}
OUTCOME_ROWS = ("granted", "partially_granted") + tuple(s for g in GROUPS.values() for s in g)
PRINTED_ROWS = ("new_received", "carried_over") + OUTCOME_ROWS + ("total", "carried_forward")
PRO_ROWS = (("regulations", "规章", ("issued", "repealed", "in_force")),
            ("normative_documents", "行政规范性文件", ("issued", "repealed", "in_force")),
            ("administrative_licensing", "行政许可", ("decisions",)),
            ("administrative_punishment", "行政处罚", ("decisions",)),
            ("administrative_coercion", "行政强制", ("decisions",)),
            ("administrative_fees", "行政事业性收费", ("amount",)))
REV_ROWS = ("review", "litigation_direct", "litigation_after_review")
REV_COLS = ("upheld", "corrected", "other", "pending", "total")


# ----------------------------------------------------------------------------------------
# Drawing the numbers

def _split(rng: random.Random, n: int, weights) -> list[int]:
    """n units spread over len(weights) bins."""
    out = [0] * len(weights)
    if n <= 0:
        return out
    if n > 400:  # large counts: proportional, remainder at random
        tot = sum(weights)
        for i, w in enumerate(weights):
            out[i] = int(n * w / tot * rng.uniform(0.8, 1.2))
        diff = n - sum(out)
        while diff != 0:
            i = rng.choices(range(len(weights)), weights)[0]
            step = 1 if diff > 0 else -1
            if out[i] + step >= 0:
                out[i] += step
                diff -= step
        return out
    for i in rng.choices(range(len(weights)), weights, k=n):
        out[i] += 1
    return out


def _size(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.25:
        return 0
    if r < 0.65:
        return rng.randint(1, 12)
    if r < 0.93:
        return rng.randint(13, 150)
    return rng.randint(151, 1200)


COL_WEIGHTS = (80, 12, 1, 1, 2, 4)
OUTCOME_WEIGHTS = {"granted": 40, "partially_granted": 14, "denied.state_secret": 1, "denied.prohibited_by_law": 1,
                   "denied.endangers_safety_stability": 1, "denied.third_party_rights": 2,
                   "denied.internal_affairs": 2, "denied.process_information": 2, "denied.law_enforcement_file": 1,
                   "denied.administrative_query": 2, "unavailable.not_held": 16, "unavailable.needs_creation": 3,
                   "unavailable.unclear_after_correction": 2, "not_processed.petition_complaint": 3,
                   "not_processed.duplicate": 3, "not_processed.publication": 1, "not_processed.excessive": 1,
                   "not_processed.confirm_or_reissue": 1, "other.no_correction": 2, "other.unpaid_fee": 1,
                   "other.other": 2}


def draw_applications(rng: random.Random) -> dict:
    app = {}
    new = _split(rng, _size(rng), COL_WEIGHTS)
    for j, col in enumerate(PERSON_COLS):
        co = rng.randint(0, max(0, new[j] // 6)) if rng.random() < 0.3 else 0
        avail = new[j] + co
        cf = rng.randint(0, avail // 5) if avail and rng.random() < 0.35 else 0
        handled = avail - cf
        outs = _split(rng, handled, [OUTCOME_WEIGHTS[r] for r in OUTCOME_ROWS])
        app[("new_received", col)] = new[j]
        app[("carried_over", col)] = co
        app[("carried_forward", col)] = cf
        app[("total", col)] = handled
        for r, v in zip(OUTCOME_ROWS, outs):
            app[(r, col)] = v
    for r in PRINTED_ROWS:
        app[(r, "total")] = sum(app[(r, c)] for c in PERSON_COLS)
    return app


def _count(rng: random.Random, p_zero: float, hi: int) -> int:
    if rng.random() < p_zero:
        return 0
    return int(min(hi, max(1, rng.lognormvariate(2.5, 1.4))))


def draw_proactive(rng: random.Random, body: Body) -> dict:
    pro = {}
    makes_rules = body.unit == "人民政府办公室" and rng.random() < 0.3
    pro[("regulations", "issued")] = rng.randint(1, 3) if makes_rules else 0
    pro[("regulations", "repealed")] = rng.randint(0, 1) if makes_rules else 0
    pro[("regulations", "in_force")] = pro[("regulations", "issued")] + (rng.randint(0, 20) if makes_rules else 0)
    pro[("normative_documents", "issued")] = _count(rng, 0.5, 40)
    pro[("normative_documents", "repealed")] = _count(rng, 0.7, 20)
    pro[("normative_documents", "in_force")] = pro[("normative_documents", "issued")] + _count(rng, 0.3, 120)
    pro[("administrative_licensing", "decisions")] = _count(rng, 0.4, 9000)
    pro[("administrative_punishment", "decisions")] = _count(rng, 0.45, 4000)
    pro[("administrative_coercion", "decisions")] = _count(rng, 0.75, 300)
    pro[("administrative_fees", "amount")] = 0 if rng.random() < 0.7 else round(rng.uniform(0.5, 800), rng.choice((0, 1, 2)))
    if isinstance(pro[("administrative_fees", "amount")], float) and pro[("administrative_fees", "amount")].is_integer():
        pro[("administrative_fees", "amount")] = int(pro[("administrative_fees", "amount")])
    return pro


def draw_review(rng: random.Random) -> dict:
    rev = {}
    for r in REV_ROWS:
        parts = [0, 0, 0, 0] if rng.random() < 0.6 else [rng.choice((0, 0, 1, 2, 3, 5)) for _ in range(4)]
        for c, v in zip(REV_COLS[:4], parts):
            rev[(r, c)] = v
        rev[(r, "total")] = sum(parts)
    return rev


# ----------------------------------------------------------------------------------------
# Bodies

def make_bodies(rng: random.Random, n_reports: int) -> list[tuple[Body, list[int]]]:
    """Bodies with their report years, enough for n_reports reports (the last one trimmed)."""
    cities = [a + b + "市" for a in CITY_A for b in CITY_B]
    rng.shuffle(cities)
    cores = [a + b for a in DIST_A for b in DIST_B]
    rng.shuffle(cores)
    city_cores = {c[:-1] for c in cities}
    cores = [c for c in cores if c not in city_cores]
    units = [("dept", d) for d in DEPARTMENTS]
    out: list[tuple[Body, list[int]]] = []
    total = 0
    di = 0
    while total < n_reports:
        if di >= len(cores):
            raise ValueError(f"name lists exhausted at {total} reports")
        core = cores[di]
        city = cities[di % len(cities)]
        district = core + ("区" if rng.random() < 0.7 else "县")
        di += 1
        k = rng.randint(3, 9)
        chosen = rng.sample(units, k)
        if rng.random() < 0.6:
            chosen.append(("street", rng.choice(STREETS) + "街道办事处"))
        if rng.random() < 0.3:
            chosen.append(("town", rng.choice(STREETS[:12]) + "镇人民政府"))
        for kind, unit in chosen:
            n_years = rng.choice((1, 2, 2, 3, 3, 4))
            start = rng.randint(YEARS[0], YEARS[-1] - n_years + 1)
            years = list(range(start, start + n_years))[: n_reports - total]
            out.append((Body(city, district, unit, kind, rng.random() < 0.5), years))
            total += len(years)
            if total >= n_reports:
                break
    return out


def make_reports(n: int, seed: int = 7) -> list[Report]:
    rng = random.Random(seed)
    reports: list[Report] = []
    for body, years in make_bodies(rng, n):
        for y in years:
            layout = rng.choice(LAYOUTS)
            r = Report("", body, y, layout)
            r.app = draw_applications(rng)
            r.pro = draw_proactive(rng, body)
            r.rev = draw_review(rng)
            r.city_in_text = body.city_in_text
            r.prose = draw_prose(rng, body, y)
            if rng.random() < 0.05:
                row = rng.choice(("total", "granted", "new_received", "carried_forward"))
                col = rng.choice(("total", "natural_person"))
                r.app[(row, col)] += rng.choice((1, 2, 3, 10))
                r.broken = ("applications", row, col)
            reports.append(r)
    rng.shuffle(reports)
    return reports


def draw_prose(rng: random.Random, body: Body, year: int) -> dict:
    core = body.core
    plats = [f"{body.district}人民政府门户网站", f"{core}发布微信公众号", f"掌上{core}APP", f"{core}政务微博",
             "政务公开栏", "政务服务大厅电子显示屏"]
    p = rng.sample(plats[:4], 2)
    return {
        "info_n": rng.randint(60, 4000),
        "interp_n": rng.randint(3, 80),
        "platform_main": p[0],
        "platforms": p,
        "extra_platform": rng.choice(plats[4:]),
        "train_n": rng.randint(2, 15),
        "people_n": rng.randint(20, 600),
        "problems": rng.sample(PROBLEMS, 2),
        "plans": rng.sample(PLANS, 2),
        "measure": rng.choice(MEASURES),
        "fee": 0 if rng.random() < 0.85 else rng.randint(10, 600),
    }


# ----------------------------------------------------------------------------------------
# Writing a report

def fmt_num(v) -> str:
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return str(v)


def wrap(text: str, width: int, keep: tuple[str, ...] = ()) -> list[str]:
    """PDF-like hard wrap at `width` characters, never inside a digit run or a `keep` phrase."""
    protected = []
    for k in keep:
        i = text.find(k)
        while i >= 0:
            protected.append((i, i + len(k)))
            i = text.find(k, i + 1)
    lines, start = [], 0
    while len(text) - start > width:
        cut = start + width
        moved = True
        while moved and cut > start + 1:
            moved = False
            if text[cut - 1].isdigit() and text[cut].isdigit() or text[cut] in "，。、；：）":
                cut -= 1
                moved = True
            for a, b in protected:
                if a < cut < b:
                    cut = a
                    moved = True
        if cut <= start + 1:
            cut = start + width
        lines.append(text[start:cut])
        start = cut
    lines.append(text[start:])
    return lines


def prose_sections(r: Report) -> dict[str, list[str]]:
    """Paragraphs of each prose part, in order."""
    b, y, p = r.body, r.year, r.prose
    me = b.self_ref
    full = (b.city + b.name) if r.city_in_text else b.name
    intro = (f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和上级有关要求，现将{full}{y}年度"
             f"政府信息公开工作情况报告如下。本报告所列数据统计期限为{y}年1月1日至12月31日。")
    new_total = r.app[("new_received", "total")]
    if new_total:
        apply = (f"{y}年，{me}共收到政府信息公开申请{new_total}件，上年结转{r.app[('carried_over', 'total')]}件，"
                 f"均在法定期限内答复。")
    else:
        apply = f"{y}年，{me}未收到政府信息公开申请。"
    fee = ("在依申请公开工作中，未收取任何信息处理费。" if not p["fee"]
           else f"在依申请公开工作中，依法收取信息处理费{p['fee']}元。")
    return {
        "intro": [intro],
        "一、总体情况": [],
        "（一）主动公开": [f"{y}年，{me}通过{p['platform_main']}主动公开各类信息{p['info_n']}条，发布政策解读"
                      f"{p['interp_n']}篇，重点做好规范性文件、财政预决算、重大决策等领域信息公开。"],
        "（二）依申请公开": [apply + "进一步规范申请受理、登记、审核、答复流程。"],
        "（三）政府信息管理": [f"严格执行政府信息公开“{p['measure']}”制度，按照“谁公开谁审核、谁审核谁负责”的原则，"
                        f"防止失泄密事件发生。"],
        "（四）政府信息公开平台建设": [f"充分利用{p['platforms'][0]}、{p['platforms'][1]}和{p['extra_platform']}"
                              f"等平台，方便群众多渠道获取政府信息。"],
        "（五）监督保障": [f"{y}年组织政府信息公开专题培训{p['train_n']}次，参训{p['people_n']}人次，"
                      f"将政务公开工作纳入年度绩效考核。"],
        "五、存在的主要问题及改进情况": [
            f"{y}年，{me}政府信息公开工作取得一定成效，但仍存在一些不足：一是{p['problems'][0]}；二是"
            f"{p['problems'][1]}。",
            f"下一步，{me}将{p['plans'][0]}，{p['plans'][1]}，不断提升政府信息公开工作水平。"],
        "六、其他需要报告的事项": [fee + f"{me}按要求落实{y}年政务公开工作要点。"],
    }


PROSE_KEEP = tuple(PROBLEMS + PLANS + MEASURES)


def render(r: Report) -> str:
    sec = prose_sections(r)
    title = f"{r.body.name}{r.year}年政府信息公开工作年度报告"
    L: list[str] = []
    lay = r.layout

    def para(text: str):
        if lay == "pdf":
            L.extend(wrap(text, 38, PROSE_KEEP + tuple(r.prose["platforms"]) + (r.prose["extra_platform"],)))
            L.append("")
        else:
            L.append(text)
            if lay in ("md", "tsv"):
                L.append("")

    def head(text: str, level: int = 1):
        if lay == "md":
            L.append(("## " if level == 1 else "### ") + text)
            L.append("")
        else:
            L.append(text)
            if lay != "pipe":
                L.append("")

    if lay == "md":
        L += ["# " + title, ""]
    elif lay == "pdf" and len(title) > 24:
        L += ["", title[:22], title[22:], ""]
    else:
        L += ["", title if lay != "tsv" else title.replace(str(r.year), f" {r.year} "), ""]
    para(sec["intro"][0])
    head("一、总体情况")
    for h in ("（一）主动公开", "（二）依申请公开", "（三）政府信息管理", "（四）政府信息公开平台建设", "（五）监督保障"):
        head(h if lay != "tsv" else h.replace("（", "(").replace("）", ") "), 2)
        for t in sec[h]:
            para(t)
    head("二、主动公开政府信息情况")
    L.extend(render_proactive(r))
    L.append("")
    head("三、收到和处理政府信息公开申请情况")
    L.extend(render_applications(r))
    L.append("")
    head("四、政府信息公开行政复议、行政诉讼情况")
    L.extend(render_review(r))
    L.append("")
    if lay == "pdf" and len(L) > 120:
        L.insert(len(L) // 2, "- 3 -")  # a page marker inside the text
    head("五、存在的主要问题及改进情况")
    for t in sec["五、存在的主要问题及改进情况"]:
        para(t)
    head("六、其他需要报告的事项")
    for t in sec["六、其他需要报告的事项"]:
        para(t)
    return "\n".join(L).rstrip("\n") + "\n"


# -- tables -------------------------------------------------------------------------------

def _pro_blocks():
    return (("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"), PRO_ROWS[0:2]),
            ("第二十条第（五）项", ("本年处理决定数量",), PRO_ROWS[2:3]),
            ("第二十条第（六）项", ("本年处理决定数量",), PRO_ROWS[3:5]),
            ("第二十条第（八）项", ("本年收费金额（单位：万元）",), PRO_ROWS[5:6]))


def render_proactive(r: Report) -> list[str]:
    L: list[str] = []
    for head, cols, rows in _pro_blocks():
        if r.layout == "pdf":
            L += [head, "信息内容 " + " ".join(cols), ""]
            for key, label, ks in rows:
                L += [label + " " + " ".join(fmt_num(r.pro[(key, k)]) for k in ks), ""]
        elif r.layout == "tsv":
            L += [head + "\t\t\t", "\t".join(("信息内容",) + cols) + "\t" * (3 - len(cols))]
            for key, label, ks in rows:
                L.append("\t".join([label] + [fmt_num(r.pro[(key, k)]) for k in ks]) + "\t" * (3 - len(ks)))
        elif r.layout == "pipe":
            L += [head + " |", "|||", "信息内容 |"] + [c + " |" for c in cols] + (["|" * (4 - len(cols))] if len(cols) < 3 else [])
            for key, label, ks in rows:
                L += [label + " |"] + [fmt_num(r.pro[(key, k)]) + " |" for k in ks] + (["||"] if len(ks) < 3 else [])
        else:
            L += [f"| {head} | | | |", "|---|---|---|---|", "| 信息内容 | " + " | ".join(cols) + " |" + " |" * (3 - len(cols))]
            for key, label, ks in rows:
                L.append(f"| {label} | " + " | ".join(fmt_num(r.pro[(key, k)]) for k in ks) + " |" + " |" * (3 - len(ks)))
            L.append("")
    return L


def _app_rows():
    """(group label or None, label, row key) in printed order."""
    out = [(None, "一、本年新收政府信息公开申请数量", "new_received"), (None, "二、上年结转政府信息公开申请数量", "carried_over"),
           ("三、本年度办理结果", "（一）予以公开", "granted"),
           ("三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted")]
    for g, subs in GROUPS.items():
        for s in subs:
            out.append((GROUP_LABELS[g], SUB_LABELS[s], s))
    out += [("三、本年度办理结果", "（七）总计", "total"), (None, "四、结转下年度继续办理", "carried_forward")]
    return out


def render_applications(r: Report) -> list[str]:
    vals = lambda row: [str(r.app[(row, c)]) for c in APP_COLS]  # noqa: E731
    rng = random.Random(r.file)
    L: list[str] = []
    lay = r.layout
    if lay == "pdf":
        L += ["（本列数据的勾稽关系为：第一项加第二项之和，等", "于第三项加第四项之和）", "", "申请人情况", "", "自然", "人", "",
              "法人或其他组织", "", "总计商业", "企业", "", "科研", "机构", "", "社会", "公益", "组织", "", "法律", "服务",
              "机构", "", "其他", ""]
        last_group = None
        for group, label, key in _app_rows():
            if group and group != last_group and group != "三、本年度办理结果":
                L += [group[:4], group[4:], ""]
            elif group == "三、本年度办理结果" and last_group is None:
                L += ["三、本", "年度办", "理结果", ""]
            last_group = group or last_group
            v = vals(key)
            if len(label) <= 18:
                L += [label + " " + " ".join(v), ""]
            else:
                L += [label[i:i + 17] for i in range(0, len(label), 17)]
                L.append("")
                if rng.random() < 0.5:
                    L += [" ".join(v[:6]), v[6]]
                else:
                    L.append(" ".join(v))
                L.append("")
    elif lay == "tsv":
        L += ["(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)\t\t申请人情况\t\t\t\t\t\t总计\t",
              "\t\t自然人\t法人或其他组织\t\t\t\t\t\t", "\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\t"]
        seen = set()
        for group, label, key in _app_rows():
            lab = label.replace("（", "(").replace("）", ") ")
            if group is None:
                L.append(lab + "\t\t" + "\t".join(vals(key)) + "\t")
            elif group == "三、本年度办理结果":
                first = "三、本年度办理结果" if group not in seen else ""
                seen.add(group)
                L.append(first + "\t" + lab + "\t" + "\t".join(vals(key)) + "\t")
            else:
                g = group.replace("（", "(").replace("）", ") ")
                lead = "\t" + g if group not in seen else "\t"
                seen.add(group)
                L.append(lead + "\t" + lab + "\t" + "\t".join(vals(key)))
    elif lay == "pipe":
        L += ["(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) |", "申请人情况 |", "||||||||",
              "自然人 |", "法人或其他组织 |", "总计 |", "|||||||", "商业 企业 |", "科研 机构 |", "社会公益组织 |",
              "法律服务机构 |", "其他 |", "|||||"]
        seen = set()
        for group, label, key in _app_rows():
            lab = label.replace("（", "(").replace("）", ")")
            if group and group not in seen:
                L.append(group.replace("（", "(").replace("）", ")") + " |")
                seen.add(group)
            L.append(lab + " |")
            L += [x + " |" for x in vals(key)]
            L.append("||" if rng.random() < 0.8 else "|")
    else:
        L += ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "",
              "| 申请人情况 | | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |",
              "|---|---|---|---|---|---|---|---|---|"]
        for group, label, key in _app_rows():
            first = group or label
            second = label if group else ""
            L.append(f"| {first} | {second} | " + " | ".join(vals(key)) + " |")
    return L


def render_review(r: Report) -> list[str]:
    nums = [str(r.rev[(row, c)]) for row in REV_ROWS for c in REV_COLS]
    lay = r.layout
    if lay == "pdf":
        return ["行政复议 行政诉讼", "", "结果", "维持", "", "结果", "纠正", "", "其他", "结果", "", "尚未", "审结", "",
                "总计", "未经复议直接起诉 复议后起诉", "", "结果", "维持", "", "结果", "纠正", "", "其他", "结果", "", "尚未",
                "审结", "", "总计", "结果", "维持", "", "结果", "纠正", "", "其他", "结果", "", "尚未", "审结", "", "总计", "",
                " ".join(nums)]
    if lay == "tsv":
        return ["行政复议\t\t\t\t\t行政诉讼" + "\t" * 9,
                "结果 维持\t结果 纠正\t其他 结果\t尚未 审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t",
                "\t" * 5 + "\t".join(["结果 维持", "结果 纠正", "其他 结果", "尚未 审结", "总计"] * 2),
                "\t".join(nums)]
    if lay == "pipe":
        cols = ["结果维持 |", "结果纠正 |", "其他结果 |", "尚未审结 |", "总计 |"]
        return (["行政复议 |", "行政诉讼 |", "|||||||||||||"] + cols + ["未经复议直接起诉 |", "复议后起诉 |", "||||||||"]
                + cols + cols + ["|||||"] + [x for n in nums for x in (n, "|")])
    head = "| 行政复议 | | | | | 行政诉讼 | | | | | | | | | |"
    sub = "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | | | | | 复议后起诉 | | | | |"
    sub2 = "| | | | | | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |"
    return [head, "|" + "---|" * 15, sub, sub2, "| " + " | ".join(nums) + " |"]


# ----------------------------------------------------------------------------------------
# Questions

TABLE_QS = (
    ("{b}{y}年一共收到多少件政府信息公开申请？", ("applications", "new_received", "total")),
    ("{b}{y}年新收政府信息公开申请数量是多少？", ("applications", "new_received", "total")),
    ("{b}{y}年部分公开的申请数", ("applications", "partially_granted", "total")),
    ("{b}{y}年本年度办理结果总计是多少？", ("applications", "total", "total")),
    ("{b}{y}年予以公开的申请里有几件来自自然人？", ("applications", "granted", "natural_person")),
    ("{b}{y}年予以公开了几件申请？", ("applications", "granted", "total")),
    ("{b}{y}年无法提供的申请有多少件？", ("applications", "unavailable", "total")),
    ("{b}{y}年不予公开的申请有多少件？", ("applications", "denied", "total")),
    ("{b}{y}年因本机关不掌握相关政府信息而无法提供的申请有几件？", ("applications", "unavailable.not_held", "total")),
    ("{b}{y}年上年结转的申请有几件？", ("applications", "carried_over", "total")),
    ("{b}{y}年结转下年度继续办理的申请有多少件？", ("applications", "carried_forward", "total")),
    ("{b}{y}年商业企业提出了多少件政府信息公开申请？", ("applications", "new_received", "commercial_enterprise")),
    ("{b}{y}年法人或其他组织提出的申请有多少件？", ("applications", "new_received", "legal_person_or_org")),
    ("{b}{y}年重复申请有几件？", ("applications", "not_processed.duplicate", "total")),
    ("{b}{y}年不予处理的申请有多少件？", ("applications", "not_processed", "total")),
    ("{b}{y}年行政许可有多少件？", ("proactive", "administrative_licensing", "decisions")),
    ("{b}{y}年行政处罚决定多少件？", ("proactive", "administrative_punishment", "decisions")),
    ("{b}{y}年行政强制决定有多少件？", ("proactive", "administrative_coercion", "decisions")),
    ("{b}{y}年现行有效的规范性文件有几件？", ("proactive", "normative_documents", "in_force")),
    ("{b}{y}年制发了多少件行政规范性文件？", ("proactive", "normative_documents", "issued")),
    ("{b}{y}年行政事业性收费金额是多少万元？", ("proactive", "administrative_fees", "amount")),
    ("{b}{y}年行政复议结果纠正的有几件？", ("review_litigation", "review", "corrected")),
    ("{b}{y}年行政复议一共多少件？", ("review_litigation", "review", "total")),
    ("{b}{y}年行政诉讼一共多少件？", ("review_litigation", "litigation", "total")),
    ("{b}{y}年未经复议直接起诉的行政诉讼有几件？", ("review_litigation", "litigation_direct", "total")),
)
AGG_SUM_QS = (
    ("{y}年{d}各单位部分公开的申请一共多少件？", ("applications", "partially_granted", "total")),
    ("{d}各单位{y}年一共收到多少件政府信息公开申请？", ("applications", "new_received", "total")),
    ("{y}年{d}各单位行政许可决定合计多少件？", ("proactive", "administrative_licensing", "decisions")),
)
AGG_MAX_QS = (
    ("{d}哪个单位{y}年行政许可决定最多？", ("proactive", "administrative_licensing", "decisions")),
    ("{d}哪个单位{y}年收到的政府信息公开申请最多？", ("applications", "new_received", "total")),
    ("{d}哪个单位{y}年行政处罚决定最多？", ("proactive", "administrative_punishment", "decisions")),
)


def body_mention(rng: random.Random, b: Body) -> str:
    if b.short_name and rng.random() < 0.3:
        return b.short_name
    return b.name


def make_questions(reports: list[Report], n_table: int, n_agg: int, n_text: int, n_refuse: int,
                   seed: int = 11, prose_pool: int | None = None) -> list[dict]:
    """Questions with expected answers; text questions only about reports[:prose_pool] when
    given (the benchmark indexes the prose of those alone at the largest size)."""
    rng = random.Random(seed)
    qs: list[dict] = []
    by_body: dict[str, dict[int, Report]] = {}
    for r in reports:
        by_body.setdefault(r.body.name, {})[r.year] = r

    def add(kind, q, **kw):
        prefix = {"table": "tb", "aggregate": "ag", "text": "tx", "refuse": "rf"}[kind]
        qs.append({"id": f"{prefix}{sum(1 for x in qs if x['kind'] == kind) + 1:04d}", "kind": kind, "q": q, **kw})

    # table: cell lookups, one report each (some about the deliberately broken cells)
    pool = list(reports)
    rng.shuffle(pool)
    broken = [r for r in pool if r.broken]
    for i in range(n_table):
        if broken and i % 10 == 9:
            r = broken.pop()
            tmpl, cell = next(t for t in TABLE_QS if t[1][1:] == r.broken[1:]) if any(
                t[1][1:] == r.broken[1:] for t in TABLE_QS) else rng.choice(TABLE_QS)
        else:
            r = pool[i % len(pool)]
            tmpl, cell = TABLE_QS[(i * 7 + rng.randint(0, 3)) % len(TABLE_QS)]
        add("table", tmpl.format(b=body_mention(rng, r.body), y=r.year), value=r.value(*cell), source=[r.file])

    # aggregates over a district's bodies in one year
    groups: dict[tuple[str, int], list[Report]] = {}
    for r in reports:
        groups.setdefault((r.body.district, r.year), []).append(r)
    cands = [(k, v) for k, v in groups.items() if len(v) >= 3]
    rng.shuffle(cands)
    made = 0
    for (district, year), reps in cands:
        if made >= n_agg:
            break
        if made % 2 == 0:
            tmpl, cell = rng.choice(AGG_SUM_QS)
            vals = [(r, r.value(*cell)) for r in reps]
            total = sum(v for _, v in vals)
            src = [r.file for r, v in vals if v] or [r.file for r, _ in vals]
            add("aggregate", tmpl.format(y=year, d=district), value=total, source=src)
        else:
            tmpl, cell = rng.choice(AGG_MAX_QS)
            vals = sorted(((r.value(*cell), r) for r in reps), key=lambda x: -x[0])
            if vals[0][0] <= 0 or vals[0][0] == vals[1][0]:
                continue  # no unique maximum: not a fair question
            best = vals[0][1]
            add("aggregate", tmpl.format(y=year, d=district), any=[best.body.unit], all=[fmt_num(vals[0][0])],
                source=[best.file])
        made += 1
    # a change between two years of one body
    multi = [(name, ys) for name, ys in by_body.items() if len(ys) >= 2]
    rng.shuffle(multi)
    for name, ys in multi[: max(1, n_agg // 5)]:
        y1, y2 = sorted(ys)[:2]
        r1, r2 = ys[y1], ys[y2]
        d = r2.value("applications", "new_received", "total") - r1.value("applications", "new_received", "total")
        add("aggregate", f"{r1.body.name}新收政府信息公开申请数量{y1}年到{y2}年变化了多少？", value=d,
            source=[r1.file, r2.file])

    # text: facts stated in the prose
    pool2 = list(reports[:prose_pool] if prose_pool else reports)
    rng.shuffle(pool2)
    text_kinds = ("info", "platform", "train", "problem", "plan", "measure", "fee", "interp")
    for i in range(n_text):
        r = pool2[i % len(pool2)]
        p, b, y = r.prose, body_mention(rng, r.body), r.year
        k = text_kinds[i % len(text_kinds)]
        if k == "info":
            add("text", f"{b}{y}年通过{p['platform_main']}主动公开了多少条信息？", any=[f"{p['info_n']}条"], source=[r.file])
        elif k == "interp":
            add("text", f"{b}{y}年发布了多少篇政策解读？", any=[f"{p['interp_n']}篇"], source=[r.file])
        elif k == "platform":
            add("text", f"{b}{y}年利用哪些平台公开政府信息？", any=list(p["platforms"]), source=[r.file])
        elif k == "train":
            add("text", f"{b}{y}年组织了几次政府信息公开专题培训？", any=[f"{p['train_n']}次"], source=[r.file])
        elif k == "problem":
            add("text", f"{b}{y}年政府信息公开工作存在哪些问题？", any=list(p["problems"]), source=[r.file])
        elif k == "plan":
            add("text", f"{b}{y}年下一步将如何改进政府信息公开工作？", any=list(p["plans"]), source=[r.file])
        elif k == "measure":
            add("text", f"{b}{y}年执行了什么政府信息公开审核制度？", any=[p["measure"]], source=[r.file])
        else:
            add("text", f"{b}{y}年是否收取了信息处理费？",
                any=["未收取"] if not p["fee"] else [f"{p['fee']}元"], source=[r.file])

    # refuse: a body not in the corpus, or a year the body has no report for
    for i in range(n_refuse):
        if i % 2 == 0:
            place = UNKNOWN_PLACES[(i // 2) % len(UNKNOWN_PLACES)]
            unit = DEPARTMENTS[(i * 5) % len(DEPARTMENTS)]
            add("refuse", f"{place}{unit}{rng.choice(YEARS)}年收到多少件政府信息公开申请？")
        else:
            name, ys = rng.choice(list(by_body.items()))
            missing = [y for y in (2019, 2020) + YEARS if y not in ys]
            add("refuse", f"{name}{rng.choice(missing)}年行政许可多少件？")
    return qs


# ----------------------------------------------------------------------------------------

def question_counts(n: int) -> tuple[int, int, int, int]:
    """(table, aggregate, text, refuse) questions for a corpus of n reports."""
    if n <= 200:
        return 60, 20, 40, 10
    if n <= 2000:
        return 150, 40, 64, 20
    return 200, 40, 64, 20


def generate(n: int, out: Path, seed: int = 7, counts: tuple[int, int, int, int] | None = None,
             prose_pool: int | None = None) -> list[Report]:
    out = Path(out)
    rep_dir = out / "reports"
    rep_dir.mkdir(parents=True, exist_ok=True)
    for f in rep_dir.iterdir():
        f.unlink()
    reports = make_reports(n, seed)
    texts = []
    for i, r in enumerate(reports):
        ext = ".md" if r.layout == "md" else ".txt"
        h = hashlib.sha256(f"{seed}:{r.body.name}:{r.year}".encode()).hexdigest()[:16]
        r.file = f"{i:05d}_{h}{ext}"
        texts.append(render(r))
    for r, t in zip(reports, texts):
        (rep_dir / r.file).write_text(t, encoding="utf-8")
    qs = make_questions(reports, *(counts or question_counts(n)), prose_pool=prose_pool)
    with open(out / "questions.jsonl", "w", encoding="utf-8") as f:
        for q in qs:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    with open(out / "truth.jsonl", "w", encoding="utf-8") as f:
        for r in reports:
            cells = ([["applications", k[0], k[1], v] for k, v in r.app.items()]
                     + [["proactive", k[0], k[1], v] for k, v in r.pro.items()]
                     + [["review_litigation", k[0], k[1], v] for k, v in r.rev.items()])
            f.write(json.dumps({"file": r.file, "agency": r.body.name, "city": r.body.city, "year": r.year,
                                "layout": r.layout, "broken": r.broken, "cells": cells}, ensure_ascii=False) + "\n")
    return reports


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="生成基准测试用的合成年度报告与问题集")
    ap.add_argument("n", type=int, help="报告份数")
    ap.add_argument("out", type=Path, help="输出目录")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args(argv)
    reports = generate(a.n, a.out, a.seed)
    print(f"已生成 {len(reports)} 份报告与问题集：{a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
