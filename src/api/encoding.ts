// Text <-> bytes at the API edge: the kernel deals only in bytes.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

export function toText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
