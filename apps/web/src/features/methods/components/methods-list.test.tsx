import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { messageForCode } from '../../../lib/errors';
import { jsonResponse, renderWithProviders } from '../../../test/render';
import { MethodsList } from './methods-list';

const METHODS = [
  { method: 'LOCAL_COPY', label: 'Local copy', description: 'Copy files into your user area.' },
  { method: 'DIRECT_DOWNLOAD', label: 'Direct download', description: 'Download files over HTTPS.' },
];

function stubFetch(...responses: Array<Response | Promise<Response>>) {
  const fetchMock = vi.fn<typeof fetch>();
  for (const response of responses) fetchMock.mockImplementationOnce(() => Promise.resolve(response));
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

describe('MethodsList', () => {
  it('lists each method with its label, description and code', async () => {
    stubFetch(jsonResponse({ data: { stagingMethods: METHODS } }));
    renderWithProviders(<MethodsList />);

    const items = await screen.findAllByRole('listitem');
    expect(items).toHaveLength(2);
    const first = within(items[0]!);
    expect(first.getByRole('heading', { name: 'Local copy' })).toBeTruthy();
    expect(first.getByText('Copy files into your user area.')).toBeTruthy();
    expect(first.getByText('LOCAL_COPY')).toBeTruthy();
    expect(within(items[1]!).getByRole('heading', { name: 'Direct download' })).toBeTruthy();
  });

  it('asks /graphql for stagingMethods with the CSRF header and same-origin credentials', async () => {
    const fetchMock = stubFetch(jsonResponse({ data: { stagingMethods: METHODS } }));
    renderWithProviders(<MethodsList />);
    await screen.findAllByRole('listitem');

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/graphql');
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('same-origin');
    expect(new Headers(init?.headers).get('x-stagecoach-csrf')).toBe('1');
    expect(JSON.parse(String(init?.body)).query).toContain('stagingMethods');
  });

  it('shows a loading state until the answer arrives', () => {
    stubFetch(new Promise<Response>(() => {}));
    renderWithProviders(<MethodsList />);
    expect(screen.getByRole('status').textContent).toMatch(/loading staging methods/i);
    expect(screen.queryByRole('listitem')).toBeNull();
  });

  it('shows an empty state when no method is enabled', async () => {
    stubFetch(jsonResponse({ data: { stagingMethods: [] } }));
    renderWithProviders(<MethodsList />);
    expect(await screen.findByText('No staging methods are enabled')).toBeTruthy();
    expect(screen.queryByRole('listitem')).toBeNull();
  });

  it('shows the human message for the error code, not the server text, and retries on demand', async () => {
    stubFetch(
      jsonResponse({
        data: null,
        errors: [{ message: 'db exploded at line 42', extensions: { code: 'RATE_LIMITED' } }],
      }),
      jsonResponse({ data: { stagingMethods: METHODS } }),
    );
    renderWithProviders(<MethodsList />);

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(messageForCode('RATE_LIMITED'));
    expect(alert.textContent).not.toContain('db exploded');

    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'Local copy' })).toBeTruthy();
  });
});
