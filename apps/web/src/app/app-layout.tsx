import { Anchor, AppShell, Burger, Group, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect, useRef } from 'react';
import { Link, Outlet, ScrollRestoration, useLocation } from 'react-router';
import { paths } from '../config/paths';
import { CurrentUser } from '../features/session/components/current-user';
import { PRODUCT_NAME } from '../lib/use-page-title';
import { AppNav } from './app-nav';
import { ColorSchemeToggle } from './color-scheme-toggle';
import classes from './app-layout.module.css';

const NAV_ID = 'app-navigation';
const MAIN_ID = 'main-content';

/** The app shell: header, responsive navigation (burger below `sm`) and the routed page. */
export function AppLayout() {
  const [navOpened, nav] = useDisclosure(false);
  const mainRef = useFocusMainOnNavigation();

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !navOpened } }}
      padding="md"
    >
      <a href={`#${MAIN_ID}`} className={classes.skipLink}>
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="sm">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={navOpened}
              onClick={nav.toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={navOpened ? 'Close navigation' : 'Open navigation'}
              aria-expanded={navOpened}
              aria-controls={NAV_ID}
            />
            <Anchor component={Link} to={paths.home} underline="never" c="inherit" aria-label={`${PRODUCT_NAME} home`}>
              <Text fw={700} size="lg" component="span">
                {PRODUCT_NAME}
              </Text>
            </Anchor>
          </Group>
          <Group gap="xs" wrap="nowrap" miw={0}>
            <CurrentUser />
            <ColorSchemeToggle />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" id={NAV_ID} aria-label="Main">
        <AppNav onNavigate={nav.close} />
      </AppShell.Navbar>
      <AppShell.Main id={MAIN_ID} ref={mainRef} tabIndex={-1} className={classes.main}>
        <Outlet />
      </AppShell.Main>
      <ScrollRestoration />
    </AppShell>
  );
}

// After a client-side navigation, move focus to the new page so keyboard and screen-reader users
// start there instead of on the link they just activated. The first render keeps the default.
function useFocusMainOnNavigation() {
  const { pathname } = useLocation();
  const ref = useRef<HTMLElement>(null);
  const previous = useRef(pathname);
  useEffect(() => {
    if (previous.current === pathname) return;
    previous.current = pathname;
    ref.current?.focus({ preventScroll: true });
  }, [pathname]);
  return ref;
}
