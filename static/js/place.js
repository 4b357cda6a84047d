/* Keep the reader's place (e.g. #pasal-3) through sign-in, registration and the language switch.
   The address fragment never reaches the server, so it is added to the `next` the server is given.
   Without JavaScript the links still work; they bring the reader back to the page, not the article. */
(function () {
  "use strict";

  function withPlace(next) {
    if (!location.hash || next === null || next.indexOf("#") !== -1) {
      return next;
    }
    return next + location.hash;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-keep-place")) {
      return;
    }
    var next = form.querySelector('input[name="next"]');
    if (next) {
      next.value = withPlace(next.value);
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-keep-place]") : null;
    if (!link) {
      return;
    }
    var url = new URL(link.href, location.href);
    var next = url.searchParams.get("next");
    if (next !== null) {
      url.searchParams.set("next", withPlace(next));
      link.href = url.toString();
    }
  });
}());
