// Lore's service worker, served from /-/sw.js for the whole site. It keeps the last 50 wiki pages a person
// read online and shows them, labelled "Offline copy from <date>", when the network is gone.
//
// What it keeps is decided by the server: only answers that carry the `Lore-Offline` header (wiki pages and
// folders, never the account, inbox, follows, admin, editor, search or any API answer), only for GET and only
// without a query string. The header holds an opaque key of who read the page: copies are kept for one key at
// a time, so when another person (or nobody) is logged in on this device, the previous person's copies are
// dropped before anything new is kept. Logging in or out drops them at once. The header's personal links
// (between the `lore:personal` comments of `_account_nav.html`) are cut out of every copy.
//
// Its words come from the theme's message files: the server puts the `js-offline-…` messages of every
// interface language in front of this file (`self.loreOfflineMessages`, by language code). A kept copy is
// labelled in the language it was read in (its `<html lang>`); the page saying there is no copy speaks the
// language of the page read last, else the browser's.
"use strict";

var PAGES = "lore-offline-pages-v1";
var STATIC = "lore-offline-static-v1";
var MAX_PAGES = 50;
var MAX_STATIC = 40;
// The cache entry that lists the kept pages, oldest first, and whose they are.
var INDEX = "/-/offline-index";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  var current = [PAGES, STATIC];
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("lore-offline-") === 0 && current.indexOf(name) < 0;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        // The page's request starts while the worker wakes up, instead of after.
        if (self.registration.navigationPreload) {
          return self.registration.navigationPreload.enable();
        }
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method !== "GET") {
    // Whoever logs in or out, the pages kept so far were not read as them.
    if (url.pathname === "/-/logout" || url.pathname === "/-/login") {
      event.waitUntil(forgetPages());
    }
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, request, url));
  } else if (url.pathname.indexOf("/-/static/") === 0 && url.searchParams.has("v")) {
    // Theme files at fingerprinted addresses never change: kept, so offline copies keep their style.
    event.respondWith(themeFile(request));
  }
});

// Pages come from the network whenever it answers; a copy only when it does not.
function navigate(event, request, url) {
  var network = Promise.resolve(event.preloadResponse).then(function (preloaded) {
    return preloaded || fetch(request);
  });
  return network.then(
    function (response) {
      var key = response.headers.get("Lore-Offline");
      var type = response.headers.get("Content-Type") || "";
      if (key && response.status === 200 && response.type === "basic" && url.search === "" &&
          url.pathname.indexOf("/-/") !== 0 && type.indexOf("text/html") === 0) {
        event.waitUntil(keep(url, response.clone(), key));
      }
      return response;
    },
    function () {
      return offlineCopy(url).then(function (copy) {
        return copy || noCopy(url);
      });
    }
  );
}

// Changes to the kept pages happen one at a time, so the index always lists exactly what is kept.
var queue = Promise.resolve();

function serially(work) {
  var done = queue.then(work);
  queue = done.catch(function () {});
  return done;
}

function forgetPages() {
  return serially(function () {
    return caches.delete(PAGES);
  });
}

function keep(url, response, key) {
  return response.text().then(function (html) {
    return serially(function () {
      return caches.open(PAGES).then(function (cache) {
        return readIndex(cache).then(function (index) {
          var start = Promise.resolve(cache);
          if (index.key !== key) {
            // Another person's pages (or nobody's): drop them before keeping this one.
            index = { key: key, pages: [] };
            start = caches.delete(PAGES).then(function () {
              return caches.open(PAGES);
            });
          }
          return start.then(function (cache) {
            var headers = new Headers({
              "Content-Type": "text/html; charset=utf-8",
              "Lore-Offline": key,
              "Lore-Offline-Date": new Date().toISOString()
            });
            var policy = response.headers.get("Content-Security-Policy");
            if (policy) {
              headers.set("Content-Security-Policy", policy);
            }
            index.pages = index.pages.filter(function (page) {
              return page.url !== url.href;
            });
            index.pages.push({ url: url.href, title: titleOf(html), lang: langOf(html) });
            var dropped = index.pages.splice(0, Math.max(0, index.pages.length - MAX_PAGES));
            return Promise.all(
              [
                cache.put(url.href, new Response(withoutPersonalLinks(html), { headers: headers })),
                cache.put(INDEX, new Response(JSON.stringify(index), { headers: { "Content-Type": "application/json" } }))
              ].concat(
                dropped.map(function (page) {
                  return cache.delete(page.url);
                })
              )
            ).then(function () {
              return sweep(cache, index);
            });
          });
        });
      });
    });
  });
}

