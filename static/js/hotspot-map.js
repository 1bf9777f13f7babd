// The hotspot list's map: one marker per active hotspot, from the JSON the page embeds
// (#hotspot-data), over the LSOA boundaries Ephedra ships (data-boundaries, a static GeoJSON
// file): no map tiles from a third party, so no one outside learns where the operation
// patrols. A force that hosts its own tiles sets MAP_TILE_URL (data-tile-url) and they are
// drawn underneath. The table is the page's content; the map is an extra. It stays hidden
// unless Leaflet has loaded, and is hidden again, with a message, if neither the boundaries
// nor the tiles can be fetched (offline, blocked by a firewall or the policy).
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
  map.attributionControl.setPrefix(false); // no link out of the page
  var drawn = { boundaries: false, tiles: false };
  var pending = 1 + (container.dataset.tileUrl ? 1 : 0);

  function settled(what, ok) {
    drawn[what] = ok;
    pending -= 1;
    if (pending === 0 && !drawn.boundaries && !drawn.tiles) fail();
  }

  fetch(container.dataset.boundaries, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(function (lsoas) {
      L.geoJSON(lsoas, {
        interactive: false,
        style: { color: "#505a5f", weight: 1, opacity: 0.7, fillColor: "#f3f2f1", fillOpacity: 0.6 },
        attribution:
          "LSOA boundaries: Contains National Statistics and OS data © Crown copyright and database right",
      })
        .addTo(map)
        .bringToBack();
      settled("boundaries", true);
    })
    .catch(function () {
      settled("boundaries", false);
    });

  if (container.dataset.tileUrl) {
    var tiles = L.tileLayer(container.dataset.tileUrl, {
      maxZoom: 19,
      attribution: container.dataset.tileAttribution || "",
    });
    // A tile that fails after others have loaded is a gap in the map, not a broken map.
    var tilesLoaded = 0;
    tiles.on("tileload", function () {
      if (tilesLoaded++ === 0) settled("tiles", true);
    });
    tiles.on("tileerror", function () {
      if (tilesLoaded === 0 && !drawn.tilesFailed) {
        drawn.tilesFailed = true;
        settled("tiles", false);
      }
    });
    tiles.addTo(map);
  }

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
