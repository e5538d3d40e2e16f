import {
  Alert,
  Button,
  Checkbox,
  Code,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { normalizeRelativePath } from '@stagecoach/domain';
import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { CopyTextButton } from '../../../components/copy-text-button';
import { stagePathWithSources } from '../../../config/paths';
import { errorCodeOf, errorMessage, messageForCode } from '../../../lib/errors';
import { formatBytes } from '../../../lib/format';
import { useCreateFile } from '../api/create-file';

const UNITS = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;
type Unit = keyof typeof UNITS;
/** The server's limit for generated files. */
const MAX_BYTES = 10 * 1024 ** 3;
const SANDBOX = 'sandbox';

interface CreatedFile {
  path: string;
  sizeBytes: number;
  checksum: string;
}

/**
 * The file-creation tool (the SKAO seed's page, made safe): writes only inside the sandbox folder
 * of the source site, never overwrites, and shows the SHA-256 of what it wrote, ready to stage.
 */
export function CreateFileForm() {
  const create = useCreateFile();
  const [name, setName] = useState('');
  const [mode, setMode] = useState<'random' | 'text'>('random');
  const [size, setSize] = useState<number | string>(1);
  const [unit, setUnit] = useState<Unit>('MiB');
  const [content, setContent] = useState('');
  const [attempted, setAttempted] = useState(false);
  const [created, setCreated] = useState<CreatedFile[]>([]);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const nameRef = useRef<HTMLInputElement>(null);

  const path = normalizeRelativePath(name.trim());
  const sizeBytes = typeof size === 'number' ? Math.round(size * UNITS[unit]) : Number.NaN;
  const nameError = !attempted && name === '' ? undefined : path.ok ? undefined : name.trim() === '' ? 'Give the file a name.' : pathError(path.rule, path.reason);
  const serverNameError = create.isError && ['PATH_OUTSIDE_ROOT', 'TARGET_EXISTS'].includes(errorCodeOf(create.error) ?? '')
    ? errorMessage(create.error, { TARGET_EXISTS: 'A file with this name already exists in the sandbox; choose another name.' })
    : undefined;
  const sizeError =
    mode === 'random' && attempted && !(Number.isFinite(sizeBytes) && sizeBytes >= 0 && sizeBytes <= MAX_BYTES)
      ? `Choose a size between 0 bytes and ${formatBytes(MAX_BYTES)}.`
      : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    if (!path.ok || (mode === 'random' && !(Number.isFinite(sizeBytes) && sizeBytes >= 0 && sizeBytes <= MAX_BYTES))) {
      nameRef.current?.focus();
      return;
    }
    create.mutate(mode === 'random' ? { path: path.path, sizeBytes } : { path: path.path, content }, {
      onSuccess: (file) => {
        setCreated((list) => [file, ...list]);
        setChosen((set) => new Set([...set, file.path]));
        setName('');
        setAttempted(false);
      },
    });
  };

  const latest = created[0];
  const stageable = created.filter((f) => chosen.has(f.path)).map((f) => f.path);

  return (
    <Stack gap="lg">
      <Paper withBorder radius="md" p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="create-file-heading">
        <Title order={2} size="h4" id="create-file-heading" mb="xs">
          New test file
        </Title>
        <Text size="sm" c="dimmed" mb="md">
          Files are written to the <Code>{SANDBOX}/</Code> folder of the source site and can then be staged like any archive file.
          Existing files are never overwritten.
        </Text>
        <form onSubmit={submit} noValidate aria-label="Create a test file">
          <Stack gap="md" maw={640}>
            <TextInput
              ref={nameRef}
              label="File name"
              description="A path inside the sandbox; folders are created as needed."
              placeholder="tests/sample.bin"
              leftSection={<Text size="sm" c="dimmed" pl={6}>{SANDBOX}/</Text>}
              leftSectionWidth={76}
              value={name}
              onChange={(e) => {
                setName(e.currentTarget.value);
                if (create.isError) create.reset();
              }}
              error={nameError ?? serverNameError}
              withAsterisk
              autoComplete="off"
              spellCheck={false}
            />
            <div>
              <Text size="sm" fw={500} id="content-kind-label" mb={4}>
                Content
              </Text>
              <SegmentedControl
                aria-labelledby="content-kind-label"
                value={mode}
                onChange={(value) => setMode(value as 'random' | 'text')}
                data={[
                  { value: 'random', label: 'Random bytes of a size' },
                  { value: 'text', label: 'Text I type' },
                ]}
              />
            </div>
            {mode === 'random' ? (
              <Group gap="xs" align="flex-start" wrap="nowrap">
                <NumberInput
                  label="Size"
                  value={size}
                  onChange={setSize}
                  min={0}
                  max={unit === 'GiB' ? 10 : undefined}
                  decimalScale={unit === 'B' ? 0 : 3}
                  thousandSeparator=","
                  error={sizeError}
                  w={180}
                />
                <Select
                  label="Unit"
                  data={Object.keys(UNITS)}
                  value={unit}
                  onChange={(value) => value && setUnit(value as Unit)}
                  allowDeselect={false}
                  w={100}
                />
              </Group>
            ) : (
              <Textarea
                label="Text content"
                description="Saved as UTF-8."
                autosize
                minRows={4}
                maxRows={14}
                value={content}
                onChange={(e) => setContent(e.currentTarget.value)}
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              />
            )}
            {create.isError && !serverNameError && (
              <Alert color="red" role="alert" title="The file was not created">
                <Text size="sm">
                  {errorMessage(create.error, {
                    FORBIDDEN: 'Only administrators may create files here (unless the service allows it for everyone).',
                    BAD_USER_INPUT: 'The size or content is not accepted: sizes go up to 10 GiB, text up to 10 MiB.',
                  })}
                </Text>
              </Alert>
            )}
            <Group>
              <Button type="submit" loading={create.isPending}>
                Create file
              </Button>
              {create.isPending && mode === 'random' && sizeBytes > 256 * 1024 ** 2 && (
                <Text size="sm" c="dimmed">
                  Writing {formatBytes(sizeBytes)} and computing its checksum…
                </Text>
              )}
            </Group>
          </Stack>
        </form>
      </Paper>

      {latest && (
        <Alert color="teal" title="File created" role="status">
          <Stack gap={6}>
            <Text size="sm">
              <Code>{latest.path}</Code> · {formatBytes(latest.sizeBytes)}
            </Text>
            <Group gap={6} wrap="nowrap">
              <Text size="sm">
                SHA-256 <Code style={{ wordBreak: 'break-all' }}>{latest.checksum}</Code>
              </Text>
              <CopyTextButton value={latest.checksum} label="Copy checksum" />
            </Group>
            <Group mt={4}>
              <Button component={Link} to={stagePathWithSources([latest.path])} size="sm">
                Stage this file
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}

      {created.length > 1 && (
        <Paper withBorder radius="md" p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="created-heading">
          <Group justify="space-between" mb="sm">
            <Title order={2} size="h4" id="created-heading">
              Created in this session
            </Title>
            <Button component={Link} to={stagePathWithSources(stageable)} size="xs" variant="light" disabled={stageable.length === 0}>
              Stage {stageable.length} selected
            </Button>
          </Group>
          <Table.ScrollContainer minWidth={480}>
            <Table verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={40}>
                    <VisuallyHidden>Select</VisuallyHidden>
                  </Table.Th>
                  <Table.Th>Path</Table.Th>
                  <Table.Th>Size</Table.Th>
                  <Table.Th>SHA-256</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {created.map((file) => (
                  <Table.Tr key={file.path}>
                    <Table.Td>
                      <Checkbox
                        aria-label={`Select ${file.path}`}
                        checked={chosen.has(file.path)}
                        onChange={(e) => {
                          const checked = e.currentTarget.checked;
                          setChosen((set) => {
                            const next = new Set(set);
                            if (checked) next.add(file.path);
                            else next.delete(file.path);
                            return next;
                          });
                        }}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Code>{file.path}</Code>
                    </Table.Td>
                    <Table.Td>{formatBytes(file.sizeBytes)}</Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Code title={file.checksum}>{file.checksum.slice(0, 16)}…</Code>
                        <CopyTextButton value={file.checksum} label={`Copy checksum of ${file.path}`} size="xs" />
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </Stack>
  );
}

function pathError(rule: string, reason: string): string {
  return rule === 'ABSOLUTE' || rule === 'ESCAPES_ROOT' ? messageForCode('PATH_OUTSIDE_ROOT') : `Not a valid name: ${reason}.`;
}
