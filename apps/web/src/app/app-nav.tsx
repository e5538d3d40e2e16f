import { NavLink } from '@mantine/core';
import { Link, useLocation } from 'react-router';
import { paths } from '../config/paths';
import { useMe } from '../features/session/api/get-me';

interface NavItem {
  label: string;
  to: string;
  adminOnly?: boolean;
}

const NAV_ITEMS: readonly NavItem[] = [
  { label: 'Home', to: paths.home },
  { label: 'Requests', to: paths.requests },
  { label: 'Logs', to: paths.logs },
  { label: 'Account', to: paths.account },
  // Hidden from non-admins for clarity only; the server enforces the role on every admin operation.
  { label: 'Admin', to: paths.admin, adminOnly: true },
];

function isActive(pathname: string, to: string): boolean {
  return to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`);
}

export function AppNav({ onNavigate }: { onNavigate?: () => void }) {
  const { pathname } = useLocation();
  const { data: me } = useMe();
  const items = NAV_ITEMS.filter((item) => !item.adminOnly || me?.role === 'ADMIN');
  return (
    <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
      {items.map((item) => {
        const active = isActive(pathname, item.to);
        return (
          <li key={item.to}>
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
      })}
    </ul>
  );
}
