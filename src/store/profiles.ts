/**
 * The Store's `profiles` (ProfileRepo) as both adapters assemble it from their per-domain
 * repositories: which domain answers which of its reads, written once. A repository's part is
 * its `profiles`; the adapters hand them over, this puts them together.
 */
import type { ProfileRepo } from './store.js'

type Part<K extends keyof ProfileRepo> = Readonly<{ profiles: Pick<ProfileRepo, K> }>

export type ProfileParts = Readonly<{
  users: Part<'findUsers' | 'usersPage' | 'matchUsers'>
  devices: Part<'devicesOfUser'>
  events: Part<'eventsOfUser' | 'eventsPage'>
  outcomes: Part<'outcomesOfRequest'>
  merges: Part<'merge' | 'mergesOfUsers'>
  privacy: Part<
    'gdprRequest' | 'suppressions' | 'hasSuppressions' | 'suppressed' | 'liftSuppressions'
  >
}>

export function profilesOf(parts: ProfileParts): ProfileRepo {
  return {
    ...parts.users.profiles,
    ...parts.devices.profiles,
    ...parts.events.profiles,
    ...parts.outcomes.profiles,
    ...parts.merges.profiles,
    ...parts.privacy.profiles,
  }
}
