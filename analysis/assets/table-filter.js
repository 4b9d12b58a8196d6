// Shows only the rows of one table that contain the search text, match every drop-down and are not hidden
// by the toggle; sorts the rows on the data-sort-<key> numbers Python wrote (a second click reverses).
// Inlined into the page next to its table (TABLE_ID is replaced): no library, no network. Without it the
// table is whole, in the catalogue's order, and its sort and toggle controls stay hidden.
(function () {
  var box = document.querySelector('.pt-filter[data-table="TABLE_ID"]');
  var table = document.getElementById("TABLE_ID");
  // Quarto gives a section the id of its heading ("observations"), met first: the table is the one meant.
  if (table && table.tagName !== "TABLE") { table = document.querySelector('table[id="TABLE_ID"]'); }
  if (!box || !table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var count = box.querySelector('[data-role="count"]');
  var unit = count.textContent.replace(/^[0-9]+ /, "");
  var hide = box.querySelector('[data-role="hide"]');
  function matches(row, select) {
    return !select.value || row.getAttribute("data-" + select.dataset.key) === select.value;
  }
  function hidden(row) {
    return hide && hide.checked && row.getAttribute("data-" + hide.dataset.attr) === hide.dataset.value;
  }
  function apply() {
    var search = box.querySelector('[data-role="search"]');
    var text = search ? search.value.trim().toLowerCase() : "";
    var selects = Array.prototype.slice.call(box.querySelectorAll('[data-role="filter"]'));
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!text || row.textContent.toLowerCase().indexOf(text) >= 0) &&
        selects.every(function (s) { return matches(row, s); }) && !hidden(row);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " " + unit;
  }
  function key(row, name) {
    var value = parseFloat(row.getAttribute("data-sort-" + name));
    return isNaN(value) ? Infinity : value;
  }
  function sort(button) {
    var name = button.dataset.sort;
    var descending = button.getAttribute("aria-pressed") === "true" && button.dataset.dir === "asc";
    var order = rows.map(function (row, i) { return {row: row, i: i, k: key(row, name)}; });
    order.sort(function (a, b) {
      if (a.k === b.k) { return a.i - b.i; }
      if (a.k === Infinity || b.k === Infinity) { return a.k === Infinity ? 1 : -1; }
      return descending ? b.k - a.k : a.k - b.k;
    });
    order.forEach(function (o) { body.appendChild(o.row); });
    Array.prototype.forEach.call(box.querySelectorAll("button[data-sort]"), function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
      b.dataset.dir = b === button ? (descending ? "desc" : "asc") : "";
    });
  }
  Array.prototype.forEach.call(box.querySelectorAll("[hidden]"), function (control) {
    control.hidden = false;
  });
  Array.prototype.forEach.call(box.querySelectorAll("button[data-sort]"), function (button) {
    button.addEventListener("click", function () { sort(button); });
  });
  box.addEventListener("input", apply);
  box.addEventListener("change", apply);
})();
