/**
 * Reads a policy document (JSON, compact names as an operator writes them) into a CompiledPolicy,
 * refusing anything ambiguous with a 400 that names the offending member: a policy that does not
 * mean exactly what it says is a security hole.
 *
 * ```json
 * { "@context": "https://…/context.jsonld",            // optional: how type and attribute names expand
 *   "description": "…",
 *   "rules": [
 *     { "id": "open-air", "public": true, "actions": ["read"], "types": ["AirQualityObserved"] },
 *     { "roles": ["analyst"], "actions": ["read"], "types": ["ParkingSpot"], "attrs": ["status"] },
 *     { "effect": "deny", "roles": ["*"], "actions": ["read"], "types": ["Device"], "attrs": ["serialNumber"] } ] }
 * ```
 * A rule applies to `public` (everyone, anonymous included; allow + read only), to `roles` (`*` is any
 * authenticated principal) and/or to `principals` (ids). `types`, `idPattern` and `attrs` narrow the
 * resources; `admin` is tenant-wide and takes no resource. Deny rules override allow rules.
 */
import { badRequest } from '../../core/errors.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { compilePattern } from '../../core/query/pattern.js';
import { ACTIONS, type Action, type CompiledPolicy, type CompiledRule } from './model.js';

/** Most rules in one policy: evaluation is linear in them. */
export const MAX_RULES = 1000;

const DOC_MEMBERS = new Set(['@context', 'description', 'rules']);
const RULE_MEMBERS = new Set([
  'id',
  'description',
  'effect',
  'public',
  'roles',
  'principals',
  'actions',
  'types',
  'idPattern',
  'attrs',
]);

/** The document's @context member (resolve it to a TermMapper before parsing); undefined for the core context. */
export function policyContext(raw: unknown): unknown {
  return isObject(raw) ? raw['@context'] : undefined;
}

/** Parse and compile a policy document; throws BadRequestData naming the first problem. */
export function parsePolicy(raw: unknown, mapper: TermMapper, version: number): CompiledPolicy {
  if (!isObject(raw)) throw badRequest('a policy must be a JSON object');
  for (const k of Object.keys(raw)) if (!DOC_MEMBERS.has(k)) throw badRequest(`policy: unknown member ${k}`);
  if (raw.description !== undefined && typeof raw.description !== 'string')
    throw badRequest('policy.description must be a string');
  const rules = raw.rules;
  if (!Array.isArray(rules)) throw badRequest('policy.rules must be an array');
  if (rules.length > MAX_RULES) throw badRequest(`policy.rules: at most ${MAX_RULES} rules`);
  return { version, rules: rules.map((r, i) => parseRule(r, `policy.rules[${i}]`, mapper)) };
}

function parseRule(raw: unknown, at: string, mapper: TermMapper): CompiledRule {
  if (!isObject(raw)) throw badRequest(`${at} must be an object`);
  for (const k of Object.keys(raw)) if (!RULE_MEMBERS.has(k)) throw badRequest(`${at}: unknown member ${k}`);
  const effect = raw.effect ?? 'allow';
  if (effect !== 'allow' && effect !== 'deny') throw badRequest(`${at}.effect must be allow or deny`);
  if (raw.public !== undefined && typeof raw.public !== 'boolean')
    throw badRequest(`${at}.public must be a boolean`);
  const isPublic = raw.public === true;
  const roles = strings(raw.roles, `${at}.roles`);
  const principals = strings(raw.principals, `${at}.principals`);
  if (!isPublic && roles === undefined && principals === undefined)
    throw badRequest(`${at} must name who it applies to: public, roles or principals`);
  const actionList = strings(raw.actions, `${at}.actions`);
  if (actionList === undefined || actionList.length === 0)
    throw badRequest(`${at}.actions must list at least one of ${ACTIONS.join(', ')}`);
  for (const a of actionList)
    if (!(ACTIONS as readonly string[]).includes(a))
      throw badRequest(`${at}.actions: ${JSON.stringify(a)} is not one of ${ACTIONS.join(', ')}`);
  const actions = new Set(actionList as Action[]);
  if (isPublic && (effect !== 'allow' || actions.size !== 1 || !actions.has('read')))
    throw badRequest(`${at}: a public rule may only allow read`);
  const types = strings(raw.types, `${at}.types`);
  const attrs = strings(raw.attrs, `${at}.attrs`);
  let idPattern: CompiledRule['idPattern'];
  if (raw.idPattern !== undefined) {
    if (typeof raw.idPattern !== 'string' || raw.idPattern === '')
      throw badRequest(`${at}.idPattern must be a non-empty string`);
    try {
      idPattern = { source: raw.idPattern, regex: compilePattern(raw.idPattern) };
    } catch (e) {
      throw badRequest(`${at}.idPattern: ${(e as Error).message}`);
    }
  }
  if (actions.has('admin') && (types !== undefined || attrs !== undefined || idPattern !== undefined))
    throw badRequest(`${at}: admin is tenant-wide; a rule granting it cannot name types, idPattern or attrs`);
  if (raw.id !== undefined && typeof raw.id !== 'string') throw badRequest(`${at}.id must be a string`);
  if (raw.description !== undefined && typeof raw.description !== 'string')
    throw badRequest(`${at}.description must be a string`);
  return {
    ...(raw.id !== undefined ? { id: raw.id } : {}),
    effect,
    public: isPublic,
    roles: new Set(roles ?? []),
    principals: new Set(principals ?? []),
    actions,
    ...(types !== undefined ? { types: new Set(types.map((t) => mapper.expandTerm(t))) } : {}),
    ...(idPattern !== undefined ? { idPattern } : {}),
    ...(attrs !== undefined ? { attrs: new Set(attrs.map((a) => mapper.expandTerm(a))) } : {}),
  };
}

/** A non-empty array of non-empty strings, or undefined when absent. */
function strings(value: unknown, at: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0)
    throw badRequest(`${at} must be a non-empty array of strings`);
  for (const v of value)
    if (typeof v !== 'string' || v === '' || v.length > 512)
      throw badRequest(`${at} must hold non-empty strings (at most 512 characters)`);
  return value as string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
