import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { provision } from '../service/provision';

export const operation = defineOperation({
  open: async (_request, _deps, path) => provision(path),
  // Legacy: the secret is checked first (README, "Legacy protocol"); the answer picks the v2 dialect.
  legacy: async (_request, _ctx, _deps, path) => provision(path),
});

export const handler = lambdaHandler('provision', operation);
