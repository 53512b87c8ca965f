// Tables of rows in a task form, with the page's help (the form works without it):
// - 添加一行 copies the blank row the page carries (<template class="blank-row">), numbered after
//   the last one, as often as needed: no save between rows;
// - a column whose options follow another column of its row (data-options-by: 二级指标 by
//   一级指标) offers only the options that pair with it, as the server's check requires.
(function () {
  function rowsOf(table) { return table.tBodies[0].rows; }

  function follow(row) {
    row.querySelectorAll("td[data-options-by]").forEach(function (cell) {
      var select = cell.querySelector("select");
      var by = row.querySelector('td[data-col="' + cell.dataset.optionsBy + '"] select');
      if (!select || !by) { return; }
      var map = JSON.parse(cell.dataset.optionsMap || "{}");
      var allowed = by.value ? map[by.value] || [] : null;  // nothing chosen yet: every option
      Array.prototype.forEach.call(select.options, function (option) {
        var off = option.value !== "" && allowed !== null && allowed.indexOf(option.value) < 0;
        option.hidden = off;
        option.disabled = off;
      });
      if (select.selectedOptions.length && select.selectedOptions[0].disabled) { select.value = ""; }
    });
  }

  function addRow(button) {
    var name = button.dataset.table;
    var table = document.querySelector('table[data-table="' + name + '"]');
    var blank = document.querySelector('template.blank-row[data-table="' + name + '"]');
    if (!table || !blank) { return; }
    var count = rowsOf(table).length;
    if (count >= Number(button.dataset.max || 50)) { button.disabled = true; return; }
    var html = blank.innerHTML.replace(/__row__/g, String(count)).replace(/__no__/g, String(count + 1));
    var holder = document.createElement("tbody");
    holder.innerHTML = html.replace(/^\s*<tbody>|<\/tbody>\s*$/g, "");
    var row = holder.querySelector("tr");
    table.tBodies[0].appendChild(row);
    follow(row);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.focus(); }
    if (count + 1 >= Number(button.dataset.max || 50)) { button.disabled = true; }
  }

  document.querySelectorAll("button.add-row").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { addRow(button); });
  });
  document.querySelectorAll("small.rows-help[data-with-script]").forEach(function (help) {
    help.textContent = help.dataset.withScript;
  });
  document.querySelectorAll("table[data-table]").forEach(function (table) {
    Array.prototype.forEach.call(rowsOf(table), follow);
    table.addEventListener("change", function (event) {
      var row = event.target.closest("tr");
      if (row) { follow(row); }
    });
  });
})();
