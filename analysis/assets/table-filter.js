// Shows only the rows of one table that contain the search text and match every drop-down.
// Inlined into the page next to its table (TABLE_ID is replaced): no library, no network.
(function () {
  var box = document.querySelector('.pt-filter[data-table="TABLE_ID"]');
  var table = document.getElementById("TABLE_ID");
  if (!box || !table) { return; }
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var count = box.querySelector('[data-role="count"]');
  var unit = count.textContent.replace(/^[0-9]+ /, "");
  function matches(row, select) {
    return !select.value || row.getAttribute("data-" + select.dataset.key) === select.value;
  }
  function apply() {
    var search = box.querySelector('[data-role="search"]');
    var text = search ? search.value.trim().toLowerCase() : "";
    var selects = Array.prototype.slice.call(box.querySelectorAll('[data-role="filter"]'));
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!text || row.textContent.toLowerCase().indexOf(text) >= 0) &&
        selects.every(function (s) { return matches(row, s); });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " " + unit;
  }
  box.addEventListener("input", apply);
  box.addEventListener("change", apply);
})();
