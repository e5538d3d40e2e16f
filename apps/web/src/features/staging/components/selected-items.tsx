import { ActionIcon, Button, Group, Text, Tooltip } from '@mantine/core';
import { FileIcon, FolderIcon, XIcon } from '../../../components/icons';
import { itemMessageForCode } from '../../../lib/errors';
import { formatBytes, formatCount } from '../../../lib/format';
import type { CheckedItem } from '../lib/stage-items';
import classes from './selected-items.module.css';

interface SelectedItemsProps {
  items: readonly CheckedItem[];
  /** Error code per source as sent, from the last submission or from the path rules. */
  problems: ReadonlyMap<string, string>;
  /** Where a source lands (shown as a preview), or null when the method has no target. */
  targetOf: ((source: string) => string) | null;
  onRemove: (source: string) => void;
  onClear: () => void;
}

/** Long lists stay fast: the first rows plus every row with a problem are shown. */
const MAX_ROWS = 100;

/** The sources chosen so far, each with its landing place and any problem beside it. */
export function SelectedItems({ items, problems, targetOf, onRemove, onClear }: SelectedItemsProps) {
  const knownBytes = items.reduce((sum, item) => sum + (item.isDirectory ? 0 : (item.sizeBytes ?? 0)), 0);
  const shown = items.length <= MAX_ROWS ? items : items.filter((item, i) => i < MAX_ROWS || problems.has(item.sent));
  const hidden = items.length - shown.length;

  return (
    <section aria-labelledby="selected-items-heading" className={classes.root}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <div>
          <Text component="h3" fw={600} size="sm" id="selected-items-heading">
            Selected: {formatCount(items.length)} {items.length === 1 ? 'item' : 'items'}
          </Text>
          {knownBytes > 0 && (
            <Text size="xs" c="dimmed">
              Files listed: {formatBytes(knownBytes)} (folders are sized when staged)
            </Text>
          )}
        </div>
        {items.length > 0 && (
          <Button variant="subtle" size="compact-sm" color="gray" onClick={onClear}>
            Clear all
          </Button>
        )}
      </Group>
      {items.length === 0 ? (
        <Text size="sm" c="dimmed" className={classes.empty}>
          Nothing selected yet. Tick files or folders in the browser, or paste a list of paths.
        </Text>
      ) : (
        <ul className={classes.list}>
          {shown.map((item) => {
            const code = problems.get(item.sent);
            const errorId = `selected-item-error-${encodeURIComponent(item.sent)}`;
            return (
              <li key={item.source} className={classes.item} data-invalid={code ? true : undefined} aria-describedby={code ? errorId : undefined}>
                <Group gap="xs" wrap="nowrap" align="flex-start">
                  {item.isDirectory ? (
                    <FolderIcon width={16} height={16} className={classes.icon} />
                  ) : (
                    <FileIcon width={16} height={16} className={classes.icon} />
                  )}
                  <div className={classes.body}>
                    <Text size="sm" className={classes.path}>
                      {item.source}
                      {item.isDirectory && '/'}
                    </Text>
                    {targetOf && !code && (
                      <Text size="xs" c="dimmed" className={classes.path}>
                        <span aria-hidden="true">→ </span>
                        <span className={classes.visuallyHidden}>lands at </span>
                        {targetOf(item.sent)}
                        {item.isDirectory && '/…'}
                      </Text>
                    )}
                    {code && (
                      <Text size="xs" c="var(--mantine-color-error)" fw={500} id={errorId}>
                        {itemMessageForCode(code)}
                      </Text>
                    )}
                  </div>
                  <Tooltip label="Remove" withArrow>
                    <ActionIcon variant="subtle" color="gray" size="sm" onClick={() => onRemove(item.source)} aria-label={`Remove ${item.source}`}>
                      <XIcon width={14} height={14} />
                    </ActionIcon>
                  </Tooltip>
                </Group>
              </li>
            );
          })}
        </ul>
      )}
      {hidden > 0 && (
        <Text size="xs" c="dimmed">
          …and {formatCount(hidden)} more without problems.
        </Text>
      )}
    </section>
  );
}
