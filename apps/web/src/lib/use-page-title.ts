import { useEffect } from 'react';

export const PRODUCT_NAME = 'Stagecoach';

export function formatPageTitle(page: string): string {
  return `${page} · ${PRODUCT_NAME}`;
}

/** Sets `document.title` to "<page> · Stagecoach" while the calling page is shown. */
export function usePageTitle(page: string): void {
  useEffect(() => {
    document.title = formatPageTitle(page);
  }, [page]);
}
