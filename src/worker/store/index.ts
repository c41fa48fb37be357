// The store module's public surface: backends, the commit protocol, export/import.

export type { StorageBackend, StoreErrorCode } from './backend';
export { StoreError, isQuotaError } from './backend';
export { MemoryBackend } from './memory';
export { OpfsBackend } from './opfs';
export { IdbBackend } from './idb';
export { openBackend, removeBackend, listBackends } from './open';
export type { PersistenceKind } from './open';
export { Repository } from './repository';
export type { PersistedState, PersistedSnapshot, LoadedState, CommitStats } from './repository';
export { saveVfs, loadVfs } from './persist';
export type { LoadedVfs } from './persist';
export { exportState, importState, DEFAULT_IMPORT_LIMIT } from './export';
export type { ExportOptions, ExportSnapshot, ImportOptions, ImportedState } from './export';
