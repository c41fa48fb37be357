// SDK worker entry for Node: the SDK's own dist/node-worker.js plus the host-filesystem bridge,
// which only its browser worker installs. Point the SDK here with setWorkerUrl() (see sdk.test.ts).
const dist = new URL('./', import.meta.resolve('@wasmer/sdk/node'));
const { installHostFileSystemWorkerBridge } = await import(new URL('host-filesystem.js', dist).href);
installHostFileSystemWorkerBridge();
await import(new URL('node-worker.js', dist).href);
