import { Navigate, type RouteObject } from 'react-router';
import { paths } from '../config/paths';
import { AppLayout } from './app-layout';
import { RequireActiveUser, RequireAdmin } from './guards';
import { AccountPage } from './pages/account-page';
import { AdminEmailTemplatesPage } from './pages/admin-email-templates-page';
import { AdminRequestsPage } from './pages/admin-requests-page';
import { AdminUsersPage } from './pages/admin-users-page';
import { CreateFilePage } from './pages/create-file-page';
import { HomePage } from './pages/home-page';
import { LogsPage } from './pages/logs-page';
import { NotFoundPage } from './pages/not-found-page';
import { RequestDetailPage } from './pages/request-detail-page';
import { RequestsPage } from './pages/requests-page';
import { RouteErrorPage } from './pages/route-error-page';
import { StagePage } from './pages/stage-page';

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
          {
            element: <RequireActiveUser />,
            children: [
              { path: paths.stage, element: <StagePage /> },
              { path: paths.requests, element: <RequestsPage /> },
              { path: paths.requestDetail, element: <RequestDetailPage /> },
              { path: paths.logs, element: <LogsPage /> },
              { path: paths.createFile, element: <CreateFilePage /> },
              { path: paths.account, element: <AccountPage /> },
              {
                element: <RequireAdmin />,
                children: [
                  { path: paths.admin, element: <Navigate to={paths.adminUsers} replace /> },
                  { path: paths.adminUsers, element: <AdminUsersPage /> },
                  { path: paths.adminRequests, element: <AdminRequestsPage /> },
                  { path: paths.adminEmailTemplates, element: <AdminEmailTemplatesPage /> },
                ],
              },
            ],
          },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
