import {
  Alert,
  Button,
  Checkbox,
  Grid,
  Group,
  Paper,
  Select,
  Skeleton,
  Stack,
  Switch,
  Tabs,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMemo, useRef, useState, type FormEvent } from 'react';
import { QueryError } from '../../../components/query-error';
import type { StagingMethod } from '../../../gql/graphql';
import { errorMessage, itemProblemsOf, messageForCode } from '../../../lib/errors';
import { formatCount } from '../../../lib/format';
import { useStageOptions } from '../api/get-stage-options';
import { useStageFiles } from '../api/stage-files';
import {
  checkItem,
  destinationOf,
  mergeItems,
  methodHasTarget,
  parseTargetFolder,
  problemsBySource,
  sourceKindOf,
  targetFor,
  type SelectedItem,
} from '../lib/stage-items';
import { MethodPicker } from './method-picker';
import { PastePaths } from './paste-paths';
import { SelectedItems } from './selected-items';
import { SourceBrowser, type BrowseEntry } from './source-browser';

interface StageFormProps {
  /** The signed-in user's area name, for the landing-place preview. */
  username?: string;
  /** Sources to start with (e.g. a file just made with the file tool). */
  initialSources?: readonly string[];
  /** Called with the new request's id once it has been queued. */
  onStaged: (requestId: string) => void;
}

function newIdempotencyKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * The staging form: pick a method, choose sources (browse or paste), see where each lands, and
 * submit. Nothing is queued when any item is invalid; the server's per-item problems appear next
 * to the paths they are about.
 */
