import {
  Alert,
  Anchor,
  Button,
  Group,
  Paper,
  Progress,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { isTerminalRequestStatus } from '@stagecoach/domain';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ConfirmDialog } from '../../../components/confirm-dialog';
import { DownloadIcon } from '../../../components/icons';
import { LiveIndicator } from '../../../components/live-indicator';
import { QueryError } from '../../../components/query-error';
import { StatusBadge } from '../../../components/status-badge';
import { logsPathForRequest, paths } from '../../../config/paths';
import type { RequestFieldsFragment } from '../../../gql/graphql';
import { errorCodeOf } from '../../../lib/errors';
import { formatBytes, formatCount, formatDateTime, formatDuration, formatRate, formatRelativeTime } from '../../../lib/format';
import { useNow } from '../../../lib/use-now';
import { useCancelRequest } from '../api/cancel-request';
import { useRequest } from '../api/get-request';
import { useRetryRequest } from '../api/retry-request';
import { useWatchRequest } from '../api/watch-request';
import { estimateProgress, useRecentRate } from '../lib/progress-samples';
import { FilesTable } from './files-table';
import { methodLabel } from './method-label';
import { FileCountsText, FilesProgress, percent } from './request-progress';

interface RequestDetailProps {
  requestId: string;
  /** Shown under the files (e.g. the request's live log), composed by the page. */
  children?: ReactNode;
}

/**
 * One request: live status and progress (files, bytes, rate, ETA), actions (cancel, retry,
 * download) and every file. Updates arrive over the subscription while it is queued or running.
 */
export function RequestDetail({ requestId, children }: RequestDetailProps) {
  const query = useRequest(requestId);
  const active = query.data ? !isTerminalRequestStatus(query.data.status) : false;
  useWatchRequest(requestId, active || query.isPending);

  if (query.isPending) return <DetailSkeleton />;
  if (query.isError) {
    if (errorCodeOf(query.error) === 'NOT_FOUND') {
      return (
        <Alert color="yellow" title="Request not found">
          <Text size="sm">
            There is no request with this address, or it belongs to someone else.{' '}
            <Anchor component={Link} to={paths.requests}>
              See your requests
            </Anchor>
            .
          </Text>
        </Alert>
      );
    }
    return <QueryError title="The request could not be loaded" error={query.error} onRetry={() => void query.refetch()} retrying={query.isRefetching} />;
  }
  const request = query.data;
  return (
    <Stack gap="lg">
      <DetailHeader request={request} active={active} />
      <ProgressPanel request={request} active={active} />
      <FilesTable requestId={request.id} request={request} live={active} />
      {children}
    </Stack>
  );
}

function DetailHeader({ request, active }: { request: RequestFieldsFragment; active: boolean }) {
  const [cancelOpened, cancelDialog] = useDisclosure(false);
  const [retryOpened, retryDialog] = useDisclosure(false);
  const cancel = useCancelRequest();
  const retry = useRetryRequest();
  const canRetry = !active && request.filesFailed > 0;

  return (
    <Stack gap="sm">
      <Group justify="space-between" gap="sm" align="flex-start">
        <Stack gap={4}>
          <Group gap="sm">
            <StatusBadge status={request.status} size="lg" />
            <Text fw={600}>
              {methodLabel(request.method)} · {formatCount(request.filesTotal)} {request.filesTotal === 1 ? 'file' : 'files'} ·{' '}
              {formatBytes(request.bytesTotal)}
            </Text>
            <LiveIndicator active={active} />
          </Group>
          <Text size="sm" c="dimmed">
            #{request.number} · Submitted {formatDateTime(request.createdAt)}
            {request.startedAt && <> · started {formatDateTime(request.startedAt)}</>}
            {request.finishedAt && <> · finished {formatDateTime(request.finishedAt)}</>}
            {' · '}by {request.owner.name?.trim() || request.owner.email}
          </Text>
        </Stack>
        <Group gap="xs">
          <Button component={Link} to={logsPathForRequest(request.id)} variant="default" size="sm">
            Open in log viewer
          </Button>
          {request.downloadUrl && (
            <Button component="a" href={request.downloadUrl} size="sm" leftSection={<DownloadIcon width={16} height={16} />}>
              {request.filesTotal > 1 ? 'Download all (tar)' : 'Download'}
            </Button>
          )}
          {canRetry && (
            <Button variant="light" size="sm" onClick={retryDialog.open}>
              Retry failed files
            </Button>
          )}
          {active && (
            <Button color="red" variant="light" size="sm" onClick={cancelDialog.open}>
              Cancel request
            </Button>
          )}
        </Group>
      </Group>
      {request.expiresAt && (request.downloadUrl || request.method === 'DCACHE_STAGE') && (
        <Text size="sm" c="dimmed">
          Links expire {formatRelativeTime(request.expiresAt)} ({formatDateTime(request.expiresAt)}).
        </Text>
      )}

      <ConfirmDialog
        opened={cancelOpened}
        onClose={() => {
          cancelDialog.close();
          cancel.reset();
        }}
        onConfirm={() => cancel.mutate(request.id, { onSuccess: cancelDialog.close })}
        title="Cancel this request?"
        confirmLabel="Cancel request"
        cancelLabel="Keep running"
        loading={cancel.isPending}
        error={cancel.error}
      >
        Files not yet started will not be staged and running transfers stop shortly. Files already staged stay where
        they are.
      </ConfirmDialog>
      <ConfirmDialog
        opened={retryOpened}
        onClose={() => {
          retryDialog.close();
          retry.reset();
        }}
        onConfirm={() => retry.mutate(request.id, { onSuccess: retryDialog.close })}
        title="Retry the failed files?"
        confirmLabel={`Retry ${formatCount(request.filesFailed)} ${request.filesFailed === 1 ? 'file' : 'files'}`}
        cancelLabel="Not now"
        color="blue"
        loading={retry.isPending}
        error={retry.error}
        errorOverrides={{ BAD_USER_INPUT: 'This request has no failed files to retry, or it is still running.' }}
      >
        {`The ${formatCount(request.filesFailed)} failed ${request.filesFailed === 1 ? 'file is' : 'files are'} queued again. Files that are already staged are left alone.`}
      </ConfirmDialog>
    </Stack>
  );
}

