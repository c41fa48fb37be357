// Paged file content: read, write and truncate at byte offsets, copying only the pages a write touches.

import { PAGE_SIZE, type FileNode, type Page } from './node';

/** Read up to `length` bytes from `offset`; holes and the slack past short pages read as zeros. */
export function readContent(file: FileNode, offset: number, length: number): Uint8Array {
  const end = Math.min(file.size, offset + length);
  if (offset >= end) return new Uint8Array(0);
  const first = Math.floor(offset / PAGE_SIZE);
  const last = Math.floor((end - 1) / PAGE_SIZE);
  if (first === last) {
    // One page: the common case for small files and chunked reads; one copy.
    const page = file.pages[first];
    const base = first * PAGE_SIZE;
    const out = new Uint8Array(end - offset);
    if (page)
      out.set(page.data.subarray(Math.min(offset - base, page.data.length), Math.min(end - base, page.data.length)));
    return out;
  }
  const out = new Uint8Array(end - offset);
  for (let i = first; i <= last; i++) {
    const page = file.pages[i];
    if (!page) continue;
    const base = i * PAGE_SIZE;
    const from = Math.max(offset, base) - base;
    const to = Math.min(end - base, page.data.length);
    if (to > from) out.set(page.data.subarray(from, to), base + from - offset);
  }
  return out;
}

/**
 * Read up to `target.length` bytes from `offset` into `target` (zeros for holes); returns the
 * count. For callers that already own a buffer (the host-filesystem reply buffer).
 */
export function readContentInto(file: FileNode, offset: number, target: Uint8Array): number {
  const end = Math.min(file.size, offset + target.length);
  if (offset >= end) return 0;
  const first = Math.floor(offset / PAGE_SIZE);
  const last = Math.floor((end - 1) / PAGE_SIZE);
  for (let i = first; i <= last; i++) {
    const base = i * PAGE_SIZE;
    const from = Math.max(offset, base) - base;
    const to = Math.min(end - base, PAGE_SIZE);
    const at = base + from - offset;
    const page = file.pages[i];
    const have = page ? Math.min(to, page.data.length) : from;
    if (page && have > from) target.set(page.data.subarray(from, have), at);
    // The target may hold an older reply: zero what this file has no bytes for.
    if (to > Math.max(have, from)) target.fill(0, base + Math.max(have, from) - offset, base + to - offset);
  }
  return end - offset;
}

/**
 * Write `data` at `offset` into a file node that the caller already owns (gen === `gen`).
 * Pages of older generations are copied before the write; owned pages grow by doubling so
 * that appending in small chunks stays linear.
 */
export function writeContent(file: FileNode, offset: number, data: Uint8Array, gen: number): void {
  if (data.length === 0) return;
  const end = offset + data.length;
  const first = Math.floor(offset / PAGE_SIZE);
  const last = Math.floor((end - 1) / PAGE_SIZE);
  const needPages = Math.ceil(Math.max(end, file.size) / PAGE_SIZE);
  while (file.pages.length < needPages) file.pages.push(null);
  for (let i = first; i <= last; i++) {
    const base = i * PAGE_SIZE;
    const from = Math.max(offset, base) - base;
    const to = Math.min(end, base + PAGE_SIZE) - base;
    const src = data.subarray(base + from - offset, base + to - offset);
    let page = file.pages[i] ?? null;
    if (page && page.gen === gen && page.data.length >= to) {
      page.data.set(src, from);
      continue;
    }
    const oldLen = page ? page.data.length : 0;
    const grown = page && page.gen === gen ? Math.min(PAGE_SIZE, oldLen * 2) : 0;
    const cap = Math.min(PAGE_SIZE, Math.max(to, oldLen, grown));
    const buf = new Uint8Array(cap);
    if (page) buf.set(page.data.subarray(0, Math.min(oldLen, cap)));
    buf.set(src, from);
    page = { data: buf, gen };
    file.pages[i] = page;
  }
  if (end > file.size) file.size = end;
}

/** Set a file's size; shrinking zeroes (or re-copies) the tail of the new last page to keep the zero-slack rule. */
export function truncateContent(file: FileNode, size: number, gen: number): void {
  const pageCount = Math.ceil(size / PAGE_SIZE);
  if (size < file.size) {
    file.pages.length = pageCount;
    const keep = size - (pageCount - 1) * PAGE_SIZE;
    const lastIdx = pageCount - 1;
    const page = lastIdx >= 0 ? file.pages[lastIdx] : null;
    if (page && page.data.length > keep) {
      if (page.gen === gen) page.data.fill(0, keep);
      else file.pages[lastIdx] = { data: page.data.slice(0, keep), gen };
    }
  } else {
    while (file.pages.length < pageCount) file.pages.push(null);
  }
  file.size = size;
}

/**
 * Build fresh pages for a whole-file write (no old pages to merge with). Copied by default: the
 * caller may reuse its buffer, and we mutate owned pages in place. With `adopt` the pages are
 * views of `data` itself, for a buffer nobody else holds (one that came over postMessage): a
 * 100 MB `files.write` then costs no second copy. Views never overlap, so writing one page in
 * place cannot change another; the buffer lives as long as any of its pages.
 */
export function pagesFromBytes(data: Uint8Array, gen: number, adopt = false): Page[] {
  const pages: Page[] = [];
  for (let off = 0; off < data.length; off += PAGE_SIZE) {
    const end = Math.min(off + PAGE_SIZE, data.length);
    pages.push({ data: adopt ? data.subarray(off, end) : data.slice(off, end), gen });
  }
  return pages;
}

/** The meaningful bytes of page `i` (trimmed to the file size), for hashing and export. */
export function pageBytes(file: FileNode, i: number): Uint8Array {
  const page = file.pages[i];
  const len = Math.min(PAGE_SIZE, file.size - i * PAGE_SIZE);
  if (!page) return new Uint8Array(len);
  if (page.data.length === len) return page.data;
  if (page.data.length > len) return page.data.subarray(0, len);
  const out = new Uint8Array(len);
  out.set(page.data);
  return out;
}
