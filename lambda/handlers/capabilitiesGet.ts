import { defineOperation } from '../protocol/operation';
import { lambdaHandler } from '../protocol/lambda';
import { getCapabilities } from '../service/capabilities';

export const operation = defineOperation({
  v3: async () => getCapabilities(),
});

export const handler = lambdaHandler('capabilitiesGet', operation);