function ProgressPanel({ request, active }: { request: RequestFieldsFragment; active: boolean }) {
  const now = useNow(1000, active);
  const recentRate = useRecentRate(request.id);
  const { rate, etaSeconds } = estimateProgress({
    bytesDone: request.bytesDone,
    bytesTotal: request.bytesTotal,
    startedAt: request.startedAt,
    recentRate: active ? recentRate : null,
    now: active ? now : Date.parse(request.finishedAt ?? '') || now,
  });
  const end = active ? now : Date.parse(request.finishedAt ?? '') || now;
  const elapsed = request.startedAt ? (end - Date.parse(request.startedAt)) / 1000 : null;
  const bytesPercent = percent(request.bytesDone, request.bytesTotal);

  return (
    <Paper withBorder radius="md" p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="progress-heading">
      <Title order={2} size="h4" id="progress-heading" mb="sm">
        Progress
      </Title>
      <Stack gap="md">
        <div>
          <Group justify="space-between" mb={4} gap="xs">
            <Text size="sm" fw={500}>
              Files
            </Text>
            <FileCountsText counts={request} />
          </Group>
          <FilesProgress counts={request} size="lg" label="Files" />
        </div>
        <div>
          <Group justify="space-between" mb={4} gap="xs">
            <Text size="sm" fw={500}>
              Data
            </Text>
            <Text size="sm" c="dimmed" style={{ fontVariantNumeric: 'tabular-nums' }}>
              {formatBytes(request.bytesDone)} of {formatBytes(request.bytesTotal)} ({Math.floor(bytesPercent)}%)
            </Text>
          </Group>
          <Progress.Root
            size="lg"
            role="progressbar"
            aria-label="Data transferred"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.floor(bytesPercent)}
            aria-valuetext={`${formatBytes(request.bytesDone)} of ${formatBytes(request.bytesTotal)}`}
          >
            <Progress.Section value={bytesPercent} animated={active && request.status === 'RUNNING'} aria-hidden="true" />
          </Progress.Root>
        </div>
        <SimpleGrid cols={{ base: 3 }} spacing="sm">
          <Stat label={active ? 'Rate' : 'Average rate'} value={formatRate(rate)} />
          <Stat label="Time left" value={active ? (request.status === 'QUEUED' ? 'waiting' : formatDuration(etaSeconds)) : 'finished'} />
          <Stat label="Elapsed" value={formatDuration(elapsed)} />
        </SimpleGrid>
      </Stack>
    </Paper>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="lg" fw={600} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {value}
      </Text>
    </div>
  );
}

function DetailSkeleton() {
  return (
    <Stack gap="lg" aria-busy="true">
      <VisuallyHidden role="status">Loading the request…</VisuallyHidden>
      <Stack gap="sm" aria-hidden="true">
        <Skeleton height={26} width="50%" />
        <Skeleton height={12} width="70%" />
        <Paper withBorder radius="md" p="lg">
          <Skeleton height={14} mb="md" />
          <Skeleton height={14} mb="md" />
          <Skeleton height={30} width="60%" />
        </Paper>
        <Skeleton height={200} />
      </Stack>
    </Stack>
  );
}
