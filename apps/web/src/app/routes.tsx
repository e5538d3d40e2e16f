import type { RouteObject } from 'react-router';
import { paths } from '../config/paths';
import { AppLayout } from './app-layout';
import { ComingSoonPage } from './pages/coming-soon-page';
import { HomePage } from './pages/home-page';
import { NotFoundPage } from './pages/not-found-page';
import { RouteErrorPage } from './pages/route-error-page';

export const routes: RouteObject[] = [
  {
    element: <AppLayout />,
    errorElement: <RouteErrorPage standalone />,
    children: [
      {
        // A failing page renders its error inside the shell, so navigation keeps working.
        errorElement: <RouteErrorPage />,
        children: [
          { path: paths.home, element: <HomePage /> },
          { path: paths.requests, element: <ComingSoonPage title="Requests" /> },
          { path: paths.logs, element: <ComingSoonPage title="Logs" /> },
          { path: paths.account, element: <ComingSoonPage title="Account" /> },
          { path: paths.admin, element: <ComingSoonPage title="Admin" /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
