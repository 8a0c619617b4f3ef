/**
 * The demo city's public face: the model, the seeded generator and the entity types its devices
 * feed. The simulator (src/demo/sim) and the CLI import from here.
 */
export * from './model.js';
export { generateCity, CITY_CENTRE, CITY_NAME, type GenerateOptions } from './generate.js';
export { ENTITY_TYPES, DEVICE_COUNTS, districtAt, type FleetSize } from './devices.js';
export { mulberry32, hashUnit, hashNormal, smoothNoise, type Rng } from './random.js';
