import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Paper,
  SegmentedControl,
  Skeleton,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { QueryError } from '../../../components/query-error';
import { errorMessage } from '../../../lib/errors';
import { formatDateTime } from '../../../lib/format';
import { useEmailPreview, useEmailTemplates, useUpdateEmailTemplate, type TemplateDraft } from '../api/email-templates';
import classes from './email-template-editor.module.css';

interface Template {
  key: string;
  description: string;
  subject: string;
  text: string;
  html: string;
  variables: string[];
  customized: boolean;
  updatedAt?: string | null;
}

/** The emails Stagecoach sends: pick one, edit subject, text and HTML, and see it rendered as you type. */
export function EmailTemplateEditor() {
  const templates = useEmailTemplates();
  const [selected, setSelected] = useState<string | null>(null);

  if (templates.isPending) {
    return (
      <Stack gap="sm" aria-busy="true">
        <VisuallyHidden role="status">Loading email templates…</VisuallyHidden>
        <Skeleton height={36} aria-hidden="true" />
        <Skeleton height={300} aria-hidden="true" />
      </Stack>
    );
  }
  if (templates.isError) {
    return <QueryError title="Email templates could not be loaded" error={templates.error} onRetry={() => void templates.refetch()} retrying={templates.isRefetching} />;
  }
  if (templates.data.length === 0) {
    return <Text c="dimmed">This service has no email templates.</Text>;
  }
  const current = templates.data.find((t) => t.key === selected) ?? templates.data[0]!;
  return (
    <Stack gap="md">
      <Tabs value={current.key} onChange={(value) => setSelected(value)} variant="outline">
        <Tabs.List className={classes.tabs}>
          {templates.data.map((t) => (
            <Tabs.Tab key={t.key} value={t.key} rightSection={t.customized ? <Badge size="xs" variant="light">edited</Badge> : undefined}>
              {t.key}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      {/* Keyed by template and version: switching or saving starts from what the server has. */}
      <TemplateForm key={`${current.key}:${current.updatedAt ?? ''}`} template={current} />
    </Stack>
  );
}

function TemplateForm({ template }: { template: Template }) {
  const [draft, setDraft] = useState<TemplateDraft>({
    key: template.key,
    subject: template.subject,
    text: template.text,
    html: template.html,
  });
  const [debounced] = useDebouncedValue(draft, 400);
  const preview = useEmailPreview(debounced);
  const save = useUpdateEmailTemplate();
  const [view, setView] = useState<'html' | 'text'>('html');
  const dirty = draft.subject !== template.subject || draft.text !== template.text || draft.html !== template.html;

  const set = (field: keyof Omit<TemplateDraft, 'key'>) => (value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    if (save.isError || save.isSuccess) save.reset();
  };

  return (
    <div className={classes.layout}>
      <Paper withBorder radius="md" p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="template-edit-heading">
        <Stack gap="sm">
          <div>
            <Title order={2} size="h4" id="template-edit-heading">
              Edit <Code>{template.key}</Code>
            </Title>
            <Text size="sm" c="dimmed">
              {template.description}
            </Text>
            {template.updatedAt && (
              <Text size="xs" c="dimmed">
                {template.customized ? 'Edited' : 'Default, loaded'} {formatDateTime(template.updatedAt)}
              </Text>
            )}
          </div>
          <div>
            <Text size="sm" fw={500} mb={4}>
              Variables
            </Text>
            <Group gap={6}>
              {template.variables.map((v) => (
                <Code key={v}>{`{{${v}}}`}</Code>
              ))}
            </Group>
          </div>
          <TextInput label="Subject" value={draft.subject} onChange={(e) => set('subject')(e.currentTarget.value)} />
          <Textarea
            label="Plain-text body"
            value={draft.text}
            onChange={(e) => set('text')(e.currentTarget.value)}
            autosize
            minRows={6}
            maxRows={16}
            classNames={{ input: classes.code }}
          />
          <Textarea
            label="HTML body"
            value={draft.html}
            onChange={(e) => set('html')(e.currentTarget.value)}
            autosize
            minRows={6}
            maxRows={16}
            classNames={{ input: classes.code }}
          />
          {save.isError && (
            <Alert color="red" role="alert">
              <Text size="sm">
                {errorMessage(save.error, {
                  BAD_USER_INPUT: 'The template uses a variable this email does not provide, or a part is empty. Use only the variables listed above.',
                })}
              </Text>
            </Alert>
          )}
          {save.isSuccess && !dirty && (
            <Text size="sm" c="teal.9" role="status">
              Saved. The next {template.key} email uses it.
            </Text>
          )}
          <Group gap="sm">
            <Button onClick={() => save.mutate(draft)} loading={save.isPending} disabled={!dirty}>
              Save template
            </Button>
            <Button
              variant="default"
              disabled={!dirty}
              onClick={() => setDraft({ key: template.key, subject: template.subject, text: template.text, html: template.html })}
            >
              Discard changes
            </Button>
          </Group>
        </Stack>
      </Paper>

      <Paper withBorder radius="md" p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="template-preview-heading">
        <Stack gap="sm">
          <Group justify="space-between" gap="xs">
            <Title order={2} size="h4" id="template-preview-heading">
              Preview
            </Title>
            <SegmentedControl
              size="xs"
              aria-label="Preview part"
              value={view}
              onChange={(value) => setView(value as 'html' | 'text')}
              data={[
                { value: 'html', label: 'HTML' },
                { value: 'text', label: 'Plain text' },
              ]}
            />
          </Group>
          <Text size="xs" c="dimmed">
            Rendered by the server with sample values; nothing is sent.
          </Text>
          {preview.isError ? (
            <Alert color="yellow" role="alert">
              <Text size="sm">
                {errorMessage(preview.error, { BAD_USER_INPUT: 'This draft cannot be rendered: it uses a variable this email does not provide.' })}
              </Text>
            </Alert>
          ) : preview.data ? (
            <>
              <Text size="sm">
                <Text span fw={600}>
                  Subject:{' '}
                </Text>
                {preview.data.subject}
              </Text>
              {view === 'html' ? (
                // Scripts never run in the preview (no allow-scripts), so it cannot touch the app;
                // same-origin only lets the browser's own tools (and accessibility checkers) read it.
                <iframe title="HTML preview of the email" sandbox="allow-same-origin" srcDoc={preview.data.html} className={classes.frame} />
              ) : (
                <pre className={classes.text}>{preview.data.text}</pre>
              )}
            </>
          ) : (
            <Skeleton height={240} />
          )}
        </Stack>
      </Paper>
    </div>
  );
}
