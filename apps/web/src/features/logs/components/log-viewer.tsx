import {
  ActionIcon,
  Alert,
  Button,
  Group,
  SegmentedControl,
  Select,
  Skeleton,
  Stack,
  Switch,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { isStagingMethod, LOG_LEVELS, METHOD_INFO, type LogLevel } from '@stagecoach/domain';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { ArrowDownIcon, CheckIcon, CopyIcon, DownloadIcon, PauseIcon, PlayIcon, SearchIcon } from '../../../components/icons';
import { LiveIndicator } from '../../../components/live-indicator';
import { QueryError } from '../../../components/query-error';
import { statusLabel } from '../../../components/status-badge';
import type { LogEntryFieldsFragment } from '../../../gql/graphql';
import { copyText } from '../../../lib/clipboard';
import { errorMessage } from '../../../lib/errors';
import type { GraphQLRequestError } from '../../../lib/execute';
import { formatCount, formatLogTime, shortId } from '../../../lib/format';
import { useLogRequestChoices } from '../api/list-log-requests';
import { useLogStream } from '../api/stream-logs';
import { filterEntries, formatLine } from '../lib/log-lines';
import classes from './log-viewer.module.css';

export interface LogViewerProps {
  /** Administrators may switch to everyone's entries. */
  canViewAllUsers?: boolean;
  /** Show one request only, without the request picker (e.g. on the request's own page). */
  fixedRequestId?: string;
  /** The request filter, when the page keeps it (e.g. in the address). */
  requestId?: string | null;
  onRequestIdChange?: (id: string | null) => void;
  /** Height of the scrolling area. */
  height?: string;
}

const LEVEL_LABELS: Record<LogLevel, string> = { DEBUG: 'Debug', INFO: 'Info', WARN: 'Warn', ERROR: 'Error' };
const ROW_HEIGHT = 28;
const ROW_HEIGHT_MOBILE = 48;
const ALL_REQUESTS = '__all__';

/**
 * The live log: recent history, then new entries as they are written. Filter by level, request
 * and text; follow the newest line or pause to read; copy any line. Only the rows in view are in
 * the page, so 100,000 lines scroll smoothly.
 */
export function LogViewer({
  canViewAllUsers = false,
  fixedRequestId,
  requestId: controlledRequestId,
  onRequestIdChange,
  height = 'min(65vh, 640px)',
}: LogViewerProps) {
  const [level, setLevel] = useState<LogLevel>('INFO');
  const [search, setSearch] = useState('');
  const [allUsers, setAllUsers] = useState(false);
  const [follow, setFollow] = useState(true);
  const [pausedAtId, setPausedAtId] = useState<string | null>(null);
  const [ownRequestId, setOwnRequestId] = useState<string | null>(null);
  const [copiedId, setCopiedId] = useState<string | null>(null);
  const [streamError, setStreamError] = useState<GraphQLRequestError | null>(null);
  const deferredSearch = useDeferredValue(search);
  const mobile = useMediaQuery('(max-width: 48em)') ?? false;

  const requestId = fixedRequestId ?? (onRequestIdChange ? (controlledRequestId ?? null) : ownRequestId);
  const setRequestId = (id: string | null) => (onRequestIdChange ? onRequestIdChange(id) : setOwnRequestId(id));
  const everyone = canViewAllUsers && allUsers && !fixedRequestId;

  const query = useLogStream(
    { requestId, minLevel: level === 'DEBUG' ? 'DEBUG' : 'INFO', allUsers: everyone },
    { onError: setStreamError },
  );
  const entries = useMemo(() => query.data ?? [], [query.data]);

  // While paused, the list stops at the last line seen when pausing; new lines wait below.
  const pausedIndex = pausedAtId === null ? -1 : entries.findLastIndex((e) => e.id === pausedAtId);
  const upTo = pausedAtId !== null && pausedIndex >= 0 ? pausedIndex + 1 : entries.length;
  const waiting = entries.length - upTo;
  const shown = useMemo(
    () => filterEntries(upTo === entries.length ? entries : entries.slice(0, upTo), { level, search: deferredSearch }),
    [entries, upTo, level, deferredSearch],
  );

  const scrollRef = useRef<HTMLDivElement>(null);
  const rowHeight = mobile ? ROW_HEIGHT_MOBILE : ROW_HEIGHT;
  // No React Compiler in this app; the virtualizer re-renders the component itself on scroll.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 20,
    initialRect: { width: 800, height: 600 },
  });

  useEffect(() => {
    virtualizer.measure();
  }, [rowHeight, virtualizer]);

  useEffect(() => {
    if (follow && shown.length > 0) virtualizer.scrollToIndex(shown.length - 1, { align: 'end' });
  }, [follow, shown.length, virtualizer]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < rowHeight * 2;
    // Scrolling up to read stops following; scrolling back to the end resumes it.
    if (follow !== atBottom) setFollow(atBottom);
  };

  const copy = async (entry: LogEntryFieldsFragment) => {
    if (await copyText(formatLine(entry))) {
      setCopiedId(entry.id);
      setTimeout(() => setCopiedId((id) => (id === entry.id ? null : id)), 2000);
    }
  };

  const download = () => {
    const blob = new Blob([shown.map(formatLine).join('\n') + '\n'], { type: 'text/plain' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `stagecoach-${requestId ? `request-${shortId(requestId)}` : 'log'}-${new Date().toISOString().slice(0, 19).replaceAll(':', '')}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const paused = pausedAtId !== null;
  // INFO is what the server sends by default; only stricter levels or a search hide lines.
  const filtered = level === 'WARN' || level === 'ERROR' || deferredSearch.trim() !== '';

  return (
    <Stack gap="sm">
      <Group gap="sm" align="flex-end" wrap="wrap">
        <div>
          <Text size="sm" fw={500} id="log-level-label" mb={4}>
            Minimum level
          </Text>
          <SegmentedControl
            aria-labelledby="log-level-label"
            value={level}
            onChange={(value) => setLevel(value as LogLevel)}
            data={LOG_LEVELS.map((l) => ({ value: l, label: LEVEL_LABELS[l] }))}
            size="sm"
          />
        </div>
        {!fixedRequestId && (
          <RequestPicker value={requestId} onChange={setRequestId} mine={!everyone} />
        )}
        <TextInput
          label="Search"
          placeholder="Text in the message or an id"
          leftSection={<SearchIcon width={16} height={16} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          className={classes.search}
        />
      </Group>

      <Group gap="sm" justify="space-between" wrap="wrap">
        <Group gap="sm" wrap="wrap">
          <Button
            variant={paused ? 'filled' : 'default'}
            size="xs"
            leftSection={paused ? <PlayIcon width={14} height={14} /> : <PauseIcon width={14} height={14} />}
            onClick={() => setPausedAtId(paused ? null : (entries.at(-1)?.id ?? ''))}
            aria-pressed={paused}
          >
            {paused ? `Resume${waiting ? ` (${formatCount(waiting)} new)` : ''}` : 'Pause'}
          </Button>
          <Switch label="Follow newest" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} size="sm" />
          {canViewAllUsers && !fixedRequestId && (
            <Switch label="All users" checked={allUsers} onChange={(e) => setAllUsers(e.currentTarget.checked)} size="sm" />
          )}
        </Group>
        <Group gap="sm" wrap="wrap">
          <Text size="sm" c="dimmed" aria-live="off" className={classes.count}>
            {filtered ? `${formatCount(shown.length)} of ${formatCount(upTo)} lines` : `${formatCount(shown.length)} lines`}
          </Text>
          <Button variant="default" size="xs" leftSection={<DownloadIcon width={14} height={14} />} onClick={download} disabled={shown.length === 0}>
            Download
          </Button>
          <LiveIndicator active={!paused} />
        </Group>
      </Group>

      {streamError && (
        <Alert color="red" role="alert" title="Live updates stopped" withCloseButton onClose={() => setStreamError(null)} closeButtonLabel="Dismiss">
          <Text size="sm">{errorMessage(streamError)}</Text>
        </Alert>
      )}

      {query.isError ? (
        <QueryError title="The log could not be loaded" error={query.error} onRetry={() => void query.refetch()} retrying={query.isRefetching} />
      ) : (
        <div className={classes.frame}>
          <div
            ref={scrollRef}
            onScroll={onScroll}
            className={classes.scroller}
            style={{ height }}
            role="log"
            aria-live="off"
            aria-label="Log entries"
            aria-busy={query.isPending}
            tabIndex={0}
          >
            {query.isPending ? (
              <Stack gap={8} p="sm" aria-hidden="true">
                {[0, 1, 2, 3, 4, 5].map((i) => (
                  <Skeleton key={i} height={12} width={`${50 + ((i * 17) % 45)}%`} />
                ))}
              </Stack>
            ) : shown.length === 0 ? (
              <div className={classes.empty}>
                <Text fw={600}>{entries.length === 0 ? 'No log entries yet' : 'No entry matches the filters'}</Text>
                <Text size="sm" c="dimmed">
                  {entries.length === 0
                    ? 'Entries appear here the moment something happens.'
                    : 'Lower the minimum level or change the search.'}
                </Text>
              </div>
            ) : (
              <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
                {virtualizer.getVirtualItems().map((item) => {
                  const entry = shown[item.index]!;
                  return (
                    <div
                      key={entry.id}
                      className={classes.row}
                      data-level={entry.level}
                      style={{ height: item.size, transform: `translateY(${item.start}px)` }}
                    >
                      <time className={classes.time} dateTime={entry.at} title={entry.at}>
                        {formatLogTime(entry.at)}
                      </time>
                      <span className={classes.level}>{entry.level}</span>
                      {entry.requestId && !fixedRequestId && (
                        <span className={classes.request} title={`Request ${entry.requestId}`}>
                          {shortId(entry.requestId)}
                        </span>
                      )}
                      <span className={classes.message} title={entry.message}>
                        {entry.message}
                      </span>
                      <ActionIcon
                        variant="subtle"
                        color={copiedId === entry.id ? 'teal' : 'gray'}
                        size="sm"
                        className={classes.copy}
                        onClick={() => void copy(entry)}
                        aria-label={`Copy line ${formatLogTime(entry.at)} ${entry.message}`}
                      >
                        {copiedId === entry.id ? <CheckIcon width={14} height={14} /> : <CopyIcon width={14} height={14} />}
                      </ActionIcon>
                    </div>
                  );
                })}
              </div>
            )}
          </div>
          {!follow && shown.length > 0 && (
            <Button
              className={classes.jump}
              size="xs"
              radius="xl"
              leftSection={<ArrowDownIcon width={14} height={14} />}
              onClick={() => setFollow(true)}
            >
              Jump to newest
            </Button>
          )}
        </div>
      )}
      <VisuallyHidden role="status">{copiedId ? 'Line copied to the clipboard' : ''}</VisuallyHidden>
    </Stack>
  );
}

function RequestPicker({ value, onChange, mine }: { value: string | null; onChange: (id: string | null) => void; mine: boolean }) {
  const choices = useLogRequestChoices(mine);
  const data = useMemo(() => {
    const options = (choices.data ?? []).map((r) => ({
      value: r.id,
      label: `${shortId(r.id)} · ${isStagingMethod(r.method) ? METHOD_INFO[r.method].label : r.method} · ${formatCount(r.filesTotal)} files · ${statusLabel(r.status)}${mine ? '' : ` · ${r.owner.email}`}`,
    }));
    if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: `Request ${shortId(value)}` });
    return [{ value: ALL_REQUESTS, label: 'All requests' }, ...options];
  }, [choices.data, value, mine]);
  return (
    <Select
      label="Request"
      data={data}
      value={value ?? ALL_REQUESTS}
      onChange={(next) => onChange(next && next !== ALL_REQUESTS ? next : null)}
      searchable
      allowDeselect={false}
      nothingFoundMessage="No such request"
      className={classes.requestPicker}
      comboboxProps={{ width: 'target', position: 'bottom-start' }}
    />
  );
}
