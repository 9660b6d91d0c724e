/**
 * A local index build is started by the `/v3/indexes/create` request but outlives it: it must not
 * inherit that request's deadline (its DynamoDB calls would be refused once the request's time is
 * up, and a build of 20,000 items takes longer than any request may), nor be counted in its usage.
 * Found by the index benchmark, whose 20,000-item builds failed this way in local mode.
 */
import { LocalIndexBuilder } from '../../lambda/service/indexBuild';
import { inRequestScope } from '../../lambda/store/requestScope';
import { expiredRequestScope } from '../helpers/requestScope';
import { createTestAdaptor } from '../helpers/adaptor';
import { depsWithoutBuilds } from '../helpers/indexes';

it('runs a local build outside the request that started it, whose deadline has passed', async () => {
  const deps = depsWithoutBuilds();
  const a = createTestAdaptor({ deps });
  const C = 'scoped';
  expect((await a.call('/v3/collections/create', { collection: { id: C, fields: [] } })).status).toBe(200);
  const items = Array.from({ length: 30 }, (_, i) => ({ _id: `i${i}`, n: i }));
  expect((await a.call('/v3/items/insert', { collectionId: C, items })).status).toBe(200);
  const created = await a.call('/v3/indexes/create', {
    collectionId: C,
    index: { name: 'n', fields: [{ path: 'n' }] },
  });
  expect(created.status).toBe(200);
  const [job] = deps.indexBuilder.jobs;
  expect(job).toBeDefined();

  // The request that schedules the build is already past its deadline when the build runs.
  const builder = new LocalIndexBuilder(() => deps);
  const scope = expiredRequestScope();
  await inRequestScope(scope, () => builder.schedule(job!));
  await builder.idle();

  const listed = await a.call('/v3/indexes/list', { collectionId: C });
  expect(listed.body.indexes.map((i: { status: string }) => i.status)).toEqual(['ACTIVE']);
  expect(scope.usage.requests).toBe(0);
});
