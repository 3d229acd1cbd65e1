// reply-coach page: review as the agent types, highlight faults in place, apply fixes, use the rewrite.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const editor = $("editor"), incoming = $("incoming"), tip = $("tip");
  let strings = {}, ui = "fr", last = null, timer = null, controller = null, generation = 0;

  const t = (key, x) => {
    const value = key.split(".").reduce((o, k) => (o || {})[k], strings[ui]) || key;
    return x === undefined ? value : value.replace("{x}", x);
  };
  const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

  function applyLanguage() {
    document.documentElement.lang = ui;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    $("ui-lang").value = ui;
    if (last) renderResult(last);
  }

  // -- the editor's text and caret, as plain character offsets ----------------------------------
  function textOf() { return editor.textContent; }
  function caretOffset() {
    const sel = window.getSelection();
    if (!sel.rangeCount || !editor.contains(sel.anchorNode)) return null;
    const range = sel.getRangeAt(0).cloneRange();
    range.selectNodeContents(editor);
    range.setEnd(sel.anchorNode, sel.anchorOffset);
    return range.toString().length;
  }
  function setCaret(offset) {
    if (offset === null) return;
    const walker = document.createTreeWalker(editor, NodeFilter.SHOW_TEXT);
    let node, seen = 0;
    while ((node = walker.nextNode())) {
      if (seen + node.length >= offset) {
        const range = document.createRange();
        range.setStart(node, offset - seen);
        range.collapse(true);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        return;
      }
      seen += node.length;
    }
  }

  // Findings are offsets into text_reviewed (the agent's own words); map them onto the editor text.
  function mapSpans(text, result) {
    const base = text.indexOf(result.text_reviewed);
    let from = 0;
    return result.findings.filter((f) => f.end > f.start).map((f) => {
      let start = base >= 0 ? base + f.start : text.indexOf(f.text, from);
      if (start < 0 || text.slice(start, start + f.text.length) !== f.text) start = text.indexOf(f.text, from);
      if (start >= 0) from = start + f.text.length;
      return Object.assign({}, f, { at: start, to: start + f.text.length });
    }).filter((f) => f.at >= 0);
  }

  function renderEditor(text, spans) {
    const caret = document.activeElement === editor ? caretOffset() : null;
    let html = "", cursor = 0;
    spans.slice().sort((a, b) => a.at - b.at).forEach((f, i) => {
      if (f.at < cursor) return;
      html += escapeHtml(text.slice(cursor, f.at));
      html += `<mark class="${f.level}" tabindex="0" aria-describedby="tip" data-i="${i}">${escapeHtml(text.slice(f.at, f.to))}</mark>`;
      cursor = f.to;
    });
    html += escapeHtml(text.slice(cursor));
    editor.innerHTML = html;
    editor._spans = spans.slice().sort((a, b) => a.at - b.at);
    setCaret(caret);
  }

  function renderResult(result) {
    const verdict = $("verdict"), score = $("score"), list = $("findings"), checks = $("checks");
    list.innerHTML = ""; checks.innerHTML = "";
    if (!result || result.status !== "reviewed") {
      verdict.className = "badge"; verdict.textContent = ""; score.textContent = "";
      $("status").textContent = result && result.error ? result.error : t("empty");
      return;
    }
    verdict.className = `badge ${result.verdict}`;
    verdict.textContent = t(`verdict.${result.verdict}`);
    verdict.dataset.verdict = result.verdict;
    score.textContent = `${result.score}/100`;
    Object.entries(result.checks).forEach(([name, c]) => {
      if (c.status === "unavailable" || c.status === "disabled") return;
      const li = document.createElement("li");
      li.textContent = `${name}: ${c.status}`;
      if (["missing", "vague", "found"].includes(c.status)) li.className = "bad";
      checks.appendChild(li);
    });
    if (!result.findings.length) { list.innerHTML = `<li>${escapeHtml(t("nothing"))}</li>`; }
    result.findings.forEach((f) => {
      const li = document.createElement("li");
      li.innerHTML = `<div class="rule">${escapeHtml(f.rule)} · ${escapeHtml(f.level)}</div>` +
        `<div>${escapeHtml(f.message)}</div><div class="why">${escapeHtml(t("why"))} : ${escapeHtml(f.principle)}</div>` +
        (f.suggestion ? `<div class="try">${escapeHtml(t("try"))} : ${escapeHtml(f.suggestion)}</div>` : "");
      if (f.end > f.start) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = f.replacement ? t("replaceWith", f.replacement) : t("remove");
        button.addEventListener("click", () => applyFinding(f));
        li.appendChild(button);
      }
      list.appendChild(li);
    });
    $("status").textContent = "";
  }

  function applyFinding(f) {
    const text = textOf();
    const span = mapSpans(text, { text_reviewed: last.text_reviewed, findings: [f] })[0];
    if (!span) return;
    let before = text.slice(0, span.at), after = text.slice(span.to);
    if (!f.replacement) { // removing words: tidy the spaces and punctuation around the gap
      before = before.replace(/[ ,;:]+$/, "");
      after = after.replace(/^[ ,;:]+/, before && !/[.!?\n]$/.test(before) && /^[^.!?\n]/.test(after) ? " " : "");
    }
    editor.textContent = before + (f.replacement || "") + after;
    review(true);
  }

  async function call(path, body) {
    if (controller) controller.abort();
    controller = new AbortController();
    const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body), signal: controller.signal, credentials: "same-origin" });
    if (response.status === 401) throw new Error(t("unauthorized"));
    if (!response.ok) throw new Error(t("error"));
    return response.json();
  }

  async function review(now) {
    clearTimeout(timer);
    const run = async () => {
      const text = textOf(), mine = ++generation;
      if (!text.trim()) { last = null; renderEditor(text, []); renderResult(null); return; }
      $("status").textContent = t("checking");
      try {
        const result = await call("/v1/review", { reply: text, incoming: incoming.value || null });
        if (mine !== generation || textOf() !== text) return; // the agent kept typing
        last = result;
        renderEditor(text, result.status === "reviewed" ? mapSpans(text, result) : []);
        renderResult(result);
      } catch (err) { if (err.name !== "AbortError") $("status").textContent = err.message; }
    };
    if (now) run(); else timer = setTimeout(run, 400);
  }

  async function useRewrite() {
    const text = textOf();
    if (!text.trim()) return;
    $("status").textContent = t("rewriting");
    try {
      const result = await call("/v1/rewrite", { reply: text, incoming: incoming.value || null });
      if (result.rewrite) {
        editor.textContent = result.rewrite.text;
        await review(true);
        if (result.rewrite.placeholders.length) $("status").textContent = t("placeholders", result.rewrite.placeholders.join(", "));
      }
    } catch (err) { if (err.name !== "AbortError") $("status").textContent = err.message; }
  }

  // -- tooltips: hover or keyboard focus on a highlight ----------------------------------------
  function showTip(mark) {
    const f = (editor._spans || [])[Number(mark.dataset.i)];
    if (!f) return;
    tip.innerHTML = `<p><strong>${escapeHtml(f.message)}</strong></p><p>${escapeHtml(t("why"))} : ${escapeHtml(f.principle)}</p>` +
      (f.suggestion ? `<p>${escapeHtml(t("try"))} : ${escapeHtml(f.suggestion)}</p>` : "");
    const box = mark.getBoundingClientRect();
    tip.style.left = `${window.scrollX + box.left}px`;
    tip.style.top = `${window.scrollY + box.bottom + 6}px`;
    tip.hidden = false;
  }
  const hideTip = () => { tip.hidden = true; };
  editor.addEventListener("mouseover", (e) => { if (e.target.tagName === "MARK") showTip(e.target); });
  editor.addEventListener("mouseout", (e) => { if (e.target.tagName === "MARK") hideTip(); });
  editor.addEventListener("focusin", (e) => { if (e.target.tagName === "MARK") showTip(e.target); });
  editor.addEventListener("focusout", hideTip);
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") hideTip(); });

  // Plain text only: Enter inserts a line break, paste inserts text.
  editor.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); document.execCommand("insertText", false, "\n"); }
  });
  editor.addEventListener("paste", (e) => {
    e.preventDefault();
    document.execCommand("insertText", false, (e.clipboardData || window.clipboardData).getData("text/plain"));
  });
  editor.addEventListener("input", () => review(false));
  incoming.addEventListener("input", () => review(false));
  $("rewrite").addEventListener("click", useRewrite);
  $("ui-lang").addEventListener("change", (e) => { ui = e.target.value; localStorage.setItem("coach-ui", ui); applyLanguage(); });

  fetch("/static/i18n.json").then((r) => r.json()).then((data) => {
    strings = data;
    ui = localStorage.getItem("coach-ui") || ((navigator.language || "fr").toLowerCase().startsWith("fr") ? "fr" : "en");
    applyLanguage();
    renderResult(null);
  });
})();
