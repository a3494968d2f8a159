// otbill workbench: keys for the denial queue, for someone working it all day. Loaded from
// /static (the Content-Security-Policy allows no inline script). Every key has a link or a
// form field that does the same by mouse or Tab; none acts while you type in a field.
(function () {
  "use strict";

  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName));
  }

  function go(id) {
    var a = document.getElementById(id);
    if (a && a.href) {
      window.location.assign(a.href);
      return true;
    }
    return false;
  }

  function focusField(id) {
    var el = document.getElementById(id);
    if (!el) return false;
    el.focus();
    if (el.select && el.tagName === "INPUT") el.select();
    return true;
  }

  // The queue: j or Down, k or Up move between items; Enter opens the one in focus (a link).
  function queue(e) {
    var links = Array.prototype.slice.call(document.querySelectorAll("table.queue a.item"));
    if (e.key === "/") return focusField("f-state");
    if (!links.length) return false;
    var i = links.indexOf(document.activeElement);
    if (e.key === "j" || e.key === "ArrowDown") {
      links[i < 0 ? 0 : Math.min(i + 1, links.length - 1)].focus();
      return true;
    }
    if (e.key === "k" || e.key === "ArrowUp") {
      links[i < 0 ? 0 : Math.max(i - 1, 0)].focus();
      return true;
    }
    return false;
  }

  // One item: a assign, n note, x act; j and k the next and previous item; u the queue.
  function item(e) {
    switch (e.key) {
      case "a": return focusField("assign-to");
      case "n": return focusField("note-text");
      case "x": return focusField("act-action");
      case "j": return go("next-item");
      case "k": return go("prev-item");
      case "u": return go("to-queue");
      default: return false;
    }
  }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e)) return;
    var pageId = document.body.getAttribute("data-page");
    var done = pageId === "queue" ? queue(e) : pageId === "item" ? item(e) : false;
    if (done) e.preventDefault();
  });
})();
