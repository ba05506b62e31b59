import { closeSync, openSync, readSync } from 'node:fs'

/** A cheap look at whether any connection may have committed to a SQLite database in WAL mode. */
export interface WalChangeHint {
  /**
   * Reads the WAL-index header and returns true when it is byte for byte the header last
   * {@link confirm}ed: no connection, in any process, committed since. False when it changed or
   * cannot be read (then look with `PRAGMA data_version` and call `confirm`).
   */
  unchanged(): boolean
  /** Records the header read by the last `unchanged()` as covered by a check that succeeded after that read. */
  confirm(): void
  /** Closes the file. Idempotent. */
  close(): void
}

// The first copy of the WAL-index header (`WalIndexHdr`, 48 bytes at offset 0 of the -shm file):
// iVersion, unused, iChange ("incremented with each transaction"), isInit, bigEndCksum, szPage,
// mxFrame, nPage, aFrameCksum, aSalt, aCksum (https://www.sqlite.org/walformat.html, 2.2.1). A
// committing connection rewrites it before its commit returns; readers do not write it (their
// read marks are further on).
const HEADER_BYTES = 48

/**
 * Opens the change hint of the database `file` (its `-shm` file, which SQLite maps into every
 * connection's memory in WAL mode; a `pread` sees what they wrote). One read of 48 bytes replaces
 * `PRAGMA data_version` (a read transaction: locks taken and released with `fcntl`) when nothing
 * was committed. Returns undefined for an in-memory database or a missing `-shm` file: then every
 * look is a `PRAGMA`.
 *
 * @example
 * const hint = walChangeHint('planspec.db')
 * if (!hint?.unchanged()) { const version = dataVersion.get(); hint?.confirm() }
 */
export function walChangeHint(file: string): WalChangeHint | undefined {
  if (file === '' || file === ':memory:' || file.startsWith('file:')) return undefined
  let fd: number | undefined
  try {
    fd = openSync(`${file}-shm`, 'r')
  } catch {
    return undefined
  }
  const read = Buffer.alloc(HEADER_BYTES)
  const seen = Buffer.alloc(HEADER_BYTES)
  let known = false
  let readOk = false
  return {
    unchanged() {
      readOk = false
      if (fd === undefined) return false
      try {
        readOk = readSync(fd, read, 0, HEADER_BYTES, 0) === HEADER_BYTES
      } catch {
        return false
      }
      return readOk && known && read.equals(seen)
    },
    confirm() {
      if (!readOk) return
      read.copy(seen)
      known = true
    },
    close() {
      if (fd === undefined) return
      closeSync(fd)
      fd = undefined
    },
  }
}
