import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { stubGraphQL } from '../../../test/graphql-stub';
import { renderWithProviders } from '../../../test/render';
import { StageForm } from './stage-form';

const OPTIONS = {
  data: {
    stagingMethods: [
      { method: 'LOCAL_COPY', label: 'Local copy', description: 'Copies the files into your user area.' },
      { method: 'DIRECT_DOWNLOAD', label: 'Direct download', description: 'Gives you an expiring link.' },
      { method: 'DCACHE_STAGE', label: 'Bring online (dCache)', description: 'Brings files online from tape.' },
    ],
    sites: [
      { id: 'archive', name: 'Archive', kind: 'POSIX', isSource: true, isTarget: false, isDefault: true },
      { id: 'users', name: 'User areas', kind: 'POSIX', isSource: false, isTarget: true, isDefault: false },
    ],
  },
};

const FOLDERS: Record<string, unknown[]> = {
  '': [
    { name: 'observations', path: 'observations', isDirectory: true, sizeBytes: null },
    { name: 'docs', path: 'docs', isDirectory: true, sizeBytes: null },
    { name: '.hidden', path: '.hidden', isDirectory: false, sizeBytes: 3 },
  ],
  observations: [
    { name: 'obs-0001.fits', path: 'observations/obs-0001.fits', isDirectory: false, sizeBytes: 20_160 },
    { name: 'obs-0002.fits', path: 'observations/obs-0002.fits', isDirectory: false, sizeBytes: 37_440 },
  ],
};

function setup(stage: (variables: Record<string, unknown>) => unknown = () => ({ data: { stage: { id: 'req-1', status: 'QUEUED', filesTotal: 1 } } })) {
  const graphql = stubGraphQL({
    StageOptions: () => OPTIONS,
    BrowseSource: (v) => ({ data: { browse: FOLDERS[String(v.path ?? '')] ?? [] } }),
    StageFiles: stage,
  });
  const onStaged = vi.fn();
  renderWithProviders(<StageForm username="uma" onStaged={onStaged} />);
  return { graphql, onStaged, user: userEvent.setup() };
}

async function pastePaths(user: ReturnType<typeof userEvent.setup>, text: string) {
  await user.click(screen.getByRole('tab', { name: 'Paste a list' }));
  await user.type(screen.getByRole('textbox', { name: 'Paths to stage' }), text);
  await user.click(screen.getByRole('button', { name: /^Add \d+ paths?$/ }));
}

