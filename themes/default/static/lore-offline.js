// Lore as an app: registers the service worker (lore-sw.js, served from /-/sw.js), which keeps the last pages
// read for reading offline. Browsers allow service workers only in secure contexts: https, or localhost.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.isSecureContext) {
    return;
  }
  navigator.serviceWorker.register("/-/sw.js", { scope: "/" }).catch(function () {
    // Without the worker the wiki works as before, only not offline.
  });
  // The worker forgets the kept pages when it sees the logout; a page it does not control yet does it here.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (form && form.getAttribute && form.getAttribute("action") === "/-/logout" && window.caches) {
        window.caches.delete("lore-offline-pages-v1");
      }
    },
    true
  );
})();