export function StageForm({ username, initialSources = [], onStaged }: StageFormProps) {
  const options = useStageOptions();
  const stage = useStageFiles();

  const [method, setMethod] = useState<string | null>(null);
  const [sourceSiteId, setSourceSiteId] = useState<string | null>(null);
  const [items, setItems] = useState<SelectedItem[]>(() => initialSources.map((source) => ({ source })));
  const [targetFolder, setTargetFolder] = useState('');
  const [keepFolders, setKeepFolders] = useState(true);
  const [notify, setNotify] = useState(false);
  const [attempted, setAttempted] = useState(false);
  // The server's problems with the last submission, by the source as sent.
  const [serverProblems, setServerProblems] = useState<ReadonlyMap<string, string>>(new Map());
  // Same key for re-submissions of the same form: a lost response never creates a second request.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const summaryRef = useRef<HTMLDivElement>(null);

  const methods = options.data?.stagingMethods ?? [];
  const sourceSites = (options.data?.sites ?? []).filter((site) => site.isSource);
  const defaultSite = sourceSites.find((site) => site.isDefault) ?? sourceSites[0];
  const site = sourceSites.find((s) => s.id === sourceSiteId) ?? defaultSite;
  const effectiveMethod = method ?? methods.find((m) => m.method === 'LOCAL_COPY')?.method ?? methods[0]?.method ?? null;
  const hasTarget = methodHasTarget(effectiveMethod);
  const folder = parseTargetFolder(targetFolder);

  const sourceKind = sourceKindOf(effectiveMethod);
  const destination = destinationOf(effectiveMethod);
  // Checked for the chosen method; two spellings of one path are sent once.
  const checked = useMemo(() => {
    const seen = new Set<string>();
    return items.map((item) => checkItem(item, sourceKind)).filter((item) => !seen.has(item.sent) && Boolean(seen.add(item.sent)));
  }, [items, sourceKind]);

  const problems = useMemo(() => {
    const map = new Map<string, string>();
    for (const item of checked) {
      const code = item.localError?.code ?? serverProblems.get(item.sent);
      if (code) map.set(item.sent, code);
    }
    return map;
  }, [checked, serverProblems]);

  const selected = useMemo(() => new Set(items.map((item) => item.source)), [items]);
  const areaPrefix = username && destination.inUserArea ? `${username}/` : '';
  const targetOf =
    hasTarget && folder.ok
      ? (source: string) => `${areaPrefix}${targetFor(source, folder.path, keepFolders) ?? source}`
      : null;

  const addEntries = (entries: readonly BrowseEntry[]) =>
    setItems((current) =>
      mergeItems(
        current,
        entries.map((e) => ({ source: e.path, isDirectory: e.isDirectory, sizeBytes: e.sizeBytes })),
      ),
    );
  const removeSources = (sources: readonly string[]) => {
    const gone = new Set(sources);
    setItems((current) => current.filter((item) => !gone.has(item.source)));
  };

  const methodError = attempted && !effectiveMethod ? 'Choose how the files should be made available.' : undefined;
  const itemsError = attempted && checked.length === 0 ? 'Select at least one file or folder.' : undefined;
  const localProblemCount = checked.filter((item) => item.localError).length;
  const folderError = hasTarget && !folder.ok ? (folder.outside ? messageForCode('PATH_OUTSIDE_ROOT') : `Not a valid folder: ${folder.reason}.`) : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    if (!effectiveMethod || checked.length === 0 || localProblemCount > 0 || folderError) {
      // The last server answer is about an earlier submission; what is wrong now is shown instead.
      stage.reset();
      setServerProblems(new Map());
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    const sources = checked.map((item) => item.sent);
    stage.mutate(
      {
        method: effectiveMethod as StagingMethod,
        // URL-sourced methods route each source to its site by pattern.
        sourceSiteId: sourceKind === 'path' ? (site?.id ?? null) : null,
        notify,
        idempotencyKey,
        items: sources.map((source) => {
          const target = hasTarget && folder.ok ? targetFor(source, folder.path, keepFolders) : undefined;
          return target === undefined ? { source } : { source, target };
        }),
      },
      {
        onSuccess: (request) => onStaged(request.id),
        onError: (error) => {
          setServerProblems(problemsBySource(sources, itemProblemsOf(error)));
          requestAnimationFrame(() => summaryRef.current?.focus());
        },
      },
    );
  };

  if (options.isPending) return <StageFormSkeleton />;
  if (options.isError) {
    return (
      <QueryError
        title="The staging form could not be loaded"
        error={options.error}
        onRetry={() => void options.refetch()}
        retrying={options.isRefetching}
      />
    );
  }
  if (methods.length === 0) {
    return (
      <Alert color="yellow" title="No staging method is enabled">
        This service does not offer any staging method at the moment. Please contact its administrators.
      </Alert>
    );
  }

  const serverProblemCount = [...problems.keys()].filter((source) => serverProblems.has(source)).length;
  const summary = summaryFor({
    attempted,
    methodError,
    itemsError,
    localProblemCount,
    folderError,
    stageError: stage.isError ? stage.error : null,
    serverProblemCount,
  });

  return (
    <form onSubmit={submit} noValidate aria-label="New staging request">
      <Stack gap="lg">
        <Paper withBorder p={{ base: 'sm', sm: 'lg' }} radius="md" component="section" aria-labelledby="stage-method-heading">
          <Title order={2} size="h4" id="stage-method-heading" mb="sm">
            1. Method
          </Title>
          <MethodPicker methods={methods} value={effectiveMethod} onChange={setMethod} error={methodError} />
        </Paper>

        <Paper withBorder p={{ base: 'sm', sm: 'lg' }} radius="md" component="section" aria-labelledby="stage-files-heading">
          <Group justify="space-between" mb="sm" gap="xs">
            <Title order={2} size="h4" id="stage-files-heading">
              2. Files
            </Title>
            {sourceSites.length > 1 && (
              <Select
                label="Source site"
                size="xs"
                data={sourceSites.map((s) => ({ value: s.id, label: s.name }))}
                value={site?.id ?? null}
                onChange={(value) => setSourceSiteId(value)}
                allowDeselect={false}
                w={200}
              />
            )}
          </Group>
          <Grid gap="lg">
            <Grid.Col span={{ base: 12, lg: 7 }}>
              {sourceKind === 'url' ? (
                // Archive URLs and Rucio DIDs are not browsable here: the server routes each to its site.
                <PastePaths
                  onAdd={(added) => setItems((current) => mergeItems(current, added))}
                  label={effectiveMethod === 'RUCIO_COPY' ? 'Data identifiers to replicate' : 'Archive URLs to stage'}
                  description={
                    effectiveMethod === 'RUCIO_COPY'
                      ? 'One Rucio DID per line, as scope:name. Lines starting with # are ignored.'
                      : 'One archive URL per line, e.g. a dCache WebDAV or SRM URL. Each goes to the site whose pattern it matches. Lines starting with # are ignored.'
                  }
                  placeholder={effectiveMethod === 'RUCIO_COPY' ? 'lofar:L123456_SAP000_B000' : 'https://dcache.example.org:2880/pnfs/archive/L123456.tar'}
                />
              ) : (
                <Tabs defaultValue="browse" keepMounted={false}>
                  <Tabs.List mb="sm">
                    <Tabs.Tab value="browse">Browse {site?.name ?? 'the archive'}</Tabs.Tab>
                    <Tabs.Tab value="paste">Paste a list</Tabs.Tab>
                  </Tabs.List>
                  <Tabs.Panel value="browse">
                    <SourceBrowser
                      siteId={site?.id ?? null}
                      siteName={site?.name ?? 'Archive'}
                      selected={selected}
                      onSelect={addEntries}
                      onDeselect={removeSources}
                    />
                  </Tabs.Panel>
                  <Tabs.Panel value="paste">
                    <PastePaths onAdd={(added) => setItems((current) => mergeItems(current, added))} />
                  </Tabs.Panel>
                </Tabs>
              )}
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 5 }}>
              <SelectedItems
                items={checked}
                problems={problems}
                targetOf={targetOf}
                onRemove={(source) => removeSources([source])}
                onClear={() => setItems([])}
              />
              {itemsError && (
                <Text size="sm" c="var(--mantine-color-error)" mt="xs">
                  {itemsError}
                </Text>
              )}
            </Grid.Col>
          </Grid>
        </Paper>

        {hasTarget && (
          <Paper withBorder p={{ base: 'sm', sm: 'lg' }} radius="md" component="section" aria-labelledby="stage-target-heading">
            <Title order={2} size="h4" id="stage-target-heading" mb="sm">
              3. Destination
            </Title>
            <Stack gap="sm">
              <TextInput
                label={destination.label}
                description={
                  areaPrefix
                    ? `Leave empty to use the top of your area (${areaPrefix}). Folders are created as needed.`
                    : 'Leave empty to use the top level. Folders are created as needed.'
                }
                placeholder="e.g. projects/run-42"
                value={targetFolder}
                onChange={(e) => setTargetFolder(e.currentTarget.value)}
                error={folderError}
                leftSection={areaPrefix ? <Text size="sm" c="dimmed" pl={4}>{areaPrefix}</Text> : undefined}
                leftSectionWidth={areaPrefix ? Math.min(12 + areaPrefix.length * 8, 140) : undefined}
                maw={520}
              />
              <Switch
                label="Keep the archive's folders"
                description={
                  keepFolders
                    ? 'observations/2024-03/obs-0001.fits lands at <folder>/observations/2024-03/obs-0001.fits'
                    : 'observations/2024-03/obs-0001.fits lands at <folder>/obs-0001.fits'
                }
                checked={keepFolders}
                onChange={(e) => setKeepFolders(e.currentTarget.checked)}
              />
              <Text size="sm" c="dimmed">
                The preview next to each selected path shows exactly where it will land. Existing identical files are skipped;
                different ones are never overwritten.
              </Text>
            </Stack>
          </Paper>
        )}

        <Paper withBorder p={{ base: 'sm', sm: 'lg' }} radius="md" component="section" aria-labelledby="stage-options-heading">
          <Title order={2} size="h4" id="stage-options-heading" mb="sm">
            {hasTarget ? '4.' : '3.'} Notification
          </Title>
          <Checkbox
            label="Email me when the request has finished"
            checked={notify}
            onChange={(e) => setNotify(e.currentTarget.checked)}
          />
        </Paper>

        <div ref={summaryRef} tabIndex={-1} style={{ outline: 'none' }}>
          {summary && (
            <Alert color="red" title={summary.title} role="alert">
              <Text size="sm">{summary.message}</Text>
            </Alert>
          )}
        </div>

        <Group justify="flex-end" gap="sm">
          <Button type="submit" size="md" loading={stage.isPending}>
            {checked.length > 0 ? `Stage ${formatCount(checked.length)} ${checked.length === 1 ? 'item' : 'items'}` : 'Stage files'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function summaryFor(state: {
  attempted: boolean;
  methodError?: string;
  itemsError?: string;
  localProblemCount: number;
  folderError?: string;
  stageError: unknown;
  serverProblemCount: number;
}): { title: string; message: string } | null {
  const count = state.serverProblemCount;
  // Once every path the server complained about has been removed, its answer no longer applies.
  if (state.stageError && !(count === 0 && itemProblemsOf(state.stageError).length > 0)) {
    return {
      title: 'Nothing was staged',
      message:
        count > 0
          ? `${errorMessage(state.stageError)} Fix or remove the ${count === 1 ? 'marked path' : `${formatCount(count)} marked paths`} and try again.`
          : errorMessage(state.stageError),
    };
  }
  if (!state.attempted) return null;
  if (state.localProblemCount > 0) {
    return {
      title: 'Some paths cannot be staged',
      message: `Fix or remove the ${state.localProblemCount === 1 ? 'marked path' : `${formatCount(state.localProblemCount)} marked paths`} first.`,
    };
  }
  const first = state.methodError ?? state.itemsError ?? state.folderError;
  return first ? { title: 'Please check the form', message: first } : null;
}

function StageFormSkeleton() {
  return (
    <Stack gap="lg" aria-busy="true">
      <VisuallyHidden role="status">Loading the staging form…</VisuallyHidden>
      {[0, 1, 2].map((i) => (
        <Paper key={i} withBorder p="lg" radius="md" aria-hidden="true">
          <Skeleton height={20} width={140} mb="md" />
          <Skeleton height={12} mb={8} />
          <Skeleton height={12} width="70%" />
        </Paper>
      ))}
    </Stack>
  );
}
