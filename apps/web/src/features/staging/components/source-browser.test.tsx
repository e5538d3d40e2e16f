import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { stubGraphQL } from '../../../test/graphql-stub';
import { renderWithProviders } from '../../../test/render';
import { BROWSE_PAGE_SIZE } from '../api/browse-source';
import { SourceBrowser } from './source-browser';

const file = (i: number) => {
  const name = `f${String(i).padStart(4, '0')}.dat`;
  return { name, path: `big/${name}`, isDirectory: false, sizeBytes: 10, cursor: `c-${i}` };
};

describe('SourceBrowser', () => {
  it('shows a large folder a page at a time and loads the next page on "Load more"', async () => {
    const graphql = stubGraphQL({
      BrowseSource: (v) => {
        // Page 1: a full page; page 2 (after the last cursor): three more, the end of the folder.
        if (v.after == null) return { data: { browse: Array.from({ length: BROWSE_PAGE_SIZE }, (_, i) => file(i)) } };
        expect(v.after).toBe(`c-${BROWSE_PAGE_SIZE - 1}`);
        return { data: { browse: [0, 1, 2].map((i) => file(BROWSE_PAGE_SIZE + i)) } };
      },
    });
    renderWithProviders(<SourceBrowser siteId={null} siteName="Archive" selected={new Set()} onSelect={vi.fn()} onDeselect={vi.fn()} />);
    await screen.findByText('f0000.dat');
    expect(screen.getAllByRole('checkbox', { name: /^Select file/ })).toHaveLength(BROWSE_PAGE_SIZE);
    expect(screen.getByText(`${BROWSE_PAGE_SIZE} entries loaded.`)).toBeTruthy();
    expect(graphql.of('BrowseSource')[0]!.variables).toMatchObject({ first: BROWSE_PAGE_SIZE, after: null });

    await userEvent.setup().click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByText(`f0${BROWSE_PAGE_SIZE + 2}.dat`);
    expect(screen.getAllByRole('checkbox', { name: /^Select file/ })).toHaveLength(BROWSE_PAGE_SIZE + 3);
    // A short page is the last: nothing more to load.
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull());
    expect(graphql.of('BrowseSource')).toHaveLength(2);
  });
});
