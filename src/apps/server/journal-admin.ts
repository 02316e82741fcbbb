/**
 * What `neutrino journal` (src/cli, which does not reach into ML2) and a metrics endpoint use of
 * the opendaylight driver's journal: its rows and its figures (docs/opendaylight.md).
 */
export {
  deleteRow, getRow, journalFigures, listRows, purgeCompleted, retryFailed,
  type JournalFigures, type JournalRow, type JournalState,
} from '../../ml2/mech/opendaylight/journal-store.js'
