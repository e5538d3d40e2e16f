import type { StagingMethod } from '@stagecoach/domain';
import { directDownload } from './direct-download.method';
import { localCopy, localHardlink, localSymlink } from './local.methods';
import type { StagingMethodHandler } from './method';

/** Methods this build implements; `stagingMethods` offers ALLOWED_METHODS ∩ these. */
const HANDLERS: StagingMethodHandler[] = [localCopy, localSymlink, localHardlink, directDownload];

export class MethodRegistry {
  private readonly byMethod = new Map<StagingMethod, StagingMethodHandler>();

  constructor(allowed: readonly StagingMethod[], handlers: StagingMethodHandler[] = HANDLERS) {
    for (const h of handlers) if (allowed.includes(h.method)) this.byMethod.set(h.method, h);
  }

  /** Enabled methods, in the order of the public enum. */
  enabled(order: readonly StagingMethod[]): StagingMethod[] {
    return order.filter((m) => this.byMethod.has(m));
  }

  get(method: StagingMethod): StagingMethodHandler | undefined {
    return this.byMethod.get(method);
  }
}
