import { createTheme, localStorageColorSchemeManager } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'md',
});

// Persists the light/dark choice in localStorage (and follows changes made in other tabs).
export const colorSchemeManager = localStorageColorSchemeManager({ key: 'stagecoach-color-scheme' });
