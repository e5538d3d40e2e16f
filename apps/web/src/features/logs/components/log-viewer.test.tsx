import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogEntryFieldsFragment } from '../../../gql/graphql';
import { GraphQLRequestError } from '../../../lib/execute';
import type * as WsClient from '../../../lib/ws-client';
import type { SubscribeHandlers } from '../../../lib/ws-client';
import { stubGraphQL } from '../../../test/graphql-stub';
import { renderWithProviders } from '../../../test/render';
import { LogViewer } from './log-viewer';

// The one graphql-ws client is replaced by a recorder: tests push entries as the server would.
const live = vi.hoisted(() => ({
  subscriptions: [] as Array<{ query: string; variables: Record<string, unknown>; handlers: SubscribeHandlers<unknown>; active: boolean }>,
}));
vi.mock('../../../lib/ws-client', async (importOriginal) => ({
  ...(await importOriginal<typeof WsClient>()),
  subscribe: (document: { toString(): string }, variables: Record<string, unknown>, handlers: SubscribeHandlers<unknown>) => {
    const subscription = { query: document.toString(), variables, handlers, active: true };
    live.subscriptions.push(subscription);
    return () => {
      subscription.active = false;
    };
  },
}));

function activeLogSubscription() {
  const found = live.subscriptions.filter((s) => s.active && s.query.includes('logAppended')).at(-1);
  if (!found) throw new Error('no active logAppended subscription');
  return found;
}

function push(...entries: LogEntryFieldsFragment[]) {
  act(() => {
    for (const entry of entries) activeLogSubscription().handlers.next({ logAppended: entry });
  });
}

let nextId = 1;
function entry(level: LogEntryFieldsFragment['level'], message: string, extra: Partial<LogEntryFieldsFragment> = {}): LogEntryFieldsFragment {
  const id = String(nextId++);
  return { id, at: new Date(Date.UTC(2026, 0, 1, 12, 0, 0, nextId)).toISOString(), level, message, requestId: 'aaaaaaaa-1111-2222-3333-444444444444', fileId: null, userId: 'u1', ...extra };
}

function setup(history: LogEntryFieldsFragment[], props: Parameters<typeof LogViewer>[0] = {}) {
  const graphql = stubGraphQL({
    ListLogs: () => ({ data: { logs: history } }),
    LogRequestChoices: () => ({ data: { stagingRequests: { nodes: [] } } }),
  });
  renderWithProviders(<LogViewer {...props} />);
  return { graphql, user: userEvent.setup() };
}

const logArea = () => screen.getByRole('log', { name: 'Log entries' });

beforeEach(() => {
  live.subscriptions.length = 0;
  nextId = 1;
  // Row positions come from the scroller's size; jsdom has no layout, so give it one.
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(900);
  // A scroller is as tall as its content (the virtualizer's sizer), so it can scroll to the end.
  vi.spyOn(HTMLElement.prototype, 'scrollHeight', 'get').mockImplementation(function (this: HTMLElement) {
    const sizer = this.firstElementChild as HTMLElement | null;
    return Math.max(Number.parseFloat(sizer?.style.height ?? '') || 0, 600);
  });
});

afterEach(() => vi.restoreAllMocks());

