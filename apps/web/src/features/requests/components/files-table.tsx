import { Anchor, Chip, Group, Paper, Popover, Progress, Skeleton, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { CopyTextButton } from '../../../components/copy-text-button';
import { QueryError } from '../../../components/query-error';
import { StatusBadge } from '../../../components/status-badge';
import type { FileStatus, RequestFieldsFragment, StagedFileFieldsFragment } from '../../../gql/graphql';
import { messageForCode } from '../../../lib/errors';
import { formatBytes, formatCount } from '../../../lib/format';
import { useRequestFiles } from '../api/list-request-files';
import classes from './files-table.module.css';

interface FilesTableProps {
  requestId: string;
  request: RequestFieldsFragment;
  /** The request is still running: statuses refresh periodically. */
  live: boolean;
}

type Filter = 'ALL' | 'ACTIVE' | FileStatus;

const FILTERS: ReadonlyArray<{ value: Filter; label: string; statuses: FileStatus[] }> = [
  { value: 'ALL', label: 'All', statuses: [] },
  { value: 'ACTIVE', label: 'Waiting or running', statuses: ['PENDING', 'RUNNING'] },
  { value: 'DONE', label: 'Done', statuses: ['DONE'] },
  { value: 'SKIPPED', label: 'Already there', statuses: ['SKIPPED'] },
  { value: 'FAILED', label: 'Failed', statuses: ['FAILED'] },
  { value: 'CANCELLED', label: 'Cancelled', statuses: ['CANCELLED'] },
];

function countFor(filter: Filter, r: RequestFieldsFragment): number {
  switch (filter) {
    case 'ALL':
      return r.filesTotal;
    case 'ACTIVE':
      return Math.max(0, r.filesTotal - r.filesDone - r.filesSkipped - r.filesFailed - r.filesCancelled);
    case 'DONE':
      return r.filesDone;
    case 'SKIPPED':
      return r.filesSkipped;
    case 'FAILED':
      return r.filesFailed;
    case 'CANCELLED':
      return r.filesCancelled;
    default:
      return 0;
  }
}

const ROW_HEIGHT_DESKTOP = 52;
const ROW_HEIGHT_MOBILE = 112;
/** Start loading the next page this many rows before the loaded ones run out. */
const PREFETCH_ROWS = 200;

/**
 * Every file of a request in a virtualized table: only the rows in view exist in the page, so
 * 10,000 files scroll as smoothly as 10. Pages load as you scroll; a status filter narrows it.
 */
export function FilesTable({ requestId, request, live }: FilesTableProps) {
  const [filter, setFilter] = useState<Filter>('ALL');
  const statuses = FILTERS.find((f) => f.value === filter)?.statuses ?? [];
  const query = useRequestFiles(requestId, statuses, live);
  const files = query.data?.pages.flatMap((page) => page.nodes) ?? [];
  const total = query.data?.pages[0]?.totalCount ?? 0;
  const mobile = useMediaQuery('(max-width: 48em)') ?? false;
  const scrollRef = useRef<HTMLDivElement>(null);

  // No React Compiler in this app; the virtualizer re-renders the component itself on scroll.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => (mobile ? ROW_HEIGHT_MOBILE : ROW_HEIGHT_DESKTOP),
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= files.length - PREFETCH_ROWS) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, lastIndex, files.length]);

  useEffect(() => {
    virtualizer.measure();
  }, [mobile, virtualizer]);

  return (
    <Paper withBorder radius="md" p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="files-heading">
      <Stack gap="sm">
        <Group justify="space-between" gap="xs">
          <Title order={2} size="h4" id="files-heading">
            Files
          </Title>
          <Text size="sm" c="dimmed">
            {formatCount(total)} shown{files.length < total ? ` · ${formatCount(files.length)} loaded` : ''}
          </Text>
        </Group>
        <Chip.Group value={filter} onChange={(value) => setFilter(value as Filter)}>
          <Group gap={6} role="group" aria-label="Show files">
            {FILTERS.map((f) => (
              <Chip key={f.value} value={f.value} size="xs" variant="outline">
                {f.label} ({formatCount(countFor(f.value, request))})
              </Chip>
            ))}
          </Group>
        </Chip.Group>

        {query.isError ? (
          <QueryError title="The files could not be loaded" error={query.error} onRetry={() => void query.refetch()} retrying={query.isRefetching} />
        ) : query.isPending ? (
          <Stack gap={6} aria-busy="true" role="status" aria-label="Loading files">
            {[0, 1, 2, 3].map((i) => (
              <Skeleton key={i} height={36} />
            ))}
          </Stack>
        ) : total === 0 ? (
          <Text size="sm" c="dimmed" py="md" ta="center">
            No file has this status.
          </Text>
        ) : (
          <div role="table" aria-label="Files of this request" aria-rowcount={total + 1} className={classes.table}>
            <div role="rowgroup" className={classes.head}>
              <div role="row" aria-rowindex={1} className={classes.row}>
                <div role="columnheader" className={classes.colIndex}>#</div>
                <div role="columnheader" className={classes.colFile}>File</div>
                <div role="columnheader" className={classes.colStatus}>Status</div>
                <div role="columnheader" className={classes.colSize}>Size</div>
                <div role="columnheader" className={classes.colChecksum}>SHA-256</div>
                <div role="columnheader" className={classes.colAttempts}>Tries</div>
                <div role="columnheader" className={classes.colResult}>Result</div>
              </div>
            </div>
            <div
              role="rowgroup"
              ref={scrollRef}
              className={classes.body}
              // As tall as the rows, up to a screenful: a 3-file request needs no empty box.
              style={{ height: `min(${virtualizer.getTotalSize() + 1}px, min(60vh, 560px))` }}
              tabIndex={0}
              aria-label="File rows, scrollable"
            >
              <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
                {items.map((item) => {
                  const file = files[item.index];
                  return (
                    <div
                      key={item.key}
                      role="row"
                      aria-rowindex={item.index + 2}
                      data-index={item.index}
                      ref={virtualizer.measureElement}
                      className={classes.row}
                      style={{ transform: `translateY(${item.start}px)` }}
                    >
                      {file ? <FileCells file={file} index={item.index} /> : <LoadingCells index={item.index} />}
                    </div>
                  );
                })}
              </div>
            </div>
          </div>
        )}
      </Stack>
    </Paper>
  );
}

