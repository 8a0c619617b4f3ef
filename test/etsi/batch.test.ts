// ETSI GS CIM 009 clauses 5.6.7–5.6.10, 5.6.20 (batch operations) and 5.2.17–5.2.18 (BatchOperationResult,
// BatchEntityError): derived from ETSI test groups 003, 004, 005, 006, 057.
import { describe, expect, it } from 'vitest';
import { expectProblem, expectStatus, uid, useBroker, type Body, type Res } from './harness.js';
import { building, minimal } from './fixtures.js';

const b = useBroker();
const enc = encodeURIComponent;
const op = (name: string, body: unknown, q = ''): Promise<Res> =>
  b.call('POST', `entityOperations/${name}${q}`, { body });
const read = async (id: string) => (await b.call('GET', `entities/${enc(id)}?options=keyValues`)).body;
const errIds = (res: Res): string[] => (res.body.errors as Body[]).map((e) => e.entityId).sort();

/** Every entry of `errors` is a BatchEntityError with a ProblemDetails of the given kind. */
function expectBatchErrors(res: Res, ids: string[], kind: string): void {
  expect(errIds(res)).toEqual([...ids].sort());
  for (const e of res.body.errors as Body[]) {
    expect(e.error.type).toBe(`https://uri.etsi.org/ngsi-ld/errors/${kind}`);
    expect(typeof e.error.title).toBe('string');
  }
}

async function seed(...ids: string[]) {
  for (const id of ids) expectStatus(await b.call('POST', 'entities', { body: building(id) }), 201);
}

describe('003 batch create', () => {
  it('003_01_01 create a batch of new entities → 201 with the created ids', async () => {
    const ids = [uid(), uid(), uid()];
    const res = await op(
      'create',
      ids.map((id) => building(id)),
    );
    expectStatus(res, 201);
    expect([...res.body].sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await read(id)).name).toBe('Tour Part-Dieu');
  });

  it('003_02_01 batch create with an existing id → 207 success + AlreadyExists error', async () => {
    const [old, nu] = [uid(), uid()];
    await seed(old);
    const res = await op('create', [building(old), building(nu)]);
    expectStatus(res, 207);
    expect(res.body.success).toEqual([nu]);
    expectBatchErrors(res, [old], 'AlreadyExists');
  });

  it('003_03_01 batch create with an invalid entity → 207 with BadRequestData for it', async () => {
    const good = uid();
    const bad = uid();
    const res = await op('create', [building(good), { id: bad, type: 'Building', x: { type: 'Property' } }]);
    expectStatus(res, 207);
    expect(res.body.success).toEqual([good]);
    expectBatchErrors(res, [bad], 'BadRequestData');
  });

  it('003_04_01 batch create with a body that is not an array → 400', async () => {
    expectProblem(await op('create', building(uid())), 400, ['BadRequestData', 'InvalidRequest']);
  });

  it('003_05_01 batch create with invalid JSON → 400 InvalidRequest', async () => {
    const res = await b.call('POST', 'entityOperations/create', {
      body: '[{"id": ',
      contentType: 'application/json',
    });
    expectProblem(res, 400, 'InvalidRequest');
  });
});

describe('004 batch upsert', () => {
  it('004_01_01 upsert new entities → 201 with their ids', async () => {
    const ids = [uid(), uid()];
    const res = await op(
      'upsert',
      ids.map((id) => building(id)),
    );
    expectStatus(res, 201);
    expect([...res.body].sort()).toEqual([...ids].sort());
  });

  it('004_02_01 upsert existing entities (default replace) → 204, old attributes gone', async () => {
    const id = uid();
    await seed(id);
    const res = await op('upsert', [{ id, type: 'Building', height: { type: 'Property', value: 5 } }]);
    expectStatus(res, 204);
    const e = await read(id);
    expect(e.height).toBe(5);
    expect(e.name).toBeUndefined();
  });

  it('004_03_01 upsert with options=update merges attributes into existing entities', async () => {
    const id = uid();
    await seed(id);
    const res = await op(
      'upsert',
      [{ id, type: 'Building', height: { type: 'Property', value: 5 } }],
      '?options=update',
    );
    expectStatus(res, 204);
    const e = await read(id);
    expect(e).toMatchObject({ height: 5, name: 'Tour Part-Dieu' });
  });

  it('004_04_01 upsert with options=replace replaces existing entities', async () => {
    const id = uid();
    await seed(id);
    const res = await op(
      'upsert',
      [{ id, type: 'Building', height: { type: 'Property', value: 6 } }],
      '?options=replace',
    );
    expectStatus(res, 204);
    expect((await read(id)).name).toBeUndefined();
  });

  it('004_05_01 upsert mixing new and existing → 201 listing the created id', async () => {
    const [old, nu] = [uid(), uid()];
    await seed(old);
    const res = await op('upsert', [building(old), building(nu)]);
    expectStatus(res, 201);
    expect(res.body).toContain(nu);
  });

  it('004_06_01 upsert with one invalid entity → 207', async () => {
    const good = uid();
    const res = await op('upsert', [building(good), { id: 'not-a-uri', type: 'Building' }]);
    expectStatus(res, 207);
    expect(res.body.success).toContain(good);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].error.type).toBe('https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
  });

  it('004_07_01 upsert with options other than update/replace → 400', async () => {
    expectProblem(await op('upsert', [building(uid())], '?options=sideways'), 400, [
      'BadRequestData',
      'InvalidRequest',
    ]);
  });
});

