import { createTheme, localStorageColorSchemeManager, type CSSVariablesResolver } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'md',
});

// Mantine's default dimmed text (gray-6 / dark-2) is below WCAG AA contrast on the body colour;
// one shade further keeps the muted look and passes 4.5:1.
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' },
  dark: { '--mantine-color-dimmed': 'var(--mantine-color-dark-1)' },
});

// Persists the light/dark choice in localStorage (and follows changes made in other tabs).
export const colorSchemeManager = localStorageColorSchemeManager({ key: 'stagecoach-color-scheme' });
