/* Deep & Cheap: small reader helpers.
   - The theme's ".pdf" download entry printed the current page with window.print(), which
     clipped code and dropped folded solutions: it now opens the whole-book PDF that
     `make book` writes next to the HTML (deep-and-cheap.pdf, see tools/pdf.py).
   - Printing a page from the browser opens every folded block first. */
(function () {
  "use strict";
  var PDF = "deep-and-cheap.pdf";

  function root() {
    var r = document.documentElement.getAttribute("data-content_root");
    return r === null ? "" : r;
  }

  function linkWholeBookPdf() {
    var buttons = document.querySelectorAll(".btn-download-pdf-button");
    buttons.forEach(function (button) {
      var link = document.createElement("a");
      link.href = root() + PDF;
      link.className = button.className.replace("btn-download-pdf-button", "btn-download-book-pdf");
      link.title = "The whole book as one PDF (solutions expanded)";
      link.setAttribute("download", "");
      link.innerHTML = button.innerHTML;
      var label = link.querySelector(".btn__text-container");
      if (label) { label.textContent = "book .pdf"; }
      button.replaceWith(link);
    });
  }

  function openFolded() {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", linkWholeBookPdf);
  } else {
    linkWholeBookPdf();
  }
  window.addEventListener("beforeprint", openFolded);
})();
