// Khiên console: keyboard shortcuts, live statement-of-reasons preview, confirmation dialog.
// Everything here is an enhancement: every page works with plain links and forms without it.
(function () {
  "use strict";
  document.documentElement.classList.add("has-js");
  document.addEventListener("DOMContentLoaded", function () { document.body.classList.add("has-js"); });

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" && !/^(radio|checkbox|button|submit)$/i.test(el.type) || tag === "TEXTAREA" ||
      tag === "SELECT" || el.isContentEditable;
  }
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function openDialog(d) { if (d && !d.open) { if (d.showModal) d.showModal(); else d.setAttribute("open", ""); } }

  // ---- lists: j/k to move, Enter/o to open ------------------------------------------------
  var rows = [], current = -1;
  function select(i) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, n) { r.classList.toggle("selected", n === current); });
    var link = $(".rowlink", rows[current]);
    if (link) link.focus({ preventScroll: false });
    rows[current].scrollIntoView({ block: "nearest" });
  }

  // ---- the decision form: preview and confirmation ------------------------------------------
  var form = null, timer = null;
  function values() {
    var data = new FormData(form);
    return { action: data.get("action") || "", clause: data.get("clause") || "", note: data.get("note") || "",
             outcome: data.get("outcome") || "", duration: data.get("duration_days") || "" };
  }
  function refreshPreview() {
    var url = form && form.getAttribute("data-preview");
    if (!url) return;
    var v = values();
    var q = "?action=" + encodeURIComponent(v.action) + "&clause=" + encodeURIComponent(v.clause) +
            "&note=" + encodeURIComponent(v.note) +
            (form.elements.namedItem("duration_days") ? "&duration_days=" + encodeURIComponent(v.duration) : "");
    fetch(url + q, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var box = $("#sor");
        if (!box) return;
        box.textContent = "";
        if (data.reasons) {
          ["vi", "en"].forEach(function (lang) {
            var b = document.createElement("blockquote");
            b.className = "sor"; b.lang = lang; b.setAttribute("data-lang", lang); b.textContent = data.reasons[lang];
            box.appendChild(b);
          });
        } else {
          var p = document.createElement("p");
          p.className = "error"; p.setAttribute("data-error", ""); p.textContent = data.error || "";
          box.appendChild(p);
        }
      })
      .catch(function () { /* the server-side preview button still works */ });
  }
  function schedulePreview() { clearTimeout(timer); timer = setTimeout(refreshPreview, 250); }

  function askConfirm() {
    if (!form) return;
    var button = $("#decide-button", form);
    if (button && button.matches(":disabled")) return;
    var dialog = $("#confirm");
    if (!dialog) { submitConfirmed(); return; }
    var v = values();
    var checked = $("input[type=radio]:checked", form);
    var label = checked ? checked.parentNode.textContent.replace(/\s+/g, " ").trim() : "";
    var clause = $("#clause", form);
    // Keeping content names no clause (the server drops it too): a kept post broke no rule.
    var clauseText = clause && clause.value && v.action !== "allow" ? " · " + clause.options[clause.selectedIndex].text : "";
    var days = v.duration && form.elements.namedItem("duration_days") ? " · " + v.duration + " d" : "";
    $("#confirm-summary").textContent = label + days + clauseText + (v.note ? " · " + v.note : "");
    var sor = $("#confirm-sor"), shown = $("#sor blockquote[data-lang=vi]"), err = $("#sor [data-error]");
    if (sor) sor.textContent = shown ? shown.textContent : (err ? err.textContent : "");
    openDialog(dialog);
    $("#confirm-yes").focus();
  }
  function submitConfirmed() {
    $("#confirm-field").value = "1";
    var op = document.createElement("input");
    op.type = "hidden"; op.name = "op"; op.value = "decide";
    form.appendChild(op);
    form.submit();
  }

  document.addEventListener("DOMContentLoaded", function () {
    rows = $all("[data-list] [data-row]");
    rows.forEach(function (r, n) {
      r.addEventListener("click", function (e) {
        if (e.target.closest("a, button, input, label")) return;
        window.location.href = r.getAttribute("data-href");
      });
      var link = $(".rowlink", r);
      if (link) link.addEventListener("focus", function () { if (current !== n) { current = n; rows.forEach(function (x, m) { x.classList.toggle("selected", m === n); }); } });
    });
    form = $("#decide-form") || $("#appeal-form");
    if (form) {
      form.addEventListener("change", function (e) { if (e.target.name !== "note") schedulePreview(); });
      form.addEventListener("input", function (e) {
        if (e.target.name === "note" || e.target.name === "duration_days") schedulePreview();
      });
      form.addEventListener("submit", function (e) {
        if ($("#confirm-field").value === "1") return;
        var submitter = e.submitter;
        if (submitter && submitter.value === "preview") { e.preventDefault(); refreshPreview(); return; }
        e.preventDefault();
        askConfirm();
      });
      var yes = $("#confirm-yes"), no = $("#confirm-no");
      if (yes) yes.addEventListener("click", submitConfirmed);
      if (no) no.addEventListener("click", function () { $("#confirm").close(); });
    }
    var table = $("[data-locks]");
    if (table && window.fetch) setInterval(function () { refreshLocks(table); }, 15000);
    var help = $("[data-help]");
    if (help) help.addEventListener("click", function () { openDialog($("#help")); });
  });

  // ---- the queue's lock column follows what colleagues claim -------------------------------
  function refreshLocks(table) {
    if (document.hidden) return;
    fetch(table.getAttribute("data-locks"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        var open = {};
        data.open.forEach(function (id) { open[String(id)] = true; });
        $all("tr[data-case]", table).forEach(function (row) {
          var id = row.getAttribute("data-case"), cell = $("[data-lock-cell]", row), lock = data.locks[id];
          cell.textContent = "";
          var span = document.createElement("span");
          if (!open[id]) { span.className = "muted"; span.textContent = table.getAttribute("data-gone"); row.classList.add("locked"); }
          else if (lock) { span.className = "lock"; span.textContent = lock.who + " → " + lock.until; row.classList.add("locked"); }
          else { span.className = "muted"; span.textContent = table.getAttribute("data-free"); row.classList.remove("locked"); }
          cell.appendChild(span);
        });
      })
      .catch(function () {});
  }

  var pendingG = false;
  document.addEventListener("keydown", function (e) {
    var key = e.key, target = e.target;
    if (e.altKey || e.metaKey) return;
    if (key === "Enter" && e.ctrlKey && form && form.contains(target)) { e.preventDefault(); askConfirm(); return; }
    // Enter on the clause list (a closed <select> does nothing with it) submits, like on the radios.
    if (key === "Enter" && !e.ctrlKey && target.tagName === "SELECT" && form && form.contains(target)) {
      e.preventDefault(); askConfirm(); return;
    }
    if (e.ctrlKey) return;
    if (key === "Escape" && typing(target)) { target.blur(); return; }
    if (typing(target)) return;
    if ($("dialog[open]")) return; // a dialog has the keyboard (Esc closes it, Enter presses its focused button)
    if (pendingG) {
      pendingG = false;
      if (key === "q") { window.location.href = "/queue"; e.preventDefault(); }
      else if (key === "a") { window.location.href = "/appeals"; e.preventDefault(); }
      else if (key === "t") { window.location.href = "/accounts"; e.preventDefault(); }
      else if (key === "r") { window.location.href = "/reports"; e.preventDefault(); }
      return;
    }
    switch (key) {
      case "?": openDialog($("#help")); e.preventDefault(); return;
      case "g": pendingG = true; return;
      case "j": if (rows.length) { select(current + 1); e.preventDefault(); } return;
      case "k": if (rows.length) { select(current < 0 ? 0 : current - 1); e.preventDefault(); } return;
      case "o":
        if (rows.length && current >= 0) { window.location.href = rows[current].getAttribute("data-href"); e.preventDefault(); }
        return;
      case "c": {
        var claim = $("[data-key=c]");
        if (claim && !claim.disabled) { claim.click(); e.preventDefault(); }
        return;
      }
      case "/": {
        var note = $("#note");
        if (note && !note.matches(":disabled")) { note.focus(); e.preventDefault(); }
        return;
      }
      case "d": {
        var days = $("#duration");
        if (days && !days.matches(":disabled")) { days.focus(); e.preventDefault(); }
        return;
      }
      case "m": {
        var reveal = $(".reveal");
        if (reveal) { reveal.checked = !reveal.checked; e.preventDefault(); }
        return;
      }
      case "Enter":
        if (target && target.closest && target.closest("a, button, summary")) {
          // Enter on a focused link in the list opens it; on a button it presses it.
          if (!(form && form.contains(target) && target.type === "radio")) return;
        }
        if (form) { e.preventDefault(); askConfirm(); return; }
        if (rows.length && current >= 0) { window.location.href = rows[current].getAttribute("data-href"); e.preventDefault(); }
        return;
      default:
        if (/^[1-5]$/.test(key) && form) {
          var radio = $("input[type=radio][data-key='" + key + "']", form);
          if (radio && !radio.matches(":disabled")) { radio.checked = true; radio.focus(); schedulePreview(); e.preventDefault(); }
        }
    }
  });
})();
