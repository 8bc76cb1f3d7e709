/*
 * qa-app embeddable question box (政府信息公开年报问答组件).
 *
 * One script tag puts a chat box on any page; it talks to POST /ask of a qa-app server and
 * shows each answer with its numbered citations (report file, section, lines, quote).
 *
 *   <script src="http://HOST:8000/widget.js" data-api="http://HOST:8000"></script>
 *
 * Attributes (all optional): data-api (default: where this script came from), data-token
 * (API token, visible to anyone who can read the page), data-target (CSS selector of the
 * element to fill; default: right after the script tag), data-title, data-placeholder,
 * data-agency / data-region / data-year (answer only from matching reports), data-examples
 * (example questions separated by |), data-height (e.g. 520px; default 520px), data-fill
 * (take the height of the target element instead), data-manual (do not mount;
 * call window.QaAppWidget.mount(element, options) yourself), data-url-params (take
 * agency/region/year/title from the page's query string and the token from #token=...;
 * used by the /widget iframe page).
 *
 * Plain ES5 and XMLHttpRequest, no build step, nothing loaded from elsewhere. Every piece of
 * server data is put in the page with textContent / createElement, never as HTML.
 */
(function () {
  "use strict";

  var VERSION = "0.1.0";
  var script = document.currentScript;
  var DEFAULT_EXAMPLES = ["库里有哪些报告？", "2023年各单位部分公开的申请一共多少件？"];

  var CSS = [
    ":host{all:initial;display:block}",
    ".qaw{box-sizing:border-box;display:flex;flex-direction:column;height:100%;min-height:320px;",
    "border:1px solid #c9d3df;border-radius:8px;background:#fff;color:#1f2933;overflow:hidden;",
    "font:14px/1.6 'Noto Sans CJK SC','Microsoft YaHei','PingFang SC','Source Han Sans SC',sans-serif;text-align:left}",
    ".qaw *{box-sizing:border-box}",
    ".qaw-head{background:#1d4e89;color:#fff;padding:8px 12px;font-weight:bold;font-size:15px}",
    ".qaw-log{flex:1;overflow-y:auto;padding:10px 12px;background:#f6f8fb}",
    ".qaw-intro{color:#52606d;margin:0 0 8px}",
    ".qaw-example{display:inline-block;margin:4px 6px 0 0;padding:2px 8px;border:1px solid #9fb3c8;border-radius:12px;",
    "background:#fff;color:#1d4e89;font:inherit;font-size:13px;cursor:pointer}",
    ".qaw-example:hover,.qaw-option:hover{background:#e6eef8}",
    ".qaw-msg{margin:8px 0;padding:8px 10px;border-radius:6px;max-width:100%;word-wrap:break-word;overflow-wrap:anywhere}",
    ".qaw-user{background:#1d4e89;color:#fff;margin-left:15%;white-space:pre-wrap}",
    ".qaw-bot{background:#fff;border:1px solid #d9e2ec;margin-right:4%}",
    ".qaw-pending{color:#52606d;font-style:italic}",
    ".qaw-error{background:#fff5f5;border:1px solid #f5a3a3;color:#9b1c1c}",
    ".qaw-text{white-space:pre-wrap}",
    ".qaw-ref{color:#1d4e89;font-size:12px;vertical-align:super;text-decoration:none;cursor:pointer;margin:0 1px}",
    ".qaw-ref:hover{text-decoration:underline}",
    ".qaw-notice{margin-top:6px;color:#8d6708;font-size:13px}",
    ".qaw-options{margin-top:6px}",
    ".qaw-option{display:inline-block;margin:4px 6px 0 0;padding:2px 10px;border:1px solid #1d4e89;border-radius:4px;",
    "background:#fff;color:#1d4e89;font:inherit;font-size:13px;cursor:pointer}",
    ".qaw-chart{margin:8px 0 0;padding:6px 8px;border:1px solid #d9e2ec;border-radius:6px;background:#fff}",
    ".qaw-chart-title{font-size:12px;color:#3e4c59;margin:0 0 4px}",
    ".qaw-bar-row{display:flex;align-items:center;gap:6px;margin:3px 0;font-size:12px}",
    ".qaw-bar-label{flex:0 0 auto;max-width:55%;color:#1f2933;text-align:right;min-width:6em}",
    ".qaw-bar-track{flex:1 1 auto;display:flex;align-items:center;gap:4px;min-width:40px}",
    ".qaw-bar{display:inline-block;height:14px;background:#1d4e89;border-radius:0 3px 3px 0}",
    ".qaw-bar-value{color:#1f2933;font-variant-numeric:tabular-nums}",
    ".qaw-chart-note{font-size:12px;color:#3e4c59;margin-top:4px}",
    ".qaw-cite:focus{outline:2px solid #5d9cec;outline-offset:1px}",
    ".qaw-ref:focus,.qaw-example:focus,.qaw-option:focus,.qaw-send:focus{outline:2px solid #5d9cec;outline-offset:1px}",
    ".qaw-table{border-collapse:collapse;margin-top:8px;font-size:12px;display:block;overflow-x:auto;max-width:100%}",
    ".qaw-table th,.qaw-table td{border:1px solid #d9e2ec;padding:2px 6px;white-space:nowrap}",
    ".qaw-table th{background:#f0f4f8}",
    ".qaw-cites-title{margin-top:8px;font-size:12px;color:#52606d;font-weight:bold}",
    ".qaw-cites{margin:2px 0 0;padding:0;list-style:none}",
    ".qaw-cite{margin-top:6px;padding:6px 8px;border-left:3px solid #9fb3c8;background:#f8fafc;font-size:12px}",
    ".qaw-cite.qaw-flash{border-left-color:#e8a317;background:#fff8e1}",
    ".qaw-cite-head{font-weight:bold;color:#243b53}",
    ".qaw-cite-where{color:#52606d}",
    ".qaw-cite-warn{color:#9b1c1c}",
    ".qaw-page{display:inline-block;margin-top:4px;font-size:12px;color:#1c64d6}" +
    ".qaw-quote{margin:4px 0 0;padding:4px 6px;max-height:9em;overflow:auto;background:#fff;border:1px solid #e4e7eb;",
    "white-space:pre-wrap;font:12px/1.5 'Noto Sans Mono CJK SC','Noto Sans CJK SC',monospace;color:#323f4b}",
    ".qaw-form{display:flex;gap:6px;padding:8px;border-top:1px solid #d9e2ec;background:#fff}",
    ".qaw-input{flex:1;resize:none;height:44px;padding:6px 8px;border:1px solid #9fb3c8;border-radius:4px;font:inherit;color:#1f2933}",
    ".qaw-input:focus{outline:2px solid #5d9cec;outline-offset:0}",
    ".qaw-send{padding:0 16px;border:0;border-radius:4px;background:#1d4e89;color:#fff;font:inherit;cursor:pointer}",
    ".qaw-send:disabled{background:#9fb3c8;cursor:default}"
  ].join("");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function attr(node, name) {
    var v = node && node.getAttribute ? node.getAttribute(name) : null;
    return v === null || v === "" ? null : v;
  }

  function scriptOrigin() {
    try { return new URL(script.src, location.href).origin; } catch (e) { return location.origin; }
  }

  function optionsFromScript(s) {
    var o = {
      api: attr(s, "data-api"), token: attr(s, "data-token"), title: attr(s, "data-title"),
      placeholder: attr(s, "data-placeholder"), height: attr(s, "data-height"),
      examples: attr(s, "data-examples") ? attr(s, "data-examples").split("|") : null,
      filters: {agency: attr(s, "data-agency"), region: attr(s, "data-region"), year: attr(s, "data-year")}
    };
    if (s && s.hasAttribute("data-url-params")) {
      var q = new URLSearchParams(location.search);
      ["agency", "region", "year"].forEach(function (k) { if (q.get(k)) o.filters[k] = q.get(k); });
      if (q.get("title")) o.title = q.get("title");
      var h = new URLSearchParams(location.hash.replace(/^#/, ""));
      if (h.get("token")) o.token = h.get("token");
    }
    return o;
  }

  function cleanFilters(f) {
    var out = {}, any = false;
    ["agency", "region"].forEach(function (k) { if (f && f[k]) { out[k] = String(f[k]); any = true; } });
    if (f && f.year && /^\d{4}$/.test(String(f.year))) { out.year = parseInt(f.year, 10); any = true; }
    return any ? out : null;
  }

  function Widget(host, opts) {
    this.opts = opts || {};
    this.api = String(this.opts.api || scriptOrigin()).replace(/\/+$/, "");
    this.token = this.opts.token || null;
    this.filters = cleanFilters(this.opts.filters);
    this.history = [];
    this.busy = false;
    var root = host;
    if (host.attachShadow) {
      root = host.shadowRoot || host.attachShadow({mode: "open"});
    }
    var style = el("style");
    style.textContent = CSS.replace(":host{", host.attachShadow ? ":host{" : ".qaw-host{");
    root.appendChild(style);
    if (!host.attachShadow) host.className += " qaw-host";
    this.build(root);
    if (this.opts.height && /^\d+(\.\d+)?(px|vh|em|rem|%)$/.test(this.opts.height)) {
      this.box.style.height = this.opts.height;
    } else if (!this.opts.fill) {
      this.box.style.height = "520px";
    }
  }

  Widget.prototype.build = function (root) {
    var self = this;
    var box = this.box = el("div", "qaw");
    box.setAttribute("lang", "zh-CN");
    box.appendChild(el("div", "qaw-head", this.opts.title || "政府信息公开年报问答"));
    var log = this.log = el("div", "qaw-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    var intro = el("div", "qaw-intro", "问年报表格里的数字或报告里的内容，回答附出处（报告、章节、原文行号）。可以试试：");
    var examples = this.opts.examples || DEFAULT_EXAMPLES;
    examples.forEach(function (q) {
      if (!q) return;
      var b = el("button", "qaw-example", q);
      b.type = "button";
      b.addEventListener("click", function () { self.ask(q); });
      intro.appendChild(document.createElement("br"));
      intro.appendChild(b);
    });
    log.appendChild(intro);
    box.appendChild(log);

    var form = el("form", "qaw-form");
    var input = this.input = el("textarea", "qaw-input");
    input.setAttribute("aria-label", "输入问题");
    input.setAttribute("maxlength", "500");
    input.placeholder = this.opts.placeholder || "输入问题，例如：某区政府办2023年部分公开了多少件申请？";
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        self.submit();
      }
    });
    var send = this.send = el("button", "qaw-send", "提问");
    send.type = "submit";
    form.appendChild(input);
    form.appendChild(send);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); self.submit(); });
    box.appendChild(form);
    root.appendChild(box);
  };

  Widget.prototype.submit = function () {
    var q = this.input.value.replace(/^\s+|\s+$/g, "");
    if (!q || this.busy) return;
    this.input.value = "";
    this.ask(q);
  };

  Widget.prototype.scrollDown = function () { this.log.scrollTop = this.log.scrollHeight; };

  Widget.prototype.setBusy = function (busy) {
    this.busy = busy;
    this.send.disabled = busy;
    this.send.textContent = busy ? "查找中" : "提问";
  };

  Widget.prototype.ask = function (question) {
    var self = this;
    if (this.busy) return;
    this.log.appendChild(el("div", "qaw-msg qaw-user", question));
    var pending = el("div", "qaw-msg qaw-bot qaw-pending", "正在查找…");
    this.log.appendChild(pending);
    this.scrollDown();
    this.setBusy(true);
    var body = {question: question};
    if (this.history.length) body.history = this.history.slice(-6);
    if (this.filters) body.filters = this.filters;
    this.request(body, function (err, data) {
      self.setBusy(false);
      pending.parentNode.removeChild(pending);
      if (err) {
        self.log.appendChild(el("div", "qaw-msg qaw-error", err));
      } else {
        self.history.push(question);
        self.log.appendChild(self.renderAnswer(data));
      }
      self.scrollDown();
      self.input.focus();
    });
  };

  Widget.prototype.request = function (body, done) {
    var api = this.api;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", api + "/ask", true);
    xhr.timeout = 120000;
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.setRequestHeader("Accept", "application/json");
    if (this.token) xhr.setRequestHeader("Authorization", "Bearer " + this.token);
    xhr.onload = function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status >= 200 && xhr.status < 300 && data && typeof data.answer === "string") {
        done(null, data);
      } else if (xhr.status === 401) {
        done("问答服务需要 API 令牌：请页面管理员在脚本标签上加 data-token，或在 iframe 地址后加 #token=令牌。");
      } else if (data && data.message) {
        done(data.message);
      } else {
        done("问答服务出错（HTTP " + xhr.status + "），请稍后重试。");
      }
    };
    xhr.onerror = function () {
      done("无法连接问答服务（" + api + "）：请确认服务已启动；若本页与服务不在同一地址，" +
           "服务的跨域白名单（QA_APP_CORS_ORIGINS）需包含本页地址 " + location.origin + "。");
    };
    xhr.ontimeout = function () { done("问答服务响应超时，请稍后重试。"); };
    xhr.send(JSON.stringify(body));
  };

  Widget.prototype.renderAnswer = function (a) {
    var self = this;
    var msg = el("div", "qaw-msg qaw-bot");
    var text = el("div", "qaw-text");
    var cites = a.citations || [];
    var items = {};
    var parts = String(a.answer || "").split(/(\[\d+\])/);
    parts.forEach(function (p) {
      var m = /^\[(\d+)\]$/.exec(p);
      if (m) {
        var ref = el("a", "qaw-ref", p);
        ref.href = "#";
        ref.setAttribute("role", "button");
        ref.setAttribute("aria-label", "出处 " + m[1]);
        ref.addEventListener("click", function (ev) {
          ev.preventDefault();
          var li = items[m[1]];
          if (!li) return;
          li.scrollIntoView({block: "nearest"});
          li.className = "qaw-cite qaw-flash";
          li.focus();  // keyboard and screen-reader users land on the citation
          setTimeout(function () { li.className = "qaw-cite"; }, 1500);
        });
        text.appendChild(ref);
      } else if (p) {
        text.appendChild(document.createTextNode(p));
      }
    });
    msg.appendChild(text);
    if (a.notice) msg.appendChild(el("div", "qaw-notice", a.notice));
    if (a.options && a.options.length) {
      var opts = el("div", "qaw-options");
      a.options.forEach(function (o) {
        var b = el("button", "qaw-option", o);
        b.type = "button";
        b.addEventListener("click", function () { self.ask(String(o)); });
        opts.appendChild(b);
      });
      msg.appendChild(opts);
    }
    if (a.table && a.table.length && typeof a.table[0] === "object") {
      msg.appendChild(renderTable(a.table));
      var chart = renderChart(a.table);
      if (chart) msg.appendChild(chart);
    }
    if (cites.length) {
      msg.appendChild(el("div", "qaw-cites-title", "出处"));
      var ol = el("ol", "qaw-cites");
      cites.forEach(function (c) {
        var li = renderCitation(c, self.api);
        items[String(c.n)] = li;
        ol.appendChild(li);
      });
      msg.appendChild(ol);
    }
    return msg;
  };

  function renderTable(rows) {
    var t = el("table", "qaw-table");
    var keys = Object.keys(rows[0]);
    var head = el("tr");
    keys.forEach(function (k) { head.appendChild(el("th", null, k)); });
    t.appendChild(head);
    rows.slice(0, 50).forEach(function (r) {
      var tr = el("tr");
      keys.forEach(function (k) { tr.appendChild(el("td", null, r[k] === null || r[k] === undefined ? "" : r[k])); });
      t.appendChild(tr);
    });
    return t;
  }

  // a PDF citation: a link to its page drawn by the server with the cited boxes framed
  function pageUrl(api, c) {
    var q = (c.boxes || []).filter(function (b) { return b.page === c.page; }).map(function (b) {
      return "highlight=" + encodeURIComponent(b.bbox.join(","));
    });
    return api + "/reports/" + encodeURIComponent(c.report_id) + "/pages/" + c.page + ".png" + (q.length ? "?" + q.join("&") : "");
  }

  // a citation of an HTML / DOCX / markdown / text report: its table as printed, the cited cell marked
  function tableUrl(api, c) {
    return api + "/reports/" + encodeURIComponent(c.report_id) + "/tables/" + encodeURIComponent(c.table) +
      ".html?highlight=" + encodeURIComponent(c.row_key + ":" + c.column_key);
  }

  // The answer's numbers as horizontal bars, by the rules of the chat's chart
  // (qa_app/ui/charts.py): every body named, the value printed on each bar, largest first, whole
  // numbers as they are; all zeros and no numbers say so in words.
  function chartRows(rows) {
    var keys = Object.keys(rows[0]);
    if (keys.indexOf("机关") < 0 || keys.indexOf("值") < 0 || rows.length < 2) return null;
    var names = {}, out = [];
    rows.forEach(function (r) { var n = String(r["机关"]); names[n] = (names[n] || 0) + 1; });
    rows.forEach(function (r) {
      var v = r["值"];
      var blank = v === null || v === undefined || v === "" || isNaN(Number(v));
      var label = String(r["机关"]);
      if (names[label] > 1 && r["年度"]) label += " " + r["年度"] + "年";
      out.push({label: label, value: blank ? null : Number(v)});
    });
    out.sort(function (a, b) {
      if ((a.value === null) !== (b.value === null)) return a.value === null ? 1 : -1;
      return (b.value || 0) - (a.value || 0) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
    });
    return out;
  }

  function fmtNumber(v) {
    if (v === null) return "空（未填写）";
    return Math.round(v) === v ? String(v) : String(Math.round(v * 100) / 100);
  }

  function renderChart(rows) {
    var data = chartRows(rows);
    if (data === null) return null;
    var fig = el("figure", "qaw-chart");
    var given = data.filter(function (d) { return d.value !== null; });
    if (!given.length) {
      fig.appendChild(el("div", "qaw-chart-note", "没有可画的数字（报告里这一格都是空的）。"));
      return fig;
    }
    var top = Math.max.apply(null, given.map(function (d) { return d.value; }));
    var words = data.map(function (d) { return d.label + " " + fmtNumber(d.value); }).join("；");
    fig.setAttribute("aria-label", "横向柱状图：" + words);
    fig.appendChild(el("figcaption", "qaw-chart-title", "各单位数值（从多到少）"));
    data.forEach(function (d) {
      var row = el("div", "qaw-bar-row");
      row.appendChild(el("span", "qaw-bar-label", d.label));
      var track = el("span", "qaw-bar-track");
      var bar = el("span", "qaw-bar");
      bar.style.width = (top > 0 && d.value !== null ? Math.max(0, d.value) / top * 85 : 0) + "%";
      bar.setAttribute("aria-hidden", "true");
      track.appendChild(bar);
      track.appendChild(el("span", "qaw-bar-value", fmtNumber(d.value)));
      row.appendChild(track);
      fig.appendChild(row);
    });
    var note = "";
    if (given.every(function (d) { return d.value === 0; })) note += "这" + given.length + "项都是 0。";
    if (given.length < data.length) note += (data.length - given.length) + "项报告里留空（未填写），不画柱子。";
    if (note) fig.appendChild(el("div", "qaw-chart-note", note));
    return fig;
  }

  function renderCitation(c, api) {
    var li = el("li", "qaw-cite");
    li.setAttribute("tabindex", "-1");
    var who = [c.agency, c.year ? c.year + "年" : ""].filter(Boolean).join(" ");
    li.appendChild(el("div", "qaw-cite-head", "[" + c.n + "] " + c.report + (who ? "（" + who + "）" : "")));
    var where = [c.section, c.row, c.column].filter(Boolean).join(" · ");
    var lines = c.lines && c.lines.length === 2 ?
      (c.lines[0] === c.lines[1] ? "第 " + c.lines[0] + " 行" : "第 " + c.lines[0] + "–" + c.lines[1] + " 行") : "";
    li.appendChild(el("div", "qaw-cite-where", [where, lines].filter(Boolean).join("，")));
    if (c.checks_failed) {
      li.appendChild(el("div", "qaw-cite-warn", "注意：该报告有 " + c.checks_failed + " 项勾稽关系未通过，数字可能有误。"));
    }
    if (c.quote) li.appendChild(el("pre", "qaw-quote", c.quote));
    if (c.page && c.report_id && api !== undefined) {
      var a = el("a", "qaw-page", "查看 PDF 第 " + c.page + " 页（标出所引用的位置）");
      a.href = pageUrl(api, c);
      a.target = "_blank";
      a.rel = "noopener";
      li.appendChild(a);
    } else if (c.table && c.row_key && c.column_key && c.report_id && api !== undefined) {
      var t = el("a", "qaw-page", "查看报告中的这张表（标出所引用的格子）");
      t.href = tableUrl(api, c);
      t.target = "_blank";
      t.rel = "noopener";
      li.appendChild(t);
    }
    return li;
  }

  function mount(target, opts) {
    var node = typeof target === "string" ? document.querySelector(target) : target;
    if (!node) throw new Error("QaAppWidget: 找不到要放置问答框的元素 " + target);
    return new Widget(node, opts || {});
  }

  window.QaAppWidget = {mount: mount, version: VERSION};

  if (!script || script.hasAttribute("data-manual")) return;
  var opts = optionsFromScript(script);
  opts.fill = script.hasAttribute("data-fill");
  var sel = attr(script, "data-target");
  function autoMount() {
    var node;
    if (sel) {
      node = document.querySelector(sel);
      if (!node) { if (window.console) console.error("QaAppWidget: 找不到 data-target 指定的元素 " + sel); return; }
          } else {
      node = document.createElement("div");
      if (script.parentNode && script.parentNode !== document.head) {
        script.parentNode.insertBefore(node, script.nextSibling);
      } else {
        document.body.appendChild(node);
      }
    }
    mount(node, opts);
  }
  if (sel && document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", autoMount);
  } else if (!document.body) {
    document.addEventListener("DOMContentLoaded", autoMount);
  } else {
    autoMount();
  }
})();
