import { ActionIcon, Button, CopyButton, Tooltip, VisuallyHidden } from '@mantine/core';
import { CheckIcon, CopyIcon } from './icons';

interface CopyTextButtonProps {
  value: string;
  /** Accessible name, e.g. "Copy checksum". */
  label: string;
  /** A labelled button instead of an icon. */
  withLabel?: boolean;
  size?: 'xs' | 'sm' | 'md';
}

/** Copies `value` to the clipboard and says so (visibly and to screen readers). */
export function CopyTextButton({ value, label, withLabel = false, size = 'sm' }: CopyTextButtonProps) {
  return (
    <CopyButton value={value} timeout={2000}>
      {({ copied, copy }) => (
        <>
          {withLabel ? (
            <Button
              size={size === 'md' ? 'sm' : 'xs'}
              variant={copied ? 'filled' : 'light'}
              color={copied ? 'teal' : undefined}
              leftSection={copied ? <CheckIcon width={14} height={14} /> : <CopyIcon width={14} height={14} />}
              onClick={copy}
            >
              {copied ? 'Copied' : label}
            </Button>
          ) : (
            <Tooltip label={copied ? 'Copied' : label} withArrow position="left">
              <ActionIcon
                variant="subtle"
                color={copied ? 'teal' : 'gray'}
                size={size}
                onClick={copy}
                aria-label={label}
              >
                {copied ? <CheckIcon width={14} height={14} /> : <CopyIcon width={14} height={14} />}
              </ActionIcon>
            </Tooltip>
          )}
          <VisuallyHidden role="status">{copied ? 'Copied to the clipboard' : ''}</VisuallyHidden>
        </>
      )}
    </CopyButton>
  );
}