describe('StageForm', () => {
  it('offers only the enabled methods, with their descriptions, Local copy first', async () => {
    setup();
    const local = await screen.findByRole('radio', { name: 'Local copy' });
    expect(local.getAttribute('aria-checked')).toBe('true');
    expect(screen.getByRole('radio', { name: 'Direct download' })).toBeTruthy();
    expect(screen.queryByRole('radio', { name: /Jupyter/ })).toBeNull();
    expect(document.getElementById(local.getAttribute('aria-describedby')!)?.textContent).toBe('Copies the files into your user area.');
  });

  it('browses folders, selects files and previews where they land', async () => {
    const { user } = setup();
    await user.click(await screen.findByRole('button', { name: /^observations/ }));
    await user.click(await screen.findByRole('checkbox', { name: 'Select file observations/obs-0002.fits' }));
    // Hidden files stay out of the way until asked for.
    await user.click(screen.getByRole('button', { name: 'Archive' }));
    await screen.findByRole('button', { name: /^docs/ });
    expect(screen.queryByText('.hidden')).toBeNull();

    const selection = screen.getByRole('region', { name: /Selected: 1 item/ });
    expect(within(selection).getByText('observations/obs-0002.fits')).toBeTruthy();
    expect(within(selection).getByText('uma/observations/obs-0002.fits')).toBeTruthy();

    await user.type(screen.getByRole('textbox', { name: 'Folder in your user area' }), 'run-7');
    await user.click(screen.getByRole('switch', { name: /^Keep the archive's folders/ }));
    expect(within(selection).getByText('uma/run-7/obs-0002.fits')).toBeTruthy();
  });

  it('filters the current folder by name', async () => {
    const { user } = setup();
    await screen.findByRole('button', { name: /^observations/ });
    await user.type(screen.getByRole('textbox', { name: 'Filter this folder by name' }), 'DOC');
    await waitFor(() => expect(screen.queryByRole('button', { name: /^observations/ })).toBeNull());
    expect(screen.getByRole('button', { name: /^docs/ })).toBeTruthy();
  });

  it('marks a path that leaves the site before sending anything', async () => {
    const { user, graphql, onStaged } = setup();
    await screen.findByRole('radio', { name: 'Local copy' });
    await pastePaths(user, 'docs/README.txt{enter}../etc/passwd');
    const row = screen.getByText('../etc/passwd').closest('li')!;
    expect(row.textContent).toMatch(/leads outside its site/);

    await user.click(screen.getByRole('button', { name: 'Stage 2 items' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Some paths cannot be staged/);
    expect(graphql.of('StageFiles')).toHaveLength(0);
    expect(onStaged).not.toHaveBeenCalled();
  });

  it('shows the server’s per-item SOURCE_NOT_FOUND next to the path and stages nothing', async () => {
    const { user, onStaged } = setup(() => ({
      data: null,
      errors: [
        {
          message: 'Sources not found: no/such.fits. Nothing was queued.',
          extensions: {
            code: 'SOURCE_NOT_FOUND',
            items: [{ index: 1, source: 'no/such.fits', code: 'SOURCE_NOT_FOUND', message: 'server words' }],
          },
        },
      ],
    }));
    await screen.findByRole('radio', { name: 'Local copy' });
    await pastePaths(user, 'docs/README.txt{enter}no/such.fits');
    await user.click(screen.getByRole('button', { name: 'Stage 2 items' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Nothing was staged');
    expect(alert.textContent).toContain('Some source files do not exist.');
    expect(alert.textContent).not.toContain('server words');
    expect(screen.getByText('no/such.fits').closest('li')!.textContent).toContain('Not found on the source site.');
    expect(screen.getByText('docs/README.txt').closest('li')!.textContent).not.toContain('Not found');
    expect(onStaged).not.toHaveBeenCalled();

    // Removing the missing path clears the complaint.
    await user.click(screen.getByRole('button', { name: 'Remove no/such.fits' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('submits method, items with targets, notify and an idempotency key, then reports the new request', async () => {
    const { user, graphql, onStaged } = setup();
    await screen.findByRole('radio', { name: 'Local copy' });
    await pastePaths(user, 'observations{enter}docs/README.txt');
    await user.type(screen.getByRole('textbox', { name: 'Folder in your user area' }), 'run-7/');
    await user.click(screen.getByRole('checkbox', { name: 'Email me when the request has finished' }));
    await user.click(screen.getByRole('button', { name: 'Stage 2 items' }));

    await waitFor(() => expect(onStaged).toHaveBeenCalledWith('req-1'));
    const [call] = graphql.of('StageFiles');
    expect(call!.variables.input).toMatchObject({
      method: 'LOCAL_COPY',
      sourceSiteId: 'archive',
      notify: true,
      items: [
        { source: 'observations', target: 'run-7/observations' },
        { source: 'docs/README.txt', target: 'run-7/docs/README.txt' },
      ],
    });
    expect(String((call!.variables.input as { idempotencyKey: string }).idempotencyKey)).toMatch(/.{8,}/);
  });

  it('sends no target for methods without one (direct download)', async () => {
    const { user, graphql } = setup();
    await user.click(await screen.findByRole('radio', { name: 'Direct download' }));
    expect(screen.queryByRole('textbox', { name: 'Folder in your user area' })).toBeNull();
    await pastePaths(user, 'docs/README.txt');
    await user.click(screen.getByRole('button', { name: 'Stage 1 item' }));
    await waitFor(() => expect(graphql.of('StageFiles')).toHaveLength(1));
    expect(graphql.of('StageFiles')[0]!.variables.input).toMatchObject({ method: 'DIRECT_DOWNLOAD', items: [{ source: 'docs/README.txt' }] });
  });

  it('takes archive URLs as given for dCache staging, routed by the server', async () => {
    const { user, graphql } = setup();
    await user.click(await screen.findByRole('radio', { name: 'Bring online (dCache)' }));
    expect(screen.queryByRole('tab', { name: /Browse/ })).toBeNull();
    const url = 'https://dcache.example.org:2880/pnfs/archive/L123456.tar';
    await user.type(screen.getByRole('textbox', { name: 'Archive URLs to stage' }), url);
    await user.click(screen.getByRole('button', { name: 'Add 1 path' }));
    await user.click(screen.getByRole('button', { name: 'Stage 1 item' }));
    await waitFor(() => expect(graphql.of('StageFiles')).toHaveLength(1));
    expect(graphql.of('StageFiles')[0]!.variables.input).toMatchObject({ method: 'DCACHE_STAGE', sourceSiteId: null, items: [{ source: url }] });
  });
});
