"""Reports for the question-engine tests, beyond the five seeds, and the indexes built from them.

Each extra report is a seed copied and edited: a new year or body, and tables whose numbers are
written out below (tab-separated, the layout of seeds 001-003). The numbers the tests expect
are the ones written here, never values read back through the code under test.

- 002 edited to 2023: 红旗区信访局 has 2022 (seed, all zero) and 2023 (below) -> change, follow-ups.
- a 2022 report of 红谷滩区政府办 (seed 004 is 2023) -> change between years, 「那2022年呢」.
- 001 copied as 红旗区市场监督管理局 2023 (alias 区市场监管局) whose numbers do NOT add up:
  new_received 5 but outcomes total 4 -> every answer using its numbers must flag it.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
QA_APP = str(Path(sys.executable).parent / "qa-app")

APP_LABELS = [
    "一、本年新收政府信息公开申请数量\t",
    "二、上年结转政府信息公开申请数量\t",
    "三、本年度办理结果\t(一) 予以公开",
    "\t(二) 部分公开（区分处理的，只计这一情形，不计其他情形）",
    "\t(三) 不予公开\t1.属于国家秘密",
    "\t\t2.其他法律行政法规禁止公开",
    "\t\t3.危及“三安全一稳定”",
    "\t\t4.保护第三方合法权益",
    "\t\t5.属于三类内部事务信息",
    "\t\t6.属于四类过程性信息",
    "\t\t7.属于行政执法案卷",
    "\t\t8.属于行政查询事项",
    "\t(四) 无法提供\t1.本机关不掌握相关政府信息",
    "\t\t2.没有现成信息需要另行制作",
    "\t\t3.补正后申请内容仍不明确",
    "\t(五) 不予处理\t1.信访举报投诉类申请",
    "\t\t2.重复申请",
    "\t\t3.要求提供公开出版物",
    "\t\t4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息\t",
    "(六) 其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "\t3.其他",
    "(七) 总计",
    "四、结转下年度继续办理\t",
]
ZERO = [0, 0, 0, 0, 0, 0, 0]


def tables_text(proactive: dict, apps: dict, review: list[int]) -> str:
    """Sections 二-四 in the tab layout. `apps`: row index in APP_LABELS -> 7 values
    (自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计); rows not given are zero."""
    p = proactive
    out = ["二、主动公开政府信息情况", "",
           "第二十条第（一）项\t\t\t", "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
           "规章\t" + "\t".join(map(str, p["regulations"])),
           "行政规范性文件\t" + "\t".join(map(str, p["normative_documents"])),
           "第二十条第（五）项\t\t\t", "信息内容\t本年处理决定数量\t\t", f"行政许可\t{p['licensing']}\t\t",
           "第二十条第（六）项\t\t\t", "信息内容\t本年处理决定数量\t\t", f"行政处罚\t{p['punishment']}\t\t",
           f"行政强制\t{p['coercion']}\t\t",
           "第二十条第（八）项\t\t\t", "信息内容\t本年收费金额（单位：万元）\t\t", f"行政事业性收费\t{p['fees']}\t\t",
           "", "三、收到和处理政府信息公开申请情况", "",
           "(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)\t\t申请人情况\t\t\t\t\t\t总计\t",
           "\t\t自然人\t法人或其他组织\t\t\t\t\t\t",
           "\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\t"]
    for i, label in enumerate(APP_LABELS):
        vals = apps.get(i, ZERO)
        assert len(vals) == 7
        out.append(label + "\t" + "\t".join(map(str, vals)))
    out += ["", "四、政府信息公开行政复议、行政诉讼情况", "",
            "行政复议\t\t\t\t\t行政诉讼\t\t\t\t\t\t\t\t\t\t",
            "结果 维持\t结果 纠正\t其他 结果\t尚未 审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t",
            "\t\t\t\t\t结果 维持\t结果 纠正\t其他 结果\t尚未 审结\t总计\t结果 维持\t结果 纠正\t其他 结果\t尚未 审结\t总计",
            "\t".join(map(str, review)), ""]
    return "\n".join(out)


def _prose(seed: str) -> tuple[str, str]:
    """(text before section 二, text from section 五) of a seed."""
    text = (SEEDS / seed).read_text(encoding="utf-8")
    head = text[: text.index("二、主动公开政府信息情况")]
    tail = text[text.index("五、存在的主要问题及改进情况"):]
    return head, tail


# 红旗区信访局 2023 (seed 002 edited): applications 6 new (自然人5, 商业企业1) + 1 carried over.
XINFANG_2023_APPS = {
    0: [5, 1, 0, 0, 0, 0, 6],   # 新收
    1: [1, 0, 0, 0, 0, 0, 1],   # 上年结转
    2: [2, 0, 0, 0, 0, 0, 2],   # 予以公开
    3: [1, 0, 0, 0, 0, 0, 1],   # 部分公开
    7: [0, 1, 0, 0, 0, 0, 1],   # 不予公开·保护第三方合法权益
    12: [1, 0, 0, 0, 0, 0, 1],  # 无法提供·本机关不掌握
    15: [2, 0, 0, 0, 0, 0, 2],  # 不予处理·信访举报投诉类
    23: [6, 1, 0, 0, 0, 0, 7],  # 总计
}
XINFANG_2023_PROACTIVE = {"regulations": [0, 0, 0], "normative_documents": [2, 1, 3], "licensing": 0,
                          "punishment": 3, "coercion": 0, "fees": 0}
# 行政复议 维持1 总计1; 直接起诉 尚未审结1 总计1; 复议后起诉 0
XINFANG_2023_REVIEW = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]


def xinfang_2023() -> str:
    head, tail = _prose("002_050334ec39756ada.txt")
    head = head.replace("2022", "2023").replace("共发布政务信息 28 条", "共发布政务信息 35 条")
    head = head.replace("2023 年，我局没有收到公开政府信息的申请。", "2023 年，我局收到政府信息公开申请 6 件，均已按时答复。")
    tail = tail.replace("2022", "2023")
    return head + tables_text(XINFANG_2023_PROACTIVE, XINFANG_2023_APPS, XINFANG_2023_REVIEW) + "\n" + tail


# 红谷滩区政府办 2022: 20 new (自然人18, 商业企业2).
HONGGUTAN_2022_APPS = {
    0: [18, 2, 0, 0, 0, 0, 20],
    2: [10, 0, 0, 0, 0, 0, 10],
    3: [4, 1, 0, 0, 0, 0, 5],
    12: [2, 1, 0, 0, 0, 0, 3],
    16: [2, 0, 0, 0, 0, 0, 2],  # 不予处理·重复申请
    23: [18, 2, 0, 0, 0, 0, 20],
}
HONGGUTAN_2022_PROACTIVE = {"regulations": [0, 0, 0], "normative_documents": [4, 2, 11], "licensing": 0,
                            "punishment": 0, "coercion": 0, "fees": 0}
HONGGUTAN_2022_REVIEW = [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]  # 行政复议 纠正1 总计1


def honggutan_2022() -> str:
    head = ("根据《中华人民共和国政府信息公开条例》(以下简称《条例》)等文件要求,现将红谷滩区政府办2022年政府信息公开工作年度报告"
            "向社会公布。本报告中所列数据统计期限为2022年1月1日至12月31日。\n"
            "一、总体情况\n"
            "(一)主动公开方面。2022年,通过区政府网站发布各类信息870条,及时更新政府信息公开指南。\n"
            "(二)依申请公开方面。区政府办公室收到政府信息公开申请20件,答复办结20件。\n"
            "(三)政府信息管理方面。严格落实政府信息公开保密审查制度。\n"
            "(四)政府信息公开平台建设方面。完成区政府网站集约化改造。\n"
            "(五)监督保障方面。组织政务公开业务培训2次。\n")
    tail = ("五、存在的主要问题及改进情况\n"
            "一是信息公开栏目更新不够及时;二是依申请公开答复文书格式不够规范。\n"
            "下一步,我办将规范答复文书格式,加强栏目日常维护。\n"
            "六、其他需要报告的事项\n"
            "2022年我办政府信息公开工作没有收取信息处理费。\n")
    return head + tables_text(HONGGUTAN_2022_PROACTIVE, HONGGUTAN_2022_APPS, HONGGUTAN_2022_REVIEW) + "\n" + tail


# 红旗区市场监督管理局 2023 (seed 001 copied and renamed): the numbers do not add up.
SHICHANG_2023_APPS = {
    0: [3, 2, 0, 0, 0, 0, 5],   # 新收 5
    2: [2, 1, 0, 0, 0, 0, 3],   # 予以公开 3
    12: [0, 1, 0, 0, 0, 0, 1],  # 本机关不掌握 1
    23: [2, 2, 0, 0, 0, 0, 4],  # 总计 4 (5 + 0 != 4 + 0)
}
SHICHANG_2023_PROACTIVE = {"regulations": [0, 0, 0], "normative_documents": [1, 0, 6], "licensing": 150,
                           "punishment": 12, "coercion": 3, "fees": 0}
SHICHANG_2023_REVIEW = [0] * 15


def shichang_2023() -> str:
    head, tail = _prose("001_924043a2ff6d2acf.txt")
    head = head.replace("红旗区城乡建设局", "红旗区市场监督管理局").replace("区城建局", "区市场监管局")
    head = head.replace("共公示行政许可 28 条", "共公示行政许可 150 条").replace("行政处罚 0 条", "行政处罚 12 条")
    head = head.replace("2023 年，我局未收到政府信息公开申请。", "2023 年，我局收到政府信息公开申请 5 件。")
    return head + tables_text(SHICHANG_2023_PROACTIVE, SHICHANG_2023_APPS, SHICHANG_2023_REVIEW) + "\n" + tail


BAD_FILE = "hq_shichang_2023_bad.txt"
EXTRA = {
    "hq_xinfang_2023.txt": xinfang_2023,
    "hgt_2022.txt": honggutan_2022,
    BAD_FILE: shichang_2023,
}


def write_corpus(folder: Path, extra: bool = True) -> Path:
    """The five seeds (and the extra reports) as files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in sorted(SEEDS.glob("*.txt")):
        (folder / f.name).write_bytes(f.read_bytes())
    if extra:
        for name, make in EXTRA.items():
            (folder / name).write_text(make(), encoding="utf-8")
    return folder


