import type { Target } from './target.ts';
import { cacheAside } from './caching/index.ts';

/** Every target by its name, the one a suite file uses; an explicit map, not registration by import. */
export const targets: Readonly<Record<string, Target>> = {
  [cacheAside.name]: cacheAside,
};
