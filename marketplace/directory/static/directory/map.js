/* Leaflet maps of the directory: the town's map (markers from a JSON endpoint) and a merchant's
   pin. Without tiles configured (tests), the markers are drawn on a blank map. */
(function () {
  "use strict";
  var FRANCE = [46.6, 2.4];

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

  function townMap(element) {
    var map = baseMap(element);
    map.setView(FRANCE, 5);
    fetch(element.dataset.source, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var points = [];
        data.merchants.forEach(function (merchant) {
          var point = [merchant.latitude, merchant.longitude];
          points.push(point);
          L.marker(point, { title: merchant.name, alt: merchant.name })
            .bindPopup(popup(merchant, element))
            .addTo(map);
        });
        if (points.length === 1) {
          map.setView(points[0], 16);
        } else if (points.length > 1) {
          map.fitBounds(points, { padding: [24, 24] });
        }
      });
  }

  function merchantMap(element) {
    var point = [parseFloat(element.dataset.latitude), parseFloat(element.dataset.longitude)];
    var map = baseMap(element);
    map.setView(point, 17);
    L.marker(point, { title: element.dataset.name, alt: element.dataset.name, keyboard: false }).addTo(map);
  }

  function start() {
    if (!window.L) {
      return;
    }
    var town = document.getElementById("town-map");
    if (town) {
      townMap(town);
    }
    var merchant = document.getElementById("merchant-map");
    if (merchant) {
      merchantMap(merchant);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
