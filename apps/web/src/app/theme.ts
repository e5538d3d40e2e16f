import { createTheme, localStorageColorSchemeManager, type CSSVariablesResolver } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  // Shade 6 (Mantine's default) fails WCAG AA as link/text colour on white; 8 passes.
  primaryShade: { light: 8, dark: 8 },
  // Picks black or white text on filled colours (e.g. yellow badges) for readable contrast.
  autoContrast: true,
  defaultRadius: 'md',
});

// Mantine's default dimmed text (gray-6 / dark-2) is below WCAG AA contrast on the body colour;
// one shade further keeps the muted look and passes 4.5:1.
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    // Mantine's error red (red-6) is 3.3:1 on white; red-9 reaches 5.6:1.
    '--mantine-color-error': 'var(--mantine-color-red-9)',
    // Text of "light" alerts and badges: Mantine uses shade 9, which for yellow (2.9:1) and
    // orange (4.2:1) is still below AA on their tinted backgrounds. Darker tones of the same hue.
    '--mantine-color-yellow-light-color': '#7a4f01',
    '--mantine-color-orange-light-color': '#a13a06',
  },
  dark: {
    '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
    '--mantine-color-error': 'var(--mantine-color-red-4)',
  },
});

// Persists the light/dark choice in localStorage (and follows changes made in other tabs).
export const colorSchemeManager = localStorageColorSchemeManager({ key: 'stagecoach-color-scheme' });