function FileCells({ file, index }: { file: StagedFileFieldsFragment; index: number }) {
  const running = file.status === 'RUNNING';
  return (
    <>
      <div role="cell" className={classes.colIndex}>
        {formatCount(index + 1)}
      </div>
      <div role="cell" className={classes.colFile}>
        <span className={classes.path} title={file.source}>
          {file.source}
        </span>
        {file.target && file.target !== file.source && (
          <span className={classes.target} title={file.target}>
            → {file.target}
          </span>
        )}
      </div>
      <div role="cell" className={classes.colStatus}>
        <StatusBadge status={file.status} size="xs" />
      </div>
      <div role="cell" className={classes.colSize}>
        {running && file.sizeBytes ? (
          <Stack gap={2}>
            <span>
              {formatBytes(file.bytesDone)} / {formatBytes(file.sizeBytes)}
            </span>
            <Progress value={(file.bytesDone / file.sizeBytes) * 100} size="xs" aria-hidden="true" />
          </Stack>
        ) : (
          formatBytes(file.sizeBytes)
        )}
      </div>
      <div role="cell" className={classes.colChecksum}>
        {file.checksum ? (
          <span className={classes.checksum}>
            <span className={classes.mono} title={file.checksum}>
              {file.checksum.slice(0, 12)}…
            </span>
            <CopyTextButton value={file.checksum} label={`Copy SHA-256 of ${file.source}`} size="xs" />
          </span>
        ) : (
          <span className={classes.dim}>—</span>
        )}
      </div>
      <div role="cell" className={classes.colAttempts}>
        <span className={classes.mobileLabel}>Tries </span>
        {file.attempts}
      </div>
      <div role="cell" className={classes.colResult}>
        <FileResult file={file} />
      </div>
    </>
  );
}

function FileResult({ file }: { file: StagedFileFieldsFragment }) {
  if (file.error) {
    return (
      <span className={classes.error}>
        <span className={classes.errorText}>{messageForCode(file.error.code)}</span>
        {file.error.stack && (
          <Popover width={420} position="bottom-end" withArrow shadow="md">
            <Popover.Target>
              <UnstyledButton className={classes.detailsButton} aria-label={`Error details for ${file.source}`}>
                details
              </UnstyledButton>
            </Popover.Target>
            <Popover.Dropdown>
              <Text size="xs" fw={600} mb={4}>
                {file.error.code} (visible to administrators only)
              </Text>
              <pre className={classes.stack}>{file.error.stack}</pre>
            </Popover.Dropdown>
          </Popover>
        )}
      </span>
    );
  }
  if (file.downloadUrl || file.accessUrl) {
    return (
      <Group gap="xs" wrap="nowrap">
        {file.downloadUrl && (
          <Anchor href={file.downloadUrl} size="sm" aria-label={`Download ${file.source}`}>
            Download
          </Anchor>
        )}
        {file.accessUrl && (
          <Anchor href={file.accessUrl} size="sm" target="_blank" rel="noreferrer" aria-label={`Open ${file.source} (new tab)`}>
            Open
          </Anchor>
        )}
      </Group>
    );
  }
  return <span className={classes.dim}>{file.status === 'SKIPPED' ? 'identical file already there' : ''}</span>;
}

function LoadingCells({ index }: { index: number }) {
  return (
    <>
      <div role="cell" className={classes.colIndex}>
        {formatCount(index + 1)}
      </div>
      <div role="cell" className={classes.colFile}>
        <Skeleton height={12} width="60%" />
      </div>
    </>
  );
}
