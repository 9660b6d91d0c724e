import type { Deps } from '../lambda/runtime';

export async function purgesIdle(deps: Deps): Promise<void> {
  await (deps.purger as { idle?: () => Promise<void> }).idle?.();
}
