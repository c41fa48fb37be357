// The package root: the public Sandbox API. Nothing here pulls in Node-only code.
export { Sandbox } from './sandbox';
export { Volume } from './volume';
export type { Capabilities } from './sandbox';
export type { RunCodeOptions, Language } from './run-code';
export { SandboxError, CommandExitError } from './errors';
export { CommandHandle } from './commands';
export { PtyHandle } from './pty';
export type { ErrorCode } from './errors';
export type {
  SandboxOptions,
  RunOptions,
  CommandResult,
  ProgressEvent,
  ReadOptions,
  WriteData,
  ProcessInfo,
  PtyOptions,
  EntryInfo,
  SnapshotInfo,
  DiffResult,
  PersistedInfo,
  WatchEvent,
  WatchHandle,
  Metrics,
  TemplateSpec,
  TemplateInfo,
  VolumeInfo,
} from './types';
export type { Extension, ExtensionInput, ExtensionOutput } from './extensions';
export type { NetworkOption } from './network';
export type { MountTree, MountStat, MountProvider, MountOptions } from './mount';
