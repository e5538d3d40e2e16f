import { Anchor, createTheme, localStorageColorSchemeManager, type CSSVariablesResolver } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  // Shade 6 (Mantine's default) fails WCAG AA as link/text colour on white; 8 passes.
  primaryShade: { light: 8, dark: 8 },
  // Picks black or white text on filled colours (e.g. yellow badges) for readable contrast.
  autoContrast: true,
  defaultRadius: 'md',
  components: {
    // Links inside text must not rely on colour alone (WCAG 1.4.1): always underlined.
    Anchor: Anchor.extend({ defaultProps: { underline: 'always' } }),
  },
});

// Mantine's default dimmed text (gray-6 / dark-2) is below WCAG AA contrast on the body colour;
// one shade further keeps the muted look and passes 4.5:1.
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    // Mantine's error red (red-6) is 3.3:1 on white; red-9 reaches 5.6:1.
    '--mantine-color-error': 'var(--mantine-color-red-9)',
    // Text of "light" alerts and badges: Mantine uses shade 9, which on these hues' tinted
    // backgrounds is below or barely at AA (yellow 2.8, lime 3.4, orange 3.9, green 4.0,
    // teal 4.6:1). Darker tones of the same hues reach 6:1 or more.
    '--mantine-color-yellow-light-color': '#7a4f01',
    '--mantine-color-orange-light-color': '#a13a06',
    '--mantine-color-green-light-color': '#1f6b31',
    '--mantine-color-lime-light-color': '#466a07',
    '--mantine-color-teal-light-color': '#06654a',
    '--mantine-color-cyan-light-color': '#085e6e',
  },
  dark: {
    '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
    '--mantine-color-error': 'var(--mantine-color-red-4)',
  },
});

// Persists the light/dark choice in localStorage (and follows changes made in other tabs).
export const colorSchemeManager = localStorageColorSchemeManager({ key: 'stagecoach-color-scheme' });
