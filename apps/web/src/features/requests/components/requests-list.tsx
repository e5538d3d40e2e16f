import {
  Anchor,
  Button,
  Chip,
  EmptyState,
  Group,
  Paper,
  Skeleton,
  Stack,
  Text,
  VisuallyHidden,
} from '@mantine/core';
import { isTerminalRequestStatus, REQUEST_STATUSES } from '@stagecoach/domain';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { InboxIcon } from '../../../components/icons';
import { LiveIndicator } from '../../../components/live-indicator';
import { QueryError } from '../../../components/query-error';
import { StatusBadge, statusLabel } from '../../../components/status-badge';
import { paths, requestPath, searchParams as params } from '../../../config/paths';
import type { RequestFieldsFragment, RequestStatus } from '../../../gql/graphql';
import { formatBytes, formatCount, formatDateTime, formatRelativeTime } from '../../../lib/format';
import { useListRequests } from '../api/list-requests';
import { useWatchRequest } from '../api/watch-request';
import { methodLabel } from './method-label';
import { FileCountsText, FilesProgress } from './request-progress';
import classes from './requests-list.module.css';

interface RequestsListProps {
  /** `all`: everyone's requests (administrators), with the owner shown. */
  scope?: 'mine' | 'all';
  pageSize?: number;
  /** Compact: no filter or pager (e.g. "recent requests" on the home page). */
  compact?: boolean;
  /** Heading level of each request's title, to fit the page outline. */
  headingOrder?: 2 | 3;
}

function parseStatuses(values: string[]): RequestStatus[] {
  return values.filter((v): v is RequestStatus => (REQUEST_STATUSES as readonly string[]).includes(v));
}

/**
 * Staging requests, newest first, with a status filter (kept in the address, so it can be shared)
 * and page-by-page navigation. Requests still queued or running update live.
 */