def build_index(files: Path, index: Path) -> Path:
    """`qa-app index --no-narrative` into `index` (the real command, as a user runs it)."""
    p = subprocess.run([QA_APP, "index", "--no-narrative", "-q", "--index", str(index), str(files)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    return index



# A 2019 trial-format report (国办公开办函〔2019〕60号): section 二 has other columns.
TRIAL_2019 = """卫辉市交通运输局2019年政府信息公开工作年度报告

一、总体情况
2019年，卫辉市交通运输局认真贯彻落实《中华人民共和国政府信息公开条例》，通过局门户网站主动公开信息412条。

二、主动公开政府信息情况
第二十条第（一）项
信息内容 本年新制作数量 本年新公开数量 对外公开总数量
规章 0 0 0
规范性文件 3 2 15
第二十条第（五）项
信息内容 上一年项目数量 本年增/减 处理决定数量
行政许可 12 -2 340
其他对外管理服务事项 5 1 21
第二十条第（六）项
信息内容 上一年项目数量 本年增/减 处理决定数量
行政处罚 30 4 56
行政强制 2 0 3
第二十条第（八）项
信息内容 上一年项目数量 本年增/减
行政事业性收费 4 -1
第二十条第（九）项
信息内容 采购项目数量 采购总金额
政府集中采购 6 251000元

三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计
一、本年新收政府信息公开申请数量 9 2 0 0 1 0 12
二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1
三、本年度办理结果
（一）予以公开 5 1 0 0 0 0 6
（二）部分公开（区分处理的，只计这一情形，不计其他情形） 1 0 0 0 0 0 1
（三）不予公开
1.属于国家秘密 0 0 0 0 0 0 0
2.其他法律行政法规禁止公开 0 0 0 0 0 0 0
3.危及“三安全一稳定” 0 0 0 0 0 0 0
4.保护第三方合法权益 1 0 0 0 0 0 1
5.属于三类内部事务信息 0 0 0 0 0 0 0
6.属于四类过程性信息 0 0 0 0 0 0 0
7.属于行政执法案卷 0 0 0 0 0 0 0
8.属于行政查询事项 0 0 0 0 0 0 0
（四）无法提供
1.本机关不掌握相关政府信息 2 1 0 0 0 0 3
2.没有现成信息需要另行制作 0 0 0 0 0 0 0
3.补正后申请内容仍不明确 0 0 0 0 0 0 0
（五）不予处理
1.信访举报投诉类申请 0 0 0 0 1 0 1
2.重复申请 0 0 0 0 0 0 0
3.要求提供公开出版物 0 0 0 0 0 0 0
4.无正当理由大量反复申请 0 0 0 0 0 0 0
5.要求行政机关确认或重新出具已获取信息 0 0 0 0 0 0 0
（六）其他处理 1 0 0 0 0 0 1
（七）总计 10 2 0 0 1 0 13
四、结转下年度继续办理 0 0 0 0 0 0 0

四、政府信息公开行政复议、行政诉讼情况
行政复议 行政诉讼
结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉
1 0 0 0 1 0 0 0 1 1 0 0 0 0 0

五、存在的主要问题及改进情况
一是政策解读不够及时；二是公开栏目设置有待优化。下一步，我局将加强政策解读，优化栏目设置。
"""
