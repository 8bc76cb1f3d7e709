/*
 * Streamlit's own words in Chinese (qa_app/ui/zh.py puts this script in the chat's page).
 *
 * Streamlit 1.67 has no setting for the words of its status widget ("Running...", "Stop") or
 * its ⋮ menu ("Print", …), nor for the English aria-labels of its buttons. This script swaps
 * those fixed strings for Chinese as they appear (a MutationObserver), changing only the text
 * of Streamlit's own chrome: never a node inside an answer, a report or a user's input.
 * The menu entries that mean nothing to a citizen ("Record screen", "Made with Streamlit") are
 * hidden by the style sheet next to it, and in embed mode the whole menu is.
 */
(function () {
  "use strict";
  var doc = window.document;
  if (doc.documentElement.getAttribute("data-qa-zh")) return;  // once per page
  doc.documentElement.setAttribute("data-qa-zh", "1");
  doc.documentElement.setAttribute("lang", "zh-CN");

  var TEXT = {
    "Stop": "停止", "Running...": "正在回答…", "Print": "打印", "Rerun": "重新运行",
    "Settings": "设置", "Clear cache": "清除缓存", "Record screen": "录屏", "About": "关于",
    "Deploy": "部署", "Connecting": "正在连接", "Please wait...": "请稍候……"
  };
  var LABEL = {
    "Running...": "正在回答", "Main menu": "主菜单", "Stop": "停止", "Close": "关闭",
    "Copy version to clipboard": "复制版本号", "Collapse sidebar": "收起侧栏", "Expand sidebar": "展开侧栏",
    "Open sidebar": "展开侧栏", "Close sidebar": "收起侧栏", "Send": "发送", "Submit": "发送",
    "Fullscreen": "全屏", "Close fullscreen": "退出全屏", "Download as CSV": "下载 CSV", "Search": "搜索",
    "Copy to clipboard": "复制到剪贴板", "Copied": "已复制", "Clear all": "全部清除", "Clear": "清除",
    "Show password text": "显示", "Hide password text": "隐藏",
    "Add files": "添加文件"
  };
  var LABEL_PREFIX = [["Remove ", "移除 "]];
  var CHROME = '[data-testid="stStatusWidget"],[data-testid="stMainMenuPopover"],[data-testid="stToolbar"],' +
               '[data-testid="stAppDeployButton"],[data-testid="stConnectionStatus"],[data-testid="stHeader"]';

  function fixText(root) {
    var walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT, null);
    var n;
    while ((n = walker.nextNode())) {
      var t = n.nodeValue.trim();
      if (TEXT[t]) n.nodeValue = TEXT[t];
    }
  }

  function fixLabels(root) {
    var nodes = root.querySelectorAll ? root.querySelectorAll("[aria-label],[title]") : [];
    for (var i = 0; i < nodes.length; i++) {
      var e = nodes[i];
      var a = e.getAttribute("aria-label");
      if (a && LABEL[a]) e.setAttribute("aria-label", LABEL[a]);
      for (var k = 0; a && k < LABEL_PREFIX.length; k++) {
        if (a.indexOf(LABEL_PREFIX[k][0]) === 0) e.setAttribute("aria-label", LABEL_PREFIX[k][1] + a.slice(LABEL_PREFIX[k][0].length));
      }
      var t = e.getAttribute("title");
      if (t && LABEL[t]) e.setAttribute("title", LABEL[t]);
    }
  }

  // A file the uploader refused in the browser (too large, wrong type): Streamlit shows only an
  // error icon (its English text appears on hover). Say why in Chinese in the note under the
  // uploader (qa_app/ui/common.upload_box), and hide the results of the upload before.
  function refusal(chip) {
    var name = chip.querySelector('[data-testid="stFileChipName"]');
    var err = chip.querySelector('[role="alert"]');
    var label = chip.getAttribute("aria-label") || "";
    var size = label.indexOf(", ") > 0 ? label.slice(label.lastIndexOf(", ") + 2) : "";
    var why = err ? err.textContent : "";
    var m = /must be ([\d.]+)\s*([KMG]?B) or smaller/i.exec(why);
    var zh;
    if (m) zh = "超过上限 " + parseFloat(m[1]) + " " + m[2].toUpperCase() + "，没有上传";
    else if (/type|extension/i.test(why)) zh = "不支持这种文件类型（支持 txt、pdf、html、docx、md），没有上传";
    else if (/^错误：|没有上传/.test(why)) zh = why.replace(/^错误：/, "");
    else zh = "没有上传";
    if (err && why.indexOf("错误：") !== 0) err.textContent = "错误：" + zh;
    return "「" + (name ? name.textContent : "文件") + "」" + (size ? "（" + size + "）" : "") + zh;
  }

  function fixUploads() {
    var note = doc.querySelector(".qa-upload-note");
    if (!note) return;
    var chips = doc.querySelectorAll('[data-testid="stFileChip"][aria-invalid="true"]');
    var lines = [];
    for (var i = 0; i < chips.length; i++) lines.push(refusal(chips[i]));
    var text = lines.length ? "未读入：" + lines.join("；") + "。请压缩或拆分后重新选择；上面列出的是这次选择的文件，此前的上传结果已清除。" : "";
    if (note.textContent !== text) note.textContent = text;
    var old = doc.querySelectorAll(".st-key-qa_upload_results");
    for (var j = 0; j < old.length; j++) {
      var want = lines.length ? "none" : "";
      if (old[j].style.display !== want) old[j].style.display = want;
    }
  }

  function fix() {
    var chrome = doc.querySelectorAll(CHROME);
    for (var i = 0; i < chrome.length; i++) fixText(chrome[i]);
    fixLabels(doc.body);
    fixUploads();
  }

  // 「复制回答和出处」 buttons under an answer (qa_app/ui/common.share_row): copy the button's
  // data-copy text; over plain http (an intranet address) the clipboard API is missing, so a
  // hidden text box and execCommand("copy") do it instead.
  function copyFallback(text) {
    var ta = doc.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    doc.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
    doc.body.removeChild(ta);
    return ok;
  }
  doc.addEventListener("click", function (ev) {
    var b = ev.target && ev.target.closest ? ev.target.closest(".qa-copy") : null;
    if (!b) return;
    var text = b.getAttribute("data-copy") || "";
    var status = b.parentNode ? b.parentNode.querySelector(".qa-copy-status") : null;
    function done(ok) {
      if (status) status.textContent = ok ? "已复制，可以粘贴到笔记里。" : "没能复制：请选中回答文字后按 Ctrl+C。";
    }
    if (window.navigator.clipboard && window.isSecureContext) {
      window.navigator.clipboard.writeText(text).then(function () { done(true); },
                                                      function () { done(copyFallback(text)); });
    } else {
      done(copyFallback(text));
    }
  });

  var pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fix(); });
  }).observe(doc.body, {subtree: true, childList: true, characterData: true, attributes: true,
                        attributeFilter: ["aria-label", "title"]});
  fix();
})();
