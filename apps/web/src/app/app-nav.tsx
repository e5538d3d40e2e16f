import { NavLink, Text } from '@mantine/core';
import { Link, useLocation } from 'react-router';
import { paths } from '../config/paths';
import { useMe } from '../features/session/api/get-me';

interface NavItem {
  label: string;
  to: string;
  /** Shown to signed-in, approved users only. */
  signedIn?: boolean;
  adminOnly?: boolean;
}

const NAV_ITEMS: readonly NavItem[] = [
  { label: 'Home', to: paths.home },
  { label: 'Stage files', to: paths.stage, signedIn: true },
  { label: 'Requests', to: paths.requests },
  { label: 'Live log', to: paths.logs, signedIn: true },
  { label: 'Create test file', to: paths.createFile, signedIn: true },
  { label: 'Account', to: paths.account },
];

// Hidden from non-admins for clarity only; the server enforces the role on every admin operation.
const ADMIN_ITEMS: readonly NavItem[] = [
  { label: 'Users', to: paths.adminUsers },
  { label: 'All requests', to: paths.adminRequests },
  { label: 'Email templates', to: paths.adminEmailTemplates },
];

function isActive(pathname: string, to: string): boolean {
  return to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`);
}

export function AppNav({ onNavigate }: { onNavigate?: () => void }) {
  const { pathname } = useLocation();
  const { data: me } = useMe();
  const active = me?.status === 'ACTIVE';
  const items = NAV_ITEMS.filter((item) => !item.signedIn || active);
  const isAdmin = active && me?.role === 'ADMIN';
  return (
    <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
      {items.map((item) => (
        <NavItemLink key={item.to} item={item} pathname={pathname} onNavigate={onNavigate} />
      ))}
      {isAdmin && (
        <li>
          <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="md" pb={4} id="admin-nav-heading">
            Administration
          </Text>
          <ul style={{ listStyle: 'none', margin: 0, padding: 0 }} aria-labelledby="admin-nav-heading">
            {ADMIN_ITEMS.map((item) => (
              <NavItemLink key={item.to} item={item} pathname={pathname} onNavigate={onNavigate} />
            ))}
          </ul>
        </li>
      )}
    </ul>
  );
}

function NavItemLink({ item, pathname, onNavigate }: { item: NavItem; pathname: string; onNavigate?: () => void }) {
  // "Requests" stays highlighted on a request's own page, but not under /admin/requests.
  const active = isActive(pathname, item.to);
  return (
    <li>
      <NavLink
        component={Link}
        to={item.to}
        label={item.label}
        active={active}
        aria-current={active ? 'page' : undefined}
        onClick={onNavigate}
      />
    </li>
  );
}
