import type { Config } from './config/env';
import type { Container } from './graphql/context';
import type { StagingMetrics } from './http/metrics';
import type { Clock } from './lib/clock';
import type { Logger } from './lib/logger';
import { createInProcessPubSub, type PubSub } from './lib/pubsub';
import { linkSigningKey } from './lib/secrets';
import { DownloadLinks } from './modules/downloads/download-links';
import { implementedMethods, MethodRegistry } from './modules/methods/registry';
import { SiteRegistry } from './modules/sites/sites.service';

/**
 * Builds the process-wide singletons (sites loaded and seeded, methods, signing key, pub/sub).
 * `pubsub` defaults to in-process (tests); main passes the cross-replica one (lib/pubsub).
 */
export async function createContainer(config: Config, logger: Logger, clock: Clock, pubsub: PubSub = createInProcessPubSub(), extras: { metrics?: StagingMetrics } = {}): Promise<Container> {
  const sites = await SiteRegistry.load(config, logger);
  const methods = new MethodRegistry(config.allowedMethods, implementedMethods({ pauseLocalCopyAfterBytes: config.testPauseLocalCopyAfterBytes }), sites.sites);
  const links = new DownloadLinks(await linkSigningKey(config), config.publicUrl);
  return { config, clock, logger, pubsub, sites, methods, links, ...extras };
}