describe('005 batch update', () => {
  it('005_01_01 update existing entities → 204', async () => {
    const [x, y] = [uid(), uid()];
    await seed(x, y);
    const res = await op('update', [
      { id: x, type: 'Building', almostFull: { type: 'Property', value: true } },
      { id: y, type: 'Building', almostFull: { type: 'Property', value: true } },
    ]);
    expectStatus(res, 204);
    expect((await read(x)).almostFull).toBe(true);
    expect((await read(y)).almostFull).toBe(true);
  });

  it('005_02_01 update with an unknown entity → 207 with ResourceNotFound for it', async () => {
    const [x, ghost] = [uid(), uid()];
    await seed(x);
    const res = await op('update', [
      { id: x, type: 'Building', almostFull: { type: 'Property', value: true } },
      { id: ghost, type: 'Building', almostFull: { type: 'Property', value: true } },
    ]);
    expectStatus(res, 207);
    expect(res.body.success).toEqual([x]);
    expectBatchErrors(res, [ghost], 'ResourceNotFound');
  });

  it('005_03_01 update with options=noOverwrite keeps existing attribute values', async () => {
    const x = uid();
    await seed(x);
    const res = await op(
      'update',
      [
        {
          id: x,
          type: 'Building',
          name: { type: 'Property', value: 'No' },
          height: { type: 'Property', value: 1 },
        },
      ],
      '?options=noOverwrite',
    );
    expectStatus(res, [204, 207]);
    const e = await read(x);
    expect(e.name).toBe('Tour Part-Dieu');
    expect(e.height).toBe(1);
  });

  it('005_04_01 update with a body that is not an array → 400', async () => {
    expectProblem(await op('update', { id: uid() }), 400, ['BadRequestData', 'InvalidRequest']);
  });
});

describe('006 batch delete', () => {
  it('006_01_01 delete existing entities → 204 and they are gone', async () => {
    const [x, y] = [uid(), uid()];
    await seed(x, y);
    expectStatus(await op('delete', [x, y]), 204);
    expectStatus(await b.call('GET', `entities/${enc(x)}`), 404);
    expectStatus(await b.call('GET', `entities/${enc(y)}`), 404);
  });

  it('006_02_01 delete with an unknown id → 207 with ResourceNotFound for it', async () => {
    const [x, ghost] = [uid(), uid()];
    await seed(x);
    const res = await op('delete', [x, ghost]);
    expectStatus(res, 207);
    expect(res.body.success).toEqual([x]);
    expectBatchErrors(res, [ghost], 'ResourceNotFound');
  });

  it('006_03_01 delete with an invalid id → 207 BadRequestData (or 400)', async () => {
    const x = uid();
    await seed(x);
    const res = await op('delete', [x, 'not-a-uri']);
    expectStatus(res, [207, 400]);
    if (res.status === 207) expectBatchErrors(res, ['not-a-uri'], 'BadRequestData');
    else expectProblem(res, 400, 'BadRequestData');
  });

  it('006_04_01 delete with a body that is not an array of ids → 400', async () => {
    expectProblem(await op('delete', { ids: [uid()] }), 400, ['BadRequestData', 'InvalidRequest']);
  });
});

describe('057 batch merge', () => {
  it('057_01_01 merge existing entities → 204, attributes merged', async () => {
    const [x, y] = [uid(), uid()];
    await seed(x, y);
    const res = await op('merge', [
      { id: x, type: 'Building', height: { type: 'Property', value: 1 } },
      { id: y, type: 'Building', name: { type: 'Property', value: 'Merged' } },
    ]);
    expectStatus(res, 204);
    expect(await read(x)).toMatchObject({ height: 1, name: 'Tour Part-Dieu' });
    expect((await read(y)).name).toBe('Merged');
  });

  it('057_02_01 merge with an unknown entity → 207 with ResourceNotFound for it', async () => {
    const [x, ghost] = [uid(), uid()];
    await seed(x);
    const res = await op('merge', [
      { id: x, type: 'Building', height: { type: 'Property', value: 1 } },
      { ...minimal(ghost), height: { type: 'Property', value: 1 } },
    ]);
    expectStatus(res, 207);
    expect(res.body.success).toEqual([x]);
    expectBatchErrors(res, [ghost], 'ResourceNotFound');
  });

  it('057_03_01 merge with "urn:ngsi-ld:null" deletes the attribute', async () => {
    const x = uid();
    await seed(x);
    expectStatus(await op('merge', [{ id: x, type: 'Building', subCategory: 'urn:ngsi-ld:null' }]), 204);
    expect((await read(x)).subCategory).toBeUndefined();
  });
});
