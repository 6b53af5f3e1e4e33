(function () {
  var input = document.getElementById('sok');
  var table = document.getElementById('kommuner');
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var count = document.getElementById('antall');
  // search ignores case and accents, and takes o for ø and ae for æ (å becomes a)
  function norm(s) {
    return s.toLowerCase().replace(/ø/g, 'o').replace(/æ/g, 'ae').normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  }
  input.addEventListener('input', function () {
    var q = norm(input.value.trim()); var shown = 0;
    rows.forEach(function (r) {
      var hit = !q || norm(r.getAttribute('data-search')).indexOf(q) >= 0;
      r.hidden = !hit; if (hit) { shown++; }
    });
    count.textContent = shown;
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    if (!th.hasAttribute('data-sort')) { return; }
    th.tabIndex = 0;
    function sort() {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var numeric = th.getAttribute('data-sort') === 'num';
      rows.sort(function (a, b) {
        var x = a.cells[i].getAttribute('data-value'), y = b.cells[i].getAttribute('data-value');
        var d = numeric ? (parseFloat(x) - parseFloat(y)) : x.localeCompare(y, 'nb');
        return asc ? d : -d;
      });
      rows.forEach(function (r) { table.tBodies[0].appendChild(r); });
    }
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter') { sort(); } });
  });
})();
