/** The staging methods of the public API (GraphQL enum `StagingMethod`), in display order. */
export const STAGING_METHODS = [
  'LOCAL_COPY',
  'LOCAL_SYMLINK',
  'LOCAL_HARDLINK',
  'DIRECT_DOWNLOAD',
  'JUPYTER_COPY',
  'S3_COPY',
  'DCACHE_STAGE',
  'RUCIO_COPY',
] as const;

export type StagingMethod = (typeof STAGING_METHODS)[number];

export interface StagingMethodInfo {
  /** Short name for menus and tables. */
  readonly label: string;
  /** One sentence telling a user what they will get. */
  readonly description: string;
}

/** User-facing catalog of every method; `satisfies` makes a missing method a compile error. */
export const METHOD_INFO = {
  LOCAL_COPY: {
    label: 'Local copy',
    description: 'Copies the files into your user area as read-only files, verified with a SHA-256 checksum.',
  },
  LOCAL_SYMLINK: {
    label: 'Symbolic link',
    description:
      'Creates symbolic links in your user area that point to the archive files, so nothing is copied and no extra space is used.',
  },
  LOCAL_HARDLINK: {
    label: 'Hard link',
    description:
      'Creates hard links in your user area to the archive files, which is instant and uses no extra space but only works when both are on the same file system.',
  },
  DIRECT_DOWNLOAD: {
    label: 'Direct download',
    description: 'Gives you an expiring download link, with several files bundled into one streamed tar archive.',
  },
  JUPYTER_COPY: {
    label: 'Copy to Jupyter',
    description: 'Uploads the files into your Jupyter workspace through JupyterHub, starting your server if it is not running.',
  },
  S3_COPY: {
    label: 'Copy to object storage',
    description: 'Copies the files into an S3-compatible bucket such as Ceph RGW.',
  },
  DCACHE_STAGE: {
    label: 'Bring online (dCache)',
    description:
      'Brings the files online from tape on dCache and gives you WebDAV links with an access token valid for a limited time.',
  },
  RUCIO_COPY: {
    label: 'Rucio replication',
    description: 'Creates a Rucio replication rule for the files and follows it until the replicas are available.',
  },
} as const satisfies Record<StagingMethod, StagingMethodInfo>;

export function isStagingMethod(value: unknown): value is StagingMethod {
  return typeof value === 'string' && (STAGING_METHODS as readonly string[]).includes(value);
}

/**
 * Other spellings of our methods that clients of the systems we replace send: SKAO's staging
 * service names methods in lower case (`local_copy`), and its docs and Helm chart use a few other
 * names for the same methods.
 */
const METHOD_ALIASES: Readonly<Record<string, StagingMethod>> = {
  symlink_copy: 'LOCAL_SYMLINK',
  hardlink_copy: 'LOCAL_HARDLINK',
  direct_dowload: 'DIRECT_DOWNLOAD',
};

/** The method a name means, in any letter case (`LOCAL_COPY`, `local_copy`) or an alias (`symlink_copy`); undefined when none. */
export function methodFromName(name: string): StagingMethod | undefined {
  const upper = name.trim().toUpperCase();
  if (isStagingMethod(upper)) return upper;
  const alias = name.trim().toLowerCase();
  return Object.hasOwn(METHOD_ALIASES, alias) ? METHOD_ALIASES[alias] : undefined;
}
