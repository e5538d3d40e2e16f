import { isStagingMethod, METHOD_INFO } from '@stagecoach/domain';

/** "LOCAL_COPY" → "Local copy" (the shared catalogue's label; the code itself for unknown methods). */
export function methodLabel(method: string): string {
  return isStagingMethod(method) ? METHOD_INFO[method].label : method;
}
