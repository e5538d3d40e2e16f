import { AppError } from '../../lib/errors';

export interface ItemProblem {
  index: number;
  source: string;
  code: string;
  message: string;
}

/** One error for the whole request, listing every bad item in `extensions.items`. */
export function itemsError(code: 'PATH_OUTSIDE_ROOT' | 'SOURCE_NOT_FOUND' | 'BAD_USER_INPUT', problems: ItemProblem[]): AppError {
  const shown = problems.slice(0, 3).map((p) => p.source).join(', ');
  const more = problems.length > 3 ? ` and ${problems.length - 3} more` : '';
  const what = {
    PATH_OUTSIDE_ROOT: 'Paths outside the allowed folder',
    SOURCE_NOT_FOUND: 'Sources not found',
    BAD_USER_INPUT: 'Invalid items',
  }[code];
  return new AppError(code, `${what}: ${shown}${more}. Nothing was queued.`, { items: problems });
}
