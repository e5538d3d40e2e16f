import {
  Anchor,
  Breadcrumbs,
  Button,
  Checkbox,
  EmptyState,
  Group,
  Skeleton,
  Switch,
  Table,
  Text,
  TextInput,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useDeferredValue, useId, useMemo, useState } from 'react';
import { FileIcon, FolderIcon, SearchIcon } from '../../../components/icons';
import { QueryError } from '../../../components/query-error';
import { formatBytes, formatCount } from '../../../lib/format';
import { useBrowseSource } from '../api/browse-source';
import classes from './source-browser.module.css';

export interface BrowseEntry {
  name: string;
  path: string;
  isDirectory: boolean;
  sizeBytes?: number | null;
}

interface SourceBrowserProps {
  siteId: string | null;
  siteName: string;
  selected: ReadonlySet<string>;
  onSelect: (entries: readonly BrowseEntry[]) => void;
  onDeselect: (paths: readonly string[]) => void;
}

/**
 * Lists a source site folder by folder (folders first, with sizes), a page at a time: "Load more"
 * fetches the next page of a large folder. Folders open on click and can be selected whole; the
 * filter narrows the entries loaded so far as you type.
 */
export function SourceBrowser({ siteId, siteName, selected, onSelect, onDeselect }: SourceBrowserProps) {
  const [path, setPath] = useState('');
  const [filter, setFilter] = useState('');
  const [showHidden, setShowHidden] = useState(false);
  const deferredFilter = useDeferredValue(filter.trim().toLowerCase());
  const { data, error, isPending, isError, isPlaceholderData, refetch, isRefetching, hasNextPage, fetchNextPage, isFetchingNextPage, isFetchNextPageError } =
    useBrowseSource(siteId, path);
  const tableId = useId();

  const entries = useMemo(
    () =>
      (data ?? []).filter(
        (entry) =>
          (showHidden || !entry.name.startsWith('.')) &&
          (deferredFilter === '' || entry.name.toLowerCase().includes(deferredFilter)),
      ),
    [data, showHidden, deferredFilter],
  );
  const shown = entries;
  const loaded = data?.length ?? 0;
  const selectedShown = shown.filter((entry) => selected.has(entry.path));
  const allShownSelected = shown.length > 0 && selectedShown.length === shown.length;

  const open = (next: string) => {
    setPath(next);
    setFilter('');
  };

  const segments = path === '' ? [] : path.split('/');
  return (
    <div className={classes.root}>
      <Group justify="space-between" gap="xs" wrap="wrap" className={classes.toolbar}>
        <nav aria-label="Folder">
          <Breadcrumbs separator="/" separatorMargin={4} className={classes.breadcrumbs}>
            <Anchor component="button" type="button" size="sm" onClick={() => open('')} aria-current={path === '' ? 'location' : undefined}>
              {siteName}
            </Anchor>
            {segments.map((segment, i) => {
              const to = segments.slice(0, i + 1).join('/');
              const current = i === segments.length - 1;
              return (
                <Anchor key={to} component="button" type="button" size="sm" onClick={() => open(to)} aria-current={current ? 'location' : undefined}>
                  {segment}
                </Anchor>
              );
            })}
          </Breadcrumbs>
        </nav>
        <Switch size="xs" label="Show hidden files" checked={showHidden} onChange={(e) => setShowHidden(e.currentTarget.checked)} />
      </Group>
      <TextInput
        className={classes.filter}
        leftSection={<SearchIcon width={16} height={16} />}
        placeholder="Filter this folder by name"
        aria-label="Filter this folder by name"
        aria-controls={tableId}
        value={filter}
        onChange={(e) => setFilter(e.currentTarget.value)}
        size="sm"
      />
      {isError ? (
        <QueryError title="This folder could not be listed" error={error} onRetry={() => void refetch()} retrying={isRefetching} />
      ) : isPending ? (
        <BrowserSkeleton />
      ) : entries.length === 0 ? (
        <EmptyState
          size="sm"
          icon={<FolderIcon />}
          title={deferredFilter ? 'Nothing matches the filter' : 'This folder is empty'}
          description={deferredFilter ? `No name in this folder contains “${filter.trim()}”.` : 'Pick another folder above.'}
          py="lg"
        />
      ) : (
        <Table.ScrollContainer minWidth={300} maxHeight={420} className={classes.scroll}>
          <Table id={tableId} highlightOnHover stickyHeader verticalSpacing={6} aria-busy={isPlaceholderData} aria-label={`Contents of ${path || siteName}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={40}>
                  <Checkbox
                    aria-label={allShownSelected ? 'Deselect all shown entries' : 'Select all shown entries'}
                    checked={allShownSelected}
                    indeterminate={selectedShown.length > 0 && !allShownSelected}
                    onChange={() =>
                      allShownSelected ? onDeselect(shown.map((e) => e.path)) : onSelect(shown.filter((e) => !selected.has(e.path)))
                    }
                  />
                </Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th ta="right" w={110}>
                  Size
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((entry) => {
                const isSelected = selected.has(entry.path);
                return (
                  <Table.Tr key={entry.path} bg={isSelected ? 'var(--mantine-primary-color-light)' : undefined}>
                    <Table.Td>
                      <Checkbox
                        aria-label={`Select ${entry.isDirectory ? 'folder' : 'file'} ${entry.path}`}
                        checked={isSelected}
                        onChange={(e) => (e.currentTarget.checked ? onSelect([entry]) : onDeselect([entry.path]))}
                      />
                    </Table.Td>
                    <Table.Td className={classes.nameCell}>
                      {entry.isDirectory ? (
                        <UnstyledButton className={classes.folderButton} onClick={() => open(entry.path)}>
                          <FolderIcon width={16} height={16} className={classes.folderIcon} />
                          <span className={classes.name}>{entry.name}</span>
                          <VisuallyHidden>(open folder)</VisuallyHidden>
                        </UnstyledButton>
                      ) : (
                        <span className={classes.fileName}>
                          <FileIcon width={16} height={16} className={classes.fileIcon} />
                          <span className={classes.name}>{entry.name}</span>
                        </span>
                      )}
                    </Table.Td>
                    <Table.Td ta="right" className={classes.size}>
                      {entry.isDirectory ? <Text span size="xs" c="dimmed">folder</Text> : formatBytes(entry.sizeBytes)}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {!isError && !isPending && hasNextPage && !isPlaceholderData && (
        <Group gap="sm" mt={4}>
          <Button variant="light" size="xs" loading={isFetchingNextPage} onClick={() => void fetchNextPage()}>
            Load more
          </Button>
          <Text size="xs" c="dimmed" role="status">
            {isFetchNextPageError
              ? 'The next entries could not be loaded; try again.'
              : `${formatCount(loaded)} entries loaded${deferredFilter ? '; the filter looks at these only' : ''}.`}
          </Text>
        </Group>
      )}
    </div>
  );
}

function BrowserSkeleton() {
  return (
    <div aria-busy="true">
      <VisuallyHidden role="status">Loading folder…</VisuallyHidden>
      {[0, 1, 2, 3, 4].map((i) => (
        <Group key={i} gap="sm" py={8} aria-hidden="true">
          <Skeleton height={18} width={18} radius="sm" />
          <Skeleton height={12} width={`${40 + ((i * 13) % 40)}%`} />
        </Group>
      ))}
    </div>
  );
}