// Drops any entry the index does not list (left by an update that was interrupted).
function sweep(cache, index) {
  var listed = {};
  listed[new URL(INDEX, self.location.origin).href] = true;
  index.pages.forEach(function (page) {
    listed[page.url] = true;
  });
  return cache.keys().then(function (requests) {
    return Promise.all(
      requests
        .filter(function (request) {
          return !listed[request.url];
        })
        .map(function (request) {
          return cache.delete(request);
        })
    );
  });
}

function readIndex(cache) {
  return cache.match(INDEX).then(function (response) {
    if (!response) {
      return { key: null, pages: [] };
    }
    return response.json().catch(function () {
      return { key: null, pages: [] };
    });
  });
}

function offlineCopy(url) {
  return caches
    .open(PAGES)
    .then(function (cache) {
      return cache.match(url.href);
    })
    .then(function (response) {
      if (!response) {
        return null;
      }
      return response.text().then(function (html) {
        var lang = langOf(html);
        var t = offlineWords(lang);
        var date = new Date(response.headers.get("Lore-Offline-Date"));
        var when = isNaN(date.getTime()) ? t("js-offline-earlier-visit") : formatDate(date, lang);
        var banner =
          '<p class="offline-banner" role="status"><strong>' +
          escapeHtml(t("js-offline-copy", { date: when })) +
          "</strong> " +
          escapeHtml(t("js-offline-may-have-changed")) +
          "</p>";
        return new Response(insertAtTopOfContent(html, banner), {
          status: 200,
          headers: response.headers
        });
      });
    });
}

// The answer for a page without a copy while offline: says so, and lists the pages that have one.
function noCopy(url) {
  return caches.open(PAGES).then(function (cache) {
    return Promise.all([readIndex(cache), caches.open(STATIC).then(stylesheets)]).then(function (found) {
      var index = found[0];
      var last = index.pages[index.pages.length - 1];
      var lang = (last && last.lang) || browserLanguage();
      var t = offlineWords(lang);
      var links = index.pages
        .slice()
        .reverse()
        .map(function (page) {
          return '<li><a href="' + escapeHtml(page.url) + '">' + escapeHtml(page.title || page.url) + "</a></li>";
        })
        .join("");
      var html =
        '<!doctype html><html lang="' + escapeHtml(t.lang) + '"><head><meta charset="utf-8">' +
        '<meta name="viewport" content="width=device-width, initial-scale=1">' +
        '<meta name="color-scheme" content="light dark"><title>' + escapeHtml(t("js-offline-title")) + "</title>" +
        found[1]
          .map(function (href) {
            return '<link rel="stylesheet" href="' + escapeHtml(href) + '">';
          })
          .join("") +
        '</head><body><div class="frame"><main id="content" class="offline-page">' +
        "<h1>" + escapeHtml(t("js-offline-heading")) + "</h1><p>" +
        // The path goes in as HTML after the message is escaped, so a translation may put it anywhere.
        escapeHtml(t("js-offline-no-copy", { n: MAX_PAGES }))
          .split("{$path}")
          .join("<code>" + escapeHtml(url.pathname) + "</code>") +
        "</p>" +
        (links ? "<h2>" + escapeHtml(t("js-offline-readable")) + "</h2><ul>" + links + "</ul>" : "") +
        "</main></div></body></html>";
      return new Response(html, {
        status: 503,
        headers: {
          "Content-Type": "text/html; charset=utf-8",
          "Content-Security-Policy": "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'"
        }
      });
    });
  });
}

