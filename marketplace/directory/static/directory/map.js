/* Leaflet maps of the directory: the town's map (markers from a JSON endpoint) and a merchant's
   pin. Without tiles configured (tests), the markers are drawn on a blank map.

   Leaflet is fetched only when a map is wanted: on a wide screen once the map scrolls into
   view, on a phone when its button is pressed (the list of the same places is already on the
   page). The markers then go on in small batches, so no long task holds the page. */
(function () {
  "use strict";
  var FRANCE = [46.6, 2.4];
  var MARKERS_PER_BATCH = 100;
  var WIDE = window.matchMedia("(min-width: 48rem)");
  var leafletLoaded = null;

  function leafletLoad(element) {
    if (!leafletLoaded) {
      leafletLoaded = new Promise(function (resolve, reject) {
        var waiting = 2;
        function ready() {
          waiting -= 1;
          if (waiting === 0) {
            resolve();
          }
        }
        var style = document.createElement("link");
        style.rel = "stylesheet";
        style.href = element.dataset.leafletCss;
        style.onload = ready;
        style.onerror = reject;
        var script = document.createElement("script");
        script.src = element.dataset.leafletJs;
        script.onload = ready;
        script.onerror = reject;
        document.head.appendChild(style);
        document.head.appendChild(script);
      });
    }
    return leafletLoaded;
  }

  function baseMap(element) {
    var map = L.map(element, { scrollWheelZoom: false });
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, {
        attribution: element.dataset.attribution || "",
        maxZoom: 19,
      }).addTo(map);
    }
    return map;
  }

  function popup(merchant, element) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = merchant.url;
    link.textContent = merchant.name;
    var title = document.createElement("strong");
    title.appendChild(link);
    box.appendChild(title);
    var category = document.createElement("div");
    category.textContent = merchant.category;
    box.appendChild(category);
    var state = document.createElement("div");
    state.className = merchant.open_now ? "merchant-status-open" : "merchant-status-closed";
    state.textContent = merchant.open_now ? element.dataset.openLabel : element.dataset.closedLabel;
    box.appendChild(state);
    return box;
  }

  function inBatches(items, add) {
    var index = 0;
    (function batch() {
      var end = Math.min(index + MARKERS_PER_BATCH, items.length);
      for (; index < end; index += 1) {
        add(items[index]);
      }
      if (index < items.length) {
        setTimeout(batch, 0);
      }
    })();
  }

  function townMap(element) {
    var map = baseMap(element);
    map.setView(FRANCE, 5);
    fetch(element.dataset.source, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var points = data.merchants.map(function (merchant) {
          return [merchant.latitude, merchant.longitude];
        });
        if (points.length === 1) {
          map.setView(points[0], 16);
        } else if (points.length > 1) {
          map.fitBounds(points, { padding: [24, 24] });
        }
        inBatches(data.merchants, function (merchant) {
          L.marker([merchant.latitude, merchant.longitude], { title: merchant.name, alt: merchant.name })
            .bindPopup(function () { return popup(merchant, element); })
            .addTo(map);
        });
      });
  }

  function merchantMap(element) {
    var point = [parseFloat(element.dataset.latitude), parseFloat(element.dataset.longitude)];
    var map = baseMap(element);
    map.setView(point, 17);
    L.marker(point, { title: element.dataset.name, alt: element.dataset.name, keyboard: false }).addTo(map);
  }

  function open(element, draw) {
    if (element.dataset.mapState) {
      return;
    }
    element.dataset.mapState = "loading";
    leafletLoad(element).then(function () {
      var button = element.querySelector(".map-open");
      var hadFocus = button && button === document.activeElement;
      if (button) {
        button.remove();
      }
      element.classList.remove("map-idle");
      draw(element);
      element.dataset.mapState = "ready";
      if (hadFocus) {
        element.focus();
      }
    });
  }

  function prepare(element, draw) {
    var button = element.querySelector(".map-open");
    button.hidden = false;
    button.addEventListener("click", function () { open(element, draw); });
    if (WIDE.matches && "IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          observer.disconnect();
          open(element, draw);
        }
      });
      observer.observe(element);
    }
  }

  function start() {
    var town = document.getElementById("town-map");
    if (town) {
      prepare(town, townMap);
    }
    var merchant = document.getElementById("merchant-map");
    if (merchant) {
      prepare(merchant, merchantMap);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
