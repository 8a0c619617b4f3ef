// Tests of the benchmark data generator (run with `node --test bench/`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { airQualityObserved, cityBox, randomPoint, seededRandom, wasteContainer } from './entities.js';

/** Equirectangular metres between two [lon, lat]: exact enough over 10 km. */
function metres([lon1, lat1], [lon2, lat2]) {
  const rad = Math.PI / 180;
  const x = (lon2 - lon1) * rad * Math.cos(((lat1 + lat2) / 2) * rad);
  return Math.hypot(x, (lat2 - lat1) * rad) * 6_371_008.8;
}

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 1000 }, () => a());
    assert.deepEqual(
      xs,
      Array.from({ length: 1000 }, () => b()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, seededRandom(8)));
  });
});

describe('cityBox', () => {
  it('is about 10 km on each side', () => {
    const box = cityBox();
    const width = metres([box.west, box.south], [box.east, box.south]);
    const height = metres([box.west, box.south], [box.west, box.north]);
    assert.ok(Math.abs(width - 10_000) < 100, `width ${width}`);
    assert.ok(Math.abs(height - 10_000) < 100, `height ${height}`);
  });
  it('holds every random point', () => {
    const box = cityBox();
    const rnd = seededRandom(1);
    for (let i = 0; i < 1000; i++) {
      const [lon, lat] = randomPoint(rnd, box);
      assert.ok(
        lon >= box.west - 1e-7 &&
          lon <= box.east + 1e-7 &&
          lat >= box.south - 1e-7 &&
          lat <= box.north + 1e-7,
      );
    }
  });
});

describe('entities', () => {
  it('makes WasteContainers with six attributes, a Point and a fillingLevel in [0, 1]', () => {
    const rnd = seededRandom(1);
    const e = wasteContainer(42, rnd, cityBox());
    assert.equal(e.id, 'urn:ngsi-ld:WasteContainer:wc-42');
    assert.equal(Object.keys(e).length - 2, 6);
    assert.equal(e.location.type, 'GeoProperty');
    assert.equal(e.location.value.type, 'Point');
    assert.ok(e.fillingLevel.value >= 0 && e.fillingLevel.value <= 1);
    assert.equal(e.refWasteContainerModel.type, 'Relationship');
  });
  it('makes AirQualityObserved with the id it is given and six attributes', () => {
    const e = airQualityObserved('urn:ngsi-ld:AirQualityObserved:x', seededRandom(2), cityBox());
    assert.equal(e.id, 'urn:ngsi-ld:AirQualityObserved:x');
    assert.equal(Object.keys(e).length - 2, 6);
  });
});
