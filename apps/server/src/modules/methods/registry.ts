import type { StagingMethod } from '@stagecoach/domain';
import type { SiteConfig } from '../sites/sites.config';
import { hasUrlSites } from '../sites/url-routing';
import { dcacheStage } from './dcache-stage.method';
import { directDownload } from './direct-download.method';
import { jupyterCopy } from './jupyter-copy.method';
import { localCopyMethod, localHardlink, localSymlink } from './local.methods';
import type { StagingMethodHandler } from './method';
import { rucioCopy } from './rucio-copy.method';
import { s3Copy } from './s3-copy.method';

/** Methods this build implements; `stagingMethods` offers ALLOWED_METHODS ∩ these. */
export const implementedMethods = (seams: { pauseLocalCopyAfterBytes?: number } = {}): StagingMethodHandler[] => [
  localCopyMethod(seams.pauseLocalCopyAfterBytes),
  localSymlink,
  localHardlink,
  directDownload,
  jupyterCopy,
  s3Copy,
  dcacheStage,
  rucioCopy,
];

export class MethodRegistry {
  private readonly byMethod = new Map<StagingMethod, StagingMethodHandler>();

  /** `sites`: URL-sourced and remote-target methods are offered only when a site of their kind is configured. */
  constructor(allowed: readonly StagingMethod[], handlers: StagingMethodHandler[] = implementedMethods(), sites: readonly SiteConfig[] = []) {
    for (const h of handlers) {
      if (!allowed.includes(h.method)) continue;
      if (h.kind === 'url' && !hasUrlSites(sites, h.remote.siteKind)) continue;
      // Remote-target methods (JUPYTER_COPY, S3_COPY) likewise need a site to deliver to.
      if (h.kind === 'delivery' && !sites.some((s) => s.kind === h.delivery.siteKind)) continue;
      this.byMethod.set(h.method, h);
    }
  }

  /** Enabled methods, in the order of the public enum. */
  enabled(order: readonly StagingMethod[]): StagingMethod[] {
    return order.filter((m) => this.byMethod.has(m));
  }

  get(method: StagingMethod): StagingMethodHandler | undefined {
    return this.byMethod.get(method);
  }
}
