/*
 * searcher widget: an Arabic search box with suggestions and highlighted results.
 *
 *   <link rel="stylesheet" href="https://search.example/static/widget.css">
 *   <div id="searcher"></div>
 *   <script src="https://search.example/static/widget.js"
 *           data-endpoint="https://search.example" defer></script>
 *
 * Optional attributes on the script tag: data-target (a CSS selector, default "#searcher"),
 * data-placeholder, data-size (results per page, default 10), data-facets (comma-separated:
 * "tags" and any field the index declares filterable; each becomes a row of filter chips with
 * counts, and a pressed chip narrows the results).
 *
 * Safety: document text and facet values are only ever inserted with textContent (or as
 * attribute values); highlights are built from the API's plain-text snippet and [start, end)
 * marks, never from HTML; a document's url is a link only when it is http:, https: or relative
 * (safeHref).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var endpoint = (script && script.dataset.endpoint) || "";
  endpoint = endpoint.replace(/\/+$/, "");
  var targetSelector = (script && script.dataset.target) || "#searcher";
  var placeholder = (script && script.dataset.placeholder) || "ابحث…";
  var pageSize = parseInt((script && script.dataset.size) || "10", 10);
  var facetNames = ((script && script.dataset.facets) || "").split(",").map(function (name) {
    return name.trim();
  }).filter(Boolean);
  var DEBOUNCE_MS = 200;
  // Arabic counts a noun in six forms (CLDR plural rules, built into the browser): نتيجة واحدة,
  // نتيجتان, 3–10 نتائج, 11–99 نتيجة, 100 نتيجة (and 103 نتائج again, by the last two digits).
  var PLURAL = new Intl.PluralRules("ar");
  var COUNTED = {
    zero: function () { return "لا نتائج"; },
    one: function () { return "نتيجة واحدة"; },
    two: function () { return "نتيجتان"; },
    few: function (n) { return n + " نتائج"; },
    many: function (n) { return n + " نتيجة"; },
    other: function (n) { return n + " نتيجة"; }
  };
  function counted(n) { return COUNTED[PLURAL.select(n)](n); }
  var TEXT = {
    results: counted,
    // The words together found nothing; these are the results without the dropped words.
    near: function (n, dropped) {
      return "نتائج قريبة: " + counted(n) + (dropped.length ? " بدون «" + dropped.join("، ") + "»" : "");
    },
    none: "لا توجد نتائج",
    // The words as typed found nothing: these are the results for close spellings.
    corrected: function (n, meant) { return counted(n) + " لـ «" + meant + "»"; },
    didYouMean: "هل تقصد: ",
    facets: "تصفية النتائج",
    error: "تعذّر البحث الآن، حاول مرة أخرى",
    search: "بحث",
    label: "البحث في الموقع",
    suggestions: "اقتراحات"
  };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function debounce(fn, ms) {
    var timer = null;
    var later = function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
    later.cancel = function () { clearTimeout(timer); };
    return later;
  }

  // A snippet {text, marks: [[start, end], ...]} as DOM nodes: text nodes and <mark> elements.
  function renderSnippet(container, snippet) {
    var text = snippet.text || "";
    var cursor = 0;
    (snippet.marks || []).forEach(function (mark) {
      var start = mark[0], end = mark[1];
      if (start < cursor || end > text.length) return;
      container.appendChild(document.createTextNode(text.slice(cursor, start)));
      container.appendChild(el("mark", {}, text.slice(start, end)));
      cursor = end;
    });
    container.appendChild(document.createTextNode(text.slice(cursor)));
  }

  // A document's url becomes a link only if it is http:, https: or relative (resolved against
  // this page).  The browser's own URL parser decides, as it would when the link is followed:
  // it folds case and drops the whitespace and control characters that hide a scheme
  // ("JaVaScRiPt:", " javascript:", "java\tscript:"), so javascript:, data:, vbscript: and the
  // rest are shown as plain text.  The href is the parsed, normalised URL.
  function safeHref(href) {
    if (typeof href !== "string" || !href) return null;
    var url;
    try {
      url = new URL(href, document.baseURI);
    } catch (error) {
      return null;
    }
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  }

  function mount(root) {
    var uid = "searcher-" + Math.random().toString(36).slice(2, 8);
    root.classList.add("searcher-widget");
    root.setAttribute("dir", "rtl");
    root.setAttribute("lang", "ar");

    var form = el("form", { role: "search", "aria-label": TEXT.label });
    var input = el("input", {
      type: "search", id: uid + "-input", placeholder: placeholder, autocomplete: "off",
      role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
      "aria-controls": uid + "-listbox", "aria-label": TEXT.label, maxlength: "200"
    });
    var button = el("button", { type: "submit" }, TEXT.search);
    var listbox = el("ul", { id: uid + "-listbox", role: "listbox", "aria-label": TEXT.suggestions,
                             hidden: "" });
    var status = el("p", { class: "searcher-status", role: "status", "aria-live": "polite" });
    var suggestion = el("p", { class: "searcher-did-you-mean", hidden: "" });
    var chips = el("div", { class: "searcher-facets", role: "group", "aria-label": TEXT.facets });
    var results = el("ol", { class: "searcher-results" });
    form.appendChild(input);
    form.appendChild(button);
    form.appendChild(listbox);
    root.appendChild(form);
    root.appendChild(status);
    root.appendChild(suggestion);
    root.appendChild(chips);
    root.appendChild(results);
    // The pressed chips: {facet name: {value: true}}.  Kept across searches (a reader narrows
    // to a tag, then refines the words), cleared with the box.  The value maps have no
    // prototype: a tag may be called "constructor" or "__proto__" like any other word.
    var pressed = {};

    var active = -1;
    var options = [];
    var latest = 0;  // only the newest request may paint (responses can arrive out of order)

    function closeList() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) input.setAttribute("aria-activedescendant", options[index].id);
      else input.removeAttribute("aria-activedescendant");
    }

    function showSuggestions(words) {
      listbox.textContent = "";
      options = words.map(function (word, i) {
        var option = el("li", { id: uid + "-opt-" + i, role: "option", "aria-selected": "false" }, word);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(word);
        });
        listbox.appendChild(option);
        return option;
      });
      if (options.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        closeList();
      }
      active = -1;
    }

    function replaceLastWord(word) {
      var parts = input.value.replace(/\s+$/, "").split(/\s+/);
      parts[parts.length - 1] = word;
      return parts.join(" ");
    }

    function choose(word) {
      input.value = replaceLastWord(word);
      closeList();
      suggestLater.cancel();  // typing's pending calls must not repaint over the choice
      searchLater.cancel();
      search(input.value);
    }

    function getJSON(path) {
      return fetch(endpoint + path, { headers: { Accept: "application/json" } }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      });
    }

    // What a search asks for beside the words: the facets to count, the pressed chips.
    function refinements() {
      var params = "";
      facetNames.forEach(function (name) {
        params += "&facets=" + encodeURIComponent(name);
        Object.keys(pressed[name] || {}).forEach(function (value) {
          params += name === "tags"
            ? "&tag=" + encodeURIComponent(value)
            : "&filter=" + encodeURIComponent(name + "=" + value);
        });
      });
      return params;
    }

    function toggle(name, value) {
      pressed[name] = pressed[name] || Object.create(null);
      if (pressed[name][value]) delete pressed[name][value];
      else pressed[name][value] = true;
      search(input.value, true);
    }

    // One row of chips per facet: the counted values, and any pressed one the counts left out.
    function showFacets(counts) {
      chips.textContent = "";
      facetNames.forEach(function (name) {
        var values = counts[name] || {};
        var shown = Object.keys(values);
        Object.keys(pressed[name] || {}).forEach(function (value) {
          if (shown.indexOf(value) < 0) shown.push(value);
        });
        shown.forEach(function (value) {
          var on = Boolean(pressed[name] && pressed[name][value] === true);
          var chip = el("button", {
            type: "button", class: "searcher-chip", "aria-pressed": on ? "true" : "false",
            "data-facet": name, "data-value": value
          }, value);
          var count = Object.prototype.hasOwnProperty.call(values, value) ? values[value] : 0;
          chip.appendChild(el("span", { class: "searcher-count" }, String(count)));
          chip.addEventListener("click", function () { toggle(name, value); });
          chips.appendChild(chip);
        });
      });
    }

    // "Did you mean": the query with close spellings, as a button that searches it.
    function showDidYouMean(data) {
      suggestion.textContent = "";
      suggestion.hidden = !(data.did_you_mean && !data.corrected);
      if (suggestion.hidden) return;
      var meant = String(data.did_you_mean);
      var link = el("button", { type: "button", class: "searcher-meant" }, meant);
      link.addEventListener("click", function () {
        input.value = meant;
        search(meant);
      });
      suggestion.appendChild(document.createTextNode(TEXT.didYouMean));
      suggestion.appendChild(link);
    }

    function showResults(data) {
      results.textContent = "";
      status.classList.remove("searcher-error");
      showDidYouMean(data);
      showFacets(data.facets || {});
      if (!data.hits.length) {
        status.textContent = TEXT.none;
        return;
      }
      if (data.corrected && data.did_you_mean) {
        status.textContent = TEXT.corrected(data.total, String(data.did_you_mean));
      } else if (data.relaxed) {
        status.textContent = TEXT.near(data.total, (data.dropped || []).map(String));
      } else {
        status.textContent = TEXT.results(data.total);
      }
      status.classList.toggle("searcher-near", Boolean(data.relaxed || data.corrected));
      data.hits.forEach(function (hit) {
        var item = el("li", { class: "searcher-hit", "data-id": hit.id });
        var href = safeHref(hit.url);
        var title = el(href ? "a" : "span", href ? { href: href } : {}, hit.title || hit.id);
        title.classList.add("searcher-title");
        var snippet = el("p", { class: "searcher-snippet" });
        renderSnippet(snippet, hit.snippet);
        item.appendChild(title);
        item.appendChild(snippet);
        results.appendChild(item);
      });
    }

    function showError() {
      results.textContent = "";
      suggestion.hidden = true;
      status.textContent = TEXT.error;
      status.classList.add("searcher-error");
    }

    // `narrowed`: a chip was pressed, so an empty box lists what the chips let through.
    function search(query, narrowed) {
      query = query.trim();
      var ticket = ++latest;
      var chipsOn = facetNames.some(function (name) {
        return Object.keys(pressed[name] || {}).length > 0;
      });
      if (!query && !(narrowed && chipsOn)) {
        results.textContent = "";
        status.textContent = "";
        suggestion.hidden = true;
        chips.textContent = "";
        pressed = {};
        return;
      }
      var path = "/search?size=" + pageSize + "&q=" + encodeURIComponent(query) + refinements();
      getJSON(path).then(function (data) {
        if (ticket === latest) showResults(data);
      }, function () {
        if (ticket === latest) showError();
      });
    }

    var suggestLater = debounce(function (query) {
      if (query.trim().length < 2) { closeList(); return; }
      getJSON("/suggest?q=" + encodeURIComponent(query)).then(function (data) {
        if (input.value === query) showSuggestions(data.suggestions);
      }, closeList);
    }, DEBOUNCE_MS);
    // Searches what the box holds when the pause ends, not what it held at the keystroke.
    var searchLater = debounce(function () { search(input.value); }, DEBOUNCE_MS * 2);

    input.addEventListener("input", function () {
      suggestLater(input.value);
      searchLater();
    });

    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden && options.length;
      if (event.key === "ArrowDown" && open) {
        event.preventDefault();
        highlight((active + 1) % options.length);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(options[active].textContent);
      } else if (event.key === "Escape") {
        // A search input clears itself on Escape: only the second Escape may do that.
        event.preventDefault();
        if (open) closeList();
        else { input.value = ""; search(""); }
      }
    });

    input.addEventListener("blur", function () { setTimeout(closeList, 100); });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      closeList();
      suggestLater.cancel();
      searchLater.cancel();
      search(input.value);
    });
  }

  function start() {
    var root = document.querySelector(targetSelector);
    if (root) mount(root);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
