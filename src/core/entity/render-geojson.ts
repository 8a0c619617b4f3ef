/**
 * GeoJSON representation (clause 4.5.16, `Accept: application/geo+json`): each entity becomes a
 * Feature whose geometry is the value of the chosen GeoProperty and whose properties hold the type
 * and the attributes in the requested format.
 */
import type { TermMapper } from '../jsonld/terms.js';
import type { Entity } from '../model/entity.js';
import { renderEntity, type RenderOptions } from './render-entity.js';

/** Render one entity as a GeoJSON Feature; `geometryProperty` is the expanded GeoProperty name. */
export function renderFeature(
  entity: Entity,
  mapper: TermMapper,
  options: RenderOptions,
  geometryProperty: string,
): Record<string, unknown> {
  const { id, ...properties } = renderEntity(entity, mapper, options);
  const geo =
    entity.attrs[geometryProperty]?.find((a) => a.datasetId === undefined) ??
    entity.attrs[geometryProperty]?.[0];
  return {
    id: id ?? entity.id,
    type: 'Feature',
    geometry: geo !== undefined && geo.type === 'GeoProperty' ? geo.value : null,
    properties,
  };
}

/** Render a list of entities as a FeatureCollection. */
export function renderFeatureCollection(
  entities: Entity[],
  mapper: TermMapper,
  options: RenderOptions,
  geometryProperty: string,
): Record<string, unknown> {
  return {
    type: 'FeatureCollection',
    features: entities.map((e) => renderFeature(e, mapper, options, geometryProperty)),
  };
}