export function RequestsList({ scope = 'mine', pageSize = 20, compact = false, headingOrder = 2 }: RequestsListProps) {
  const [search, setSearch] = useSearchParams();
  const status = compact ? [] : parseStatuses(search.getAll(params.status));
  // Cursors of the pages visited so far; the last one is the page shown.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [cursorsFor, setCursorsFor] = useState(status.join(','));
  const statusKey = status.join(',');
  if (cursorsFor !== statusKey) {
    // A new filter starts again at the first page.
    setCursorsFor(statusKey);
    setCursors([null]);
  }
  const after = cursors.at(-1) ?? null;
  const query = useListRequests({ mine: scope === 'mine', status, after, first: pageSize });
  const page = query.data;
  const pageIndex = cursors.length - 1;

  const setStatus = (next: string[]) => {
    const updated = new URLSearchParams(search);
    updated.delete(params.status);
    for (const s of next) updated.append(params.status, s);
    setSearch(updated, { replace: true });
  };

  const nodes = page?.nodes ?? [];
  const anyActive = nodes.some((r) => !isTerminalRequestStatus(r.status));
  const firstIndex = pageIndex * pageSize + 1;

  return (
    <Stack gap="md">
      {!compact && (
        <Group justify="space-between" align="flex-end" gap="sm">
          <Chip.Group multiple value={status} onChange={setStatus}>
            <Group gap={6} role="group" aria-label="Filter by status">
              {REQUEST_STATUSES.map((s) => (
                <Chip key={s} value={s} size="sm" variant="outline">
                  {statusLabel(s)}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
          {anyActive && <LiveIndicator />}
        </Group>
      )}

      {query.isPending ? (
        <RequestsSkeleton rows={compact ? 3 : 5} />
      ) : query.isError ? (
        <QueryError title="Requests could not be loaded" error={query.error} onRetry={() => void query.refetch()} retrying={query.isRefetching} />
      ) : nodes.length === 0 ? (
        <EmptyState
          icon={<InboxIcon width={28} height={28} />}
          withIndicatorBackground
          title={status.length ? 'No request has this status' : scope === 'all' ? 'Nobody has staged anything yet' : 'You have not staged anything yet'}
          description={
            status.length
              ? 'Clear the status filter to see every request.'
              : 'Requests appear here as soon as they are submitted, and update live while they run.'
          }
          py="xl"
        >
          <EmptyState.Actions>
            {status.length ? (
              <Button variant="light" onClick={() => setStatus([])}>
                Clear the filter
              </Button>
            ) : (
              scope === 'mine' && (
                <Button component={Link} to={paths.stage}>
                  Stage files
                </Button>
              )
            )}
          </EmptyState.Actions>
        </EmptyState>
      ) : (
        <>
          <ul className={classes.list} aria-busy={query.isPlaceholderData}>
            {nodes.map((request) => (
              <RequestRow key={request.id} request={request} showOwner={scope === 'all'} headingOrder={headingOrder} />
            ))}
          </ul>
          {!compact && (
            <Group justify="space-between" gap="sm">
              <Text size="sm" c="dimmed" aria-live="polite">
                {formatCount(firstIndex)}–{formatCount(firstIndex + nodes.length - 1)} of {formatCount(page?.totalCount ?? 0)}
              </Text>
              <Group gap="xs">
                <Button variant="default" size="sm" disabled={pageIndex === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
                  Newer
                </Button>
                <Button
                  variant="default"
                  size="sm"
                  disabled={!page?.pageInfo.hasNextPage || query.isPlaceholderData}
                  onClick={() => page?.pageInfo.endCursor && setCursors((c) => [...c, page.pageInfo.endCursor])}
                >
                  Older
                </Button>
              </Group>
            </Group>
          )}
        </>
      )}
    </Stack>
  );
}

function RequestRow({ request, showOwner, headingOrder }: { request: RequestFieldsFragment; showOwner: boolean; headingOrder: 2 | 3 }) {
  const active = !isTerminalRequestStatus(request.status);
  useWatchRequest(request.id, active);
  const Heading = headingOrder === 2 ? 'h2' : 'h3';
  return (
    <li>
      <Paper withBorder radius="md" p="sm" className={classes.row}>
        <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
          <Stack gap={2} miw={0}>
            <Heading className={classes.title}>
              <Anchor component={Link} to={requestPath(request.id)} className={classes.link}>
                {methodLabel(request.method)} · {formatCount(request.filesTotal)} {request.filesTotal === 1 ? 'file' : 'files'}
                <VisuallyHidden>, request #{request.number}</VisuallyHidden>
              </Anchor>
            </Heading>
            <Text size="xs" c="dimmed">
              <span title={formatDateTime(request.createdAt)}>Submitted {formatRelativeTime(request.createdAt)}</span>
              {' · '}
              <span className={classes.mono} title={request.id}>
                #{request.number}
              </span>
              {showOwner && <> · {request.owner.email}</>}
            </Text>
          </Stack>
          <StatusBadge status={request.status} />
        </Group>
        <Stack gap={4} mt="xs">
          <FilesProgress counts={request} size="sm" label={`Files of request #${request.number}`} />
          <Group justify="space-between" gap="xs">
            <FileCountsText counts={request} />
            <Text size="sm" c="dimmed" className={classes.numeric}>
              {formatBytes(request.bytesDone)} of {formatBytes(request.bytesTotal)}
            </Text>
          </Group>
        </Stack>
      </Paper>
    </li>
  );
}

function RequestsSkeleton({ rows }: { rows: number }) {
  return (
    <div aria-busy="true">
      <VisuallyHidden role="status">Loading requests…</VisuallyHidden>
      <Stack gap="sm" aria-hidden="true">
        {Array.from({ length: rows }, (_, i) => (
          <Paper key={i} withBorder radius="md" p="sm">
            <Group justify="space-between" mb="xs">
              <Skeleton height={16} width="40%" />
              <Skeleton height={18} width={70} radius="sm" />
            </Group>
            <Skeleton height={8} mb={8} />
            <Skeleton height={10} width="30%" />
          </Paper>
        ))}
      </Stack>
    </div>
  );
}
