import { ActionIcon, useComputedColorScheme, useMantineColorScheme } from '@mantine/core';
import { MoonIcon, SunIcon } from '../components/icons';

export function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  // Resolves "auto" to what the OS currently shows, so the toggle always flips what you see.
  const computed = useComputedColorScheme('light', { getInitialValueInEffect: true });
  const next = computed === 'dark' ? 'light' : 'dark';
  return (
    <ActionIcon
      variant="default"
      size="lg"
      onClick={() => setColorScheme(next)}
      aria-label={`Switch to ${next} color scheme`}
      title={`Switch to ${next} color scheme`}
    >
      {computed === 'dark' ? <SunIcon /> : <MoonIcon />}
    </ActionIcon>
  );
}
