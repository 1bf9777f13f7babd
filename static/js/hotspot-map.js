// The hotspot list's map: one marker per active hotspot, from the JSON the page embeds
// (#hotspot-data). The table is the page's content; the map is an extra. It stays hidden
// unless Leaflet has loaded, and is hidden again, with a message, if the tiles cannot be
// fetched (offline, blocked by a firewall or the Content Security Policy).
(function () {
  "use strict";

  var section = document.getElementById("hotspot-map-section");
  var container = document.getElementById("hotspot-map");
  var failedMessage = document.getElementById("hotspot-map-failed");
  var data = document.getElementById("hotspot-data");
  if (!window.L || !section || !container || !data) return;

  var hotspots = JSON.parse(data.textContent);
  if (!hotspots.length) return;

  // Shown before the map is made: Leaflet needs the container's size.
  section.hidden = false;

  var map = L.map(container, {
    // The wheel scrolls the page, not the map, so the map never traps scrolling.
    scrollWheelZoom: false,
  });

  var tiles = L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19,
    attribution:
      '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
  });

  // A tile that fails after others have loaded is a gap in the map, not a broken map.
  var tilesLoaded = 0;
  tiles.on("tileload", function () {
    tilesLoaded += 1;
  });
  tiles.on("tileerror", function () {
    if (tilesLoaded === 0) fail();
  });
  tiles.addTo(map);

  var bounds = [];
  hotspots.forEach(function (hotspot) {
    var position = [hotspot.lat, hotspot.lng];
    bounds.push(position);
    L.marker(position, {
      title: hotspot.name,
      alt: hotspot.name + ", " + hotspot.ward,
    })
      .bindPopup(popup(hotspot))
      .addTo(map);
  });
  map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });

  // Built from text nodes, never HTML: names and wards are typed by users.
  function popup(hotspot) {
    var content = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = hotspot.name;
    content.appendChild(name);
    content.appendChild(document.createElement("br"));
    content.appendChild(document.createTextNode(hotspot.ward));
    return content;
  }

  // Hidden (display: none), the map has no tab stop and takes no keys; it is not
  // removed, which would abort the marker images and leave nothing better behind.
  function fail() {
    section.hidden = true;
    container.classList.add("app-map--failed");
    if (failedMessage) failedMessage.hidden = false;
  }
})();
