/**
 * A workspace's subscription categories (MoEngage defines them in its dashboard, Settings > Email >
 * Subscription categories; Inlet through the admin API and `inlet workspaces categories`): the
 * input rules of a category (a name of 1 to 100 characters, case-sensitive, no control
 * characters; a description of at most 500; active or not), its view, and the operations on the
 * store's rows. Requests of the consent family accept only active categories. Which users chose
 * what is the consent family's; this module only defines the list.
 */
import type { Clock } from '../core/clock.js'
import type { Store, SubscriptionCategoryRow } from '../store/store.js'
import { WorkspaceInputError } from './changes.js'
import { WorkspaceNotFoundError } from './workspaces.js'

export const MAX_CATEGORY_NAME_LENGTH = 100
export const MAX_CATEGORY_DESCRIPTION_LENGTH = 500
/** Most categories one workspace may define. */
export const MAX_CATEGORIES = 200

export type CategoryInput = Readonly<{ name: string; description?: string; active?: boolean }>

export type CategoryView = {
  name: string
  description: string
  active: boolean
  created_at: string
  updated_at: string
}

export function categoryView(row: SubscriptionCategoryRow): CategoryView {
  return {
    name: row.name,
    description: row.description,
    active: row.active,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
  }
}

// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/

/** A category name as given: refused (WorkspaceInputError) unless usable as a JSON key and label. */
export function parseCategoryName(raw: unknown, attribute = 'name'): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new WorkspaceInputError('a category name should be a non-empty string', attribute)
  }
  if (raw.length > MAX_CATEGORY_NAME_LENGTH || CONTROL.test(raw) || raw !== raw.trim()) {
    throw new WorkspaceInputError(
      `a category name has at most ${MAX_CATEGORY_NAME_LENGTH} characters, no control characters and no leading or trailing spaces`,
      attribute,
    )
  }
  return raw
}

/** `{name, description?, active?}` (admin API body, CLI flags), nothing else. */
export function parseCategoryInput(raw: Record<string, unknown>): CategoryInput {
  const { name, description, active, ...rest } = raw
  const unknown = Object.keys(rest)[0]
  if (unknown !== undefined) {
    throw new WorkspaceInputError(
      `${unknown} is not a known field (known: name, description, active)`,
      unknown,
    )
  }
  if (
    description !== undefined &&
    (typeof description !== 'string' || description.length > MAX_CATEGORY_DESCRIPTION_LENGTH)
  ) {
    throw new WorkspaceInputError(
      `description should be a string of at most ${MAX_CATEGORY_DESCRIPTION_LENGTH} characters`,
      'description',
    )
  }
  if (active !== undefined && typeof active !== 'boolean') {
    throw new WorkspaceInputError('active should be true or false', 'active')
  }
  return {
    name: parseCategoryName(name),
    ...(description === undefined ? {} : { description }),
    ...(active === undefined ? {} : { active }),
  }
}

export type SubscriptionCategories = Readonly<{
  list(workspaceId: string): Promise<CategoryView[]>
  /** Creates the category (active unless said otherwise) or changes the fields given. */
  put(workspaceId: string, input: CategoryInput): Promise<CategoryView>
  /** Removes the category and every user's choice for it; false when there was none. */
  remove(workspaceId: string, name: string): Promise<boolean>
}>

export function createSubscriptionCategories(deps: {
  store: Store
  clock: Clock
}): SubscriptionCategories {
  const { store, clock } = deps
  const existing = async (workspaceId: string): Promise<SubscriptionCategoryRow[]> => {
    if ((await store.workspaces.get(workspaceId)) === undefined) {
      throw new WorkspaceNotFoundError(workspaceId)
    }
    return store.consent.categories(workspaceId)
  }
  return {
    list: async (workspaceId) => (await existing(workspaceId)).map(categoryView),
    put: async (workspaceId, input) => {
      const rows = await existing(workspaceId)
      const before = rows.find((r) => r.name === input.name)
      if (before === undefined && rows.length >= MAX_CATEGORIES) {
        throw new WorkspaceInputError(
          `a workspace has at most ${MAX_CATEGORIES} subscription categories`,
          'name',
        )
      }
      const now = clock.now()
      const row: SubscriptionCategoryRow = {
        workspaceId,
        name: input.name,
        description: input.description ?? before?.description ?? '',
        active: input.active ?? before?.active ?? true,
        createdAt: before?.createdAt ?? now,
        updatedAt: now,
      }
      await store.consent.putCategory(row)
      return categoryView(row)
    },
    remove: async (workspaceId, name) => {
      await existing(workspaceId)
      return store.consent.removeCategory(workspaceId, name)
    },
  }
}
