/** The size limits a Connection enforces on what it receives. */
export interface Limits {
  /**
   * The largest message, in bytes (after extensions decode it). Over it: close 1009.
   * Default 64 MiB in both roles — a documented deviation from WinRT's unlimited default;
   * `0xFFFFFFFF` restores "unlimited" where memory stays bounded (partial and stream receive).
   */
  readonly maxMessageSize: number;
  /** The largest single frame payload, in bytes. Default: `maxMessageSize`. Over it: close 1009. */
  readonly maxFrameSize: number;
  /** The most frames one message may arrive in (empty ones count). Default 131072. Over it: close 1008. */
  readonly maxFragments: number;
}

/** 64 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

/** The fragment limit ws and undici use. */
export const DEFAULT_MAX_FRAGMENTS = 131_072;

/** Fills in the defaults of a partial {@link Limits}. */
export function resolveLimits(limits: Partial<Limits> = {}): Limits {
  const maxMessageSize = limits.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  return {
    maxMessageSize,
    maxFrameSize: limits.maxFrameSize ?? maxMessageSize,
    maxFragments: limits.maxFragments ?? DEFAULT_MAX_FRAGMENTS,
  };
}