function stylesheets(cache) {
  return cache.keys().then(function (requests) {
    return requests
      .map(function (request) {
        return request.url;
      })
      .filter(function (href) {
        var path = new URL(href).pathname;
        return path === "/-/static/lore.css" || path === "/-/static/highlight.css";
      });
  });
}

function themeFile(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (kept) {
      if (kept) {
        return kept;
      }
      return fetch(request).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        // Stylesheets, scripts and icons; not the megabytes of diagram and formula libraries.
        var small = request.url.indexOf("/-/static/vendor/") < 0 && /^(text\/css|text\/javascript|image\/)/.test(type);
        if (response.status === 200 && small) {
          var copy = response.clone();
          cache.put(request, copy).then(function () {
            return trimStatic(cache);
          });
        }
        return response;
      });
    });
  });
}

function trimStatic(cache) {
  return cache.keys().then(function (requests) {
    return Promise.all(
      requests.slice(0, Math.max(0, requests.length - MAX_STATIC)).map(function (request) {
        return cache.delete(request);
      })
    );
  });
}

// The header's personal links (name, logout form with its token) are not part of a copy.
function withoutPersonalLinks(html) {
  var start = html.indexOf("<!--lore:personal-->");
  var end = html.indexOf("<!--/lore:personal-->");
  if (start < 0 || end < start) {
    return html;
  }
  return html.slice(0, start) + html.slice(end + "<!--/lore:personal-->".length);
}

function insertAtTopOfContent(html, banner) {
  var main = html.search(/<main[\s>]/i);
  var at = main >= 0 ? html.indexOf(">", main) : html.search(/<body[\s>]/i) >= 0 ? html.indexOf(">", html.search(/<body[\s>]/i)) : -1;
  if (at < 0) {
    return banner + html;
  }
  return html.slice(0, at + 1) + banner + html.slice(at + 1);
}

function titleOf(html) {
  var match = /<title>([^<]*)<\/title>/i.exec(html);
  if (!match) {
    return "";
  }
  // The title is HTML-escaped in the page; the index holds it as text and escapes it again when shown.
  return match[1]
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&")
    .trim();
}

function formatDate(date, lang) {
  try {
    return date.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
  } catch (err) {
    return date.toISOString();
  }
}

// The interface language a kept page was read in: its `<html lang>`.
function langOf(html) {
  var match = /<html[^>]*\slang="([^"]*)"/i.exec(html);
  return match ? match[1] : "";
}

// The first of the browser's languages Lore's interface comes in (by language, as `de-AT` → `de`), else "en".
function browserLanguage() {
  var all = self.loreOfflineMessages || {};
  var wanted = (self.navigator && self.navigator.languages) || [];
  for (var i = 0; i < wanted.length; i++) {
    var found = nearestLanguage(all, wanted[i]);
    if (found) {
      return found;
    }
  }
  return "en";
}

function nearestLanguage(all, tag) {
  if (!tag) {
    return "";
  }
  if (all[tag]) {
    return tag;
  }
  var base = tag.split("-")[0].toLowerCase();
  if (base === "zh" && /-(hant|tw|hk|mo)\b/i.test(tag)) {
    return "";
  }
  for (var code in all) {
    if (code.split("-")[0].toLowerCase() === base) {
      return code;
    }
  }
  return "";
}

// The offline messages in `lang` (or English), as a function of a message id and the values of its
// `{$name}`s; `t.lang` is the language it speaks.
function offlineWords(lang) {
  var all = self.loreOfflineMessages || {};
  var code = nearestLanguage(all, lang) || "en";
  var messages = all[code] || {};
  function t(id, values) {
    var text = messages[id] || id;
    for (var name in values || {}) {
      text = text.split("{$" + name + "}").join(String(values[name]));
    }
    return text;
  }
  t.lang = code;
  return t;
}

function escapeHtml(text) {
  return String(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#x27;");
}
