// The dashboard's navigation: one line per page. A new page (segments, outbox, …) is one file
// in pages/ and one line here.
import type { Page } from './page'
import { usersPage } from './users'
import { livePage } from './live'
import { requestsPage } from './requests'
import { rejectionsPage } from './rejections'
import { segmentsPage } from './segments'
import { outboxPage } from './outbox'
import { pushSendsPage } from './push-sends'
import { liveActivitiesPage } from './live-activities'
import { fileImportsPage } from './file-imports'
import { workspacePage } from './workspace'

export const PAGES: readonly Page[] = [
  usersPage,
  livePage,
  requestsPage,
  rejectionsPage,
  segmentsPage,
  outboxPage,
  pushSendsPage,
  liveActivitiesPage,
  fileImportsPage,
  workspacePage,
]