describe('LogViewer', () => {
  it('shows the recent history, then new entries as they stream in, each once', async () => {
    const first = entry('INFO', 'request submitted: LOCAL_COPY, 2 file(s)');
    setup([first]);
    expect(await within(logArea()).findByText('request submitted: LOCAL_COPY, 2 file(s)')).toBeTruthy();

    // The same entry can come from both the history and the stream: it is shown once.
    push(first, entry('INFO', 'copied a.fits → run/a.fits'));
    expect(await within(logArea()).findByText('copied a.fits → run/a.fits')).toBeTruthy();
    expect(within(logArea()).getAllByText('request submitted: LOCAL_COPY, 2 file(s)')).toHaveLength(1);
    expect(screen.getByText('2 lines')).toBeTruthy();
  });

  it('keeps entries that arrive before the history has loaded', async () => {
    let release: (value: unknown) => void = () => {};
    stubGraphQL({
      ListLogs: () => new Promise((resolve) => (release = resolve)),
      LogRequestChoices: () => ({ data: { stagingRequests: { nodes: [] } } }),
    });
    renderWithProviders(<LogViewer />);
    await waitFor(() => activeLogSubscription());
    push(entry('INFO', 'streamed early'));
    release({ data: { logs: [entry('INFO', 'from history')] } });
    expect(await within(logArea()).findByText('streamed early')).toBeTruthy();
    expect(within(logArea()).getByText('from history')).toBeTruthy();
  });

  it('filters by minimum level and by text', async () => {
    const { user } = setup([
      entry('INFO', 'request submitted'),
      entry('WARN', 'slow transfer, retrying'),
      entry('ERROR', 'stars.csv: checksum mismatch'),
    ]);
    await within(logArea()).findByText('request submitted');

    await user.click(within(screen.getByRole('radiogroup', { name: 'Minimum level' })).getByText('Error'));
    await waitFor(() => expect(within(logArea()).queryByText('request submitted')).toBeNull());
    expect(within(logArea()).queryByText('slow transfer, retrying')).toBeNull();
    expect(within(logArea()).getByText('stars.csv: checksum mismatch')).toBeTruthy();

    await user.click(within(screen.getByRole('radiogroup', { name: 'Minimum level' })).getByText('Info'));
    await user.type(screen.getByRole('textbox', { name: 'Search' }), 'RETRY');
    await waitFor(() => expect(within(logArea()).queryByText('request submitted')).toBeNull());
    expect(within(logArea()).getByText('slow transfer, retrying')).toBeTruthy();
    expect(screen.getByText('1 of 3 lines')).toBeTruthy();
  });

  it('asks the server for debug entries only when they are wanted', async () => {
    const { user, graphql } = setup([]);
    await waitFor(() => expect(graphql.of('ListLogs')).toHaveLength(1));
    expect(graphql.of('ListLogs')[0]!.variables).toMatchObject({ minLevel: 'INFO', requestId: null, allUsers: false });
    await user.click(within(screen.getByRole('radiogroup', { name: 'Minimum level' })).getByText('Debug'));
    await waitFor(() => expect(graphql.of('ListLogs')).toHaveLength(2));
    expect(graphql.of('ListLogs')[1]!.variables).toMatchObject({ minLevel: 'DEBUG' });
    expect(activeLogSubscription().variables).toMatchObject({ minLevel: 'DEBUG' });
  });

  it('holds new lines while paused and shows them on resume', async () => {
    const { user } = setup([entry('INFO', 'before pause')]);
    await within(logArea()).findByText('before pause');
    await user.click(screen.getByRole('button', { name: 'Pause' }));
    push(entry('INFO', 'while paused 1'), entry('INFO', 'while paused 2'));
    expect(await screen.findByRole('button', { name: 'Resume (2 new)' })).toBeTruthy();
    expect(within(logArea()).queryByText('while paused 1')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Resume (2 new)' }));
    expect(await within(logArea()).findByText('while paused 2')).toBeTruthy();
  });

  it('copies one line as text', async () => {
    Object.defineProperty(window, 'isSecureContext', { value: true, configurable: true });
    const failed = entry('ERROR', 'request failed: 0 done, 0 skipped, 1 failed');
    const { user } = setup([failed]);
    await within(logArea()).findByText(failed.message);
    await user.click(screen.getByRole('button', { name: /^Copy line .* request failed/ }));
    expect(await navigator.clipboard.readText()).toBe(`${failed.at} ERROR request=${failed.requestId} ${failed.message}`);
    expect(await screen.findByText('Line copied to the clipboard')).toBeTruthy();
  });

  it('renders only the rows in view of 100,000 lines, following the newest', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) => entry(i % 10 === 0 ? 'WARN' : 'INFO', `line ${i}`));
    setup(many);
    expect(await screen.findByText('100,000 lines')).toBeTruthy();
    await waitFor(() => expect(within(logArea()).getByText('line 99999')).toBeTruthy());
    const rows = logArea().querySelectorAll('[data-level]');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(150);
    expect(within(logArea()).queryByText('line 0')).toBeNull();
  });

  it('lets administrators switch to everyone’s entries, and only them', async () => {
    const { user, graphql } = setup([], { canViewAllUsers: true });
    await user.click(await screen.findByRole('switch', { name: 'All users' }));
    await waitFor(() => expect(graphql.of('ListLogs').at(-1)!.variables).toMatchObject({ allUsers: true }));
    expect(activeLogSubscription().variables).toMatchObject({ allUsers: true });
  });

  it('has no all-users switch for other users', async () => {
    setup([]);
    await screen.findByText('No log entries yet');
    expect(screen.queryByRole('switch', { name: 'All users' })).toBeNull();
  });

  it('says why live updates stopped, in words from the error code', async () => {
    setup([]);
    await screen.findByText('No log entries yet');
    act(() => activeLogSubscription().handlers.error?.(new GraphQLRequestError({ code: 'FORBIDDEN', message: 'raw server words' })));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Live updates stopped');
    expect(alert.textContent).toContain('You do not have permission to do this.');
    expect(alert.textContent).not.toContain('raw server words');
  });
});
